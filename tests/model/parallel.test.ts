/**
 * Parallel search (check --workers N): the same distinct and generated
 * counts, depth and verdict as one worker, and a counterexample of the same
 * shortest length. Worker threads load compiled JavaScript, so this runs the
 * built dist/ (built here when missing or older than the sources).
 */
import { beforeAll, describe, expect, test } from "vitest";
import type * as Parallel from "../../model/parallel.js";
import type * as Check from "../../model/check.js";
import type * as Spec from "../../spec/index.js";
import { built, ensureBuilt } from "../built.js";

let parallel: typeof Parallel;
let checker: typeof Check;
let spec: typeof Spec;

beforeAll(async () => {
  ensureBuilt();
  parallel = (await import(built("model/parallel.ts"))) as typeof Parallel;
  checker = (await import(built("model/check.ts"))) as typeof Check;
  spec = (await import(built("spec/index.ts"))) as typeof Spec;
}, 300_000);

const configNamed = (name: string) => spec.namedConfigs.find((c) => c.name === name)!.config;

describe("parallel search", () => {
  for (const [workers, symmetry] of [[2, false], [2, true], [3, false]] as const) {
    test(`${workers} workers${symmetry ? " with symmetry" : ""}: the same counts and depth as one on default`, async () => {
      const config = configNamed("default");
      const one = checker.check(spec.buildSpec(config), { symmetry });
      const many = await parallel.checkParallel(spec.specSource(config), { workers, symmetry });
      expect(many.status).toBe("ok");
      expect(many.statistics.distinct).toBe(one.statistics.distinct);
      expect(many.statistics.generated).toBe(one.statistics.generated);
      expect(many.statistics.depth).toBe(one.statistics.depth);
      // Firings are the same; which action first reaches a state may differ between workers' orders.
      expect(many.statistics.coverage.map((c) => c.firings)).toEqual(one.statistics.coverage.map((c) => c.firings));
      expect(many.statistics.coverage.reduce((sum, c) => sum + c.distinct, 0)).toBe(one.statistics.coverage.reduce((sum, c) => sum + c.distinct, 0));
      expect(many.statistics.workers).toBe(workers);
    });
  }

  test("every mutant: the same violation, the same partial counts (left on queue too) and a trace of the same shortest length", async () => {
    for (const mutant of spec.specMutants) {
      const config = configNamed(mutant.config);
      const one = checker.check(spec.buildSpec(config, mutant.name));
      const two = await parallel.checkParallel(spec.specSource(config, mutant.name), { workers: 2 });
      expect(two.status).toBe("violation");
      expect(two.violation?.name).toBe(one.violation?.name);
      const counts = (s: typeof one.statistics) => [s.generated, s.distinct, s.queue, s.depth];
      expect(counts(two.statistics), mutant.name).toEqual(counts(one.statistics));
      expect(two.trace).toHaveLength(one.trace!.length);
      expect(two.trace![0]!.action).toBe("Init");
    }
  });

  test("--continue and --max-error with 2 workers: the same violating states as one worker; k of them, shortest first", async () => {
    const config = configNamed("tiny");
    const endOf = (v: { trace: readonly { state: unknown }[] }) => JSON.stringify(v.trace.at(-1)!.state);
    const one = checker.check(spec.buildSpec(config, "no-present-recheck"), { maxViolations: Number.POSITIVE_INFINITY });
    const two = await parallel.checkParallel(spec.specSource(config, "no-present-recheck"), { workers: 2, maxViolations: Number.POSITIVE_INFINITY });
    expect(two.statistics.distinct).toBe(one.statistics.distinct);
    expect(two.violations!.map(endOf).sort()).toEqual(one.violations!.map(endOf).sort());
    const three = await parallel.checkParallel(spec.specSource(config, "no-present-recheck"), { workers: 2, maxViolations: 3 });
    expect(three.violations!.map((v) => v.trace.length)).toEqual(one.violations!.slice(0, 3).map((v) => v.trace.length));
  });

  test("--inv with 2 workers: each worker checks only the chosen invariants", async () => {
    const config = configNamed("tiny");
    const properties = { withoutInvariants: ["NoNeedlessPagerInvocation"] };
    const two = await parallel.checkParallel(spec.specSource(config, "no-present-recheck"), { workers: 2, properties });
    expect(two.status).toBe("ok");
    const only = await parallel.checkParallel(spec.specSource(config, "no-present-recheck"), { workers: 2, properties: { invariants: ["NoNeedlessPagerInvocation"] } });
    expect(only.violation?.name).toBe("NoNeedlessPagerInvocation");
  });

  test("4 workers on three-consumers: the same counts as one, through many growths of the shared set", async () => {
    const config = configNamed("three-consumers");
    const one = checker.check(spec.buildSpec(config));
    const four = await parallel.checkParallel(spec.specSource(config), { workers: 4 });
    expect([four.status, four.statistics.distinct, four.statistics.generated, four.statistics.depth]).toEqual(["ok", one.statistics.distinct, one.statistics.generated, one.statistics.depth]);
    // The shared table is the visited set: 8-byte slots, at most 80% and at least 53% full.
    expect(four.statistics.visitedBytes! / four.statistics.distinct).toBeLessThanOrEqual(16);
  });

  test("a memory budget stops the parallel search cleanly, with partial statistics", async () => {
    const result = await parallel.checkParallel(spec.specSource(configNamed("three-consumers")), { workers: 2, maxMemory: 2 * 2 ** 20 });
    expect(result.status).toBe("budget");
    expect(result.budget).toMatch(/memory budget of 2\.0 MiB/);
    expect(result.statistics.distinct).toBeGreaterThan(0);
    expect(result.statistics.distinct).toBeLessThan(399_492);
  });

  test("a state budget stops the parallel search too", async () => {
    const result = await parallel.checkParallel(spec.specSource(configNamed("three-consumers")), { workers: 2, maxStates: 10_000 });
    expect(result.status).toBe("budget");
    expect(result.statistics.distinct).toBeGreaterThanOrEqual(10_000);
  });
});
