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
 */
import { ADDRESS_SPACE_SIZE, FRAME_COUNT, PAGE_SHIFT, PHYSICAL_ADDRESS_LIMIT, WORD_SIZE, WORDS_PER_FRAME, PAGE_OFFSET_MASK } from "./bits.js";

const WORD_ALIGN_MASK = WORD_SIZE - 1;
const WORD_SHIFT = 2;
const ENCODED_PAIR_BYTES = 2 * WORD_SIZE;

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
  private readonly frames = new Map<number, Uint32Array>();

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
    let frame = this.frames.get(frameNumber);
    if (frame === undefined) {
      if (value === 0) return; // a zero word in an untouched frame is already there
      frame = new Uint32Array(WORDS_PER_FRAME);
      this.frames.set(frameNumber, frame);
    }
    frame[(paddr & PAGE_OFFSET_MASK) >>> WORD_SHIFT] = value >>> 0;
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
    this.frames.delete(frameAddress >>> PAGE_SHIFT);
  }

  /** Copies the frame at `sourceFrame` of `source` (default: this memory) over the frame at `targetFrame`. */
  copyFrom(targetFrame: number, sourceFrame: number, source: PhysicalMemory = this): void {
    requireFrameAddress(targetFrame);
    requireFrameAddress(sourceFrame);
    const words = source.frames.get(sourceFrame >>> PAGE_SHIFT);
    if (words === undefined) this.frames.delete(targetFrame >>> PAGE_SHIFT);
    else this.frames.set(targetFrame >>> PAGE_SHIFT, Uint32Array.from(words));
  }

  /** The frame's words as a fresh array (zeros for an untouched frame). */
  frameWords(frameAddress: number): Uint32Array {
    requireFrameAddress(frameAddress);
    const words = this.frames.get(frameAddress >>> PAGE_SHIFT);
    return words === undefined ? new Uint32Array(WORDS_PER_FRAME) : Uint32Array.from(words);
  }

  /** Copies the frame's words into `into` (1024 words; zeros for an untouched frame), allocating nothing. */
  readFrame(frameAddress: number, into: Uint32Array): void {
    requireFrameAddress(frameAddress);
    if (into.length !== WORDS_PER_FRAME) throw new RangeError(`readFrame needs room for ${WORDS_PER_FRAME} words, got ${into.length}`);
    const words = this.frames.get(frameAddress >>> PAGE_SHIFT);
    if (words === undefined) into.fill(0);
    else into.set(words);
  }

  /** Frame addresses holding at least one non-zero word, ascending. */
  nonZeroFrames(): number[] {
    const result: number[] = [];
    for (const [frameNumber, words] of this.frames) {
      if (words.some((w) => w !== 0)) result.push(frameNumber * 2 ** PAGE_SHIFT);
    }
    return result.sort((a, b) => a - b);
  }

  /** Every non-zero word as [physical address, value], ascending by address. */
  nonZeroWords(): Array<[number, number]> {
    const result: Array<[number, number]> = [];
    for (const frameAddress of this.nonZeroFrames()) {
      const words = this.frames.get(frameAddress >>> PAGE_SHIFT)!;
      words.forEach((w, i) => {
        if (w !== 0) result.push([frameAddress + i * WORD_SIZE, w]);
      });
    }
    return result;
  }

  /**
   * Canonical encoding: the non-zero words in ascending address order, each
   * as (word index = paddr / 4, value), both little-endian u32. Two memories
   * with the same contents encode to the same bytes, whatever order they
   * were written in and however many zero words they once held.
   */
  encode(): Uint8Array {
    // Two passes over the stored frames, in frame order, without a pair per word: the model checker encodes every state.
    const frameNumbers = [...this.frames.keys()].sort((a, b) => a - b);
    let count = 0;
    for (const frameNumber of frameNumbers) {
      const words = this.frames.get(frameNumber)!;
      for (let i = 0; i < WORDS_PER_FRAME; i++) if (words[i] !== 0) count++;
    }
    const bytes = new Uint8Array(count * ENCODED_PAIR_BYTES);
    const view = new DataView(bytes.buffer);
    let offset = 0;
    for (const frameNumber of frameNumbers) {
      const words = this.frames.get(frameNumber)!;
      const firstIndex = frameNumber * WORDS_PER_FRAME;
      for (let i = 0; i < WORDS_PER_FRAME; i++) {
        const value = words[i]!;
        if (value === 0) continue;
        view.setUint32(offset, firstIndex + i, true);
        view.setUint32(offset + WORD_SIZE, value, true);
        offset += ENCODED_PAIR_BYTES;
      }
    }
    return bytes;
  }

  /** The inverse of encode(); rejects bytes encode() cannot produce (so a corrupt state is noticed, not misread). */
  static decode(bytes: Uint8Array): PhysicalMemory {
    if (bytes.length % ENCODED_PAIR_BYTES !== 0) {
      throw new RangeError(`encoded memory has ${bytes.length} bytes, not a multiple of ${ENCODED_PAIR_BYTES}`);
    }
    const memory = new PhysicalMemory();
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    let previousIndex = -1;
    for (let offset = 0; offset < bytes.length; offset += ENCODED_PAIR_BYTES) {
      const index = view.getUint32(offset, true);
      const value = view.getUint32(offset + WORD_SIZE, true);
      if (index <= previousIndex || value === 0 || index >= FRAME_COUNT * WORDS_PER_FRAME) {
        throw new RangeError(`encoded memory is not canonical at byte ${offset}`);
      }
      memory.write32(index << WORD_SHIFT >>> 0, value);
      previousIndex = index;
    }
    return memory;
  }

  clone(): PhysicalMemory {
    return this.copyFramesInto(new PhysicalMemory());
  }

  /** Copies every stored frame into `target` (for clone() here and in subclasses). */
  protected copyFramesInto<M extends PhysicalMemory>(target: M): M {
    for (const [frameNumber, words] of this.frames) target.frames.set(frameNumber, Uint32Array.from(words));
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
