/**
 * Single-pager L4 (and Mach): one pager per thread. Every fault of a thread,
 * whatever its address, goes to that thread's pager, which answers with a
 * mapping (Table I: 4 mode switches, 2 context switches). The kernel keeps no
 * region table; a pager may map its own frames in answer to a fault it holds.
 */
import { deliverTo } from "../kernel/fault.js";
import { USER_THREADS_ONLY, type Architecture, type Trap } from "../kernel/architecture.js";
import { SyscallError } from "../kernel/errors.js";
import { isUserAddress } from "../kernel/layout.js";
import type { Kernel } from "../kernel/kernel.js";
import type { ThreadId } from "../kernel/types.js";

/** The thread's one pager: configured, or the lowest-numbered pager. */
export function pagerOf(k: Kernel, thread: ThreadId): ThreadId | null {
  const configured = k.config.pagerOf?.[thread];
  if (configured !== undefined) return configured;
  const first = k.config.threads.findIndex((t) => t.pager === true);
  return first < 0 ? null : first;
}

/** A fault answer may map only the answering thread's own frames, and only into the user part. */
export function ownerMapCheck(k: Kernel, caller: ThreadId, trap: Trap, frame: number): SyscallError {
  if (!isUserAddress(k.layout, trap.address)) return SyscallError.BadRegion;
  return k.config.frames[frame] === caller ? SyscallError.Ok : SyscallError.NotOwner;
}

export const l4: Architecture = {
  name: "l4",
  title: "Single-pager L4 / Mach",
  syscalls: new Set(["Receive", "Resolve", "Resume", "Refuse", "Yield"]),
  ...USER_THREADS_ONLY,
  regionTableOf: () => ({ kind: "none" }),
  classify: (k, trap) => deliverTo(k, trap, pagerOf(k, trap.thread)),
  replyMapCheck: ownerMapCheck,
  replyRoute: () => ({ resume: true }),
};
