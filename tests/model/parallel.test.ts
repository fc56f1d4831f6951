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
import type * as Checkpoint from "../../model/checkpoint.js";
import { built, ensureBuilt } from "../built.js";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

let parallel: typeof Parallel;
let checker: typeof Check;
let spec: typeof Spec;
let checkpoint: typeof Checkpoint;

beforeAll(async () => {
  ensureBuilt();
  parallel = (await import(built("model/parallel.ts"))) as typeof Parallel;
  checker = (await import(built("model/check.ts"))) as typeof Check;
  spec = (await import(built("spec/index.ts"))) as typeof Spec;
  checkpoint = (await import(built("model/checkpoint.ts"))) as typeof Checkpoint;
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

  test.each([2, 4])("a memory budget stops %i workers cleanly, with partial statistics, before their arrays pass it", async (workers) => {
    const budget = 4 * 2 ** 20;
    const result = await parallel.checkParallel(spec.specSource(configNamed("three-consumers")), { workers, maxMemory: budget });
    expect(result.status).toBe("budget");
    expect(result.budget).toMatch(/memory budget of 4\.0 MiB/);
    expect(result.statistics.distinct).toBeGreaterThan(0);
    expect(result.statistics.distinct).toBeLessThan(399_492);
    // The shared table and every worker's links and frontier chunks: checked before each state, not after a whole level.
    expect(result.statistics.storeBytes).toBeLessThanOrEqual(budget);
  });

  test("a state budget stops the parallel search too", async () => {
    const result = await parallel.checkParallel(spec.specSource(configNamed("three-consumers")), { workers: 2, maxStates: 10_000 });
    expect(result.status).toBe("budget");
    expect(result.statistics.distinct).toBeGreaterThanOrEqual(10_000);
  });

  test("paused for a checkpoint, then interrupted: resumed from the checkpoint, 2 workers end with one worker's figures", async () => {
    const config = configNamed("three-consumers");
    const one = checker.check(spec.buildSpec(config));
    const dir = join(mkdtempSync(join(tmpdir(), "multipager-parallel-checkpoint-")), "ck");
    const identity = { workers: 2 };
    let pauses = 0;
    const interrupted = await parallel.checkParallel(spec.specSource(config), { workers: 2 }, {
      snapshots: true,
      pauseWanted: () => pauses === 0,
      atPause: (pause) => {
        pauses++;
        checkpoint.writeCheckpoint(dir, identity, pause.figures(), pause.snapshot());
      },
      interrupted: () => (pauses >= 1 ? "SIGTERM" : undefined),
    });
    expect([interrupted.status, interrupted.interruption]).toEqual(["interrupted", "SIGTERM"]);
    expect(interrupted.statistics.distinct).toBeLessThan(one.statistics.distinct);
    const { snapshot, summary } = checkpoint.readCheckpoint(dir, identity);
    expect([summary.distinct, summary.generated, summary.queue]).toEqual([interrupted.statistics.distinct, interrupted.statistics.generated, interrupted.statistics.queue]);
    const resumed = await parallel.checkParallel(spec.specSource(config), { workers: 2 }, undefined, snapshot);
    const counts = (s: typeof one.statistics) => [s.generated, s.distinct, s.queue, s.depth, s.outdegree, s.coverage.map((c) => c.firings)];
    expect(resumed.status).toBe("ok");
    expect(counts(resumed.statistics)).toEqual(counts(one.statistics));
    await expect(parallel.checkParallel(spec.specSource(config), { workers: 3 }, undefined, snapshot)).rejects.toThrow("checkpoint: written with 2 workers; resume it with --workers 2");
  });
});
