/**
 * One worker of the parallel search (model/parallel.ts). Messages: "init"
 * (add the initial states), "expand" (claim chunks of the level's frontier
 * until none is left or the search must stop, expanding each state into the
 * shared visited set and this worker's own chunks of the next level, and say
 * where in its last chunk it stopped), "links" (this worker's parent links,
 * for trace replay and checkpoints), "restore" (the links a checkpoint saved).
 *
 * The state this worker numbers `local` has the global number
 * local * workers + index, so parent links cross workers.
 */
import { parentPort, workerData } from "node:worker_threads";
import { actionIndexer, symmetryOf } from "./check.js";
import { CHUNK_BYTES, ChunkWriter, chunkCount, forEachInChunk } from "./frontier-chunks.js";
import type { Invariant } from "./machine.js";
import { DEADLOCKED, loadMachine, type LevelReport, type WorkerData } from "./parallel.js";
import { selectProperties } from "./selection.js";
import { ParentLinks, ROOT, SuccessorBatch } from "./search-arrays.js";
import { OUTDEGREE_BUCKETS } from "./statistics.js";
import {
  CURRENT_KIB,
  CURSOR,
  FREE_CURSOR,
  LINKS_KIB,
  NEXT_KIB,
  SharedFingerprintSet,
  STOP,
  STOP_FAILURE,
  STOP_MEMORY_BUDGET,
  STOP_STATE_BUDGET,
  STOP_VIOLATION,
} from "./shared-fingerprint-set.js";

/** What expanding one state came to. */
const GO_ON = 0;
/** Expanded, and the search must stop (a violation, a budget, a pause). */
const EXPANDED_STOP = 1;
/** Not expanded (it would outgrow the memory budget): it stays on the queue, and the search stops. */
const NOT_EXPANDED = 2;

async function main(): Promise<void> {
  const { index: me, count, source, symmetry, visited: buffers, checkDeadlock, maxStates, maxMemory, maxViolations, properties } = workerData as WorkerData;
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
  /** This level's pool of retired chunks, shared by all workers (FREE_CURSOR). */
  let retired: readonly SharedArrayBuffer[] = [];
  const writer = new ChunkWriter(me, () => {
    if (retired.length === 0) return undefined;
    const taken = Atomics.add(control, FREE_CURSOR, 1);
    return taken < retired.length ? retired[taken] : undefined;
  });
  const batch = new SuccessorBatch();
  const collect = (action: number, successor: Uint8Array) => batch.add(action, canonicalize === undefined ? successor : canonicalize(successor));
  const expandInto =
    machine.expand !== undefined
      ? (state: Uint8Array) => machine.expand!(state, collect)
      : (state: Uint8Array) => {
          for (const step of machine.successors(machine.decode(state))) collect(indexOf(step.action), machine.encode(step.state));
        };
  const stopWith = (reason: number) => Atomics.compareExchange(control, STOP, 0, reason);

  /**
   * The memory budget, checked as one worker checks it (check.ts): before
   * a state is expanded, the next growth of every array must still fit: the
   * shared table by half (and its copy, which the growth rehashes from), every
   * worker's parent links by double, and one more frontier chunk per worker,
   * beside the chunks of this level and the next.
   * The workers keep the account of their links and chunks in the control
   * block (in KiB), so it holds across threads and before a level ends.
   */
  const budgeted = maxMemory !== Number.POSITIVE_INFINITY;
  let publishedLinks = 0;
  let publishedChunks = 0;
  const publish = () => {
    const links_ = Math.ceil(links.bytes / 1024);
    if (links_ !== publishedLinks) Atomics.add(control, LINKS_KIB, links_ - publishedLinks);
    publishedLinks = links_;
    const chunks = Math.ceil(writer.bytesOpened / 1024);
    if (chunks !== publishedChunks) Atomics.add(control, NEXT_KIB, chunks - publishedChunks);
    publishedChunks = chunks;
  };
  const memoryShort = (): boolean =>
    visited.bytes +
      visited.bytesAfterGrowth +
      1024 * (2 * Atomics.load(control, LINKS_KIB) + Atomics.load(control, CURRENT_KIB) + Atomics.load(control, NEXT_KIB)) +
      count * CHUNK_BYTES >
    maxMemory;

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
  const expandState = (state: Uint8Array, owner: number, local: number): number => {
    if (budgeted && memoryShort()) {
      stopWith(STOP_MEMORY_BUDGET);
      return NOT_EXPANDED;
    }
    const parent = local * count + owner;
    if (privateCopy.length !== state.length) privateCopy = new Uint8Array(state.length);
    privateCopy.set(state);
    expandInto(privateCopy);
    const successors = batch.count;
    if (!discoverBatch(parent)) return NOT_EXPANDED;
    expanded++;
    outdegrees[Math.min(successors, OUTDEGREE_BUCKETS - 1)]!++;
    if (successors > maxOutdegree) maxOutdegree = successors;
    if (budgeted) publish();
    if (successors === 0 && checkDeadlock && !violated(DEADLOCKED, parent)) return EXPANDED_STOP;
    return Atomics.load(control, STOP) === 0 ? GO_ON : EXPANDED_STOP;
  };

  /** Where this worker stopped inside a chunk it claimed (the search was told to stop), if it did. */
  let partial: { chunk: number; expanded: number } | undefined;
  const report = (): LevelReport => ({
    ...(partial !== undefined ? { partial } : {}),
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

  const handle = (message: { kind: string; chunks?: SharedArrayBuffer[]; free?: SharedArrayBuffer[] }): unknown => {
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
      partial = undefined;
      const chunks = message.chunks ?? [];
      retired = message.free ?? [];
      let going = true;
      try {
        while (going && Atomics.load(control, STOP) === 0) {
          const claimed = Atomics.add(control, CURSOR, 1);
          if (claimed >= chunks.length) break;
          let done = 0;
          forEachInChunk(chunks[claimed]!, (state, owner, local, expand) => {
            // A violating state (with --continue) is only counted off the queue.
            const outcome = expand ? expandState(state, owner, local) : (expanded++, GO_ON);
            if (outcome !== NOT_EXPANDED) done++;
            going = outcome === GO_ON;
            return going;
          });
          if (done < chunkCount(chunks[claimed]!)) partial = { chunk: claimed, expanded: done };
        }
      } finally {
        retired = [];
        visited.leave();
      }
      return report();
    }
    if (message.kind === "restore") {
      const { parents, ordinals } = message as unknown as { parents: Int32Array; ordinals: Uint32Array };
      for (let i = 0; i < parents.length; i++) links.push(parents[i]!, ordinals[i]!);
      if (budgeted) publish();
      return { restored: links.count };
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

  parentPort!.on("message", (message: { kind: string; chunks?: SharedArrayBuffer[]; free?: SharedArrayBuffer[] }) => {
    try {
      parentPort!.postMessage(handle(message));
    } catch (error) {
      stopWith(STOP_FAILURE);
      parentPort!.postMessage({ error: error instanceof Error ? error.message : String(error) });
    }
  });
}

await main();
