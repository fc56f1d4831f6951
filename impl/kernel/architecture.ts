/**
 * The seam between the kernel core and the architectures of Table I: who gets
 * a fault, and how the reply flows. The core (threads, IPC, scheduler, paging,
 * system calls) is the same for all of them; an Architecture only decides.
 */
import type { Kernel } from "./kernel.js";
import type { SyscallError } from "./errors.js";
import type { AccessKind, StopReason, Syscall, SyscallName, TaskId, ThreadId } from "./types.js";

export type ArchName = "proposed" | "monolithic" | "l4" | "l4re" | "l4re-via-rm";

/** What the fault entry decided for a trapped fault. */
export type DispatchOutcome =
  /** A general-protection fault: the thread is stopped for the ordinary exception handling. */
  | { readonly kind: "general-protection"; readonly reason: StopReason }
  /** The page is there after all (Fig. 3, thread B): back to the thread without a pager. */
  | { readonly kind: "resumed" }
  /** The thread blocks and a fault message goes to `to` (its marker read from the PTE). */
  | { readonly kind: "delivered"; readonly to: ThreadId; readonly marker: number }
  /** Monolithic: the in-kernel pager module mapped `frame` and the thread goes on. */
  | { readonly kind: "resolved-in-kernel"; readonly frame: number };

export interface Trap {
  readonly thread: ThreadId;
  readonly address: number;
  readonly access: AccessKind;
}

export interface Architecture {
  readonly name: ArchName;
  /** Table I's row name. */
  readonly title: string;
  /** Does the kernel keep the per-address-space region table? */
  readonly regionTable: boolean;
  readonly syscalls: ReadonlySet<SyscallName>;
  /** Boot-time setup of the architecture's own structures (e.g. the region mapper's table). */
  setup?(k: Kernel): void;
  /** The fault entry: decide what happens to a trapped fault (no effects; the core applies the outcome). */
  classify(k: Kernel, trap: Trap): DispatchOutcome;
  /** Side effects of a "resolved-in-kernel" outcome (the monolithic module maps); others never return that outcome. */
  resolveInKernel?(k: Kernel, trap: Trap, frame: number, cpu: number): void;
  /** May `caller` map `frame` into the faulting thread's page as a fault reply? */
  replyMapCheck(k: Kernel, caller: ThreadId, trap: Trap, frame: number): SyscallError;
  /** After a successful reply to `thread`'s fault by `caller`: resume it, or pass the answer to `to`. */
  replyRoute(k: Kernel, caller: ThreadId, thread: ThreadId): { readonly resume: true } | { readonly resume: false; readonly to: ThreadId };
  /** Is `caller` allowed to Reflect faults (the L4Re region mapper)? */
  mayReflect?(k: Kernel, caller: ThreadId, thread: ThreadId): boolean;
  /**
   * Where `task`'s region table lives when it is not the kernel's own
   * (`regionTable` false): the physical frame of a user-level table with the
   * kernel table's entry encoding (L4Re: the region mapper's), or null when
   * the task has none. Absent: the kernel's table (or none at all).
   */
  regionTableFrame?(k: Kernel, task: TaskId): number | null;
  /**
   * L4Re: the region mapper's answer to the undecided fault of `thread` it
   * holds (Reflect, Resume or Refuse with the zero level's reason), or null
   * when `caller` holds no such fault.
   */
  regionMapperDecision?(k: Kernel, caller: ThreadId, thread: ThreadId): Syscall | null;
}
