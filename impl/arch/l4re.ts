/**
 * L4 + L4Re (Fiasco.OC): every thread's pager is its task's region mapper, a
 * user thread that looks the faulting region up in its own table (kept in
 * the task's unswappable memory) and reflects the fault to the region's real
 * pager, which maps and resumes the faulting thread (Table I: 6 mode
 * switches, 3 context switches). In the variant "l4re-via-rm" the real
 * pager's answer goes back through the region mapper, which then resumes the
 * thread.
 *
 * How it maps onto the design (and the spec):
 *   - each task gets a region-mapper thread (the architecture's runtime,
 *     appended after the configuration's threads), which runs only the
 *     runtime's program (impl/arch/runtime.ts);
 *   - the region table is the region mapper's own frame
 *     (`placement.routingTable(task)`), with the kernel table's entry
 *     encoding; a task's AssignManager/ClearManager is its "attach"/"detach"
 *     request to its region mapper, one step that writes that table (and, as
 *     decision D1, flushes the region); a pager's Map accepts, its Unmap with
 *     REVOKE_AGREEMENT revokes, in the same table;
 *   - the kernel delivers every fault to the region mapper (an internal step:
 *     the faulting thread is still only trapped for the design);
 *   - the region mapper's decision is the zero level run at user level on its
 *     table: Reflect to the region's manager, Resume when the page is present,
 *     Refuse with the zero level's reason. That step is the design's
 *     Dispatch. Its answer must be the decision (NotTheDecision otherwise):
 *     the region mapper is its task's trusted runtime.
 * A task without a region mapper (no `regionMapperOf`) has no region table:
 * its calls on regions are NotSupported and every fault of it is a
 * general-protection fault.
 */
import { match } from "ts-pattern";
import type { Architecture } from "../kernel/architecture.js";
import { validateKernelConfig, type KernelConfig } from "../kernel/config.js";
import { zeroLevel } from "../kernel/fault.js";
import type { Kernel } from "../kernel/kernel.js";
import type { Syscall, TaskId, ThreadId } from "../kernel/types.js";
import { deliverTo, ownerMapCheck } from "./l4.js";
import { managerMapCheck } from "./proposed.js";

/**
 * `config` with one region-mapper thread per task appended after its threads
 * (thread threads.length + task), unless it names region mappers already.
 */
export function withRegionMappers(config: KernelConfig): KernelConfig {
  if (config.regionMapperOf !== undefined) return config;
  const tasks = Array.from({ length: config.tasks }, (_, task) => task);
  return validateKernelConfig({
    ...config,
    threads: [...config.threads, ...tasks.map((task) => ({ task }))],
    regionMapperOf: tasks.map((task) => config.threads.length + task),
  });
}

export function regionMapperOf(config: KernelConfig, task: TaskId): ThreadId | null {
  return config.regionMapperOf?.[task] ?? null;
}

/** The region mapper's attach done directly (test and workload setup): region -> pager, not yet accepted. */
export function attachRegion(k: Kernel, task: TaskId, region: number, pager: ThreadId | null, accepted = false): void {
  k.setRegionEntry(task, region, { manager: pager, accepted: pager !== null && accepted });
}

/** The region mapper's lookup in its table (a user-level load from its own memory). */
export function lookupRegion(k: Kernel, task: TaskId, region: number): ThreadId | null {
  return k.regionEntry(task, region).manager;
}

/**
 * The region mapper's decision on the undecided fault of `thread` it holds:
 * the zero level's classification (Fig. 2, in the paper's order) run on its
 * own table, as the system call it makes. Null when `rm` is not the region
 * mapper of the thread's task or holds no undecided fault of it.
 */
export function regionMapperDecision(k: Kernel, rm: ThreadId, thread: ThreadId): Syscall | null {
  if (thread >= k.config.threads.length || regionMapperOf(k.config, k.taskOf(thread)) !== rm) return null;
  const s = k.status(thread);
  if (s.tag !== "blocked" || s.handler !== rm || s.replied === true) return null;
  const outcome = zeroLevel(k, { thread, address: s.address, access: s.access });
  return match(outcome)
    .returnType<Syscall | null>()
    .with({ kind: "general-protection" }, (o) => ({ call: "Refuse", thread, wait: true, reason: o.reason }))
    .with({ kind: "resumed" }, () => ({ call: "Resume", thread, wait: true }))
    .with({ kind: "delivered" }, (o) => ({ call: "Reflect", thread, to: o.to }))
    .with({ kind: "resolved-in-kernel" }, () => null)
    .exhaustive();
}

function l4reArch(viaRegionMapper: boolean): Architecture {
  return {
    name: viaRegionMapper ? "l4re-via-rm" : "l4re",
    title: viaRegionMapper ? "L4 + L4Re, reply via region mapper" : "L4 Microkernel + L4Re (Fiasco.OC)",
    syscalls: new Set(["AssignManager", "ClearManager", "Map", "Unmap", "Receive", "Resolve", "Resume", "Refuse", "Reflect", "Yield"]),
    withOwnThreads: withRegionMappers,
    roleOf: (config, thread) => (config.regionMapperOf?.includes(thread) === true ? "runtime" : "user"),
    regionTableOf: (config, placement, task) =>
      regionMapperOf(config, task) === null ? { kind: "none" } : { kind: "runtime", frame: placement.routingTable(task) },
    classify: (k, trap) => deliverTo(k, trap, regionMapperOf(k.config, k.taskOf(trap.thread))),
    decisionOf: regionMapperDecision,
    replyMapCheck: (k, caller, trap, frame) =>
      k.hasRegionTable(k.taskOf(trap.thread)) ? managerMapCheck(k, caller, trap, frame) : ownerMapCheck(k, caller, trap, frame),
    replyRoute(k, caller, thread) {
      const rm = regionMapperOf(k.config, k.taskOf(thread));
      if (!viaRegionMapper || rm === null || caller === rm) return { resume: true };
      return { resume: false, to: rm };
    },
  };
}

export const l4re: Architecture = l4reArch(false);
export const l4reViaRegionMapper: Architecture = l4reArch(true);
