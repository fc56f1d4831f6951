/**
 * Trusted. The vocabulary of the design: its sorts, the facts a
 * configuration fixes, and the state variables with their initial values
 * (spec/README.md's "Constants", "State variables" and "Initial state").
 * The actions (actions.ts) and the invariants (invariants.ts) are written
 * over these names, in the language of model/lang.
 */
import { emptySet, lit, make, none } from "../model/lang/ast.js";
import { rigid, variable } from "../model/lang/spec.js";
import { Bool, enumType, option, record, setOf, sort, union } from "../model/lang/types.js";

// --- sorts: finite domains whose sizes the configuration fixes -------------------

export const Thread = sort("Thread");
/** The threads that may be assigned as region managers and own frames. */
export const Pager = sort("Pager", Thread);
export const Task = sort("Task");
export const Region = sort("Region");
export const Page = sort("Page");
export const Frame = sort("Frame");
/** A finite domain standing for the 31-bit pager-defined marker. */
export const Marker = sort("Marker");
/** The kernel-space addresses a thread may touch ("null pointer dereferencing or attempt to access kernel code or data"). */
export const KernelAddress = sort("KernelAddress");

export const SORTS = [Thread, Pager, Task, Region, Page, Frame, Marker, KernelAddress] as const;

// --- value types -----------------------------------------------------------------

export const AccessKind = enumType("AccessKind", ["read", "write"]);
export const Rights = enumType("Rights", ["ro", "rw"]);
export const StopReason = enumType("StopReason", [
  "kernel-space", // the address is outside the user part
  "no-manager", // exceptional case 1: the region has no pager assigned
  "not-accepted", // exceptional case 2: the pager did not accept (or revoked)
  "self-managed", // decision D4: the faulting thread is the region's own manager
  "wait-cycle", // decision D4: the region's manager waits, through other pagers, for the faulting thread
  "refused", // the pager refused the fault
  "revoked", // decision D2: the pager revoked while the thread was blocked
]);

/** A faulting address as the zero level sees it: formula (1) has turned a user address into (region, page). */
export const Address = union("Address", "space", {
  user: { region: Region, page: Page },
  kernel: { index: KernelAddress },
});

/** A page-table entry: a frame with rights (and, a ghost, the manager that mapped it), or not present with the marker. */
export const PageEntry = union("Page", "present", {
  true: { frame: Frame, rights: Rights, mapper: Thread },
  false: { marker: Marker },
});

/** What the zero level read from the page-table entry when it sent a fault message (a ghost, and the message's marker). */
export const Seen = union("Seen", "present", {
  true: { rights: Rights },
  false: { marker: Marker },
});

export const ThreadStatus = union("ThreadStatus", "tag", {
  running: {},
  /** Trapped by the CPU, not yet dispatched by the kernel's zero level. */
  trapped: { address: Address, access: AccessKind },
  /** Blocked on a fault message sent to `pager`. */
  blocked: { address: Address, access: AccessKind, pager: Pager, seen: Seen },
  /** Stopped by a general-protection fault, left to the ordinary exception handling. */
  stopped: { reason: StopReason },
});

/** A region-table entry: the manager (or none) and whether it has accepted: the two sides of the contract. */
export const RegionEntry = record("RegionEntry", { manager: option(Pager), accepted: Bool });

// --- facts the configuration fixes -------------------------------------------------

/** The task (address space) a thread runs in. */
export const taskOf = rigid("taskOf", [Thread], Task);
/** The pager that owns a frame ("each resource unit in the system must be managed by exactly one memory manager"). */
export const ownerOf = rigid("ownerOf", [Frame], Pager);
/** The single pager of an L4-style kernel (the lowest-numbered pager): only the per-thread-pager bug uses it. */
export const l4Pager = rigid("l4Pager", [], option(Pager));

// --- state variables ---------------------------------------------------------------

export const regionTable = variable("regionTable", [Task, Region], RegionEntry, () =>
  make(RegionEntry, { manager: none(Pager), accepted: false }),
);
export const pageTable = variable("pageTable", [Task, Region, Page], PageEntry, () =>
  make(PageEntry, { marker: lit(0, Marker) }, false),
);
export const threads = variable("threads", [Thread], ThreadStatus, () => make(ThreadStatus, {}, "running"));
/** pending[p]: the threads whose fault messages wait at pager p (the kernel's message queues). */
export const pending = variable("pending", [Pager], setOf(Thread), () => emptySet(Thread));

export const VARIABLES = [regionTable, pageTable, threads, pending] as const;
