/**
 * The paper's design: the kernel's region table names each region's manager,
 * the zero level sends a pure page fault straight to it, and the manager's
 * reply maps and resumes the thread (Table I: 4 mode switches, 2 context
 * switches).
 */
import type { Architecture } from "../kernel/architecture.js";
import { SyscallError } from "../kernel/errors.js";
import { zeroLevel } from "../kernel/fault.js";
import { isUserAddress, regionOf } from "../kernel/layout.js";
import { checkManager } from "../kernel/syscalls.js";

export const proposed: Architecture = {
  name: "proposed",
  title: "Proposed approach",
  regionTable: true,
  syscalls: new Set(["AssignManager", "ClearManager", "Map", "Unmap", "Receive", "Resolve", "Resume", "Refuse", "Yield"]),
  classify: zeroLevel,
  replyMapCheck(k, caller, trap, frame) {
    if (!isUserAddress(k.layout, trap.address)) return SyscallError.BadRegion;
    return checkManager(k, caller, k.taskOf(trap.thread), regionOf(k.layout, trap.address), frame);
  },
  replyRoute: () => ({ resume: true }),
};
