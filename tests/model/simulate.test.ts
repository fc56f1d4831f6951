import { describe, expect, test } from "vitest";
import { Random, freshSeed } from "../../model/random.js";
import { simulate } from "../../model/simulate.js";
import { graphMachine } from "./graph-machine.js";
import { dieHard, tCommit, twoPhase } from "./machines.js";

describe("seeded random numbers", () => {
  test("the same seed gives the same sequence; another seed another", () => {
    const draw = (seed: number) => Array.from({ length: 20 }, ((r) => () => r.nextUint32())(new Random(seed)));
    expect(draw(42)).toEqual(draw(42));
    expect(draw(42)).not.toEqual(draw(43));
    expect(draw(2 ** 40 + 7)).not.toEqual(draw(7));
  });

  test("below(n) stays in range and reaches every value", () => {
    const random = new Random(1);
    const seen = new Set<number>();
    for (let i = 0; i < 2000; i++) {
      const value = random.below(7);
      expect(value).toBeGreaterThanOrEqual(0);
      expect(value).toBeLessThan(7);
      seen.add(value);
    }
    expect(seen.size).toBe(7);
  });

  test("fresh seeds are valid seeds", () => {
    const seed = freshSeed();
    expect(Number.isSafeInteger(seed) && seed >= 0).toBe(true);
    expect(() => new Random(seed)).not.toThrow();
    expect(() => new Random(-1)).toThrow(RangeError);
  });
});

describe("simulation", () => {
  test("a seed reproduces the run exactly, violation trace included", () => {
    const first = simulate(dieHard({ withNotSolved: true }), { seed: 12345, runs: 5000, depth: 30 });
    const again = simulate(dieHard({ withNotSolved: true }), { seed: 12345, runs: 5000, depth: 30 });
    expect(first.status).toBe("violation");
    expect(first.violation?.name).toBe("NotSolved");
    expect(again.trace).toEqual(first.trace);
    expect(again.statistics.runs).toBe(first.statistics.runs);
    expect(first.trace!.at(-1)!.state["big"]).toBe(4);
    expect(first.trace!.length).toBeGreaterThanOrEqual(7);
  });

  test("different seeds explore differently", () => {
    const traces = [1, 2, 3, 4].map((seed) => JSON.stringify(simulate(dieHard({ withNotSolved: true }), { seed, runs: 500, depth: 40 }).trace));
    expect(new Set(traces).size).toBeGreaterThan(1);
  });

  test("without a violation, every run goes to the full depth and coverage counts the steps", () => {
    const result = simulate(twoPhase(3), { seed: 7, runs: 50, depth: 20 });
    expect(result.status).toBe("ok");
    expect(result.statistics).toMatchObject({ runs: 50, generated: 50 * 21, longestRun: 20, seed: 7 });
    const steps = result.statistics.coverage.reduce((sum, entry) => sum + entry.firings, 0);
    expect(steps).toBe(50 * 20);
  });

  test("deadlocks are found, and runs simply end when deadlock checking is off", () => {
    const deadlocked = simulate(tCommit(3), { seed: 3, runs: 10, depth: 50 });
    expect(deadlocked.violation?.kind).toBe("deadlock");
    const quiet = simulate(tCommit(3), { seed: 3, runs: 10, depth: 50, checkDeadlock: false });
    expect(quiet.status).toBe("ok");
    expect(quiet.statistics.longestRun).toBeLessThanOrEqual(6);
  });

  test("an invariant violated at an initial state is found on the first state", () => {
    const result = simulate(graphMachine({ nodes: 2, initial: [1], edges: [[1, 0, "A"]], bad: [1] }), { seed: 9, runs: 1 });
    expect(result.trace).toEqual([{ action: "Init", params: {}, state: { node: 1 } }]);
  });
});
