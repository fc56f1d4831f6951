/**
 * A monolithic kernel: the same region table serves as the kernel's map of
 * which in-kernel pager module backs each region, and the module resolves the
 * fault inside the kernel (Table I: 2 mode switches, 0 context switches).
 * The "manager" named in the table stands for the module instance; it backs
 * pages with the frames the configuration gives that pager.
 */
import { pageBase } from "../hw/bits.js";
import type { Architecture, DispatchOutcome } from "../kernel/architecture.js";
import { SyscallError } from "../kernel/errors.js";
import { Kernel } from "../kernel/kernel.js";
import { pageInRegion } from "../kernel/layout.js";
import { installMapping } from "../kernel/syscalls.js";
import { pureFaultRegion } from "../kernel/fault.js";
import { deliverTo } from "./l4.js";

export const monolithic: Architecture = {
  name: "monolithic",
  title: "Monolithic kernel",
  regionTable: true,
  syscalls: new Set(["AssignManager", "ClearManager", "Yield"]),
  classify(k, trap): DispatchOutcome {
    const region = pureFaultRegion(k, trap.address);
    if (region === null) return { kind: "general-protection", reason: "kernel-space" };
    const task = k.taskOf(trap.thread);
    const module = k.regionEntry(task, region).manager;
    if (module === null) return { kind: "general-protection", reason: "no-manager" };
    const own = module === trap.thread;
    // The module acts through the thread standing for it: only while that thread can run (not trapped,
    // blocked or stopped) does it take a memory management action at a fault.
    const moduleActs = !own && ["ready", "running", "receiving"].includes(k.status(module).tag);
    // It accepts a region by mapping into it (at the region's first fault) and never revokes: a region
    // with no page yet is not accepted, unless this fault is the module's acceptance. The order of the
    // checks is the zero level's.
    if (!moduleActs && k.presentPages(task, region) === 0) return { kind: "general-protection", reason: "not-accepted" };
    if (Kernel.allows(k.pte(task, trap.address), trap.access)) return { kind: "resumed" };
    // The thread standing for the module faulting in its own region: as the proposed kernel's D4.
    if (own) return { kind: "general-protection", reason: "self-managed" };
    // The module's thread cannot act now: the fault waits for it, as a message (or D4 stops it).
    if (!moduleActs) return deliverTo(k, trap, module);
    const backing = k.config.frames.flatMap((owner, f) => (owner === module ? [f] : []));
    const frame = backing[pageInRegion(k.layout, trap.address) % Math.max(backing.length, 1)];
    if (frame === undefined) return { kind: "general-protection", reason: "refused" };
    return { kind: "resolved-in-kernel", frame };
  },
  resolveInKernel(k, trap, frame, cpu) {
    installMapping(k, k.taskOf(trap.thread), pageBase(trap.address), frame, "rw", cpu);
  },
  replyMapCheck: () => SyscallError.NotSupported,
  replyRoute: () => ({ resume: true }),
};
