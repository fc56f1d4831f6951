/**
 * One worker of the parallel search (model/parallel.ts): owns the states
 * whose fingerprint is `index` modulo `count`. Messages: "init" (compute and
 * route the initial states), "expand" (expand the frontier, keep own
 * successors, return the others per owner), "absorb" (take the successors
 * routed here; the next level becomes the frontier), "links" (parent links
 * for trace replay).
 */
import { parentPort, workerData } from "node:worker_threads";
import { actionIndexer, symmetryOf } from "./check.js";
import { fingerprint } from "./fingerprint.js";
import { FingerprintSet } from "./fingerprint-set.js";
import type { Invariant } from "./machine.js";
import { loadMachine, type AbsorbReport, type ExpandReport, type MachineSource } from "./parallel.js";
import { Frontier, ParentLinks, ROOT } from "./search-arrays.js";

const OUTDEGREE_BUCKETS = 4096;
/**
 * A direct-mapped cache of fingerprints already sent to other workers: most
 * successors are duplicates, and one sent before (this level or an earlier
 * one) is already, or will be, in its owner's set, so it need not travel
 * again. Only the first sending matters for the parent link, so counts,
 * depths and trace lengths are unchanged.
 */
const SENT_CACHE_SLOTS = 1 << 18;

/** Words before the key in a routed record: parent, ordinal, action + 1, key length, fingerprint high, low. */
const HEADER_WORDS = 6;

interface Data {
  readonly index: number;
  readonly count: number;
  readonly source: MachineSource;
  readonly symmetry: boolean;
}

/** Records for one other worker, in a growable buffer of 32-bit words. */
class Outbox {
  words = new Uint32Array(1 << 12);
  bytes = new Uint8Array(this.words.buffer);
  used = 0;

  add(parent: number, ordinal: number, action: number, key: Uint8Array, high: number, low: number): void {
    const keyWords = (key.length + 3) >> 2;
    const need = this.used + HEADER_WORDS + keyWords;
    if (need > this.words.length) {
      const grown = new Uint32Array(Math.max(2 * this.words.length, need));
      grown.set(this.words.subarray(0, this.used));
      this.words = grown;
      this.bytes = new Uint8Array(grown.buffer);
    }
    const w = this.words;
    const at = this.used;
    w[at] = parent;
    w[at + 1] = ordinal;
    w[at + 2] = action + 1;
    w[at + 3] = key.length;
    w[at + 4] = high;
    w[at + 5] = low;
    this.bytes.set(key, 4 * (at + HEADER_WORDS));
    this.used = need;
  }

  /** Hands the buffer over (it is transferred) and starts a fresh one. */
  take(): { buffer: ArrayBuffer; length: number } {
    const taken = { buffer: this.words.buffer as ArrayBuffer, length: this.used };
    this.words = new Uint32Array(1 << 12);
    this.bytes = new Uint8Array(this.words.buffer);
    this.used = 0;
    return taken;
  }
}

async function main(): Promise<void> {
  const { index: me, count, source, symmetry } = workerData as Data;
  const machine = await loadMachine(source);
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
  const visited = new FingerprintSet();
  const links = new ParentLinks();
  let current = new Frontier();
  let next = new Frontier();
  let levelStart = 0;
  let nextStart = 0;
  const print = new Uint32Array(2);
  const outboxes = Array.from({ length: count }, () => new Outbox());
  const sent = new Uint32Array(2 * SENT_CACHE_SLOTS);

  let newStates = new Float64Array(actionCount);
  let brokenInvariant = -1;
  let brokenAt = -1;

  const insert = (key: Uint8Array, high: number, low: number, parent: number, ordinal: number, action: number): void => {
    if (!visited.add(high, low)) return;
    const local = links.push(parent, ordinal);
    next.push(key);
    if (action >= 0) newStates[action]!++;
    if (brokenInvariant < 0) {
      const broken = brokenOf(key);
      if (broken >= 0) {
        brokenInvariant = broken;
        brokenAt = local * count + me;
      }
    }
  };

  const route = (key: Uint8Array, parent: number, ordinal: number, action: number): void => {
    fingerprint(key, print);
    const high = print[0]!;
    const low = print[1]!;
    const owner = high % count;
    if (owner === me) {
      insert(key, high, low, parent, ordinal, action);
      return;
    }
    const slot = 2 * ((low ^ (high >>> 7)) & (SENT_CACHE_SLOTS - 1));
    if (sent[slot] === high && sent[slot + 1] === low) return;
    sent[slot] = high;
    sent[slot + 1] = low;
    outboxes[owner]!.add(parent, ordinal, action, key, high, low);
  };

  const heldBytes = () => visited.bytes + links.bytes + current.bytes + next.bytes;

  const sendExpandReport = (report: Omit<ExpandReport, "outboxes" | "outboxLengths" | "distinct" | "heldBytes" | "newStates" | "brokenInvariant" | "brokenAt">) => {
    const taken = outboxes.map((o) => o.take());
    const message: ExpandReport = {
      ...report,
      newStates,
      brokenInvariant,
      brokenAt,
      outboxes: taken.map((t) => t.buffer),
      outboxLengths: taken.map((t) => t.length),
      distinct: visited.size,
      heldBytes: heldBytes(),
    };
    parentPort!.postMessage(message, taken.map((t) => t.buffer));
  };

  parentPort!.on("message", (message: { kind: string; inboxes?: ArrayBuffer[]; lengths?: number[] }) => {
    try {
      handle(message);
    } catch (error) {
      parentPort!.postMessage({ error: error instanceof Error ? error.message : String(error) });
    }
  });

  function handle(message: { kind: string; inboxes?: ArrayBuffer[]; lengths?: number[] }): void {
    if (message.kind === "init") {
      newStates = new Float64Array(actionCount);
      nextStart = links.count;
      let ordinal = 0;
      for (const state of machine.initialStates()) {
        const encoded = machine.encode(state);
        route(canonicalize === undefined ? encoded : canonicalize(encoded), ROOT, ordinal++, -1);
      }
      sendExpandReport({ generated: ordinal, firings: new Float64Array(actionCount), outdegrees: new Float64Array(OUTDEGREE_BUCKETS), maxOutdegree: 0, expanded: 0, deadlock: -1 });
      return;
    }
    if (message.kind === "expand") {
      newStates = new Float64Array(actionCount);
      brokenInvariant = -1;
      brokenAt = -1;
      nextStart = links.count;
      const firings = new Float64Array(actionCount);
      const outdegrees = new Float64Array(OUTDEGREE_BUCKETS);
      let maxOutdegree = 0;
      let generated = 0;
      let deadlock = -1;
      let parent = 0;
      let ordinal = 0;
      const emit = (action: number, successor: Uint8Array) => {
        generated++;
        firings[action]!++;
        route(canonicalize === undefined ? successor : canonicalize(successor), parent, ordinal++, action);
      };
      for (let k = 0; k < current.count; k++) {
        parent = (levelStart + k) * count + me;
        ordinal = 0;
        const bytes = current.get(k);
        if (machine.expand !== undefined) machine.expand(bytes, emit);
        else for (const step of machine.successors(machine.decode(bytes))) emit(indexOf(step.action), machine.encode(step.state));
        outdegrees[Math.min(ordinal, OUTDEGREE_BUCKETS - 1)]!++;
        if (ordinal > maxOutdegree) maxOutdegree = ordinal;
        if (ordinal === 0 && deadlock < 0) deadlock = parent;
      }
      sendExpandReport({ generated, firings, outdegrees, maxOutdegree, expanded: current.count, deadlock });
      return;
    }
    if (message.kind === "absorb") {
      // The expand report carried what this level found so far; count afresh.
      newStates = new Float64Array(actionCount);
      brokenInvariant = -1;
      brokenAt = -1;
      const inboxes = message.inboxes ?? [];
      inboxes.forEach((buffer, i) => {
        const words = new Uint32Array(buffer);
        const bytes = new Uint8Array(buffer);
        const length = message.lengths![i]!;
        for (let at = 0; at < length; ) {
          const keyLength = words[at + 3]!;
          const keyAt = 4 * (at + HEADER_WORDS);
          const parent = words[at]! | 0;
          insert(bytes.subarray(keyAt, keyAt + keyLength), words[at + 4]!, words[at + 5]!, parent === -1 ? ROOT : parent, words[at + 1]!, words[at + 2]! - 1);
          at += HEADER_WORDS + ((keyLength + 3) >> 2);
        }
      });
      [current, next] = [next, current];
      next.clear();
      next.shrink();
      levelStart = nextStart;
      const report: AbsorbReport = {
        newStates,
        brokenInvariant,
        brokenAt,
        distinct: visited.size,
        frontier: current.count,
        heldBytes: heldBytes(),
        visitedBytes: visited.bytes,
      };
      parentPort!.postMessage(report);
      return;
    }
    if (message.kind === "links") {
      const parents = new Int32Array(links.count);
      const ordinals = new Uint32Array(links.count);
      for (let i = 0; i < links.count; i++) {
        parents[i] = links.parent(i);
        ordinals[i] = links.ordinal(i);
      }
      parentPort!.postMessage({ parents, ordinals });
      return;
    }
    throw new Error(`unknown message ${message.kind}`);
  }
}

await main();
