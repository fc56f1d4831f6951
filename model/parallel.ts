/**
 * Parallel breadth-first search with worker_threads (`check --workers N`).
 *
 * All workers share one visited set of fingerprints in shared memory
 * (model/shared-fingerprint-set.ts), added to without locks. The search is
 * level-synchronous, so traces stay shortest: each level the main thread
 * hands every worker the list of the level's frontier chunks
 * (model/frontier-chunks.ts, also shared memory); the workers claim chunks
 * one at a time until none is left, and write the states they discover into
 * chunks of their own, which make up the next level. The main thread only
 * adds up the figures between levels.
 *
 * Which worker reaches a state first, and so which of its parents a trace
 * goes through, depends on timing: with several workers the counterexample
 * is always a shortest one, but not always the same one (as with TLC's
 * workers). The counts are the same on every run.
 *
 * A machine cannot be sent to a thread, so each worker builds its own from
 * a MachineSource: a module URL, the name of an exported factory, and its
 * JSON arguments (e.g. spec/index.js, "buildSpec", [config, mutant]).
 */
import { Worker } from "node:worker_threads";
import type { StateMachine } from "./machine.js";
import { collisionProbability } from "./fingerprint.js";
import { DEADLOCK, formatBytes, invariantViolation, replayTrace, symmetryOf, withViolations, type CheckOptions } from "./check.js";
import { chunkCount } from "./frontier-chunks.js";
import {
  BUSY,
  CAPACITY,
  CURSOR,
  MAX_TABLE_BYTES,
  DISTINCT,
  sharedVisitedBuffers,
  STOP,
  STOP_MEMORY_BUDGET,
  STOP_STATE_BUDGET,
  type SharedVisitedBuffers,
} from "./shared-fingerprint-set.js";
import { type ActionCoverage, type CheckResult, type CheckStatistics, OUTDEGREE_BUCKETS, outdegreeOf, type RunStatus } from "./statistics.js";
import type { Violation } from "./trace.js";
import { selectProperties, type PropertySelection } from "./selection.js";

/** In a worker's violations: the state has no successor. */
export const DEADLOCKED = -1;

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
  /** The invariants (and temporal properties) to check; each worker restricts its own machine (model/selection.ts). */
  readonly properties?: PropertySelection;
}

/** What each worker is started with (see parallel-worker.ts). */
export interface WorkerData {
  readonly index: number;
  readonly count: number;
  readonly source: MachineSource;
  readonly symmetry: boolean;
  readonly visited: SharedVisitedBuffers;
  readonly checkDeadlock: boolean;
  readonly maxStates: number;
  readonly maxViolations: number;
  readonly properties: PropertySelection;
}

/** What a worker reports after its part of a level (or of the initial states). */
export interface LevelReport {
  readonly generated: number;
  readonly expanded: number;
  readonly firings: Float64Array;
  readonly newStates: Float64Array;
  readonly outdegrees: Float64Array;
  readonly maxOutdegree: number;
  /**
   * The violations this worker found, in the order found (at most the limit):
   * the index of the broken invariant (DEADLOCKED for a state without
   * successor) and the state's global number. A violating state is not
   * written to the next level.
   */
  readonly violations: readonly (readonly [invariant: number, at: number])[];
  /** Bytes the worker holds: its parent links and its chunks of the next level. */
  readonly heldBytes: number;
  /** The next level's states this worker discovered. */
  readonly chunks: SharedArrayBuffer[];
}

class WorkerHandle {
  private readonly worker: Worker;
  private pending: ((value: unknown) => void) | undefined;
  private failure: Error | undefined;

  constructor(data: WorkerData) {
    this.worker = new Worker(new URL("./parallel-worker.js", import.meta.url), { workerData: data });
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

  async request<T>(message: unknown): Promise<T> {
    if (this.failure) throw this.failure;
    const reply = await new Promise<unknown>((resolve) => {
      this.pending = resolve;
      this.worker.postMessage(message);
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
  const properties = options.properties ?? {};
  const machine = selectProperties(await loadMachine(source), properties);
  const canonicalize = symmetryOf(machine, options.symmetry === true);
  const maxViolations = options.maxViolations ?? 1;
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
  let initialStates = 0;
  let depth = 0;
  let deepest = 0;
  let heldBytes = 0;
  let budget: string | undefined;
  /** Set when the search must stop for its violations (the limit reached). */
  let violation: Violation | undefined;
  const found: { violation: Violation; at: number }[] = [];
  const started = performance.now();
  let lastProgress = started;
  const visited = sharedVisitedBuffers(Math.min(maxMemory, MAX_TABLE_BYTES));
  const control = new Int32Array(visited.control);
  const tableBytes = () => 8 * Atomics.load(control, CAPACITY);
  const workers = Array.from(
    { length: count },
    (_, index) => new WorkerHandle({ index, count, source, symmetry: options.symmetry === true, visited, checkDeadlock, maxStates, maxViolations, properties }),
  );

  /** Adds up one round of reports; returns the next level's chunks. */
  const absorb = (reports: readonly LevelReport[]): SharedArrayBuffer[] => {
    for (const r of reports) {
      generated += r.generated;
      expanded += r.expanded;
      for (let a = 0; a < actionCount; a++) {
        firings[a]! += r.firings[a]!;
        newStates[a]! += r.newStates[a]!;
      }
      for (let d = 0; d < OUTDEGREE_BUCKETS; d++) outdegrees[d]! += r.outdegrees[d]!;
      maxOutdegree = Math.max(maxOutdegree, r.maxOutdegree);
    }
    heldBytes = tableBytes() + reports.reduce((sum, r) => sum + r.heldBytes, 0);
    // This level's deadlocks (states of the level) before its broken invariants (states of the next one), each by state number.
    const level = reports.flatMap((r) => r.violations);
    const byNumber = (a: readonly [number, number], b: readonly [number, number]) => a[1] - b[1];
    for (const [invariant, at] of [...level.filter(([i]) => i === DEADLOCKED).sort(byNumber), ...level.filter(([i]) => i !== DEADLOCKED).sort(byNumber)]) {
      if (found.length >= maxViolations) break;
      found.push({ violation: invariant === DEADLOCKED ? DEADLOCK : invariantViolation(machine.invariants[invariant]!), at });
    }
    if (found.length >= maxViolations) violation = found[0]!.violation;
    else {
      const stop = Atomics.load(control, STOP);
      if (stop === STOP_STATE_BUDGET) budget = `the state budget of ${maxStates} distinct states`;
      else if (heldBytes > maxMemory || (stop === STOP_MEMORY_BUDGET && maxMemory < MAX_TABLE_BYTES)) budget = `the memory budget of ${formatBytes(maxMemory)}`;
      else if (stop === STOP_MEMORY_BUDGET) budget = `the shared visited set's maximum of ${formatBytes(MAX_TABLE_BYTES)} (V8's limit for one growable shared buffer)`;
    }
    return reports.flatMap((r) => r.chunks);
  };

  try {
    Atomics.store(control, BUSY, 1);
    let chunks = absorb([await workers[0]!.request<LevelReport>({ kind: "init" })]);
    initialStates = Atomics.load(control, DISTINCT);
    let frontier = chunks.reduce((sum, chunk) => sum + chunkCount(chunk), 0);

    while (violation === undefined && budget === undefined && frontier > 0) {
      if (depth >= maxDepth) {
        budget = `the depth budget of ${maxDepth} steps`;
        break;
      }
      Atomics.store(control, CURSOR, 0);
      Atomics.store(control, BUSY, count);
      const level = chunks;
      chunks = absorb(await Promise.all(workers.map((w) => w.request<LevelReport>({ kind: "expand", chunks: level }))));
      frontier = chunks.reduce((sum, chunk) => sum + chunkCount(chunk), 0);
      if (frontier > 0) deepest = depth + 1;
      depth++;
      // Between levels: the figures are whole only here.
      const now = performance.now();
      if (options.onProgress !== undefined && now - lastProgress >= (options.progressIntervalMs ?? 1000)) {
        lastProgress = now;
        const distinct = Atomics.load(control, DISTINCT);
        options.onProgress({ generated, distinct, queue: distinct - expanded, depth: deepest + 1, seconds: (now - started) / 1000 });
      }
    }

    const distinct = Atomics.load(control, DISTINCT);
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
      visitedBytes: tableBytes(),
      peakMemoryBytes: process.resourceUsage().maxRSS * 1024,
      workers: count,
      ...(canonicalize !== undefined ? { symmetry: true } : {}),
      ...outdegreeOf(outdegrees, maxOutdegree),
    };
    const status: RunStatus = found.length > 0 ? "violation" : budget !== undefined ? "budget" : "ok";
    if (found.length === 0) return { status, statistics, ...(budget ? { budget } : {}) };
    const links = await gatherLinks(workers);
    return withViolations({ status, statistics, ...(budget ? { budget } : {}) }, found, maxViolations, (at) => replayTrace(machine, links, at, canonicalize));
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
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
