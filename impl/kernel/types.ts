/**
 * Kernel objects: thread control blocks, messages, the system-call set.
 * Plain, compact data: the model checker copies and encodes them per state.
 */
import type { Rights } from "./vm.js";

export type ThreadId = number;
export type TaskId = number;
export type AccessKind = "read" | "write";

/** Why a fault became a general-protection fault (the spec's StopReason). */
export type StopReason = "kernel-space" | "no-manager" | "not-accepted" | "self-managed" | "wait-cycle" | "refused" | "revoked";

export const STOP_REASONS: readonly StopReason[] = ["kernel-space", "no-manager", "not-accepted", "self-managed", "wait-cycle", "refused", "revoked"];

/**
 * A thread's state. `ready`, `running`, `receiving` and `in-kernel` are all
 * the spec's "running" (the thread can act); the rest follow the spec's
 * statuses one to one.
 */
export type ThreadStatus =
  /** Runnable, waiting in the run queue for a CPU. */
  | { readonly tag: "ready" }
  /** On a CPU, in user mode. */
  | { readonly tag: "running"; readonly cpu: number }
  /** Blocked in Receive with an empty queue (a pager waiting for work). */
  | { readonly tag: "receiving" }
  /** Trapped by the CPU into the kernel; the zero level has not dispatched it yet. */
  | { readonly tag: "trapped"; readonly cpu: number; readonly address: number; readonly errorCode: number; readonly access: AccessKind }
  /**
   * Blocked on a fault: `handler` holds the reply (the region's manager, or
   * an L4 pager / region mapper); `seen` is the page-table entry the kernel
   * read at dispatch (the marker travels from it).
   */
  | {
      readonly tag: "blocked";
      readonly address: number;
      readonly access: AccessKind;
      readonly handler: ThreadId;
      readonly seen: number;
      /**
       * L4 + L4Re, reply through the region mapper: the real pager has
       * answered and the answer waits at the region mapper (`handler`), which
       * only passes it on. Absent otherwise.
       */
      readonly replied?: true;
      /**
       * `handler` has received the message (it is in its registers, no longer
       * in its queue) and holds it until it answers. Absent while queued.
       */
      readonly received?: true;
    }
  /** Stopped by a general-protection fault, left to the ordinary exception handling. */
  | { readonly tag: "stopped"; readonly reason: StopReason };

/** The page-fault message (what the pager gets in its registers). */
export interface FaultMessage {
  readonly kind: "fault";
  readonly thread: ThreadId;
  readonly address: number;
  readonly access: AccessKind;
  /** The 31-bit pager-defined marker from the not-present entry (0 when the entry is present). */
  readonly marker: number;
  /** Was the entry present (a protection fault, e.g. a write to a read-only page)? */
  readonly present: boolean;
}

/** A pager's answer sent back to a region mapper (the L4Re variant whose reply goes through the region mapper). */
export interface ResolvedMessage {
  readonly kind: "resolved";
  readonly thread: ThreadId;
}

export type Message = FaultMessage | ResolvedMessage;

/** A decoded system call. Raw register values are turned into this by decodeSyscall (syscalls.ts). */
export type Syscall =
  | { readonly call: "AssignManager"; readonly region: number; readonly manager: ThreadId }
  | { readonly call: "ClearManager"; readonly region: number }
  | { readonly call: "Map"; readonly task: TaskId; readonly region: number; readonly page: number; readonly frame: number; readonly rights: Rights }
  | {
      readonly call: "Unmap";
      readonly task: TaskId;
      readonly region: number;
      readonly page: number;
      readonly marker: number;
      readonly revoke: boolean;
    }
  /** Wait for the next message (returns at once when one is queued). */
  | { readonly call: "Receive" }
  /** Fault reply: map `frame` at the faulting page with `rights` and resume the thread; then Receive when `wait`. */
  | { readonly call: "Resolve"; readonly thread: ThreadId; readonly frame: number; readonly rights: Rights; readonly wait: boolean }
  /** Fault reply without a mapping (the page is already there); then Receive when `wait`. */
  | { readonly call: "Resume"; readonly thread: ThreadId; readonly wait: boolean }
  /**
   * Fault reply declining the fault: the thread gets a general-protection
   * fault; then Receive when `wait`. `reason` (L4Re's region mapper only,
   * which runs the zero level's classification) names the zero level's
   * reason; otherwise the reason is "refused".
   */
  | { readonly call: "Refuse"; readonly thread: ThreadId; readonly wait: boolean; readonly reason?: StopReason }
  /** L4Re region mapper: forward a fault message to the region's real pager, then Receive. */
  | { readonly call: "Reflect"; readonly thread: ThreadId; readonly to: ThreadId }
  /** Give the CPU to the next ready thread. */
  | { readonly call: "Yield" };

export type SyscallName = Syscall["call"];

export const SYSCALL_NAMES: readonly SyscallName[] = [
  "AssignManager",
  "ClearManager",
  "Map",
  "Unmap",
  "Receive",
  "Resolve",
  "Resume",
  "Refuse",
  "Reflect",
  "Yield",
];
