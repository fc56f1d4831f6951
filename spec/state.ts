/**
 * The abstract state of the multi-pager design (Klimiankou, Sections III.A and
 * III.B). Addresses are abstract: a user address is a (region, page) pair of
 * the task's address space, and the kernel part of the address space is a
 * finite set of kernel-space addresses. The 31-bit pager-defined marker is
 * abstracted to a small finite domain 0..markers-1.
 *
 * Every value is immutable: actions build new states and never mutate.
 */

/** Index of a thread in SpecConfig.threads. Pagers are threads too. */
export type ThreadId = number;
/** Index of a task (an address space). */
export type TaskId = number;
/** Index of a frame (a unit of physical memory) in SpecConfig.frames. */
export type FrameId = number;

export type AccessKind = "read" | "write";
export type Rights = "ro" | "rw";

export const ACCESS_KINDS: readonly AccessKind[] = ["read", "write"];
export const RIGHTS: readonly Rights[] = ["ro", "rw"];

/** Does a mapping with these rights let an access of this kind through? */
export function rightsAllow(rights: Rights, access: AccessKind): boolean {
  return rights === "rw" || access === "read";
}

/** A faulting address as the zero level sees it: user part (region, page) or kernel part. */
export type Address =
  | { readonly space: "user"; readonly region: number; readonly page: number }
  | { readonly space: "kernel"; readonly index: number };

/**
 * A page-table entry of the user part: present (a frame with rights, plus the
 * manager that mapped it, a ghost field) or not present, holding the
 * pager-defined marker.
 */
export type Page =
  | { readonly present: true; readonly frame: FrameId; readonly rights: Rights; readonly mapper: ThreadId }
  | { readonly present: false; readonly marker: number };

/** What the kernel read from the page-table entry when it built a fault message. */
export type PteSnapshot =
  | { readonly present: false; readonly marker: number }
  | { readonly present: true; readonly rights: Rights };

/** A region-table entry: the manager thread (or none) and whether it has accepted. */
export interface RegionEntry {
  readonly manager: ThreadId | null;
  readonly accepted: boolean;
}

/** Why the zero level (or a pager) turned a fault into a general-protection fault. */
export type StopReason =
  | "kernel-space" // the address is outside the user part
  | "no-manager" // exceptional case 1: the region has no pager assigned
  | "not-accepted" // exceptional case 2: the pager did not accept (or revoked)
  | "self-managed" // decision D4: the faulting thread is the region's own manager
  | "wait-cycle" // decision D4: the region's manager waits, through other pagers, for the faulting thread
  | "refused" // the pager refused the fault
  | "revoked"; // decision D2: the pager revoked while the thread was blocked

export const STOP_REASONS: readonly StopReason[] = [
  "kernel-space",
  "no-manager",
  "not-accepted",
  "self-managed",
  "wait-cycle",
  "refused",
  "revoked",
];

export type ThreadStatus =
  | { readonly tag: "running" }
  /** Trapped by the CPU, not yet dispatched by the kernel's zero level. */
  | { readonly tag: "trapped"; readonly address: Address; readonly access: AccessKind }
  /** Blocked on a fault message sent to `pager`; `seen` is the entry read at dispatch. */
  | {
      readonly tag: "blocked";
      readonly address: Address;
      readonly access: AccessKind;
      readonly pager: ThreadId;
      readonly seen: PteSnapshot;
    }
  /** Stopped by a general-protection fault, left to the ordinary exception handling. */
  | { readonly tag: "stopped"; readonly reason: StopReason };

export interface SpecState {
  /** regionTable[task][region]. */
  readonly regionTable: readonly (readonly RegionEntry[])[];
  /** pageTable[task][region][page]. */
  readonly pageTable: readonly (readonly (readonly Page[])[])[];
  /** threads[thread]. */
  readonly threads: readonly ThreadStatus[];
  /** pending[thread]: the threads whose fault messages wait at that pager, ascending; [] for non-pagers. */
  readonly pending: readonly (readonly ThreadId[])[];
}

export const RUNNING: ThreadStatus = { tag: "running" };
