/**
 * The virtual address space layout of every task (Section III.A): the user
 * part cut into fixed regions of 2^regionShift bytes starting at B_us, and a
 * kernel part holding mappings identical in every address space.
 *
 * The paper's layout (the default): 1020 regions of 1024 pages of 4 KiB, so a
 * region is exactly the 4 MiB window of one page-directory entry and
 *   RID = (A - B_us) >> 22                                   (formula (1))
 * We choose B_us = 0x00400000: page-directory entry 0 stays unmapped (a null
 * pointer dereference is a general-protection fault, as in the paper), entries
 * 1..1020 are the user regions, and the top three entries are kernel space:
 *   1021  the region table, installed as if it were a page table (its entries
 *         never have the present bit set, so the MMU finds nothing there),
 *   1022  spare kernel space,
 *   1023  the page directory mapped onto itself (the recursive "self map"),
 *         which makes every page table and, through entry 1021, the region
 *         table visible at fixed kernel addresses in every address space:
 *         region table at 0xFFC00000 + 1021 * 4 KiB = 0xFFFFD000,
 *         page directory at 0xFFFFF000.
 * So the region table costs exactly one 4 KiB frame per address space and no
 * extra page table to map it (the paper's "4Kb per virtual address space").
 *
 * Small configurations keep the same shape with fewer regions and pages, so
 * the model checker can explore them exhaustively.
 */
import { InputError } from "../../model/input-error.js";

export const PAGE_SHIFT = 12;
export const PAGE_SIZE = 1 << PAGE_SHIFT;
export const PDE_SHIFT = 22;
export const ENTRIES_PER_TABLE = 1024;
/** Page-directory slot of the recursive self map. */
export const SELF_MAP_SLOT = 1023;
/** Page-directory slot through which the region table is mapped (as if it were a page table). */
export const REGION_TABLE_SLOT = 1021;
/** Linear address at which the self map shows page-table slot `slot`. */
export const selfMapAddress = (slot: number): number => ((SELF_MAP_SLOT << PDE_SHIFT) | (slot << PAGE_SHIFT)) >>> 0;

export interface Layout {
  /** B_us: base of the user part of every address space. */
  readonly userBase: number;
  /** log2 of the region size RS (22: a region is one page-directory entry). */
  readonly regionShift: number;
  /** Number of user regions (1020 in the paper). */
  readonly regions: number;
  /** Pages used in each region (1024 in the paper; fewer for small configurations). */
  readonly pagesPerRegion: number;
  /** Fixed kernel address of the region table in every address space. */
  readonly regionTableAddress: number;
  /** Fixed kernel address of the page directory in every address space (the self map). */
  readonly pageDirectoryAddress: number;
  /** First address of the kernel part. */
  readonly kernelBase: number;
}

export const PAPER_LAYOUT: Layout = {
  userBase: 0x0040_0000,
  regionShift: PDE_SHIFT,
  regions: 1020,
  pagesPerRegion: 1024,
  regionTableAddress: selfMapAddress(REGION_TABLE_SLOT),
  pageDirectoryAddress: selfMapAddress(SELF_MAP_SLOT),
  kernelBase: REGION_TABLE_SLOT * 2 ** PDE_SHIFT,
};

/** The paper's layout with fewer regions and pages (same addresses otherwise). */
export function smallLayout(regions: number, pagesPerRegion: number): Layout {
  return validateLayout({ ...PAPER_LAYOUT, regions, pagesPerRegion });
}

/** Reject a layout the kernel cannot honour; one line naming the field. */
export function validateLayout(layout: Layout): Layout {
  const bad = (field: string, why: string): never => {
    throw new InputError(`layout: field ${field}: ${why}`);
  };
  if (layout.regionShift !== PDE_SHIFT) bad("regionShift", `must be ${PDE_SHIFT} (a region is one page-directory entry)`);
  if (layout.userBase % (1 << PDE_SHIFT) !== 0 || layout.userBase === 0)
    bad("userBase", "must be a non-zero multiple of 4 MiB (page-directory entry 0 is the null guard)");
  if (!Number.isInteger(layout.regions) || layout.regions < 1) bad("regions", "must be a positive integer");
  const firstSlot = layout.userBase >>> PDE_SHIFT;
  if (firstSlot + layout.regions > REGION_TABLE_SLOT) bad("regions", `user part would overlap kernel slot ${REGION_TABLE_SLOT}`);
  if (layout.regions > ENTRIES_PER_TABLE) bad("regions", "more regions than region-table entries");
  if (!Number.isInteger(layout.pagesPerRegion) || layout.pagesPerRegion < 1 || layout.pagesPerRegion > ENTRIES_PER_TABLE)
    bad("pagesPerRegion", `must be 1..${ENTRIES_PER_TABLE}`);
  if (layout.regionTableAddress !== selfMapAddress(REGION_TABLE_SLOT)) bad("regionTableAddress", "must be the self-map address of the region-table slot");
  if (layout.pageDirectoryAddress !== selfMapAddress(SELF_MAP_SLOT)) bad("pageDirectoryAddress", "must be the self-map address of the page directory");
  if (layout.kernelBase < userEnd(layout)) bad("kernelBase", "must not lie inside the user part");
  return layout;
}

/** First address past the user part. */
export const userEnd = (layout: Layout): number => layout.userBase + layout.regions * 2 ** layout.regionShift;

/**
 * Is the address in the user part (a candidate for a pure page fault)? A
 * region's pages beyond pagesPerRegion (small configurations only) are not.
 */
export const isUserAddress = (layout: Layout, address: number): boolean =>
  address >= layout.userBase && address < userEnd(layout) && pageInRegion(layout, address) < layout.pagesPerRegion;

/** Formula (1): RID = (A - B_us) >> regionShift, for a user address. */
export const regionOf = (layout: Layout, address: number): number => (address - layout.userBase) >>> layout.regionShift;

/** Page number inside its region. */
export const pageInRegion = (layout: Layout, address: number): number =>
  ((address - layout.userBase) >>> PAGE_SHIFT) & ((1 << (layout.regionShift - PAGE_SHIFT)) - 1);

/** Linear address of page `page` of region `region`. */
export const userPageAddress = (layout: Layout, region: number, page: number): number =>
  (layout.userBase + region * 2 ** layout.regionShift + page * PAGE_SIZE) >>> 0;

/** Page-directory slot of a region. */
export const regionSlot = (layout: Layout, region: number): number => (layout.userBase >>> PDE_SHIFT) + region;

/**
 * Concrete kernel-part addresses standing for the spec's abstract kernel
 * addresses 0..n-1: the null guard, the region table, the page directory,
 * then the spare kernel slot.
 */
export function kernelAddresses(layout: Layout, count: number): number[] {
  const candidates = [0, layout.regionTableAddress, layout.pageDirectoryAddress];
  const result: number[] = [];
  for (let i = 0; i < count; i++) result.push(candidates[i] ?? (REGION_TABLE_SLOT + 1) * 2 ** PDE_SHIFT + (i - candidates.length) * PAGE_SIZE);
  return result;
}
