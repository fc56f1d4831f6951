/**
 * The kernel's own paging code, in the style of xv6's vm.c: small functions
 * over the page directory and page tables of one address space, all living in
 * simulated physical memory. Nothing here touches a CPU: TLB invalidation is
 * the caller's job (see kernel.ts shootdown), because only the caller knows
 * which CPUs run the address space.
 */
import {
  PTE_A,
  PTE_D,
  PTE_P,
  PTE_RW,
  PTE_US,
  entryAddress,
  isPresent,
  makePde,
  makePte,
  markerOf,
  notPresentEntry,
  pdIndex,
  ptIndex,
} from "../hw/bits.js";
import type { PhysicalMemory } from "../hw/memory.js";
import { REGION_TABLE_SLOT, SELF_MAP_SLOT, regionSlot, type Layout } from "./layout.js";
import type { Placement } from "./physical.js";

export type Rights = "ro" | "rw";

const ENTRY_BYTES = 4;
/** User page-directory entries allow everything; the PTE alone decides the page's rights. */
const USER_PDE_FLAGS = PTE_P | PTE_RW | PTE_US;
/**
 * Kernel entries are supervisor-only and pre-marked accessed, so the
 * kernel's own reads through them never change memory (the walk would set A
 * on first use; a state that differs only in that bit is not worth a state).
 */
const KERNEL_PDE_FLAGS = PTE_P | PTE_RW | PTE_A;
/** The region-table slot also plays the PTE of the region table's page, whose D the walk sets on a kernel write. */
const REGION_TABLE_PDE_FLAGS = KERNEL_PDE_FLAGS | PTE_D;

export const entryPointer = (table: number, index: number): number => table + index * ENTRY_BYTES;

/** A fresh address space: zeroed directory, the self map, and (when the kernel keeps one) the zeroed region table `table` in its slot. */
export function createAddressSpace(memory: PhysicalMemory, placement: Placement, task: number, table: number | null): number {
  const pd = placement.pageDirectory(task);
  memory.zeroFrame(pd);
  memory.write32(entryPointer(pd, SELF_MAP_SLOT), makePde(pd, KERNEL_PDE_FLAGS));
  if (table !== null) {
    memory.zeroFrame(table);
    memory.write32(entryPointer(pd, REGION_TABLE_SLOT), makePde(table, REGION_TABLE_PDE_FLAGS));
  }
  return pd;
}

/** Physical address of the page table behind a directory entry, or null when the entry is not present. */
function pageTableOf(memory: PhysicalMemory, pd: number, linear: number): number | null {
  const pde = memory.read32(entryPointer(pd, pdIndex(linear)));
  return isPresent(pde) ? entryAddress(pde) : null;
}

/**
 * xv6's walkpgdir: the physical address of the PTE for `linear`, creating the
 * region's page table (at its fixed place) when `create` is set; null when it
 * does not exist and `create` is not set.
 */
export function walkpgdir(
  memory: PhysicalMemory,
  placement: Placement,
  layout: Layout,
  task: number,
  linear: number,
  create: boolean,
): number | null {
  const pd = placement.pageDirectory(task);
  let table = pageTableOf(memory, pd, linear);
  if (table === null) {
    if (!create) return null;
    const region = pdIndex(linear) - regionSlot(layout, 0);
    table = placement.pageTable(task, region);
    memory.zeroFrame(table);
    memory.write32(entryPointer(pd, pdIndex(linear)), makePde(table, USER_PDE_FLAGS));
  }
  return entryPointer(table, ptIndex(linear));
}

/** The PTE word for `linear` (0 when the page table does not exist: not present, marker 0). */
export function readPte(memory: PhysicalMemory, placement: Placement, layout: Layout, task: number, linear: number): number {
  const pointer = walkpgdir(memory, placement, layout, task, linear, false);
  return pointer === null ? 0 : memory.read32(pointer);
}

export const pteFlagsFor = (rights: Rights): number => PTE_P | PTE_US | (rights === "rw" ? PTE_RW : 0);

/** Write `entry` as the PTE of `linear` (creating the page table); returns the entry it replaced. */
function replacePte(memory: PhysicalMemory, placement: Placement, layout: Layout, task: number, linear: number, entry: number): number {
  const pointer = walkpgdir(memory, placement, layout, task, linear, true)!;
  const old = memory.read32(pointer);
  memory.write32(pointer, entry);
  return old;
}

/** Install `frame` at `linear` with `rights`; returns the entry it replaced. */
export function mapPage(memory: PhysicalMemory, placement: Placement, layout: Layout, task: number, linear: number, frame: number, rights: Rights): number {
  return replacePte(memory, placement, layout, task, linear, makePte(frame, pteFlagsFor(rights)));
}

/** Replace the entry at `linear` by a not-present entry carrying `marker`; returns the entry it replaced. */
export function unmapPage(memory: PhysicalMemory, placement: Placement, layout: Layout, task: number, linear: number, marker: number): number {
  return replacePte(memory, placement, layout, task, linear, notPresentEntry(marker));
}

/** The marker a not-present entry carries (0 for a missing page table). */
export const markerIn = (entry: number): number => (isPresent(entry) ? 0 : markerOf(entry));

export function rightsOf(entry: number): Rights {
  return (entry & PTE_RW) !== 0 ? "rw" : "ro";
}
