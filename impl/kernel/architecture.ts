/**
 * The seam between the kernel core and the architectures of Table I. The
 * core (threads, IPC, scheduler, paging, system calls) is the same for all
 * of them; an Architecture answers the same questions for each, with no
 * hook that only one family has:
 *   - what each configured thread is (a user program, the architecture's own
 *     runtime, an in-kernel module) and which threads it adds;
 *   - where each task's region table lives;
 *   - who gets a fault (the fault entry's classification);
 *   - what a fault answer may map, and where it goes;
 *   - which answer, if any, the architecture prescribes for a fault a thread
 *     holds (the runtime's decision).
 */
import type { KernelConfig } from "./config.js";
import type { Kernel } from "./kernel.js";
import type { Placement } from "./physical.js";
import type { SyscallError } from "./errors.js";
import type { AccessKind, StopReason, Syscall, SyscallName, TaskId, ThreadId } from "./types.js";
import type { Rights } from "./vm.js";

/** What a configured thread is. */
export type ThreadRole =
  /** Runs a user program: anything a task's thread or a pager may do. */
  | "user"
  /** Runs the architecture's own user-level program and nothing else (L4Re's region mapper). */
  | "runtime"
  /** An in-kernel pager module (the monolithic kernel): never scheduled, it acts inside the kernel's fault entry. */
  | "module";

/** Where a task's region table lives. */
export type RegionTablePlace =
  /** The kernel's own page, mapped at the fixed kernel address through the page directory (the paper's). */
  | { readonly kind: "kernel" }
  /** A frame of the task's runtime at user level (L4Re's region mapper), with the kernel table's entry encoding. */
  | { readonly kind: "runtime"; readonly frame: number }
  /** No region table: no region has a manager. */
  | { readonly kind: "none" };

/** What the fault entry decided for a trapped fault. */
export type DispatchOutcome =
  /** A general-protection fault: the thread is stopped for the ordinary exception handling. */
  | { readonly kind: "general-protection"; readonly reason: StopReason }
  /** The page is there after all (Fig. 3, thread B): back to the thread without a pager. */
  | { readonly kind: "resumed" }
  /** The thread blocks and a fault message goes to `to` (its marker read from the PTE). */
  | { readonly kind: "delivered"; readonly to: ThreadId; readonly marker: number }
  /**
   * The kernel resolved the fault itself (the monolithic kernel's pager
   * module): `frame` is mapped with `rights` at the faulting page, which is
   * the region manager's acceptance, and the thread goes on.
   */
  | { readonly kind: "resolved-in-kernel"; readonly frame: number; readonly rights: Rights };

export interface Trap {
  readonly thread: ThreadId;
  readonly address: number;
  readonly access: AccessKind;
}

/** Where a successful fault answer goes: the thread resumes, or the answer waits at `to`, which passes it on. */
export type ReplyRoute = { readonly resume: true } | { readonly resume: false; readonly to: ThreadId };

export interface Architecture {
  /** Its key in the registry (impl/arch/index.ts). */
  readonly name: string;
  /** Table I's row name. */
  readonly title: string;
  readonly syscalls: ReadonlySet<SyscallName>;
  /** The configuration with the threads the architecture runs itself (L4Re: a region mapper per task, after the configuration's threads). */
  withOwnThreads(config: KernelConfig): KernelConfig;
  roleOf(config: KernelConfig, thread: ThreadId): ThreadRole;
  regionTableOf(config: KernelConfig, placement: Placement, task: TaskId): RegionTablePlace;
  /** The fault entry: decide what happens to a trapped fault (no effects; the core applies the outcome). */
  classify(k: Kernel, trap: Trap): DispatchOutcome;
  /** May `caller` map `frame` into the faulting thread's page as a fault answer? */
  replyMapCheck(k: Kernel, caller: ThreadId, trap: Trap, frame: number): SyscallError;
  /** After a successful answer to `thread`'s fault by `caller`: resume it, or pass the answer on through `to`. */
  replyRoute(k: Kernel, caller: ThreadId, thread: ThreadId): ReplyRoute;
  /**
   * The answer `caller` must give to the undecided fault of `thread` it holds
   * (its runtime's decision, which the kernel holds it to), or null when any
   * valid answer goes.
   */
  decisionOf(k: Kernel, caller: ThreadId, thread: ThreadId): Syscall | null;
}

/** Every configured thread runs a user program; the architecture adds none. */
export const USER_THREADS_ONLY = {
  withOwnThreads: (config: KernelConfig): KernelConfig => config,
  roleOf: (): ThreadRole => "user",
  decisionOf: (): Syscall | null => null,
} as const;
