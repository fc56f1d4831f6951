/**
 * The typed arrays of the breadth-first search besides the visited set: the
 * frontier (encodings of one BFS level, in one byte arena) and the compact
 * parent links (per state: its parent's number and which successor of the
 * parent it was), from which a shortest trace is replayed.
 */
import { fingerprint } from "./fingerprint.js";

/** Encodings of the states of one BFS level, in discovery order. */
export class Frontier {
  private arena = new Uint8Array(1 << 16);
  private ends = new Uint32Array(1 << 10);
  private used = 0;
  count = 0;

  get bytes(): number {
    return this.arena.byteLength + this.ends.byteLength;
  }

  push(state: Uint8Array): void {
    const length = state.length;
    if (this.used + length > this.arena.length) {
      const grown = new Uint8Array(Math.max(2 * this.arena.length, this.used + length));
      grown.set(this.arena.subarray(0, this.used));
      this.arena = grown;
    }
    if (this.count === this.ends.length) {
      const grown = new Uint32Array(2 * this.ends.length);
      grown.set(this.ends);
      this.ends = grown;
    }
    this.arena.set(state, this.used);
    this.used += length;
    this.ends[this.count++] = this.used;
  }

  /** State k of this level (a view into the arena, valid until the next push or clear). */
  get(k: number): Uint8Array {
    return this.arena.subarray(k === 0 ? 0 : this.ends[k - 1]!, this.ends[k]!);
  }

  clear(): void {
    this.used = 0;
    this.count = 0;
  }

  /** The level's bytes and the end of each state in them (views, not copies), for a checkpoint. */
  saved(): { arena: Uint8Array; ends: Uint32Array } {
    return { arena: this.arena.subarray(0, this.used), ends: this.ends.subarray(0, this.count) };
  }

  /** The level a checkpoint saved. */
  static restore(arena: Uint8Array<ArrayBuffer>, ends: Uint32Array<ArrayBuffer>): Frontier {
    const frontier = new Frontier();
    frontier.arena = arena.length > 0 ? arena : frontier.arena;
    frontier.ends = ends.length > 0 ? ends : frontier.ends;
    frontier.used = arena.length;
    frontier.count = ends.length;
    return frontier;
  }

  /** Releases the memory of a big level once it is done. */
  shrink(): void {
    if (this.arena.length > 1 << 16 && this.used === 0) {
      this.arena = new Uint8Array(1 << 16);
      this.ends = new Uint32Array(1 << 10);
    }
  }
}

/** No parent: an initial state. */
export const ROOT = -1;
const ORDINAL_OVERFLOW = 0xffff;

/**
 * Per state, 6 bytes: the number of its parent (Int32) and its ordinal among
 * the parent's successors (Uint16; the rare larger ones in a side map).
 * For an initial state the ordinal is its place among the initial states.
 */
export class ParentLinks {
  private parents = new Int32Array(1 << 12);
  private ordinals = new Uint16Array(1 << 12);
  private readonly bigOrdinals = new Map<number, number>();
  count = 0;

  get bytes(): number {
    return this.parents.byteLength + this.ordinals.byteLength;
  }

  /** Bytes after the next growth (for memory budgets). */
  get bytesAfterGrowth(): number {
    return 2 * this.bytes;
  }

  push(parent: number, ordinal: number): number {
    const index = this.count;
    if (index === this.parents.length) {
      const parents = new Int32Array(2 * index);
      parents.set(this.parents);
      this.parents = parents;
      const ordinals = new Uint16Array(2 * index);
      ordinals.set(this.ordinals);
      this.ordinals = ordinals;
    }
    this.parents[index] = parent;
    if (ordinal >= ORDINAL_OVERFLOW) {
      this.ordinals[index] = ORDINAL_OVERFLOW;
      this.bigOrdinals.set(index, ordinal);
    } else this.ordinals[index] = ordinal;
    this.count = index + 1;
    return index;
  }

  parent(index: number): number {
    return this.parents[index]!;
  }

  ordinal(index: number): number {
    const small = this.ordinals[index]!;
    return small === ORDINAL_OVERFLOW ? this.bigOrdinals.get(index)! : small;
  }

  /** Parents, ordinals and the large ordinals as (index, ordinal) pairs (views where possible), for a checkpoint. */
  saved(): { parents: Int32Array; ordinals: Uint16Array; bigOrdinals: Uint32Array } {
    const big = new Uint32Array(2 * this.bigOrdinals.size);
    let at = 0;
    for (const [index, ordinal] of this.bigOrdinals) {
      big[at++] = index;
      big[at++] = ordinal;
    }
    return { parents: this.parents.subarray(0, this.count), ordinals: this.ordinals.subarray(0, this.count), bigOrdinals: big };
  }

  /** The links a checkpoint saved. */
  static restore(parents: Int32Array<ArrayBuffer>, ordinals: Uint16Array<ArrayBuffer>, bigOrdinals: Uint32Array): ParentLinks {
    const links = new ParentLinks();
    if (parents.length > 0) {
      links.parents = parents;
      links.ordinals = ordinals;
    }
    for (let at = 0; at < bigOrdinals.length; at += 2) links.bigOrdinals.set(bigOrdinals[at]!, bigOrdinals[at + 1]!);
    links.count = parents.length;
    return links;
  }

  /** State numbers from an initial state to `last`. */
  pathTo(last: number): number[] {
    const path: number[] = [];
    for (let index = last; index !== ROOT; index = this.parents[index]!) path.push(index);
    return path.reverse();
  }
}

/**
 * The successors of one expanded state, fingerprinted and held back so that
 * the visited set can read all their slots before adding any
 * (FingerprintSet.prefetch): the reads are independent, so their cache
 * misses overlap.
 */
export class SuccessorBatch {
  private arena = new Uint8Array(1 << 12);
  private ends = new Uint32Array(64);
  actions = new Int32Array(64);
  /** Fingerprint of successor k at prints[2k], prints[2k + 1]. */
  prints = new Uint32Array(128);
  count = 0;

  add(action: number, state: Uint8Array): void {
    const k = this.count;
    const start = k === 0 ? 0 : this.ends[k - 1]!;
    const end = start + state.length;
    if (end > this.arena.length) {
      const grown = new Uint8Array(Math.max(2 * this.arena.length, end));
      grown.set(this.arena.subarray(0, start));
      this.arena = grown;
    }
    if (k === this.ends.length) this.widen();
    fingerprint(state, this.prints, 2 * k);
    this.arena.set(state, start);
    this.ends[k] = end;
    this.actions[k] = action;
    this.count = k + 1;
  }

  /** Successor k (a view, valid until the next add). */
  state(k: number): Uint8Array {
    return this.arena.subarray(k === 0 ? 0 : this.ends[k - 1]!, this.ends[k]!);
  }

  private widen(): void {
    const size = 2 * this.ends.length;
    const ends = new Uint32Array(size);
    ends.set(this.ends);
    this.ends = ends;
    const actions = new Int32Array(size);
    actions.set(this.actions);
    this.actions = actions;
    const prints = new Uint32Array(2 * size);
    prints.set(this.prints);
    this.prints = prints;
  }
}
