/**
 * A translation lookaside buffer: one per CPU (Intel SDM Vol. 3A §4.10).
 *
 * It caches what a successful walk found (§4.10.2.2): the physical page, the
 * rights ANDed across the entries, and whether D was already set in the
 * mapping entry. It is never refreshed by the hardware: after the kernel
 * changes an entry, the CPU keeps using the old translation until INVLPG
 * (§4.10.4.1) or a CR3 load (which keeps global entries) removes it. That is
 * the point of modelling it: a kernel that forgets to invalidate is caught.
 *
 * A real TLB may also drop entries at any time; this one never does, which is
 * the choice that exposes missing invalidations most.
 */
import {
  ADDRESS_SPACE_SIZE,
  LARGE_PAGE_OFFSET_MASK,
  LARGE_PAGE_SHIFT,
  PAGE_OFFSET_MASK,
  PAGE_SHIFT,
  PHYSICAL_ADDRESS_LIMIT,
  WORD_SIZE,
} from "./bits.js";
import type { Rights, WalkResult } from "./walk.js";

export interface TlbEntry extends Rights {
  /** First linear address the entry covers (4 KiB aligned, or 4 MiB aligned when large). */
  readonly linearBase: number;
  /** First physical address of the page it maps (below 2^40: PSE-36 pages lie above 4 GiB). */
  readonly physicalBase: number;
  /** A 4-MiB page (from a PDE with PS = 1): one entry covers the whole page (§4.10.2.3). */
  readonly large: boolean;
  /** D was set in the mapping entry when cached; a write through a clean entry re-walks to set D (§4.8). */
  readonly dirty: boolean;
  /** Survives a CR3 load (G = 1 with CR4.PGE = 1, §4.10.2.4). */
  readonly global: boolean;
}

const ENCODED_FLAG_LARGE = 1 << 0;
const ENCODED_FLAG_WRITABLE = 1 << 1;
const ENCODED_FLAG_USER = 1 << 2;
const ENCODED_FLAG_DIRTY = 1 << 3;
const ENCODED_FLAG_GLOBAL = 1 << 4;
/** Physical-address bits 39:32 (PSE-36) travel in flag-word bits 15:8, so entries below 4 GiB encode as before. */
const ENCODED_HIGH_ADDRESS_SHIFT = 8;
const ENCODED_HIGH_ADDRESS_MASK = 0xff;
const ENCODED_ENTRY_BYTES = 3 * WORD_SIZE;

function offsetMask(large: boolean): number {
  return large ? LARGE_PAGE_OFFSET_MASK : PAGE_OFFSET_MASK;
}

export class Tlb {
  /** 4 KiB entries by linear page number (bits 31:12). */
  private readonly pages = new Map<number, TlbEntry>();
  /** 4 MiB entries by directory index (bits 31:22). */
  private readonly largePages = new Map<number, TlbEntry>();

  /** The entry translating `linear`, if any. */
  lookup(linear: number): TlbEntry | undefined {
    return this.pages.get(linear >>> PAGE_SHIFT) ?? this.largePages.get(linear >>> LARGE_PAGE_SHIFT);
  }

  /** The physical address `entry` gives `linear`. */
  static translate(entry: TlbEntry, linear: number): number {
    return entry.physicalBase + (linear & offsetMask(entry.large));
  }

  /** Caches the translation of a successful walk of `linear`; replaces any entry for the same page. */
  fill(linear: number, walked: Extract<WalkResult, { ok: true }>): TlbEntry {
    const mask = offsetMask(walked.large);
    const entry: TlbEntry = {
      linearBase: (linear & ~mask) >>> 0,
      physicalBase: walked.physical - (walked.physical & mask),
      large: walked.large,
      writable: walked.writable,
      user: walked.user,
      dirty: walked.dirty,
      global: walked.global,
    };
    this.invalidatePage(linear);
    if (walked.large) this.largePages.set(linear >>> LARGE_PAGE_SHIFT, entry);
    else this.pages.set(linear >>> PAGE_SHIFT, entry);
    return entry;
  }

  /** INVLPG: removes every entry that translates `linear`, whatever its page size (§4.10.4.1). */
  invalidatePage(linear: number): void {
    this.pages.delete(linear >>> PAGE_SHIFT);
    this.largePages.delete(linear >>> LARGE_PAGE_SHIFT);
  }

  /** MOV to CR3: removes every entry except global ones (§4.10.4.1). */
  flushNonGlobal(): void {
    for (const map of [this.pages, this.largePages]) {
      for (const [key, entry] of map) if (!entry.global) map.delete(key);
    }
  }

  /** Removes every entry, global ones too (a CR4.PGE change, or CR0.PG turned off, §4.10.4.1). */
  flushAll(): void {
    this.pages.clear();
    this.largePages.clear();
  }

  get size(): number {
    return this.pages.size + this.largePages.size;
  }

  /** Every entry, ascending by linear base (4 KiB entries before a 4 MiB one at the same base). */
  entries(): TlbEntry[] {
    return [...this.pages.values(), ...this.largePages.values()].sort(
      (a, b) => a.linearBase - b.linearBase || Number(a.large) - Number(b.large),
    );
  }

  /** Canonical bytes: per entry (sorted as entries()), linear base, physical base, flag bits; little-endian u32 each. */
  encode(): Uint8Array {
    const entries = this.entries();
    const bytes = new Uint8Array(entries.length * ENCODED_ENTRY_BYTES);
    const view = new DataView(bytes.buffer);
    entries.forEach((entry, i) => {
      const offset = i * ENCODED_ENTRY_BYTES;
      view.setUint32(offset, entry.linearBase, true);
      view.setUint32(offset + WORD_SIZE, entry.physicalBase % ADDRESS_SPACE_SIZE, true);
      view.setUint32(offset + 2 * WORD_SIZE, encodeFlags(entry), true);
    });
    return bytes;
  }

  static decode(bytes: Uint8Array): Tlb {
    if (bytes.length % ENCODED_ENTRY_BYTES !== 0) {
      throw new RangeError(`encoded TLB has ${bytes.length} bytes, not a multiple of ${ENCODED_ENTRY_BYTES}`);
    }
    const tlb = new Tlb();
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    for (let offset = 0; offset < bytes.length; offset += ENCODED_ENTRY_BYTES) {
      const flags = view.getUint32(offset + 2 * WORD_SIZE, true);
      tlb.insert({
        linearBase: view.getUint32(offset, true),
        physicalBase: view.getUint32(offset + WORD_SIZE, true) + ((flags >>> ENCODED_HIGH_ADDRESS_SHIFT) & ENCODED_HIGH_ADDRESS_MASK) * ADDRESS_SPACE_SIZE,
        large: (flags & ENCODED_FLAG_LARGE) !== 0,
        writable: (flags & ENCODED_FLAG_WRITABLE) !== 0,
        user: (flags & ENCODED_FLAG_USER) !== 0,
        dirty: (flags & ENCODED_FLAG_DIRTY) !== 0,
        global: (flags & ENCODED_FLAG_GLOBAL) !== 0,
      });
    }
    return tlb;
  }

  /** Puts an entry back as it was (for decode and clone); the entry must be aligned to its page size. */
  insert(entry: TlbEntry): void {
    const size = offsetMask(entry.large) + 1;
    const aligned = entry.linearBase % size === 0 && entry.physicalBase % size === 0;
    if (!aligned || !Number.isInteger(entry.physicalBase) || entry.physicalBase < 0 || entry.physicalBase >= PHYSICAL_ADDRESS_LIMIT) {
      throw new RangeError(`TLB entry 0x${entry.linearBase.toString(16)} -> 0x${entry.physicalBase.toString(16)} is not a page-aligned translation`);
    }
    if (entry.large) this.largePages.set(entry.linearBase >>> LARGE_PAGE_SHIFT, { ...entry });
    else this.pages.set(entry.linearBase >>> PAGE_SHIFT, { ...entry });
  }

  clone(): Tlb {
    const copy = new Tlb();
    for (const entry of this.entries()) copy.insert(entry);
    return copy;
  }
}

function encodeFlags(entry: TlbEntry): number {
  return (
    (entry.large ? ENCODED_FLAG_LARGE : 0) |
    (entry.writable ? ENCODED_FLAG_WRITABLE : 0) |
    (entry.user ? ENCODED_FLAG_USER : 0) |
    (entry.dirty ? ENCODED_FLAG_DIRTY : 0) |
    (entry.global ? ENCODED_FLAG_GLOBAL : 0) |
    (Math.floor(entry.physicalBase / ADDRESS_SPACE_SIZE) << ENCODED_HIGH_ADDRESS_SHIFT)
  );
}
