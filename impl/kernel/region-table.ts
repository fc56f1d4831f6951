/**
 * The region table (Section III.A): one 4 KiB frame per address space, an
 * array of region-manager thread ids indexed by region number, mapped at a
 * fixed kernel address in every address space.
 *
 * Entry layout (one 32-bit word per region):
 *   bit 0      always 0: the table is installed in the page directory as if it
 *              were a page table (see layout.ts), so no entry may ever look
 *              present to the MMU;
 *   bit 1      ACCEPTED: the manager has accepted the region (by mapping into
 *              it) and has not revoked with REVOKE_AGREEMENT;
 *   bits 31:2  manager thread id + 1 (0: no manager assigned).
 * The acceptance flag lives in the entry itself, so the whole contract of a
 * region is one word and the table is exactly one frame.
 */
import { PTE_P } from "../hw/bits.js";
import { PAGE_SIZE } from "./layout.js";

export const REGION_ENTRY_SIZE = 4;
/** Bit 0 must stay clear: the MMU must never see a present entry here. */
export const REGION_NEVER_PRESENT = PTE_P;
export const REGION_ACCEPTED = 1 << 1;
export const REGION_MANAGER_SHIFT = 2;
export const REGION_TABLE_BYTES = PAGE_SIZE;
/** The largest thread id an entry can name. */
export const MAX_MANAGER_ID = 2 ** (32 - REGION_MANAGER_SHIFT) - 2;

export interface RegionEntry {
  readonly manager: number | null;
  readonly accepted: boolean;
}

export const NO_MANAGER: RegionEntry = { manager: null, accepted: false };

export function encodeRegionEntry(entry: RegionEntry): number {
  if (entry.manager === null) return 0;
  return ((entry.manager + 1) * 2 ** REGION_MANAGER_SHIFT + (entry.accepted ? REGION_ACCEPTED : 0)) >>> 0;
}

export function decodeRegionEntry(word: number): RegionEntry {
  const id = Math.floor((word >>> 0) / 2 ** REGION_MANAGER_SHIFT);
  if (id === 0) return NO_MANAGER;
  return { manager: id - 1, accepted: (word & REGION_ACCEPTED) !== 0 };
}

/** Byte offset of a region's entry inside the table. */
export const regionEntryOffset = (region: number): number => region * REGION_ENTRY_SIZE;
