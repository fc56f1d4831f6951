/**
 * The kernel's rules: each decision a kernel writer makes in one line (which
 * region a fault address falls in, whether the zero level checks the
 * agreement and re-checks PAGE_PRESENT, which CPUs an unmap shoots down, what
 * a reassignment clears, what a message queue accepts, which thread a CPU may
 * run) as one field of a KernelRules record, as impl/hw/walk.ts's WalkRules
 * does for the hardware. KERNEL_RULES is the kernel as designed; a seeded
 * bug (impl/mutants.ts) replaces one field, so no kernel code asks which
 * mutant it runs.
 */
import type { Cpu } from "../hw/cpu.js";
import { isPresent, PTE_RW } from "../hw/bits.js";
import { isUserAddress, regionOf, type Layout } from "./layout.js";
import type { Placement } from "./physical.js";
import type { RegionEntry } from "./region-table.js";
import type { AccessKind, Message, ThreadId } from "./types.js";

export interface KernelRules {
  /**
   * Formula (1) with its bounds check: the region of a pure page fault's
   * address, or null for an address outside the user part (a
   * general-protection fault).
   */
  readonly faultRegion: (layout: Layout, address: number) => number | null;
  /** Exceptional case 2: is a fault in a region with this entry a general-protection fault for want of acceptance? */
  readonly refusesUnaccepted: (entry: RegionEntry) => boolean;
  /** The zero level's last check: does the entry it reads now let the access through (Fig. 3, thread B)? */
  readonly pageThere: (pte: number, access: AccessKind) => boolean;
  /** Does a change of a present entry of the address space at `pageDirectory` invalidate `cpu`'s TLB entry (INVLPG, by IPI on the others)? */
  readonly invalidates: (cpu: Cpu, pageDirectory: number, initiator: number) => boolean;
  /** The frame that holds `task`'s region table (one per address space). */
  readonly regionTableFrame: (placement: Placement, task: number) => number;
  /** The entry a region gets when a task assigns it to `manager` (decision D1: not yet accepted). */
  readonly assignedEntry: (manager: ThreadId) => RegionEntry;
  /** Does a reassignment flush the region (decision D1)? */
  readonly flushesOnReassign: () => boolean;
  /** The marker Unmap writes into the not-present entry, given the pager's. */
  readonly storedMarker: (marker: number) => number;
  /** Does the queue of a receiver take `message` (asynchronous IPC: every message is queued)? */
  readonly queues: (queue: readonly Message[], message: Message) => boolean;
  /** May the scheduler give `cpu` to `thread`? */
  readonly mayRun: (cpu: Cpu, thread: ThreadId) => boolean;
}

/** Does a PTE let this access through? */
export const allows = (pte: number, access: AccessKind): boolean => isPresent(pte) && (access === "read" || (pte & PTE_RW) !== 0);

export const KERNEL_RULES: KernelRules = {
  faultRegion: (layout, address) => (isUserAddress(layout, address) ? regionOf(layout, address) : null),
  refusesUnaccepted: (entry) => !entry.accepted,
  pageThere: allows,
  invalidates: (cpu, pageDirectory) => cpu.cr3 === pageDirectory,
  regionTableFrame: (placement, task) => placement.regionTable(task),
  assignedEntry: (manager) => ({ manager, accepted: false }),
  flushesOnReassign: () => true,
  storedMarker: (marker) => marker,
  queues: () => true,
  mayRun: () => true,
};
