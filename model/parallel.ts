/**
 * Parallel breadth-first search with worker_threads (`check --workers N`).
 *
 * The visited set is sharded by fingerprint: worker w owns the states whose
 * fingerprint is w modulo N, with its own fingerprint set, frontier and
 * parent links. The search is level-synchronous, so traces stay shortest:
 * each level, every worker expands its frontier, keeps the successors it
 * owns and sends the others (encoding, fingerprint, parent, ordinal, action)
 * to their owners through the main thread (buffers are transferred, not
 * copied); then every worker absorbs what it received. A state's number is
 * local * N + worker, so parent links cross shards.
 *
 * A machine cannot be sent to a thread, so each worker builds its own from
 * a MachineSource: a module URL, the name of an exported factory, and its
 * JSON arguments (e.g. spec/index.js, "buildSpec", [config, mutant]).
 */
import { Worker } from "node:worker_threads";
import type { StateMachine } from "./machine.js";
import { collisionProbability } from "./fingerprint.js";
import { DEADLOCK, formatBytes, invariantViolation, replayTrace, symmetryOf, type CheckOptions } from "./check.js";
import type { ActionCoverage, CheckResult, CheckStatistics, Outdegree, RunStatus } from "./statistics.js";
import type { Violation } from "./trace.js";

export interface MachineSource {
  /** URL of an ES module (e.g. new URL("../spec/index.js", import.meta.url).href). */
  readonly module: string;
  /** Name of the exported function that builds the machine. */
  readonly exportName: string;
  /** Its arguments (JSON values). */
  readonly args: readonly unknown[];
}

export async function loadMachine(source: MachineSource): Promise<StateMachine<unknown>> {
  const module = (await import(source.module)) as Record<string, unknown>;
  const factory = module[source.exportName];
  if (typeof factory !== "function") throw new Error(`${source.module} exports no function ${source.exportName}`);
  return (factory as (...args: unknown[]) => StateMachine<unknown>)(...source.args);
}

export interface ParallelOptions extends CheckOptions {
  readonly workers: number;
}

/** What a worker reports after expanding its frontier (see parallel-worker.ts). */
export interface ExpandReport {
  readonly generated: number;
  readonly firings: Float64Array;
  readonly newStates: Float64Array;
  readonly outdegrees: Float64Array;
  readonly maxOutdegree: number;
  readonly expanded: number;
  /** Global number of the first deadlocked state, or -1. */
  readonly deadlock: number;
  /** First broken invariant among the new states kept locally, or -1, and its state. */
  readonly brokenInvariant: number;
  readonly brokenAt: number;
  /** outboxes[w]: records for worker w (empty buffer for itself). */
  readonly outboxes: ArrayBuffer[];
  readonly outboxLengths: number[];
  readonly distinct: number;
  readonly heldBytes: number;
}

export interface AbsorbReport {
  readonly newStates: Float64Array;
  readonly brokenInvariant: number;
  readonly brokenAt: number;
  readonly distinct: number;
  readonly frontier: number;
  readonly heldBytes: number;
  readonly visitedBytes: number;
}

const OUTDEGREE_BUCKETS = 4096;

class WorkerHandle {
  private readonly worker: Worker;
  private pending: ((value: unknown) => void) | undefined;
  private failure: Error | undefined;

  constructor(index: number, count: number, source: MachineSource, symmetry: boolean) {
    this.worker = new Worker(new URL("./parallel-worker.js", import.meta.url), {
      workerData: { index, count, source, symmetry },
    });
    this.worker.on("message", (message) => {
      const resolve = this.pending;
      this.pending = undefined;
      resolve?.(message);
    });
    this.worker.on("error", (error) => {
      this.failure = error;
      const resolve = this.pending;
      this.pending = undefined;
      resolve?.({ error: error.message });
    });
  }

  async request<T>(message: unknown, transfer: ArrayBuffer[] = []): Promise<T> {
    if (this.failure) throw this.failure;
    const reply = await new Promise<unknown>((resolve) => {
      this.pending = resolve;
      this.worker.postMessage(message, transfer);
    });
    if (reply !== null && typeof reply === "object" && "error" in reply) throw new Error(`check worker: ${String((reply as { error: unknown }).error)}`);
    return reply as T;
  }

  async terminate(): Promise<void> {
    await this.worker.terminate();
  }
}

/** check() with `workers` worker threads; the same counts, verdicts and shortest-trace lengths. */
export async function checkParallel(source: MachineSource, options: ParallelOptions): Promise<CheckResult> {
  const count = options.workers;
  const machine = await loadMachine(source);
  const canonicalize = symmetryOf(machine, options.symmetry === true);
  const checkDeadlock = options.checkDeadlock ?? true;
  const maxStates = options.maxStates ?? Number.POSITIVE_INFINITY;
  const maxDepth = options.maxDepth ?? Number.POSITIVE_INFINITY;
  const maxMemory = options.maxMemory ?? Number.POSITIVE_INFINITY;
  const actionCount = machine.actions.length;
  const firings = new Float64Array(actionCount);
  const newStates = new Float64Array(actionCount);
  const outdegrees = new Float64Array(OUTDEGREE_BUCKETS);
  let maxOutdegree = 0;
  let generated = 0;
  let expanded = 0;
  let distinct = 0;
  let initialStates = 0;
  let depth = 0;
  let heldBytes = 0;
  let visitedBytes = 0;
  let budget: string | undefined;
  let violation: Violation | undefined;
  let violationAt = -1;
  const started = performance.now();
  const workers = Array.from({ length: count }, (_, index) => new WorkerHandle(index, count, source, options.symmetry === true));

  try {
    // Level 0: worker 0 computes the initial states and routes them like successors.
    const init = await workers[0]!.request<ExpandReport>({ kind: "init" });
    generated += init.generated;
    let absorbed = await absorbAll(workers, [init]);
    distinct = absorbed.reduce((sum, a) => sum + a.distinct, 0);
    initialStates = distinct;
    const initBroken = firstBroken([...absorbed, init]);
    if (initBroken !== undefined) {
      violation = invariantViolation(machine.invariants[initBroken.invariant]!);
      violationAt = initBroken.at;
    } else if (distinct >= maxStates) budget = `the state budget of ${maxStates} distinct states`;
    let frontier = absorbed.reduce((sum, a) => sum + a.frontier, 0);
    let deepest = 0;

    while (violation === undefined && budget === undefined && frontier > 0) {
      if (depth >= maxDepth) {
        budget = `the depth budget of ${maxDepth} steps`;
        break;
      }
      const reports = await Promise.all(workers.map((w) => w.request<ExpandReport>({ kind: "expand" })));
      for (const r of reports) {
        for (let a = 0; a < actionCount; a++) newStates[a]! += r.newStates[a]!;
        generated += r.generated;
        expanded += r.expanded;
        for (let a = 0; a < actionCount; a++) {
          firings[a]! += r.firings[a]!;
        }
        for (let d = 0; d < OUTDEGREE_BUCKETS; d++) outdegrees[d]! += r.outdegrees[d]!;
        maxOutdegree = Math.max(maxOutdegree, r.maxOutdegree);
      }
      const deadlocked = reports.map((r) => r.deadlock).filter((at) => at >= 0);
      if (checkDeadlock && deadlocked.length > 0) {
        violation = DEADLOCK;
        violationAt = Math.min(...deadlocked);
        break;
      }
      absorbed = await absorbAll(workers, reports);
      for (const a of absorbed) for (let i = 0; i < actionCount; i++) newStates[i]! += a.newStates[i]!;
      distinct = absorbed.reduce((sum, a) => sum + a.distinct, 0);
      frontier = absorbed.reduce((sum, a) => sum + a.frontier, 0);
      heldBytes = absorbed.reduce((sum, a) => sum + a.heldBytes, 0);
      visitedBytes = absorbed.reduce((sum, a) => sum + a.visitedBytes, 0);
      if (frontier > 0) deepest = depth + 1;
      const broken = firstBroken([...absorbed, ...reports]);
      if (broken !== undefined) {
        violation = invariantViolation(machine.invariants[broken.invariant]!);
        violationAt = broken.at;
        break;
      }
      depth++;
      if (distinct >= maxStates) budget = `the state budget of ${maxStates} distinct states`;
      else if (2 * heldBytes > maxMemory) budget = `the memory budget of ${formatBytes(maxMemory)}`;
    }

    const seconds = (performance.now() - started) / 1000;
    const coverage: ActionCoverage[] = machine.actions.map((action, index) => ({ action, firings: firings[index]!, distinct: newStates[index]! }));
    const statistics: CheckStatistics = {
      initialStates,
      generated,
      distinct,
      queue: distinct - expanded,
      depth: distinct === 0 ? 0 : deepest + 1,
      seconds,
      statesPerSecond: seconds > 0 ? Math.round(generated / seconds) : generated,
      coverage,
      collisionProbability: collisionProbability(distinct, generated),
      fingerprintCollisions: 0,
      storeBytes: heldBytes,
      visitedBytes,
      peakMemoryBytes: process.resourceUsage().maxRSS * 1024,
      workers: count,
      ...(canonicalize !== undefined ? { symmetry: true } : {}),
      ...outdegreeOf(outdegrees, maxOutdegree),
    };
    const status: RunStatus = violation !== undefined ? "violation" : budget !== undefined ? "budget" : "ok";
    if (violation === undefined) return { status, statistics, ...(budget ? { budget } : {}) };
    const links = await gatherLinks(workers);
    return { status, statistics, violation, trace: replayTrace(machine, links, violationAt, canonicalize) };
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
}

function firstBroken(reports: readonly { brokenInvariant: number; brokenAt: number }[]): { invariant: number; at: number } | undefined {
  let best: { invariant: number; at: number } | undefined;
  for (const r of reports) {
    if (r.brokenInvariant < 0) continue;
    if (best === undefined || r.brokenAt < best.at) best = { invariant: r.brokenInvariant, at: r.brokenAt };
  }
  return best;
}

/** Routes every worker's outbox for w to w, which absorbs them into its next frontier. */
async function absorbAll(workers: readonly WorkerHandle[], reports: readonly ExpandReport[]): Promise<AbsorbReport[]> {
  return Promise.all(
    workers.map((worker, w) => {
      const inboxes: ArrayBuffer[] = [];
      const lengths: number[] = [];
      for (const r of reports) {
        const buffer = r.outboxes[w];
        if (buffer === undefined || r.outboxLengths[w] === 0) continue;
        inboxes.push(buffer);
        lengths.push(r.outboxLengths[w]!);
      }
      return worker.request<AbsorbReport>({ kind: "absorb", inboxes, lengths }, inboxes);
    }),
  );
}

/** All workers' parent links, as one view by global state number. */
async function gatherLinks(workers: readonly WorkerHandle[]): Promise<{ pathTo(last: number): number[]; ordinal(index: number): number }> {
  const parts = await Promise.all(workers.map((w) => w.request<{ parents: Int32Array; ordinals: Uint32Array }>({ kind: "links" })));
  const n = workers.length;
  const parent = (index: number) => parts[index % n]!.parents[Math.floor(index / n)]!;
  return {
    ordinal: (index) => parts[index % n]!.ordinals[Math.floor(index / n)]!,
    pathTo: (last) => {
      const path: number[] = [];
      for (let index = last; index >= 0; index = parent(index)) path.push(index);
      return path.reverse();
    },
  };
}

function outdegreeOf(histogram: Float64Array, maximum: number): { outdegree?: Outdegree } {
  let expanded = 0;
  let total = 0;
  let minimum = -1;
  histogram.forEach((count, degree) => {
    if (count === 0) return;
    expanded += count;
    total += count * degree;
    if (minimum < 0) minimum = degree;
  });
  if (expanded === 0) return {};
  let seen = 0;
  let percentile95 = maximum;
  for (let degree = 0; degree < histogram.length; degree++) {
    seen += histogram[degree]!;
    if (seen >= 0.95 * expanded) {
      percentile95 = Math.min(degree, maximum);
      break;
    }
  }
  return { outdegree: { average: total / expanded, minimum, maximum, percentile95 } };
}
