/**
 * One worker of the parallel search (model/parallel.ts). Messages: "init"
 * (add the initial states), "expand" (claim chunks of the level's frontier
 * until none is left, expanding each state into the shared visited set and
 * this worker's own chunks of the next level), "links" (this worker's parent
 * links, for trace replay).
 *
 * The state this worker numbers `local` has the global number
 * local * workers + index, so parent links cross workers.
 */
import { parentPort, workerData } from "node:worker_threads";
import { actionIndexer, symmetryOf } from "./check.js";
import { ChunkWriter, forEachInChunk } from "./frontier-chunks.js";
import type { Invariant } from "./machine.js";
import { DEADLOCKED, loadMachine, type LevelReport, type WorkerData } from "./parallel.js";
import { selectProperties } from "./selection.js";
import { ParentLinks, ROOT, SuccessorBatch } from "./search-arrays.js";
import { OUTDEGREE_BUCKETS } from "./statistics.js";
import { CURSOR, SharedFingerprintSet, STOP, STOP_MEMORY_BUDGET, STOP_STATE_BUDGET, STOP_VIOLATION } from "./shared-fingerprint-set.js";

/** Set by a worker that failed, so the others finish the level and the main thread sees the error. */
const STOP_FAILURE = 4;

async function main(): Promise<void> {
  const { index: me, count, source, symmetry, visited: buffers, checkDeadlock, maxStates, maxViolations, properties } = workerData as WorkerData;
  const machine = selectProperties(await loadMachine(source), properties);
  const canonicalize = symmetryOf(machine, symmetry);
  const indexOf = actionIndexer(machine);
  const invariants = machine.invariants as readonly Invariant<unknown>[];
  const brokenOf = (key: Uint8Array): number => {
    if (machine.brokenInvariant !== undefined) return machine.brokenInvariant(key);
    const state = machine.decode(key);
    for (let i = 0; i < invariants.length; i++) if (!invariants[i]!.holds(state)) return i;
    return -1;
  };
  const actionCount = machine.actions.length;
  const visited = new SharedFingerprintSet(buffers);
  const control = visited.control;
  const links = new ParentLinks();
  const writer = new ChunkWriter(me);
  const batch = new SuccessorBatch();
  const collect = (action: number, successor: Uint8Array) => batch.add(action, canonicalize === undefined ? successor : canonicalize(successor));
  const expandInto =
    machine.expand !== undefined
      ? (state: Uint8Array) => machine.expand!(state, collect)
      : (state: Uint8Array) => {
          for (const step of machine.successors(machine.decode(state))) collect(indexOf(step.action), machine.encode(step.state));
        };
  const stopWith = (reason: number) => Atomics.compareExchange(control, STOP, 0, reason);

  // This level's figures.
  let generated = 0;
  let expanded = 0;
  let firings = new Float64Array(actionCount);
  let newStates = new Float64Array(actionCount);
  let outdegrees = new Float64Array(OUTDEGREE_BUCKETS);
  let maxOutdegree = 0;
  let violations: [number, number][] = [];
  /** Records a violation; false when this worker has found as many as the run may report (the search stops). */
  const violated = (invariant: number, at: number): boolean => {
    violations.push([invariant, at]);
    if (violations.length < maxViolations) return true;
    stopWith(STOP_VIOLATION);
    return false;
  };
  const startLevel = () => {
    // The table may have grown while this worker was idle.
    visited.refresh();
    generated = 0;
    expanded = 0;
    firings = new Float64Array(actionCount);
    newStates = new Float64Array(actionCount);
    outdegrees = new Float64Array(OUTDEGREE_BUCKETS);
    maxOutdegree = 0;
    violations = [];
  };

  /** Adds the batch (the successors of state `parent`, or the initial states) to the visited set; false when the search must stop. */
  const discoverBatch = (parent: number): boolean => {
    const reserved = batch.count;
    if (!visited.reserve(reserved)) {
      stopWith(STOP_MEMORY_BUDGET);
      batch.count = 0;
      return false;
    }
    const prints = batch.prints;
    visited.prefetch(prints, reserved);
    let added = 0;
    let going = true;
    // As one worker does, stop at the violating successor that reaches the limit: the ones after it are not generated.
    for (let k = 0; k < reserved && going; k++) {
      generated++;
      const action = batch.actions[k]!;
      if (action >= 0) firings[action]!++;
      if (!visited.add(prints[2 * k]!, prints[2 * k + 1]!)) continue;
      added++;
      const key = batch.state(k);
      const local = links.push(parent, k);
      if (action >= 0) newStates[action]!++;
      const broken = brokenOf(key);
      if (broken >= 0) going = violated(broken, local * count + me);
      // A violating state is not expanded; it keeps its number in the next level.
      writer.push(key, local, broken < 0);
    }
    visited.settle(reserved, added);
    batch.count = 0;
    if (visited.size >= maxStates) stopWith(STOP_STATE_BUDGET);
    return true;
  };

  /**
   * The state being expanded, copied out of its shared chunk: V8 cannot
   * merge repeated loads from shared memory (another thread may write it),
   * and expanding straight from the chunk cost a quarter more CPU.
   */
  let privateCopy = new Uint8Array(0);
  const expandState = (state: Uint8Array, owner: number, local: number): boolean => {
    const parent = local * count + owner;
    if (privateCopy.length !== state.length) privateCopy = new Uint8Array(state.length);
    privateCopy.set(state);
    expandInto(privateCopy);
    const successors = batch.count;
    expanded++;
    outdegrees[Math.min(successors, OUTDEGREE_BUCKETS - 1)]!++;
    if (successors > maxOutdegree) maxOutdegree = successors;
    if (successors === 0 && checkDeadlock && !violated(DEADLOCKED, parent)) return false;
    return discoverBatch(parent) && Atomics.load(control, STOP) === 0;
  };

  const report = (): LevelReport => ({
    generated,
    expanded,
    firings,
    newStates,
    outdegrees,
    maxOutdegree,
    violations,
    heldBytes: links.bytes + writer.bytesHeld,
    chunks: writer.take(),
  });

  const handle = (message: { kind: string; chunks?: SharedArrayBuffer[] }): unknown => {
    if (message.kind === "init") {
      startLevel();
      try {
        for (const state of machine.initialStates()) {
          const encoded = machine.encode(state);
          batch.add(-1, canonicalize === undefined ? encoded : canonicalize(encoded));
        }
        discoverBatch(ROOT);
      } finally {
        visited.leave();
      }
      return report();
    }
    if (message.kind === "expand") {
      startLevel();
      const chunks = message.chunks ?? [];
      let going = true;
      try {
        while (going && Atomics.load(control, STOP) === 0) {
          const claimed = Atomics.add(control, CURSOR, 1);
          if (claimed >= chunks.length) break;
          forEachInChunk(chunks[claimed]!, (state, owner, local, expand) => {
            if (expand) going = expandState(state, owner, local);
            else expanded++;
            return going;
          });
        }
      } finally {
        visited.leave();
      }
      return report();
    }
    if (message.kind === "links") {
      const parents = new Int32Array(links.count);
      const ordinals = new Uint32Array(links.count);
      for (let i = 0; i < links.count; i++) {
        parents[i] = links.parent(i);
        ordinals[i] = links.ordinal(i);
      }
      return { parents, ordinals };
    }
    throw new Error(`unknown message ${message.kind}`);
  };

  parentPort!.on("message", (message: { kind: string; chunks?: SharedArrayBuffer[] }) => {
    try {
      parentPort!.postMessage(handle(message));
    } catch (error) {
      stopWith(STOP_FAILURE);
      parentPort!.postMessage({ error: error instanceof Error ? error.message : String(error) });
    }
  });
}

await main();
