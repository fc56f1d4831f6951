/**
 * The visited set of the breadth-first search: 64-bit fingerprints of
 * encoded states in one open-addressing (linear probing) table of 32-bit
 * words, as TLC keeps its states. Nothing else per state lives here, so the
 * set costs 8 bytes per slot; the table grows by half when it is 80% full,
 * which keeps it between 53% and 80% full: 10 to 15 bytes per distinct state.
 *
 * The fingerprint (0, 0) marks an empty slot, so a state whose fingerprint
 * is (0, 0) is stored as (0, 1): one more way for two states to collide, at
 * the same 2^-64 odds.
 */

const MAX_LOAD = 0.8;
const GROWTH = 1.5;
const MIN_CAPACITY = 1 << 10;
const TWO_TO_32 = 2 ** 32;

/**
 * The home slot of a fingerprint: a multiply-shift range reduction (no
 * division), floor(hash * capacity / 2^32), always below the capacity.
 */
function slotOf(high: number, low: number, capacity: number): number {
  return Math.floor(((high ^ Math.imul(low, 0x9e3779b1)) >>> 0) * (capacity / TWO_TO_32));
}

export class FingerprintSet {
  private table: Uint32Array;
  private capacity: number;
  private limit: number;
  private count = 0;
  private prefetched = 0;

  constructor(expected = 0) {
    this.capacity = Math.max(MIN_CAPACITY, Math.ceil(expected / MAX_LOAD) + 1);
    this.table = new Uint32Array(2 * this.capacity);
    this.limit = Math.floor(this.capacity * MAX_LOAD);
  }

  get size(): number {
    return this.count;
  }

  /** The table itself (not a copy), for a checkpoint. */
  get words(): Uint32Array {
    return this.table;
  }

  /** The set whose table a checkpoint saved (`words`, holding `count` fingerprints); undefined when they cannot be one. */
  static restore(words: Uint32Array<ArrayBuffer>, count: number): FingerprintSet | undefined {
    const capacity = words.length / 2;
    if (!Number.isInteger(capacity) || capacity < MIN_CAPACITY || count > Math.floor(capacity * MAX_LOAD)) return undefined;
    const set = new FingerprintSet();
    set.table = words;
    set.capacity = words.length / 2;
    set.limit = Math.floor(set.capacity * MAX_LOAD);
    set.count = count;
    return set;
  }

  /** Bytes of the table itself (the figure behind "bytes per distinct state"). */
  get bytes(): number {
    return this.table.byteLength;
  }

  /** Bytes the table will take after its next growth (for memory budgets). */
  get bytesAfterGrowth(): number {
    return 8 * Math.ceil(this.capacity * GROWTH);
  }

  /** Adds the fingerprint (high, low); returns false when it was already there. */
  add(high: number, low: number): boolean {
    if (high === 0 && low === 0) low = 1;
    const table = this.table;
    const capacity = this.capacity;
    let slot = slotOf(high, low, capacity);
    for (;;) {
      const at = 2 * slot;
      const h = table[at]!;
      const l = table[at + 1]!;
      if (h === 0 && l === 0) {
        table[at] = high;
        table[at + 1] = low;
        if (++this.count > this.limit) this.grow();
        return true;
      }
      if (h === high && l === low) return false;
      if (++slot === capacity) slot = 0;
    }
  }

  /**
   * Reads the home slots of the `count` fingerprints in `prints` (high, low
   * pairs) ahead of adding them. The loads are independent, so their cache
   * misses overlap instead of coming one per add (JavaScript has no prefetch
   * instruction); on a table far bigger than the cache this halves the cost
   * of the adds that follow.
   */
  prefetch(prints: Uint32Array, count: number): void {
    const table = this.table;
    const capacity = this.capacity;
    let sum = 0;
    for (let i = 0; i < 2 * count; i += 2) sum ^= table[2 * slotOf(prints[i]!, prints[i + 1]!, capacity)]!;
    // Kept so the compiler cannot drop the loads.
    this.prefetched ^= sum;
  }

  has(high: number, low: number): boolean {
    if (high === 0 && low === 0) low = 1;
    const table = this.table;
    let slot = slotOf(high, low, this.capacity);
    for (;;) {
      const h = table[2 * slot]!;
      const l = table[2 * slot + 1]!;
      if (h === 0 && l === 0) return false;
      if (h === high && l === low) return true;
      if (++slot === this.capacity) slot = 0;
    }
  }

  private grow(): void {
    const old = this.table;
    this.capacity = Math.ceil(this.capacity * GROWTH);
    this.limit = Math.floor(this.capacity * MAX_LOAD);
    this.table = new Uint32Array(2 * this.capacity);
    this.count = 0;
    for (let at = 0; at < old.length; at += 2) {
      const high = old[at]!;
      const low = old[at + 1]!;
      if (high !== 0 || low !== 0) this.insertFresh(high, low);
    }
  }

  private insertFresh(high: number, low: number): void {
    const table = this.table;
    let slot = slotOf(high, low, this.capacity);
    while (table[2 * slot] !== 0 || table[2 * slot + 1] !== 0) if (++slot === this.capacity) slot = 0;
    table[2 * slot] = high;
    table[2 * slot + 1] = low;
    this.count++;
  }
}
