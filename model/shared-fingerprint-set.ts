/**
 * The visited set of the parallel search (model/parallel.ts): the table of
 * FingerprintSet (64-bit fingerprints, open addressing, linear probing) in
 * shared memory, which every worker reads and writes at once, without locks.
 *
 * A slot is claimed by a compare-and-swap of its high word (0 = empty) and
 * then its low word is stored; a reader that finds a matching high word
 * with a low word still 0 waits for the store. So no half and no zero word
 * is ever a fingerprint: 0 is read as 1 in both.
 *
 * Growth stops the world. Before adding a state's successors a worker
 * reserves room for all of them, out of a block of room it holds (taken
 * from the shared count in blocks, which keeps the shared count's cache line
 * from bouncing between cores on every state); when a block would pass the
 * load limit, it asks for growth, waits until every other busy worker has parked
 * (they park at their next reservation) and rehashes alone into the same
 * growable SharedArrayBuffer, made bigger.
 */

/**
 * Words of the control block shared by the main thread and the workers,
 * each in a cache line of its own (16 words apart), so that the words
 * workers write often do not evict the ones they read on every state.
 */
const LINE_WORDS = 16;
export const GROW = 0 * LINE_WORDS;
/** Workers expanding states this level and not parked. */
export const BUSY = 1 * LINE_WORDS;
export const PARKED = 2 * LINE_WORDS;
/** Fingerprints in the table plus the room workers hold in reserve. */
export const OCCUPIED = 3 * LINE_WORDS;
export const CAPACITY = 4 * LINE_WORDS;
/** Next frontier chunk to claim this level. */
export const CURSOR = 5 * LINE_WORDS;
/** Nonzero: stop expanding (one of the STOP_ reasons). */
export const STOP = 6 * LINE_WORDS;
/** Growths completed; a parked worker waits for it to change. */
const EPOCH = 7 * LINE_WORDS;
/** Fingerprints in the table, as far as workers have reported them (exact between levels). */
export const DISTINCT = 8 * LINE_WORDS;
/**
 * The memory account of a parallel search under a memory budget, in KiB:
 * the workers' parent links, the chunks of the level being expanded, and
 * the chunks written for the next level (see parallel-worker.ts).
 */
export const LINKS_KIB = 9 * LINE_WORDS;
export const CURRENT_KIB = 10 * LINE_WORDS;
export const NEXT_KIB = 11 * LINE_WORDS;
/** Next chunk to take from the level's pool of retired frontier chunks (see frontier-chunks.ts). */
export const FREE_CURSOR = 12 * LINE_WORDS;
const CONTROL_WORDS = 13 * LINE_WORDS;
/** Added fingerprints a worker counts locally before adding them to DISTINCT. */
const DISTINCT_FLUSH = 1 << 10;
/** A worker takes room in reserve in blocks of this share of the load limit, so OCCUPIED is rarely written. */
const RESERVE_SHARE = 1 / 64;

export const STOP_VIOLATION = 1;
export const STOP_STATE_BUDGET = 2;
export const STOP_MEMORY_BUDGET = 3;
/** Set by a worker that failed, so the others finish the level and the main thread sees the error. */
export const STOP_FAILURE = 4;
/** Set by the main thread: stop at the next state, to take a checkpoint or because the run is interrupted. */
export const STOP_PAUSE = 5;

const MAX_LOAD = 0.8;
const GROWTH = 1.5;
const MIN_CAPACITY = 1 << 10;
const TWO_TO_32 = 2 ** 32;
const SLOT_BYTES = 8;
/** V8's limit for the maximum length of a growable SharedArrayBuffer. */
export const MAX_TABLE_BYTES = 2 ** 32;

export interface SharedVisitedBuffers {
  readonly control: SharedArrayBuffer;
  readonly table: SharedArrayBuffer;
}

/**
 * The shared buffers, made by the main thread and handed to every worker:
 * empty, or holding the table a checkpoint saved (`saved`: its slots, and
 * how many fingerprints are in them).
 */
export function sharedVisitedBuffers(maxBytes: number, saved?: { words: Int32Array; distinct: number }): SharedVisitedBuffers {
  const control = new SharedArrayBuffer(4 * CONTROL_WORDS);
  const maxByteLength = Math.max(SLOT_BYTES * MIN_CAPACITY, Math.min(MAX_TABLE_BYTES, Math.floor(maxBytes / SLOT_BYTES) * SLOT_BYTES));
  const capacity = saved === undefined ? MIN_CAPACITY : saved.words.length / 2;
  if (!Number.isInteger(capacity) || capacity < MIN_CAPACITY || SLOT_BYTES * capacity > maxByteLength || (saved?.distinct ?? 0) > capacity * MAX_LOAD) {
    throw new RangeError(`the saved visited set (${capacity} slots) does not fit this run's table (at most ${maxByteLength / SLOT_BYTES} slots)`);
  }
  const table = new SharedArrayBuffer(SLOT_BYTES * capacity, { maxByteLength });
  const words = new Int32Array(control);
  words[CAPACITY] = capacity;
  if (saved !== undefined) {
    new Int32Array(table).set(saved.words);
    words[DISTINCT] = saved.distinct;
    words[OCCUPIED] = saved.distinct;
  }
  return { control, table };
}

/** The table's slots (a view, not a copy: valid while no worker runs), for a checkpoint. */
export function savedTable(buffers: SharedVisitedBuffers): Int32Array {
  const capacity = Atomics.load(new Int32Array(buffers.control), CAPACITY);
  return new Int32Array(buffers.table, 0, 2 * capacity);
}

const slotOf = (high: number, low: number, capacity: number): number =>
  Math.floor(((high ^ Math.imul(low, 0x9e3779b1)) >>> 0) * (capacity / TWO_TO_32));

export class SharedFingerprintSet {
  readonly control: Int32Array;
  private readonly buffer: SharedArrayBuffer;
  /** Int32, not Uint32: V8 compiles Atomics on Int32Array to single instructions, on Uint32Array to calls. */
  private table: Int32Array;
  private capacity = 0;
  private limit = 0;
  private prefetched = 0;
  /** Room this worker holds in reserve (counted in OCCUPIED). */
  private reserved = 0;
  /** Fingerprints this worker added and has not yet added to DISTINCT. */
  private unreported = 0;

  constructor(buffers: SharedVisitedBuffers) {
    this.control = new Int32Array(buffers.control);
    this.buffer = buffers.table;
    this.table = new Int32Array(0);
    this.refresh();
  }

  /** Fingerprints in the table: the shared count plus this worker's not yet reported. */
  get size(): number {
    return Atomics.load(this.control, DISTINCT) + this.unreported;
  }

  get bytes(): number {
    return SLOT_BYTES * this.capacity;
  }

  /** Rereads the table after a growth (by this worker or another). */
  refresh(): void {
    this.capacity = Atomics.load(this.control, CAPACITY);
    this.limit = Math.floor(this.capacity * MAX_LOAD);
    this.table = new Int32Array(this.buffer, 0, 2 * this.capacity);
  }

  /**
   * Called by a busy worker before it adds up to `count` fingerprints, and at
   * least once per expanded state: parks while another worker grows the
   * table, grows it when the room is short. False when the table cannot grow
   * within its buffer's maximum (the memory budget); the search must stop.
   */
  reserve(count: number): boolean {
    const control = this.control;
    for (;;) {
      if (Atomics.load(control, GROW) !== 0) {
        this.park();
        continue;
      }
      if (this.reserved >= count) {
        this.reserved -= count;
        return true;
      }
      const block = Math.max(count, Math.floor(this.limit * RESERVE_SHARE));
      if (this.take(block) || (block > count && this.take(count))) {
        this.reserved -= count;
        return true;
      }
      if (!this.lead(count)) return false;
    }
  }

  /** After adding: keeps the room reserved for fingerprints that were already there. */
  settle(reserved: number, added: number): void {
    this.reserved += reserved - added;
    this.unreported += added;
    if (this.unreported >= DISTINCT_FLUSH) this.report();
  }

  /** This worker has nothing more to expand this level: it gives back its room, and growth no longer waits for it. */
  leave(): void {
    this.report();
    Atomics.sub(this.control, OCCUPIED, this.reserved);
    this.reserved = 0;
    Atomics.sub(this.control, BUSY, 1);
    Atomics.notify(this.control, BUSY);
  }

  private take(room: number): boolean {
    if (Atomics.add(this.control, OCCUPIED, room) + room <= this.limit) {
      this.reserved += room;
      return true;
    }
    Atomics.sub(this.control, OCCUPIED, room);
    return false;
  }

  private report(): void {
    if (this.unreported === 0) return;
    Atomics.add(this.control, DISTINCT, this.unreported);
    this.unreported = 0;
  }

  /** Reads the home slots ahead of the adds (see FingerprintSet.prefetch). */
  prefetch(prints: Uint32Array, count: number): void {
    const table = this.table;
    const capacity = this.capacity;
    let sum = 0;
    for (let i = 0; i < 2 * count; i += 2) sum ^= table[2 * slotOf(prints[i]! || 1, prints[i + 1]! || 1, capacity)]!;
    this.prefetched ^= sum;
  }

  /** Adds the fingerprint (within a reservation); false when it was already there. */
  add(high: number, low: number): boolean {
    high |= 0;
    low |= 0;
    if (high === 0) high = 1;
    if (low === 0) low = 1;
    const table = this.table;
    const capacity = this.capacity;
    let slot = slotOf(high, low, capacity);
    for (;;) {
      const at = 2 * slot;
      let h = table[at]!;
      if (h === 0) {
        h = Atomics.compareExchange(table, at, 0, high);
        if (h === 0) {
          // A plain store: readers wait for it with Atomics.load, and an aligned word is never torn.
          table[at + 1] = low;
          return true;
        }
      }
      if (h === high) {
        let l = table[at + 1]!;
        while (l === 0) l = Atomics.load(table, at + 1);
        if (l === low) return false;
      }
      if (++slot === capacity) slot = 0;
    }
  }

  /**
   * Waits out the growth in progress. It cannot complete before this worker
   * parks (it is still counted busy), so the epoch read here is that
   * growth's; waiting on the epoch rather than on GROW keeps a worker from
   * sleeping through the end of one growth into the next.
   */
  private park(): void {
    const control = this.control;
    const epoch = Atomics.load(control, EPOCH);
    Atomics.add(control, PARKED, 1);
    Atomics.sub(control, BUSY, 1);
    Atomics.notify(control, BUSY);
    while (Atomics.load(control, EPOCH) === epoch) Atomics.wait(control, EPOCH, epoch);
    this.refresh();
  }

  /** Grows the table for `count` more, or parks while another worker does; false when it cannot grow. */
  private lead(count: number): boolean {
    const control = this.control;
    if (Atomics.compareExchange(control, GROW, 0, 1) !== 0) {
      this.park();
      return true;
    }
    Atomics.sub(control, BUSY, 1);
    for (let busy = Atomics.load(control, BUSY); busy !== 0; busy = Atomics.load(control, BUSY)) Atomics.wait(control, BUSY, busy);
    // Every other worker is parked or done with the level: nobody else touches the table.
    this.refresh();
    const grown = Atomics.load(control, OCCUPIED) + count <= this.limit || this.grow(count);
    // The parked workers are busy again before they wake.
    const parked = Atomics.exchange(control, PARKED, 0);
    Atomics.add(control, BUSY, parked + 1);
    Atomics.store(control, GROW, 0);
    Atomics.add(control, EPOCH, 1);
    Atomics.notify(control, EPOCH);
    return grown;
  }

  private grow(count: number): boolean {
    const needed = Math.ceil((Atomics.load(this.control, OCCUPIED) + count) / MAX_LOAD) + 1;
    const capacity = Math.max(Math.ceil(this.capacity * GROWTH), needed);
    if (SLOT_BYTES * capacity > this.buffer.maxByteLength) return false;
    const old = this.table.slice();
    if (SLOT_BYTES * capacity > this.buffer.byteLength) this.buffer.grow(SLOT_BYTES * capacity);
    const table = new Int32Array(this.buffer, 0, 2 * capacity);
    table.fill(0);
    for (let at = 0; at < old.length; at += 2) {
      const high = old[at]!;
      if (high === 0) continue;
      let slot = slotOf(high, old[at + 1]!, capacity);
      while (table[2 * slot] !== 0) if (++slot === capacity) slot = 0;
      table[2 * slot] = high;
      table[2 * slot + 1] = old[at + 1]!;
    }
    Atomics.store(this.control, CAPACITY, capacity);
    this.refresh();
    return true;
  }

  /** Bytes the table would take after its next growth (for memory budgets). */
  get bytesAfterGrowth(): number {
    return SLOT_BYTES * Math.ceil(this.capacity * GROWTH);
  }
}
