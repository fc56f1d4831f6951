import { fingerprint } from "./fingerprint.js";

/** Index of "no state": the parent of an initial state. */
export const NO_STATE = -1;

const INITIAL_STATES = 1 << 12;
const INITIAL_ARENA_BYTES = 1 << 16;
const EMPTY_SLOT = -1;

/**
 * Every distinct state the search has seen, stored as its canonical encoding
 * in one growable byte arena, numbered in discovery order (which for a
 * breadth-first search is queue order, so the queue is just a cursor).
 *
 * Lookup is by 64-bit fingerprint in an open-addressing hash set of typed
 * arrays; on a fingerprint match the bytes are compared too, so a
 * fingerprint collision never merges two different states (it is counted).
 * Each state keeps its parent and the transition that first reached it, from
 * which a shortest trace is rebuilt.
 */
export class StateStore {
  private arena = new Uint8Array(INITIAL_ARENA_BYTES);
  private arenaUsed = 0;
  /** offsets[i]..offsets[i + 1] are the bytes of state i. */
  private offsets = new Float64Array(INITIAL_STATES + 1);
  private parents = new Int32Array(INITIAL_STATES);
  private transitions = new Int32Array(INITIAL_STATES);
  private depths = new Uint32Array(INITIAL_STATES);
  private stateCount = 0;

  /** Slot i holds fingerprint (keys[2i], keys[2i+1]) of state slots[i]. */
  private keys = new Uint32Array(2 * 2 * INITIAL_STATES);
  private slots = new Int32Array(2 * INITIAL_STATES).fill(EMPTY_SLOT);
  private mask = 2 * INITIAL_STATES - 1;

  /** Distinct states whose 64-bit fingerprints were equal (resolved by comparing bytes). */
  fingerprintCollisions = 0;
  private readonly print = new Uint32Array(2);

  get size(): number {
    return this.stateCount;
  }

  /** Bytes held by the store's arrays, for the statistics. */
  get bytesUsed(): number {
    return this.arena.byteLength + this.offsets.byteLength + this.parents.byteLength + this.transitions.byteLength
      + this.depths.byteLength + this.keys.byteLength + this.slots.byteLength;
  }

  /**
   * Adds the state unless it is already present. Returns its new index, or
   * -1 - (existing index) when it was already there.
   */
  add(bytes: Uint8Array, parent: number, transition: number, depth: number): number {
    fingerprint(bytes, this.print);
    const high = this.print[0]!;
    const low = this.print[1]!;
    let slot = (high ^ Math.imul(low, 0x9e3779b1)) & this.mask;
    for (;;) {
      const existing = this.slots[slot]!;
      if (existing === EMPTY_SLOT) break;
      if (this.keys[2 * slot] === high && this.keys[2 * slot + 1] === low) {
        if (this.bytesEqual(existing, bytes)) return -1 - existing;
        this.fingerprintCollisions++;
      }
      slot = (slot + 1) & this.mask;
    }
    const index = this.append(bytes, parent, transition, depth);
    this.keys[2 * slot] = high;
    this.keys[2 * slot + 1] = low;
    this.slots[slot] = index;
    if (2 * this.stateCount > this.mask) this.growTable();
    return index;
  }

  /** The encoding of state `index` (a view into the arena: copy it to keep it). */
  bytes(index: number): Uint8Array {
    return this.arena.subarray(this.offsets[index]!, this.offsets[index + 1]!);
  }

  parent(index: number): number {
    return this.parents[index]!;
  }

  transition(index: number): number {
    return this.transitions[index]!;
  }

  setTransition(index: number, transition: number): void {
    this.transitions[index] = transition;
  }

  depth(index: number): number {
    return this.depths[index]!;
  }

  private bytesEqual(index: number, bytes: Uint8Array): boolean {
    const start = this.offsets[index]!;
    const length = this.offsets[index + 1]! - start;
    if (length !== bytes.length) return false;
    const arena = this.arena;
    for (let i = 0; i < length; i++) if (arena[start + i] !== bytes[i]) return false;
    return true;
  }

  private append(bytes: Uint8Array, parent: number, transition: number, depth: number): number {
    const index = this.stateCount;
    if (index + 1 >= this.parents.length) this.growStates();
    if (this.arenaUsed + bytes.length > this.arena.length) {
      const grown = new Uint8Array(Math.max(2 * this.arena.length, this.arenaUsed + bytes.length));
      grown.set(this.arena.subarray(0, this.arenaUsed));
      this.arena = grown;
    }
    this.arena.set(bytes, this.arenaUsed);
    this.arenaUsed += bytes.length;
    this.offsets[index + 1] = this.arenaUsed;
    this.parents[index] = parent;
    this.transitions[index] = transition;
    this.depths[index] = depth;
    this.stateCount = index + 1;
    return index;
  }

  private growStates(): void {
    const capacity = 2 * this.parents.length;
    const offsets = new Float64Array(capacity + 1);
    offsets.set(this.offsets);
    this.offsets = offsets;
    const parents = new Int32Array(capacity);
    parents.set(this.parents);
    this.parents = parents;
    const transitions = new Int32Array(capacity);
    transitions.set(this.transitions);
    this.transitions = transitions;
    const depths = new Uint32Array(capacity);
    depths.set(this.depths);
    this.depths = depths;
  }

  private growTable(): void {
    const oldKeys = this.keys;
    const oldSlots = this.slots;
    const capacity = 2 * oldSlots.length;
    this.keys = new Uint32Array(2 * capacity);
    this.slots = new Int32Array(capacity).fill(EMPTY_SLOT);
    this.mask = capacity - 1;
    for (let old = 0; old < oldSlots.length; old++) {
      const index = oldSlots[old]!;
      if (index === EMPTY_SLOT) continue;
      const high = oldKeys[2 * old]!;
      const low = oldKeys[2 * old + 1]!;
      let slot = (high ^ Math.imul(low, 0x9e3779b1)) & this.mask;
      while (this.slots[slot] !== EMPTY_SLOT) slot = (slot + 1) & this.mask;
      this.keys[2 * slot] = high;
      this.keys[2 * slot + 1] = low;
      this.slots[slot] = index;
    }
  }
}
