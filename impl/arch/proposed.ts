/**
 * The paper's design: the kernel's region table names each region's manager,
 * the zero level sends a pure page fault straight to it, and the manager's
 * answer maps and resumes the thread (Table I: 4 mode switches, 2 context
 * switches).
 */
import { USER_THREADS_ONLY, type Architecture } from "../kernel/architecture.js";
import { SyscallError } from "../kernel/errors.js";
import { zeroLevel } from "../kernel/fault.js";
import type { Kernel } from "../kernel/kernel.js";
import { isUserAddress, regionOf } from "../kernel/layout.js";
import { checkManager } from "../kernel/syscalls.js";
import type { Trap } from "../kernel/architecture.js";
import type { ThreadId } from "../kernel/types.js";

/** A fault answer may map only a frame of the region's manager, and only the manager answers. */
export function managerMapCheck(k: Kernel, caller: ThreadId, trap: Trap, frame: number): SyscallError {
  if (!isUserAddress(k.layout, trap.address)) return SyscallError.BadRegion;
  return checkManager(k, caller, k.taskOf(trap.thread), regionOf(k.layout, trap.address), frame);
}

export const proposed: Architecture = {
  name: "proposed",
  title: "Proposed approach",
  syscalls: new Set(["AssignManager", "ClearManager", "Map", "Unmap", "Receive", "Resolve", "Resume", "Refuse", "Yield"]),
  ...USER_THREADS_ONLY,
  regionTableOf: () => ({ kind: "kernel" }),
  classify: zeroLevel,
  replyMapCheck: managerMapCheck,
  replyRoute: () => ({ resume: true }),
};
