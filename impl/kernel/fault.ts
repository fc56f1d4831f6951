/**
 * The page-fault entry's zero level (Section III.B, Fig. 2): classify a
 * trapped fault as a general-protection fault or a pure page fault, and for
 * a pure page fault find the region's manager in the region table, check the
 * agreement, re-check PAGE_PRESENT (Fig. 3, thread B), and name who gets the
 * message with which marker. The order of the checks is the paper's (and the
 * spec's: the present re-check before the self-managed and wait-cycle checks).
 */
import type { DispatchOutcome, Trap } from "./architecture.js";
import type { Kernel } from "./kernel.js";
import { isUserAddress } from "./layout.js";
import type { RegionEntry } from "./region-table.js";
import type { ThreadId } from "./types.js";
import { markerIn } from "./vm.js";

/**
 * "The second ones are an faults for addresses outside of the user part of
 * virtual address space." Returns the region (formula (1)) of a pure page
 * fault's address, or null for a general-protection fault.
 */
export function pureFaultRegion(k: Kernel, address: number): number | null {
  return k.rules.faultRegion(k.layout, address);
}

/** A pure page fault in a region with a manager: the task, the region and its entry. */
export interface ManagedFault {
  readonly task: number;
  readonly region: number;
  readonly entry: RegionEntry & { readonly manager: ThreadId };
}

/**
 * The zero level's first two checks, which every architecture with a region
 * table makes: an address outside the user part, then a region without a
 * manager, are general-protection faults.
 */
export function managedFault(k: Kernel, trap: Trap): ManagedFault | DispatchOutcome {
  const region = pureFaultRegion(k, trap.address);
  if (region === null) return { kind: "general-protection", reason: "kernel-space" };
  const task = k.taskOf(trap.thread);
  const entry = k.regionEntry(task, region);
  // Exceptional case 1: "Faulted virtual address belongs to the virtual address space region which has not pager assigned."
  if (entry.manager === null) return { kind: "general-protection", reason: "no-manager" };
  return { task, region, entry: { manager: entry.manager, accepted: entry.accepted } };
}

/** "The last check ... checking of the actual not presence of the appropriate memory page." */
export const pageThereNow = (k: Kernel, trap: Trap): boolean => k.rules.pageThere(k.pte(k.taskOf(trap.thread), trap.address), trap.access);

/**
 * Send the fault to `to`, or a general-protection fault when there is
 * nobody, or when the thread would wait for itself (decision D4: the handler
 * is the thread, or waits for it through handlers each blocked on the next).
 * The message carries the marker of the entry read now.
 */
export function deliverTo(k: Kernel, trap: Trap, to: ThreadId | null): DispatchOutcome {
  if (to === null) return { kind: "general-protection", reason: "no-manager" };
  if (to === trap.thread) return { kind: "general-protection", reason: "self-managed" };
  if (waitsFor(k, to, trap.thread)) return { kind: "general-protection", reason: "wait-cycle" };
  const marker = isUserAddress(k.layout, trap.address) ? markerIn(k.pte(k.taskOf(trap.thread), trap.address)) : 0;
  return { kind: "delivered", to, marker };
}

/** The zero level of the proposed kernel (and of L4Re's region mapper, on its own table). */
export function zeroLevel(k: Kernel, trap: Trap): DispatchOutcome {
  const fault = managedFault(k, trap);
  if ("kind" in fault) return fault;
  // Exceptional case 2: "... has pager assigned but the assigned pager didn't accept the servicing of that region."
  if (k.rules.refusesUnaccepted(fault.entry)) return { kind: "general-protection", reason: "not-accepted" };
  if (pageThereNow(k, trap)) return { kind: "resumed" };
  return deliverTo(k, trap, fault.entry.manager);
}

/**
 * Decision D4: does `pager`, following the chain of threads each blocked on
 * the next one's reply, wait for `thread`? Delivering would close a cycle in
 * which nobody can ever reply.
 */
export function waitsFor(k: Kernel, pager: ThreadId, thread: ThreadId): boolean {
  let current = pager;
  for (let hops = 0; hops < k.config.threads.length; hops++) {
    const status = k.status(current);
    if (status.tag !== "blocked") return false;
    if (status.handler === thread) return true;
    current = status.handler;
  }
  return false;
}
