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
import { markerIn } from "./vm.js";
import type { ThreadId } from "./types.js";

/**
 * "The second ones are an faults for addresses outside of the user part of
 * virtual address space." Returns the region (formula (1)) of a pure page
 * fault's address, or null for a general-protection fault.
 */
export function pureFaultRegion(k: Kernel, address: number): number | null {
  return k.rules.faultRegion(k.layout, address);
}

/** The zero level of the proposed kernel (and of L4Re's region mapper, on its own table). */
export function zeroLevel(k: Kernel, trap: Trap): DispatchOutcome {
  const region = pureFaultRegion(k, trap.address);
  if (region === null) return { kind: "general-protection", reason: "kernel-space" };
  const task = k.taskOf(trap.thread);
  const entry = k.regionEntry(task, region);
  // Exceptional case 1: "Faulted virtual address belongs to the virtual address space region which has not pager assigned."
  if (entry.manager === null) return { kind: "general-protection", reason: "no-manager" };
  // Exceptional case 2: "... has pager assigned but the assigned pager didn't accept the servicing of that region."
  if (k.rules.refusesUnaccepted(entry)) return { kind: "general-protection", reason: "not-accepted" };
  // "The last check ... checking of the actual not presence of the appropriate memory page."
  const pte = k.pte(task, trap.address);
  if (k.rules.pageThere(pte, trap.access)) return { kind: "resumed" };
  // Decision D4: a manager faulting in a region it manages would wait for itself.
  if (entry.manager === trap.thread) return { kind: "general-protection", reason: "self-managed" };
  // ... and more generally a manager that, through pagers each blocked on the next, waits for the faulting thread.
  if (waitsFor(k, entry.manager, trap.thread)) return { kind: "general-protection", reason: "wait-cycle" };
  return { kind: "delivered", to: entry.manager, marker: markerIn(pte) };
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
