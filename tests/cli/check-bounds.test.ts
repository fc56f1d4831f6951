/**
 * Every configuration inside the schema's bounds starts at once (no symmetry
 * group is built unless asked for, and then none is enumerated) and honours
 * --max-states and --max-memory; the trace of such a configuration shows and
 * replays. The bounds: 8 tasks, 16 threads, 32 frames, 16 regions of 16
 * pages, 8 kernel addresses, 16 markers.
 */
import { writeFileSync } from "node:fs";
import { describe, expect, test } from "vitest";
import { ExitCode } from "../../cli/exit-codes.js";
import { LIMITS } from "../../spec/index.js";
import { inFreshDirectory, multipager } from "./run-cli.js";

inFreshDirectory("multipager-bounds");

/** Every dimension at its bound: eight tasks each with a pager (four frames each) and a consumer. */
const everyBound = {
  tasks: LIMITS.tasks,
  threads: [...Array.from({ length: 8 }, (_, t) => ({ task: t, pager: true })), ...Array.from({ length: 8 }, (_, t) => ({ task: t }))],
  frames: Array.from({ length: LIMITS.frames }, (_, f) => f % 8),
  regionsPerTask: LIMITS.regionsPerTask,
  pagesPerRegion: LIMITS.pagesPerRegion,
  kernelAddresses: LIMITS.kernelAddresses,
  markers: LIMITS.markers,
};
/** Fifteen interchangeable consumers of one pager that owns every frame. */
const fifteenConsumers = {
  ...everyBound,
  tasks: 1,
  threads: [{ task: 0, pager: true }, ...Array.from({ length: LIMITS.threads - 1 }, () => ({ task: 0 }))],
  frames: Array.from({ length: LIMITS.frames }, () => 0),
};

const seconds = async (run: () => Promise<unknown>) => {
  const started = performance.now();
  await run();
  return (performance.now() - started) / 1000;
};

describe("configurations at the schema's bounds", () => {
  // Under symmetry the initial state's ~10,000 successors (a few ms each to canonicalise) are looked up in chunks, so the budget stops the search within the first.
  for (const [name, config, runs] of [
    ["every-bound", everyBound, [[], ["--symmetry"]]],
    ["fifteen-consumers", fifteenConsumers, [[], ["--symmetry"]]],
  ] as const) {
    test(`${name}: --max-states 10 stops with partial statistics${runs.length > 1 ? ", with and without --symmetry" : ""}`, async () => {
      writeFileSync(`${name}.json`, JSON.stringify(config));
      for (const extra of runs) {
        let run: Awaited<ReturnType<typeof multipager>> | undefined;
        const took = await seconds(async () => (run = await multipager("check", "--config", `${name}.json`, "--max-states", "10", ...extra)));
        expect(run!.code, run!.stderr).toBe(ExitCode.Budget);
        expect(run!.stdout).toMatch(/^Checking multipager-spec: configuration/);
        expect(run!.stdout).toContain("the state budget of 10 distinct states was reached");
        // Generous for a loaded two-core machine; an unloaded one takes well under a second without symmetry.
        expect(took).toBeLessThan(30);
      }
    }, 120_000);
  }

  test("every-bound: --max-memory stops cleanly before the search's arrays outgrow it", async () => {
    writeFileSync("every-bound.json", JSON.stringify(everyBound));
    const run = await multipager("check", "--config", "every-bound.json", "--max-memory", "2M", "--runs", "2", "--depth", "20", "--seed", "5");
    expect(run.code).toBe(ExitCode.Budget);
    expect(run.stdout).toContain("the memory budget of 2.0 MiB was reached");
  }, 120_000);

  test("a counterexample on the largest configuration shows and replays", async () => {
    writeFileSync("every-bound.json", JSON.stringify(everyBound));
    const found = await multipager("check", "--config", "every-bound.json", "--mutant", "task-maps-own-region", "--simulate", "--seed", "2", "--runs", "20", "--depth", "30", "--itf", "big.itf.json");
    expect(found.code, found.stdout).toBe(ExitCode.Safety);
    const shown = await multipager("trace", "show", "big.itf.json");
    expect(shown.code).toBe(ExitCode.Ok);
    expect(shown.stdout).toContain("RegionIsolation");
    const replayed = await multipager("trace", "replay", "big.itf.json");
    expect(replayed.code).toBe(ExitCode.Safety);
  }, 120_000);
});
