/**
 * Shortening simulation traces: the result replays on the machine, ends in
 * the same violation, is no longer than the original, and on these small
 * configurations is as short as breadth-first search's shortest trace; delta
 * debugging alone (no final search) is valid and shorter too.
 */
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { check } from "../../model/check.js";
import type { StateMachine } from "../../model/machine.js";
import { simulate } from "../../model/simulate.js";
import { buildSpec, loadConfig, specMutants } from "../../spec/index.js";
import { finalStateViolates, walk } from "../../trace/replay.js";
import { shortenTrace } from "../../trace/shorten.js";
import { dieHard } from "../model/machines.js";
import { pinnedSeed } from "../seed.js";

pinnedSeed(import.meta.url, 42);

function spec(mutant: string, config: string): StateMachine<unknown> {
  return buildSpec(loadConfig(config).config, mutant) as StateMachine<unknown>;
}

describe("shortenTrace", () => {
  test.each(specMutants.map((m) => [m.name, m.config]))("%s: a long random walk shrinks to a valid trace as short as BFS's", (mutant, config) => {
    const machine = spec(mutant, config);
    const shortest = check(machine, { checkDeadlock: false }).trace!.length - 1;
    let shrunk = 0;
    for (const seed of [1, 2, 3, 4, 5]) {
      const run = simulate(machine, { seed, runs: 200, depth: 80, checkDeadlock: false });
      if (run.violation === undefined) continue;
      const violates = finalStateViolates(machine, run.violation)!;
      const result = shortenTrace(machine, run.trace!, violates);
      expect(result.originalLength).toBe(run.trace!.length - 1);
      expect(result.length).toBe(result.steps.length - 1);
      expect(result.length).toBeLessThanOrEqual(result.originalLength);
      const replayed = walk(machine, result.steps);
      expect(replayed.kind).toBe("applies");
      expect(replayed.kind === "applies" && replayed.divergence).toBeUndefined();
      if (replayed.kind === "applies") expect(violates(replayed.states[replayed.states.length - 1]!)).toBe(true);
      expect(result.length, `seed ${seed}`).toBe(shortest);
      // Without the final search (a one-state budget), delta debugging alone still gives a valid, violating, shorter trace.
      const ddmin = shortenTrace(machine, run.trace!, violates, undefined, 1);
      const alone = walk(machine, ddmin.steps);
      expect(alone.kind === "applies" && alone.divergence === undefined && violates(alone.states.at(-1)!)).toBe(true);
      expect(ddmin.length).toBeLessThanOrEqual(ddmin.originalLength);
      if (ddmin.originalLength > 3 * shortest) expect(ddmin.length).toBeLessThan(ddmin.originalLength);
      shrunk++;
    }
    expect(shrunk).toBeGreaterThan(0);
  });

  test("any Die Hard walk to 4 gallons shrinks to a valid walk no longer than it (fast-check over seeds)", () => {
    const machine = dieHard({ withNotSolved: true }) as StateMachine<unknown>;
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 31 - 1 }), (seed) => {
        const run = simulate(machine, { seed, runs: 50, depth: 60, checkDeadlock: false });
        if (run.violation === undefined) return;
        const violates = finalStateViolates(machine, run.violation)!;
        const result = shortenTrace(machine, run.trace!, violates);
        expect(result.length).toBeLessThanOrEqual(result.originalLength);
        expect(result.length).toBe(6); // the puzzle's shortest solution
        const replayed = walk(machine, result.steps);
        expect(replayed.kind === "applies" && replayed.divergence === undefined && violates(replayed.states.at(-1)!)).toBe(true);
      }),
      { numRuns: 25 },
    );
  });

  test("a trace that does not end in the violation is returned unchanged", () => {
    const machine = spec("no-present-recheck", "tiny");
    const run = check(machine, { checkDeadlock: false });
    const prefix = run.trace!.slice(0, 2);
    const result = shortenTrace(machine, prefix, finalStateViolates(machine, run.violation!)!);
    expect(result.steps).toBe(prefix);
    expect(result.length).toBe(result.originalLength);
  });
});

describe("shortenRefinementTrace", () => {
  test("a random walk of the kernel with a planted bug shrinks to a refinement trace that still breaks the obligation", async () => {
    const { buildRefinement, kernelConfigFor, violationOf } = await import("../../refinement/product.js");
    const { refinementConfigNamed } = await import("../../refinement/configs.js");
    const { shortenRefinementTrace } = await import("../../trace/refinement.js");
    const config = refinementConfigNamed("markers");
    const refinement = buildRefinement({ spec: config.spec, kernel: kernelConfigFor(config.spec, config.cpus), arch: "proposed", mutant: "marker-lost" });
    const shortest = check(refinement.product, { checkDeadlock: false }).trace!.length - 1;
    let shrunk = 0;
    for (const seed of [1, 2, 3]) {
      const run = simulate(refinement.product, { seed, runs: 100, depth: 60, checkDeadlock: false });
      if (run.violation === undefined) continue;
      const walked = walk(refinement.product, run.trace!);
      if (walked.kind !== "applies") throw new Error("the simulation's trace does not replay");
      const obligation = violationOf(refinement, walked.states.at(-1)!, run.violation.name).name;
      const result = shortenRefinementTrace(refinement, run.trace!, obligation);
      expect(result.length).toBeLessThanOrEqual(result.originalLength);
      expect(result.length).toBe(shortest);
      expect(result.steps.every((step) => step.abstract !== undefined)).toBe(true);
      expect(violationOf(refinement, result.last, run.violation.name).name).toBe(obligation);
      shrunk++;
    }
    expect(shrunk).toBeGreaterThan(0);
  });
});
