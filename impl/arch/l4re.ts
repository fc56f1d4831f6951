/**
 * L4 + L4Re (Fiasco.OC): every thread's pager is its task's region mapper, a
 * user thread that looks the faulting region up in its own table (kept in
 * the task's unswappable memory) and reflects the fault to the region's real
 * pager, which maps and resumes the faulting thread (Table I: 6 mode
 * switches, 3 context switches). In the variant "l4re-via-rm" the real
 * pager's answer goes back through the region mapper, which then resumes the
 * thread.
 */
import type { Architecture } from "../kernel/architecture.js";
import type { Kernel } from "../kernel/kernel.js";
import type { TaskId, ThreadId } from "../kernel/types.js";
import { deliverTo, ownerMapCheck } from "./l4.js";

const WORD = 4;

export function regionMapperOf(k: Kernel, task: TaskId): ThreadId | null {
  return k.config.regionMapperOf?.[task] ?? null;
}

/** The region mapper's attach: region -> real pager, stored in the region mapper's own table (user memory). */
export function attachRegion(k: Kernel, task: TaskId, region: number, pager: ThreadId | null): void {
  k.memory.write32(k.placement.routingTable(task) + region * WORD, pager === null ? 0 : pager + 1);
}

/** The region mapper's lookup in its table (a user-level load from its own memory). */
export function lookupRegion(k: Kernel, task: TaskId, region: number): ThreadId | null {
  const word = k.memory.read32(k.placement.routingTable(task) + region * WORD);
  return word === 0 ? null : word - 1;
}

function l4reArch(viaRegionMapper: boolean): Architecture {
  return {
    name: viaRegionMapper ? "l4re-via-rm" : "l4re",
    title: viaRegionMapper ? "L4 + L4Re, reply via region mapper" : "L4 Microkernel + L4Re (Fiasco.OC)",
    regionTable: false,
    syscalls: new Set(["Receive", "Resolve", "Resume", "Refuse", "Reflect", "Yield"]),
    setup(k) {
      for (let task = 0; task < k.config.tasks; task++) {
        if (regionMapperOf(k, task) !== null) k.frames.record(k.placement.routingTable(task), "routing-table", task);
      }
    },
    classify: (k, trap) => deliverTo(k, trap, regionMapperOf(k, k.taskOf(trap.thread))),
    mayReflect: (k, caller, thread) => regionMapperOf(k, k.taskOf(thread)) === caller,
    replyMapCheck: ownerMapCheck,
    replyRoute(k, caller, thread) {
      const rm = regionMapperOf(k, k.taskOf(thread));
      if (!viaRegionMapper || rm === null || caller === rm) return { resume: true };
      return { resume: false, to: rm };
    },
  };
}

export const l4re: Architecture = l4reArch(false);
export const l4reViaRegionMapper: Architecture = l4reArch(true);
