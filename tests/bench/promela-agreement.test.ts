/**
 * The Promela translation (bench/promela) and the TypeScript spec reach the
 * same number of distinct states: Spin's "states, stored" (breadth-first, no
 * partial-order reduction) equals our checker's distinct count. Skipped with
 * a message where spin is absent, except in CI (CI=true), where that fails.
 */
import { describe, expect, test } from "vitest";
import { check } from "../../model/check.js";
import { promelaModel } from "../../bench/promela/generate.js";
import { runSpin, spinPath } from "../../bench/promela/spin.js";
import { buildSpec, namedConfigs, type SpecConfig } from "../../spec/index.js";

const spin = spinPath();
const inCi = process.env.CI === "true";
if (spin === null && !inCi) console.warn("tests/bench/promela-agreement: spin is not installed (apt-get install spin): skipped");

const tiny = namedConfigs.find((c) => c.name === "tiny")!.config;
/** Two tasks, a pager with two frames serving a client task: the multi-task indexing and frame choice. */
const twoTasks: SpecConfig = {
  tasks: 2,
  threads: [{ task: 0, pager: true }, { task: 1 }],
  frames: [0, 0],
  regionsPerTask: 1,
  pagesPerRegion: 1,
  kernelAddresses: 1,
  markers: 2,
};
/** Two pagers that may fault on each other's regions: D4's wait-cycle walk. */
const crossPagers: SpecConfig = {
  tasks: 1,
  threads: [{ task: 0, pager: true }, { task: 0, pager: true }],
  frames: [0, 1],
  regionsPerTask: 2,
  pagesPerRegion: 1,
  kernelAddresses: 0,
  markers: 1,
};

describe("Promela model agrees with the spec", () => {
  test("spin is installed in CI", () => {
    if (inCi) expect(spin, "spin must be installed in CI (.ci/run installs the Debian package)").not.toBeNull();
  });

  for (const [name, config] of [["tiny", tiny], ["two tasks", twoTasks], ["cross pagers", crossPagers]] as const) {
    test.skipIf(spin === null)(`${name}: Spin's stored states equal our distinct states`, () => {
      const ours = check(buildSpec(config), { checkDeadlock: false });
      expect(ours.status).toBe("ok");
      const theirs = runSpin(promelaModel(config, name), { memoryLimitMb: 512, hashBits: 18 });
      expect(theirs.complete, theirs.report).toBe(true);
      expect(theirs.stored).toBe(ours.statistics.distinct);
      // Every computed successor is one Spin transition too (pan counts the initial state as one).
      expect(theirs.transitions).toBe(ours.statistics.generated);
    });
  }

  test("the generated model is deterministic text", () => {
    expect(promelaModel(tiny, "tiny")).toBe(promelaModel(tiny, "tiny"));
    expect(promelaModel(tiny, "tiny")).toContain("d_step");
  });
});
