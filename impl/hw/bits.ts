/**
 * Bit layouts of 32-bit x86 paging, as named constants.
 *
 * Source: Intel SDM Vol. 3A, §4.3 "32-Bit Paging" (Tables 4-4 to 4-6 give
 * CR3, the 4-MiB PDE, the PDE referencing a page table and the PTE), §4.7
 * (page-fault error code, Figure 4-12), §2.5 (CR0/CR4).
 *
 * Every value this module hands out is an unsigned 32-bit number (0 ..
 * 2^32-1): JavaScript's bitwise operators produce signed results, so every
 * combining helper ends in `>>> 0` to keep entries comparable with `===`.
 */

/** Sets bit `n` (0..31) as an unsigned 32-bit mask. */
function bit(n: number): number {
  return (1 << n) >>> 0;
}

/** Bits `high`..`low` (inclusive) as an unsigned 32-bit mask. */
export function bitRange(high: number, low: number): number {
  let mask = 0;
  for (let n = low; n <= high; n++) mask |= bit(n);
  return mask >>> 0;
}

// ---------------------------------------------------------------------------
// Sizes and linear-address split (SDM §4.3, Figure 4-2 and 4-3)
// ---------------------------------------------------------------------------

export const WORD_SIZE = 4;
export const PAGE_SHIFT = 12;
export const PAGE_SIZE = 1 << PAGE_SHIFT; // 4 KiB
export const LARGE_PAGE_SHIFT = 22;
export const LARGE_PAGE_SIZE = 1 << LARGE_PAGE_SHIFT; // 4 MiB
/** A page directory and a page table each hold 1024 four-byte entries (one frame). */
export const ENTRIES_PER_TABLE = PAGE_SIZE / WORD_SIZE;
export const WORDS_PER_FRAME = PAGE_SIZE / WORD_SIZE;
export const ENTRY_SIZE = WORD_SIZE;
/** Linear addresses are 32 bits wide, and so are the addresses of RAM (PhysicalMemory's words and frames). */
export const ADDRESS_SPACE_SIZE = 2 ** 32;
/**
 * 32-bit paging forms physical addresses below 2^40: with PSE-36 a 4-MiB
 * PDE supplies physical-address bits 39:32, and for 32-bit paging MAXPHYADDR
 * counts as at most 40 (SDM Vol. 3A §4.3, Table 4-4). Without PSE-36
 * (MAXPHYADDR = 32) every physical address stays below 2^32.
 */
export const PHYSICAL_ADDRESS_LIMIT = 2 ** 40;
export const FRAME_COUNT = ADDRESS_SPACE_SIZE / PAGE_SIZE;

const INDEX_MASK = ENTRIES_PER_TABLE - 1;
export const PAGE_OFFSET_MASK = PAGE_SIZE - 1;
export const LARGE_PAGE_OFFSET_MASK = LARGE_PAGE_SIZE - 1;

/** Linear address bits 31:22 select the PDE. */
export function pdIndex(linear: number): number {
  return linear >>> LARGE_PAGE_SHIFT;
}

/** Linear address bits 21:12 select the PTE. */
export function ptIndex(linear: number): number {
  return (linear >>> PAGE_SHIFT) & INDEX_MASK;
}

export function pageOffset(linear: number): number {
  return linear & PAGE_OFFSET_MASK;
}

export function largePageOffset(linear: number): number {
  return linear & LARGE_PAGE_OFFSET_MASK;
}

/** The 4 KiB page number of an address (address bits 31:12). */
export function pageNumber(address: number): number {
  return address >>> PAGE_SHIFT;
}

/** The address rounded down to its 4 KiB page. */
export function pageBase(address: number): number {
  return (address & ~PAGE_OFFSET_MASK) >>> 0;
}

/** The linear address whose PDE index is `pd` and PTE index `pt` (offset 0). */
export function linearOf(pd: number, pt: number, offset = 0): number {
  return ((pd << LARGE_PAGE_SHIFT) | (pt << PAGE_SHIFT) | offset) >>> 0;
}

// ---------------------------------------------------------------------------
// Paging-structure entries (SDM §4.3, Tables 4-5 and 4-6)
// The low bits mean the same in a PDE and a PTE, so they are named once.
// ---------------------------------------------------------------------------

/** Present: 0 means the entry maps nothing and every other bit is free for software. */
export const PTE_P = bit(0);
/** Read/write: 0 forbids writes through this entry (§4.6). */
export const PTE_RW = bit(1);
/** User/supervisor: 0 forbids user-mode (CPL 3) accesses through this entry (§4.6). */
export const PTE_US = bit(2);
/** Page-level write-through (cache control; not interpreted by this model). */
export const PTE_PWT = bit(3);
/** Page-level cache disable (cache control; not interpreted by this model). */
export const PTE_PCD = bit(4);
/** Accessed: set by the walk in every entry it used (§4.8). */
export const PTE_A = bit(5);
/** Dirty: set by a write in the entry that maps the page (PTE, or 4-MiB PDE) (§4.8). Ignored in a PDE that references a page table. */
export const PTE_D = bit(6);
/** In a PTE, bit 7 is PAT (cache control; not interpreted). */
export const PTE_PAT = bit(7);
/** In a PDE, bit 7 is PS: with CR4.PSE = 1 the PDE maps a 4-MiB page; with CR4.PSE = 0 it is ignored (§4.3). */
export const PDE_PS = bit(7);
/** Global: with CR4.PGE = 1 the translation survives a CR3 load (§4.10.2.4). Ignored in a PDE that references a page table. */
export const PTE_G = bit(8);
/** Bits 11:9 are ignored by the hardware and free for software. */
export const PTE_AVAILABLE = bitRange(11, 9);
/** In a 4-MiB PDE, bit 12 is PAT. */
export const LARGE_PDE_PAT = bit(12);

/** PDE bits 31:12: physical address of the page table; PTE bits 31:12: physical address of the page. */
export const ENTRY_ADDRESS_MASK = bitRange(31, 12);
/** 4-MiB PDE bits 31:22: bits 31:22 of the page's physical address. */
export const LARGE_PAGE_BASE_MASK = bitRange(31, LARGE_PAGE_SHIFT);

/**
 * 4-MiB PDE bits 21:13. The SDM (Table 4-4) makes bits (M-20):13 hold
 * physical-address bits (M-1):32 and bits 21:(M-19) reserved, M being
 * MAXPHYADDR (at most 40 for 32-bit paging). X86_RULES model a processor
 * without PSE-36 (M = 32), so the whole range 21:13 is reserved and a PDE
 * that sets any of them faults with RSVD = 1 (§4.7).
 *
 * QEMU's TCG walker (target/i386 mmu_translate, "bits 20-13 provide bits
 * 39-32 of the address, bit 21 is reserved") always treats the PDE as PSE-36
 * with a 40-bit address, so it only faults on bit 21: see
 * LARGE_PDE_RESERVED_MASK_PSE36_40 and withPse36 in walk.ts.
 */
export const LARGE_PDE_RESERVED_MASK = bitRange(21, 13);
/** The reserved bits of a 4-MiB PDE on a processor with PSE-36 and MAXPHYADDR = 40 (QEMU's view): bit 21 only. */
export const LARGE_PDE_RESERVED_MASK_PSE36_40 = bit(21);
/** 4-MiB PDE bits 20:13: with PSE-36, physical-address bits 39:32 of the page (Table 4-4). */
export const PSE36_ADDRESS_MASK = bitRange(20, 13);
export const PSE36_ADDRESS_SHIFT = 13;

/** The reserved bits of a 4-MiB PDE for a given MAXPHYADDR (32..40), per SDM Table 4-4: bits 21:(M-19). */
export function largePdeReservedMask(maxPhysAddr: number): number {
  if (!Number.isInteger(maxPhysAddr) || maxPhysAddr < 32 || maxPhysAddr > 40) {
    throw new RangeError(`MAXPHYADDR ${maxPhysAddr} is outside 32..40 for 32-bit paging`);
  }
  return maxPhysAddr === 32 ? LARGE_PDE_RESERVED_MASK : bitRange(21, maxPhysAddr - 19);
}

export function isPresent(entry: number): boolean {
  return (entry & PTE_P) !== 0;
}

export function hasFlags(entry: number, flags: number): boolean {
  return ((entry & flags) >>> 0) === flags >>> 0;
}

/** The physical address an entry points at (page table for a PDE, page for a PTE). */
export function entryAddress(entry: number): number {
  return (entry & ENTRY_ADDRESS_MASK) >>> 0;
}

/** Bits 31:22 of the physical base of the 4-MiB page a large PDE maps (the whole base below 4 GiB). */
export function largePageBase(entry: number): number {
  return (entry & LARGE_PAGE_BASE_MASK) >>> 0;
}

/**
 * The physical base of the 4-MiB page a large PDE maps, PSE-36 bits
 * included: bits 31:22 from PDE bits 31:22 and bits 39:32 from PDE bits
 * 20:13 (Table 4-4). Below 2^40, so exact in a JavaScript number; it is not
 * a 32-bit value, so no `>>> 0` may touch it. On a processor without PSE-36
 * those PDE bits are reserved and the walk faults before asking.
 */
export function largePageAddress(entry: number): number {
  return largePageBase(entry) + ((entry & PSE36_ADDRESS_MASK) >>> PSE36_ADDRESS_SHIFT) * ADDRESS_SPACE_SIZE;
}

/** The flag bits an entry builder accepts: everything below the address field (bits 11:0). */
export const ENTRY_FLAGS_MASK = bitRange(11, 0);

function requireAligned(address: number, alignMask: number, what: string): void {
  if (!Number.isInteger(address) || address < 0 || address >= ADDRESS_SPACE_SIZE || (address & alignMask) !== 0) {
    throw new RangeError(`${what} 0x${address.toString(16)} is not an aligned 32-bit physical address`);
  }
}

/** A PDE referencing the page table at `tablePhysical` (4 KiB aligned). `flags` are bits 11:0 and must not contain PS. */
export function makePde(tablePhysical: number, flags: number): number {
  requireAligned(tablePhysical, PAGE_OFFSET_MASK, "page table");
  if ((flags & ~ENTRY_FLAGS_MASK) !== 0 || (flags & PDE_PS) !== 0) {
    throw new RangeError(`PDE flags 0x${flags.toString(16)} must be bits 11:0 without PS`);
  }
  return (tablePhysical | flags) >>> 0;
}

/** A PTE mapping the frame at `framePhysical` (4 KiB aligned). `flags` are bits 11:0. */
export function makePte(framePhysical: number, flags: number): number {
  requireAligned(framePhysical, PAGE_OFFSET_MASK, "frame");
  if ((flags & ~ENTRY_FLAGS_MASK) !== 0) {
    throw new RangeError(`PTE flags 0x${flags.toString(16)} must be bits 11:0`);
  }
  return (framePhysical | flags) >>> 0;
}

/** A PDE mapping the 4-MiB page at `pagePhysical` (4 MiB aligned); PS is added. */
export function makeLargePde(pagePhysical: number, flags: number): number {
  requireAligned(pagePhysical, LARGE_PAGE_OFFSET_MASK, "4-MiB page");
  if ((flags & ~ENTRY_FLAGS_MASK) !== 0) {
    throw new RangeError(`large PDE flags 0x${flags.toString(16)} must be bits 11:0`);
  }
  return (pagePhysical | flags | PDE_PS) >>> 0;
}

// ---------------------------------------------------------------------------
// The pager-defined marker of a not-present entry.
// With P = 0 the processor ignores bits 31:1 (§4.3, "Ignored" rows of Tables
// 4-4 to 4-6), so the kernel can store a 31-bit value there (the paper's
// marker) and recover it on a page fault.
// ---------------------------------------------------------------------------

export const MARKER_SHIFT = 1;
export const MARKER_BITS = 31;
export const MARKER_MAX = 2 ** MARKER_BITS - 1;

export function isMarker(value: number): boolean {
  return Number.isInteger(value) && value >= 0 && value <= MARKER_MAX;
}

/** A not-present entry (P = 0) carrying `marker` in bits 31:1. */
export function notPresentEntry(marker: number): number {
  if (!isMarker(marker)) throw new RangeError(`marker ${marker} is not an integer in 0..2^31-1`);
  return (marker << MARKER_SHIFT) >>> 0;
}

/** The marker stored in a not-present entry (bits 31:1). */
export function markerOf(entry: number): number {
  if (isPresent(entry)) throw new RangeError(`entry 0x${(entry >>> 0).toString(16)} is present and carries no marker`);
  return entry >>> MARKER_SHIFT;
}

// ---------------------------------------------------------------------------
// Page-fault error code (SDM §4.7, Figure 4-12)
// ---------------------------------------------------------------------------

/** 0: no translation because some entry had P = 0; 1: the translation exists but the access is not allowed (or a reserved bit was set). */
export const PF_P = bit(0);
/** 1 when the faulting access was a write. Describes the access, not the entry's rights. */
export const PF_WR = bit(1);
/** 1 when the faulting access was a user-mode (CPL 3) access. Describes the access, not the entry's rights. */
export const PF_US = bit(2);
/** 1 when a reserved bit was set in some paging-structure entry used by the walk. */
export const PF_RSVD = bit(3);
/**
 * 1 for an instruction fetch, but only when CR4.SMEP = 1 or (PAE and
 * IA32_EFER.NXE = 1). Our processor has neither, so it is always 0 here; the
 * constant exists so the layout is complete and tests can say so.
 */
export const PF_ID = bit(4);

// ---------------------------------------------------------------------------
// Control registers (SDM §2.5)
// ---------------------------------------------------------------------------

/** CR0.WP: when 1, supervisor-mode writes obey R/W too (§4.6). */
export const CR0_WP = bit(16);
/** CR0.PG: paging enabled. */
export const CR0_PG = bit(31);
/** CR0.PE: protected mode; paging requires it. */
export const CR0_PE = bit(0);
/** CR3 bits 31:12: physical address of the page directory (Table 4-3). */
export const CR3_PD_MASK = bitRange(31, 12);
/** CR3.PWT / CR3.PCD (cache control for the directory; not interpreted). */
export const CR3_PWT = bit(3);
export const CR3_PCD = bit(4);
/** CR4.PSE: 4-MiB pages allowed (PS honoured in PDEs). */
export const CR4_PSE = bit(4);
/** CR4.PAE: PAE paging; this model implements 32-bit paging only, so it must stay 0. */
export const CR4_PAE = bit(5);
/** CR4.PGE: global pages (G honoured, survive CR3 loads). */
export const CR4_PGE = bit(7);
