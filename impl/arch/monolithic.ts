/**
 * A monolithic kernel: "All page fault resolution actions are performed in
 * the kernel without involving another threads." The same region table names
 * which in-kernel pager module backs each region; the configuration's pager
 * threads stand for those modules (so the design's manager of a region is
 * one of them), but a module is no thread: it is never scheduled, never
 * faults and never receives, and nothing ever waits for it. At a pure page
 * fault the kernel's module maps one of its frames, which is its acceptance
 * of the region, and the kernel returns to the thread (Table I: 2 mode
 * switches, 0 context switches).
 */
import type { Architecture, DispatchOutcome } from "../kernel/architecture.js";
import { SyscallError } from "../kernel/errors.js";
import { managedFault, pageThereNow } from "../kernel/fault.js";
import type { Kernel } from "../kernel/kernel.js";
import { pageInRegion } from "../kernel/layout.js";
import type { ThreadId } from "../kernel/types.js";

/** The frame module `module` backs `page` of a region with: its frames in turn. */
export function moduleFrame(k: Kernel, module: ThreadId, page: number): number | undefined {
  const backing = k.config.frames.flatMap((owner, f) => (owner === module ? [f] : []));
  return backing[page % Math.max(backing.length, 1)];
}

export const monolithic: Architecture = {
  name: "monolithic",
  title: "Monolithic kernel",
  syscalls: new Set(["AssignManager", "ClearManager", "Yield"]),
  withOwnThreads: (config) => config,
  roleOf: (config, thread) => (config.threads[thread]?.pager === true ? "module" : "user"),
  regionTableOf: () => ({ kind: "kernel" }),
  classify(k, trap): DispatchOutcome {
    const fault = managedFault(k, trap);
    if ("kind" in fault) return fault;
    if (pageThereNow(k, trap)) return { kind: "resumed" };
    const frame = moduleFrame(k, fault.entry.manager, pageInRegion(k.layout, trap.address));
    // A module with no memory never maps, so it never takes the region on (exceptional case 2).
    if (frame === undefined) return { kind: "general-protection", reason: "not-accepted" };
    return { kind: "resolved-in-kernel", frame, rights: "rw" };
  },
  decisionOf: () => null,
  replyMapCheck: () => SyscallError.NotSupported,
  replyRoute: () => ({ resume: true }),
};
