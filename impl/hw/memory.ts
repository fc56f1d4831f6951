/**
 * Physical memory: 4 KiB frames of 32-bit little-endian words (RAM, below
 * 4 GiB), and the physical address space a CPU's accesses go to after the
 * walk (busRead32/busWrite32), which with PSE-36 reaches up to 2^40: above
 * RAM this machine has no memory at all.
 *
 * Sparse on purpose: only frames that were written hold storage, so a model
 * configuration with a handful of frames costs a handful of Uint32Arrays,
 * however high their addresses, and encodes to a few bytes. Every frame that
 * was never written reads as zero, as freshly cleared RAM.
 *
 * Accesses are whole aligned words: the kernel and the page walk only ever
 * touch 4-byte entries and words, and refusing a misaligned address catches
 * kernel bugs that would otherwise read half of two entries.
 *
 * A clone shares its frames with the original until either writes one (copy
 * on write): the model checker clones a state's memory for every successor,
 * and most successors change one word or none.
 */
import { ADDRESS_SPACE_SIZE, FRAME_COUNT, PAGE_SHIFT, PHYSICAL_ADDRESS_LIMIT, WORD_SIZE, WORDS_PER_FRAME, PAGE_OFFSET_MASK } from "./bits.js";

const WORD_ALIGN_MASK = WORD_SIZE - 1;
const WORD_SHIFT = 2;
const ENCODED_PAIR_BYTES = 2 * WORD_SIZE;
const LITTLE_ENDIAN = new Uint8Array(Uint32Array.of(1).buffer)[0] === 1;

/**
 * Each frame's non-zero words as (index in frame, value) pairs, kept per
 * frame array: a frame shared by many clones is scanned once. A write in
 * place drops its entry.
 */
const framePairs = new WeakMap<Uint32Array, Uint32Array>();
const EMPTY_PAIRS = new Uint32Array(0);

function pairsOf(words: Uint32Array): Uint32Array {
  const known = framePairs.get(words);
  if (known !== undefined) return known;
  let count = 0;
  for (let i = 0; i < WORDS_PER_FRAME; i++) if (words[i] !== 0) count++;
  const pairs = new Uint32Array(count * 2);
  let at = 0;
  for (let i = 0; i < WORDS_PER_FRAME; i++) {
    const w = words[i]!;
    if (w === 0) continue;
    pairs[at++] = i;
    pairs[at++] = w;
  }
  framePairs.set(words, pairs);
  return pairs;
}

/**
 * What a read of a physical address with no memory behind it returns: 0, as
 * QEMU's unassigned memory does (checked against qemu-system-i386 by
 * tests/x86/cases/pse36-above-4gib.case); a write there is dropped.
 */
export const ABSENT_WORD = 0;

function requireWordAddress(paddr: number, limit = ADDRESS_SPACE_SIZE): void {
  if (!Number.isInteger(paddr) || paddr < 0 || paddr >= limit || (paddr & WORD_ALIGN_MASK) !== 0) {
    throw new RangeError(`physical address ${paddr} is not an aligned ${limit === ADDRESS_SPACE_SIZE ? "32" : "40"}-bit word address`);
  }
}

function requireFrameAddress(paddr: number): void {
  if (!Number.isInteger(paddr) || paddr < 0 || paddr >= ADDRESS_SPACE_SIZE || (paddr & PAGE_OFFSET_MASK) !== 0) {
    throw new RangeError(`physical address ${paddr} is not a 4 KiB frame address`);
  }
}

function requireWordValue(value: number): void {
  if (!Number.isInteger(value) || value < -(2 ** 31) || value >= 2 ** 32) {
    throw new RangeError(`value ${value} does not fit in a 32-bit word`);
  }
}

export class PhysicalMemory {
  /** frame number -> its 1024 words; absent frames read as zero. */
  private readonly frames: Map<number, Uint32Array>;
  /** Frames this memory may write in place; the others may be shared with a clone and are copied first. */
  private readonly owned = new Set<number>();
  /** The canonical encoding while the contents have not changed since it was made (shared with clones; never mutated). */
  private encoded: Uint8Array | null;

  constructor(frames?: Map<number, Uint32Array>, encoded: Uint8Array | null = null) {
    this.frames = frames ?? new Map();
    this.encoded = encoded;
  }

  /** The frame's words, made private to this memory, or undefined for an untouched frame. */
  private writable(frameNumber: number): Uint32Array | undefined {
    const frame = this.frames.get(frameNumber);
    if (frame === undefined || this.owned.has(frameNumber)) return frame;
    const copy = frame.slice();
    this.frames.set(frameNumber, copy);
    this.owned.add(frameNumber);
    return copy;
  }

  read32(paddr: number): number {
    requireWordAddress(paddr);
    const frame = this.frames.get(paddr >>> PAGE_SHIFT);
    return frame === undefined ? 0 : (frame[(paddr & PAGE_OFFSET_MASK) >>> WORD_SHIFT] ?? 0);
  }

  /** Stores `value` (signed or unsigned 32-bit) as an unsigned word. */
  write32(paddr: number, value: number): void {
    requireWordAddress(paddr);
    requireWordValue(value);
    const frameNumber = paddr >>> PAGE_SHIFT;
    const index = (paddr & PAGE_OFFSET_MASK) >>> WORD_SHIFT;
    const current = this.frames.get(frameNumber);
    if (current === undefined) {
      if (value === 0) return; // a zero word in an untouched frame is already there
      this.encoded = null;
      const frame = new Uint32Array(WORDS_PER_FRAME);
      frame[index] = value >>> 0;
      this.frames.set(frameNumber, frame);
      this.owned.add(frameNumber);
      return;
    }
    if (current[index] === value >>> 0) return;
    this.encoded = null;
    const frame = this.writable(frameNumber)!;
    framePairs.delete(frame);
    frame[index] = value >>> 0;
  }

  /**
   * A CPU's data access after translation, at any physical address 32-bit
   * paging can form (below 2^40): RAM below 4 GiB; above it there is no
   * memory, so a read gives ABSENT_WORD.
   */
  busRead32(paddr: number): number {
    requireWordAddress(paddr, PHYSICAL_ADDRESS_LIMIT);
    return paddr < ADDRESS_SPACE_SIZE ? this.read32(paddr) : ABSENT_WORD;
  }

  /** The write of busRead32: to RAM below 4 GiB, dropped above (no memory there). */
  busWrite32(paddr: number, value: number): void {
    requireWordAddress(paddr, PHYSICAL_ADDRESS_LIMIT);
    requireWordValue(value);
    if (paddr < ADDRESS_SPACE_SIZE) this.write32(paddr, value);
  }

  /** Sets `flags` in the word at `paddr` (the read-modify-write the walk uses for A and D). Returns the new word. */
  setBits32(paddr: number, flags: number): number {
    const updated = (this.read32(paddr) | flags) >>> 0;
    this.write32(paddr, updated);
    return updated;
  }

  /** Clears the frame at `frameAddress` (4 KiB aligned) to zero; its storage is released. */
  zeroFrame(frameAddress: number): void {
    requireFrameAddress(frameAddress);
    if (this.frames.delete(frameAddress >>> PAGE_SHIFT)) this.encoded = null;
    this.owned.delete(frameAddress >>> PAGE_SHIFT);
  }

  /** Copies the frame at `sourceFrame` of `source` (default: this memory) over the frame at `targetFrame`. */
  copyFrom(targetFrame: number, sourceFrame: number, source: PhysicalMemory = this): void {
    requireFrameAddress(targetFrame);
    requireFrameAddress(sourceFrame);
    const words = source.frames.get(sourceFrame >>> PAGE_SHIFT);
    if (words === undefined) {
      this.zeroFrame(targetFrame);
      return;
    }
    this.frames.set(targetFrame >>> PAGE_SHIFT, Uint32Array.from(words));
    this.owned.add(targetFrame >>> PAGE_SHIFT);
    this.encoded = null;
  }

  /** Copies the frame's words into `into` (1024 words; zeros for an untouched frame), allocating nothing. */
  readFrame(frameAddress: number, into: Uint32Array): void {
    requireFrameAddress(frameAddress);
    if (into.length !== WORDS_PER_FRAME) throw new RangeError(`readFrame needs room for ${WORDS_PER_FRAME} words, got ${into.length}`);
    const words = this.frames.get(frameAddress >>> PAGE_SHIFT);
    if (words === undefined) into.fill(0);
    else into.set(words);
  }

  /** The frame's words as a fresh array (zeros for an untouched frame). */
  frameWords(frameAddress: number): Uint32Array {
    requireFrameAddress(frameAddress);
    const words = this.frames.get(frameAddress >>> PAGE_SHIFT);
    return words === undefined ? new Uint32Array(WORDS_PER_FRAME) : Uint32Array.from(words);
  }

  /**
   * The frame's non-zero words as (word index in the frame, value) pairs,
   * ascending: what a scan of a page table or directory needs, without
   * copying the frame. Shared: do not modify.
   */
  nonZeroEntries(frameAddress: number): Uint32Array {
    requireFrameAddress(frameAddress);
    const words = this.frames.get(frameAddress >>> PAGE_SHIFT);
    return words === undefined ? EMPTY_PAIRS : pairsOf(words);
  }

  /** Frame numbers that hold storage, ascending (some may hold only zeros). */
  private frameNumbers(): number[] {
    return [...this.frames.keys()].sort((a, b) => a - b);
  }

  /** Frame addresses holding at least one non-zero word, ascending. */
  nonZeroFrames(): number[] {
    return this.frameNumbers()
      .filter((frameNumber) => this.frames.get(frameNumber)!.some((w) => w !== 0))
      .map((frameNumber) => frameNumber * 2 ** PAGE_SHIFT);
  }

  /** Every non-zero word as [physical address, value], ascending by address. */
  nonZeroWords(): Array<[number, number]> {
    const result: Array<[number, number]> = [];
    for (const frameNumber of this.frameNumbers()) {
      const words = this.frames.get(frameNumber)!;
      const base = frameNumber * 2 ** PAGE_SHIFT;
      for (let i = 0; i < WORDS_PER_FRAME; i++) if (words[i] !== 0) result.push([base + i * WORD_SIZE, words[i]!]);
    }
    return result;
  }

  /**
   * Canonical encoding: the non-zero words in ascending address order, each
   * as (word index = paddr / 4, value), both little-endian u32. Two memories
   * with the same contents encode to the same bytes, whatever order they
   * were written in and however many zero words they once held. The result
   * is shared (kept until the next change): do not modify it.
   */
  encode(): Uint8Array {
    if (this.encoded !== null) return this.encoded;
    const perFrame = this.frameNumbers().map((frameNumber) => ({ firstIndex: frameNumber * WORDS_PER_FRAME, pairs: pairsOf(this.frames.get(frameNumber)!) }));
    let length = 0;
    for (const frame of perFrame) length += frame.pairs.length;
    const pairs = new Uint32Array(length);
    let at = 0;
    for (const { firstIndex, pairs: own } of perFrame) {
      for (let i = 0; i < own.length; i += 2) {
        pairs[at++] = firstIndex + own[i]!;
        pairs[at++] = own[i + 1]!;
      }
    }
    const bytes = new Uint8Array(pairs.buffer);
    if (!LITTLE_ENDIAN) {
      const view = new DataView(bytes.buffer);
      for (let i = 0; i < pairs.length; i++) view.setUint32(i * WORD_SIZE, pairs[i]!, true);
    }
    this.encoded = bytes;
    return bytes;
  }

  /** The inverse of encode(); rejects bytes encode() cannot produce (so a corrupt state is noticed, not misread). */
  static decode(bytes: Uint8Array): PhysicalMemory {
    if (bytes.length % ENCODED_PAIR_BYTES !== 0) {
      throw new RangeError(`encoded memory has ${bytes.length} bytes, not a multiple of ${ENCODED_PAIR_BYTES}`);
    }
    const frames = new Map<number, Uint32Array>();
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    let previousIndex = -1;
    let frameNumber = -1;
    let frame: Uint32Array | undefined;
    for (let offset = 0; offset < bytes.length; offset += ENCODED_PAIR_BYTES) {
      const index = view.getUint32(offset, true);
      const value = view.getUint32(offset + WORD_SIZE, true);
      if (index <= previousIndex || value === 0 || index >= FRAME_COUNT * WORDS_PER_FRAME) {
        throw new RangeError(`encoded memory is not canonical at byte ${offset}`);
      }
      const number = Math.floor(index / WORDS_PER_FRAME);
      if (number !== frameNumber || frame === undefined) {
        frameNumber = number;
        frame = new Uint32Array(WORDS_PER_FRAME);
        frames.set(number, frame);
      }
      frame[index % WORDS_PER_FRAME] = value;
      previousIndex = index;
    }
    const memory = new PhysicalMemory(frames, bytes.slice());
    for (const number of frames.keys()) memory.owned.add(number);
    return memory;
  }

  clone(): PhysicalMemory {
    return this.copyFramesInto(new PhysicalMemory());
  }

  /** Gives `target` (empty) this memory's frames, shared until either writes one (for clone() here and in subclasses). */
  protected copyFramesInto<M extends PhysicalMemory>(target: M): M {
    // Both now share every frame: whichever writes one first copies it.
    this.owned.clear();
    for (const [frameNumber, words] of this.frames) target.frames.set(frameNumber, words);
    target.encoded = this.encoded;
    return target;
  }

  /** Same contents (zero words and untouched frames are equal). */
  equals(other: PhysicalMemory): boolean {
    return this.framesMatch(other) && other.framesMatch(this);
  }

  /** Does every frame stored here hold what `other` holds there (zeros where it stores none)? */
  private framesMatch(other: PhysicalMemory): boolean {
    for (const [frameNumber, words] of this.frames) {
      const theirs = other.frames.get(frameNumber);
      for (let i = 0; i < WORDS_PER_FRAME; i++) if (words[i] !== (theirs === undefined ? 0 : theirs[i])) return false;
    }
    return true;
  }
}
