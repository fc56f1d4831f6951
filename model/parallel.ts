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
import { DEADLOCK, formatBytes, invariantViolation, replayTrace, symmetryOf, withViolations, type CheckOptions, type SearchPause } from "./check.js";
import { pairs, snapshotReader, type Snapshot } from "./snapshot.js";
import { CHUNK_BYTES, chunkCount, chunkTail, packChunks, unpackChunks } from "./frontier-chunks.js";
import { InputError } from "./input-error.js";
import { PAUSE_INTERVAL_MS, type PauseHandling } from "./pausing.js";
import {
  BUSY,
  CAPACITY,
  CURRENT_KIB,
  CURSOR,
  FREE_CURSOR,
  MAX_TABLE_BYTES,
  DISTINCT,
  NEXT_KIB,
  savedTable,
  sharedVisitedBuffers,
  STOP,
  STOP_MEMORY_BUDGET,
  STOP_PAUSE,
  STOP_STATE_BUDGET,
  type SharedVisitedBuffers,
} from "./shared-fingerprint-set.js";
import { type ActionCoverage, type CheckResult, type CheckStatistics, OUTDEGREE_BUCKETS, outdegreeOf, type Progress, type RunStatus } from "./statistics.js";
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
  /** The memory budget in bytes (Infinity: none), which the workers check before each state. */
  readonly maxMemory: number;
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
  /** Told to stop, the worker stopped inside this chunk of the level, after expanding this many of its states. */
  readonly partial?: { readonly chunk: number; readonly expanded: number };
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

/**
 * check() with `workers` worker threads; the same counts, verdicts and
 * shortest-trace lengths. With `handling` it can be interrupted and paused
 * for a checkpoint (model/pausing.ts): the main thread looks every
 * PAUSE_INTERVAL_MS whether to, and stops the workers at their next state;
 * what they have not expanded of the level stays to be expanded, so a pause
 * changes nothing in the search, and a snapshot taken there resumes it
 * (`restored`, with the same number of workers) as if it never stopped.
 */
export async function checkParallel(
  source: MachineSource,
  options: ParallelOptions,
  handling?: PauseHandling<SearchPause>,
  restored?: Snapshot,
): Promise<CheckResult> {
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
  const saved = restored === undefined ? undefined : parallelSnapshot(restored, count, actionCount);
  const firings = saved?.firings ?? new Float64Array(actionCount);
  const newStates = saved?.newStates ?? new Float64Array(actionCount);
  const outdegrees = saved?.outdegrees ?? new Float64Array(OUTDEGREE_BUCKETS);
  let maxOutdegree = saved?.scalars.maxOutdegree ?? 0;
  let generated = saved?.scalars.generated ?? 0;
  let expanded = saved?.scalars.expanded ?? 0;
  let initialStates = saved?.scalars.initialStates ?? 0;
  let depth = saved?.scalars.depth ?? 0;
  let deepest = saved?.scalars.deepest ?? 0;
  let heldBytes = 0;
  let budget: string | undefined;
  let interruption: string | undefined;
  /** Set when the search must stop for its violations (the limit reached). */
  let violation: Violation | undefined;
  const found: { violation: Violation; at: number }[] = (saved?.found ?? []).map(([invariant, at]) => ({
    violation: invariant === DEADLOCKED ? DEADLOCK : invariantViolation(machine.invariants[invariant]!),
    at,
  }));
  const started = performance.now() - 1000 * (saved?.scalars.seconds ?? 0);
  let lastProgress = performance.now();
  const visited = restoredTable(Math.min(maxMemory, MAX_TABLE_BYTES), saved?.table);
  const control = new Int32Array(visited.control);
  const tableBytes = () => 8 * Atomics.load(control, CAPACITY);
  const workers = Array.from(
    { length: count },
    (_, index) => new WorkerHandle({ index, count, source, symmetry: options.symmetry === true, visited, checkDeadlock, maxStates, maxMemory, maxViolations, properties }),
  );
  const chunkKiB = (chunks: readonly SharedArrayBuffer[]) => Math.ceil(chunks.reduce((sum, chunk) => sum + chunk.byteLength, 0) / 1024);
  const statesIn = (chunks: readonly SharedArrayBuffer[]) => chunks.reduce((sum, chunk) => sum + chunkCount(chunk), 0);

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

  /** What is left of `level` after the workers stopped inside it (each says where; the chunks past the cursor were not claimed). */
  const unexpanded = (level: readonly SharedArrayBuffer[], reports: readonly LevelReport[]): SharedArrayBuffer[] => {
    const claimed = Math.min(Atomics.load(control, CURSOR), level.length);
    const tails = reports.flatMap((r) => (r.partial === undefined ? [] : [chunkTail(level[r.partial.chunk]!, r.partial.expanded)]));
    return [...tails, ...level.slice(claimed)];
  };

  const figures = (): Progress => {
    const distinct = Atomics.load(control, DISTINCT);
    return { generated, distinct, queue: distinct - expanded, depth: distinct === 0 ? 0 : deepest + 1, seconds: (performance.now() - started) / 1000 };
  };

  /** A snapshot of the search stopped between two states: `level` is what is left of the current level, `upcoming` the next level so far. */
  const snapshot = async (level: readonly SharedArrayBuffer[], upcoming: readonly SharedArrayBuffer[]): Promise<Snapshot> => {
    const links = await Promise.all(workers.map((w) => w.request<{ parents: Int32Array; ordinals: Uint32Array }>({ kind: "links" })));
    const packedLevel = packChunks(level);
    const packedUpcoming = packChunks(upcoming);
    return {
      search: "parallel",
      scalars: { workers: count, generated, expanded, initialStates, depth, deepest, maxOutdegree, distinct: Atomics.load(control, DISTINCT), seconds: (performance.now() - started) / 1000 },
      arrays: {
        table: savedTable(visited),
        firings,
        newStates,
        outdegrees,
        found: Int32Array.from(found.flatMap((f) => [f.violation === DEADLOCK ? DEADLOCKED : machine.invariants.findIndex((i) => i.name === f.violation.name), f.at])),
        "level.bytes": packedLevel.bytes,
        "level.sizes": packedLevel.sizes,
        "upcoming.bytes": packedUpcoming.bytes,
        "upcoming.sizes": packedUpcoming.sizes,
        ...Object.fromEntries(links.flatMap((l, w) => [[`worker${w}.parents`, l.parents], [`worker${w}.ordinals`, l.ordinals]])),
      },
    };
  };

  /** Chunks no state of which is left to expand: the writers reuse them (frontier-chunks.ts). */
  let retired: SharedArrayBuffer[] = [];
  /** Expands (what is left of) a level with every worker; asks them to stop when the caller interrupts or wants a pause. */
  const expandLevel = async (level: readonly SharedArrayBuffer[]): Promise<LevelReport[]> => {
    Atomics.store(control, CURSOR, 0);
    Atomics.store(control, FREE_CURSOR, 0);
    Atomics.store(control, BUSY, count);
    const free = retired.filter((chunk) => chunk.byteLength === CHUNK_BYTES);
    retired = [];
    const watch =
      handling === undefined
        ? undefined
        : setInterval(() => {
            if (handling.interrupted() !== undefined || handling.pauseWanted?.() === true) Atomics.compareExchange(control, STOP, 0, STOP_PAUSE);
          }, PAUSE_INTERVAL_MS);
    try {
      return await Promise.all(workers.map((w) => w.request<LevelReport>({ kind: "expand", chunks: level, free })));
    } finally {
      if (watch !== undefined) clearInterval(watch);
    }
  };

  try {
    let level: SharedArrayBuffer[];
    let upcoming: SharedArrayBuffer[];
    if (saved === undefined) {
      Atomics.store(control, BUSY, 1);
      level = absorb([await workers[0]!.request<LevelReport>({ kind: "init" })]);
      initialStates = Atomics.load(control, DISTINCT);
      upcoming = [];
    } else {
      await Promise.all(workers.map((w, index) => w.request({ kind: "restore", ...saved.links[index]! })));
      level = saved.level;
      upcoming = saved.upcoming;
      Atomics.store(control, NEXT_KIB, chunkKiB(upcoming));
    }
    Atomics.store(control, CURRENT_KIB, chunkKiB(level));

    while (violation === undefined && budget === undefined && interruption === undefined) {
      if (level.length === 0) {
        // The level is done: the next one, if it has states, is one step deeper.
        if (statesIn(upcoming) === 0) break;
        depth++;
        level = upcoming;
        upcoming = [];
        Atomics.store(control, CURRENT_KIB, Atomics.load(control, NEXT_KIB));
        Atomics.store(control, NEXT_KIB, 0);
        // Between levels: the figures are whole only here.
        const now = performance.now();
        if (options.onProgress !== undefined && now - lastProgress >= (options.progressIntervalMs ?? 1000)) {
          lastProgress = now;
          options.onProgress(figures());
        }
        continue;
      }
      if (depth >= maxDepth) {
        budget = `the depth budget of ${maxDepth} steps`;
        break;
      }
      const reports = await expandLevel(level);
      upcoming.push(...absorb(reports));
      // As one worker counts it: a state found one step deeper makes the search that deep, whatever stops it next.
      if (statesIn(upcoming) > 0) deepest = depth + 1;
      if (Atomics.load(control, STOP) !== STOP_PAUSE) {
        retired = level;
        level = [];
        continue;
      }
      // Stopped between two states: a checkpoint can be taken, or the run ends here.
      Atomics.store(control, STOP, 0);
      retired = level.slice(0, Math.min(Atomics.load(control, CURSOR), level.length));
      level = unexpanded(level, reports);
      if (violation !== undefined || budget !== undefined || handling === undefined) continue;
      const taken = handling.snapshots === true ? await snapshot(level, upcoming) : undefined;
      handling.atPause?.({
        figures,
        snapshot: () => {
          if (taken === undefined) throw new Error("parallel search: a snapshot was taken without PauseHandling.snapshots");
          return taken;
        },
      });
      interruption = handling.interrupted();
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
    const status: RunStatus = found.length > 0 ? "violation" : budget !== undefined ? "budget" : interruption !== undefined ? "interrupted" : "ok";
    const stops = { ...(budget ? { budget } : {}), ...(interruption ? { interruption } : {}) };
    if (found.length === 0) return { status, statistics, ...stops };
    const links = await gatherLinks(workers);
    return withViolations({ status, statistics, ...stops }, found, maxViolations, (at) => replayTrace(machine, links, at, canonicalize));
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
}

/** The shared table, empty or as a checkpoint saved it; a saved table larger than this run's memory budget allows is one line. */
function restoredTable(maxBytes: number, saved: { words: Int32Array; distinct: number } | undefined): SharedVisitedBuffers {
  try {
    return sharedVisitedBuffers(maxBytes, saved);
  } catch (error) {
    if (error instanceof RangeError) throw new InputError(`checkpoint: ${error.message} (a larger --max-memory, or none)`);
    throw error;
  }
}

/** A parallel search's snapshot as its parts again; a snapshot of another shape is refused with one line. */
function parallelSnapshot(snapshot: Snapshot, workers: number, actionCount: number) {
  const names = ["workers", "generated", "expanded", "initialStates", "depth", "deepest", "maxOutdegree", "distinct", "seconds"] as const;
  const { scalars, array, bad } = snapshotReader(snapshot, "parallel", "resume it with one worker", names);
  if (scalars.workers !== workers) bad(`written with ${scalars.workers} workers; resume it with --workers ${scalars.workers}`);
  const chunks = (name: string): SharedArrayBuffer[] => {
    try {
      return unpackChunks(array(`${name}.bytes`, Uint8Array), array(`${name}.sizes`, Uint32Array));
    } catch (error) {
      if (error instanceof RangeError) return bad(error.message);
      throw error;
    }
  };
  return {
    scalars,
    table: { words: array("table", Int32Array), distinct: scalars.distinct },
    firings: array("firings", Float64Array, actionCount),
    newStates: array("newStates", Float64Array, actionCount),
    outdegrees: array("outdegrees", Float64Array, OUTDEGREE_BUCKETS),
    level: chunks("level"),
    upcoming: chunks("upcoming"),
    found: pairs(array("found", Int32Array)),
    links: Array.from({ length: workers }, (_, w) => ({ parents: array(`worker${w}.parents`, Int32Array), ordinals: array(`worker${w}.ordinals`, Uint32Array) })),
  };
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
