/**
 * Representation invariants of the concrete kernel: properties of the
 * hardware-level structures that the abstract state cannot express but the
 * refinement relies on. Each returns null when it holds, or one line saying
 * where it fails. All of them read simulated memory, the CPUs' registers and
 * TLBs, and the kernel objects; none reads a kernel helper's summary.
 */
import { ENTRIES_PER_TABLE, PDE_PS, PTE_RW, PTE_US, entryAddress, isPresent, markerOf, pdIndex, ptIndex } from "../impl/hw/bits.js";
import type { PhysicalMemory } from "../impl/hw/memory.js";
import { PAGE_SIZE, REGION_TABLE_SLOT, SELF_MAP_SLOT } from "../impl/kernel/layout.js";
import { decodeRegionEntry, regionEntryOffset } from "../impl/kernel/region-table.js";
import type { KernelState } from "../impl/kernel/state.js";
import { AbstractionError, type RefinementContext, readPage, regionTableFrame, regionTableOf } from "./abstraction.js";

const ENTRY_BYTES = 4;
const FLAGS_MASK = PAGE_SIZE - 1;
const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i);
const hex = (n: number): string => `0x${(n >>> 0).toString(16).padStart(8, "0")}`;

export interface Obligation {
  readonly name: string;
  /** The sentence (of the paper, or of the obligation itself) it stands for. */
  readonly quote: string;
  readonly check: (ctx: RefinementContext, s: KernelState) => string | null;
}

/** First page-directory slot of the kernel part. */
const kernelFirstSlot = (ctx: RefinementContext): number => pdIndex(ctx.layout.kernelBase);

/**
 * Kernel mappings are identical in every address space: each kernel slot of
 * every page directory has the same flags, the self map points at the
 * directory itself, the region-table slot at the task's own region table, and
 * every other kernel slot holds the same word in every task.
 */
const kernelMappingsIdentical: Obligation = {
  name: "KernelMappingsIdentical",
  quote: "Regions table itself is mapped into the kernel part of the virtual address space which is located on a fixed address.",
  check: (ctx, s) => {
    const first = kernelFirstSlot(ctx);
    const pdeOf = (task: number, slot: number): number => s.memory.read32(ctx.placement.pageDirectory(task) + slot * ENTRY_BYTES);
    for (let slot = first; slot < ENTRIES_PER_TABLE; slot++) {
      const reference = pdeOf(0, slot);
      for (const task of range(ctx.kernel.tasks)) {
        const pde = pdeOf(task, slot);
        if (slot === SELF_MAP_SLOT) {
          if (!isPresent(pde) || entryAddress(pde) !== ctx.placement.pageDirectory(task)) return `task ${task}: slot ${slot} is not the self map (${hex(pde)})`;
        } else if (slot === REGION_TABLE_SLOT) {
          if (!isPresent(pde) && ctx.tablePlaces[task]!.kind === "kernel") return `task ${task}: slot ${slot} (region table) is not present`;
        } else if (pde !== reference) return `task ${task}: kernel slot ${slot} is ${hex(pde)}, task 0 has ${hex(reference)}`;
        if ((pde & FLAGS_MASK) !== (reference & FLAGS_MASK)) return `task ${task}: kernel slot ${slot} has flags ${hex(pde & FLAGS_MASK)}, task 0 has ${hex(reference & FLAGS_MASK)}`;
      }
    }
    return null;
  },
};

/** Each address space has a region table of its own (one page per virtual address space). */
const regionTablePerAddressSpace: Obligation = {
  name: "RegionTablePerAddressSpace",
  quote: "Implementation of the proposed model introduces memory overhead in 4Kb per virtual address space.",
  check: (ctx, s) => {
    const owner = new Map<number, number>();
    for (const task of range(ctx.kernel.tasks)) {
      if (ctx.tablePlaces[task]!.kind !== "kernel") continue;
      const table = regionTableFrame(ctx, s.memory, task);
      const other = owner.get(table);
      if (other !== undefined) return `tasks ${other} and ${task} share the region-table frame ${hex(table)}`;
      owner.set(table, task);
    }
    return null;
  },
};

/** Frames that hold kernel structures: page directories, page tables, region tables. */
function kernelFrames(ctx: RefinementContext, memory: PhysicalMemory): Set<number> {
  const frames = new Set<number>();
  for (const task of range(ctx.kernel.tasks)) {
    const pd = ctx.placement.pageDirectory(task);
    frames.add(pd);
    if (ctx.tablePlaces[task]!.kind === "kernel") frames.add(regionTableFrame(ctx, memory, task));
    const entries = memory.nonZeroEntries(pd);
    for (let i = 1; i < entries.length; i += 2) {
      const pde = entries[i]!;
      if (isPresent(pde) && (pde & PDE_PS) === 0) frames.add(entryAddress(pde));
    }
  }
  return frames;
}

/**
 * The region table (and every paging structure) is not reachable from user
 * mode: no translation with U/S set in both levels leads to a kernel frame.
 */
const regionTableNotUserReachable: Obligation = {
  name: "RegionTableNotUserReachable",
  quote: "Regions table itself is mapped into the kernel part of the virtual address space",
  check: (ctx, s) => {
    const forbidden = kernelFrames(ctx, s.memory);
    for (const task of range(ctx.kernel.tasks)) {
      const directory = s.memory.nonZeroEntries(ctx.placement.pageDirectory(task));
      for (let d = 0; d < directory.length; d += 2) {
        const slot = directory[d]!;
        const pde = directory[d + 1]!;
        if (!isPresent(pde) || (pde & PTE_US) === 0) continue;
        if ((pde & PDE_PS) !== 0) return `task ${task}: slot ${slot} is a user 4 MiB page`;
        const table = s.memory.nonZeroEntries(entryAddress(pde));
        for (let t = 0; t < table.length; t += 2) {
          const index = table[t]!;
          const pte = table[t + 1]!;
          if (isPresent(pte) && (pte & PTE_US) !== 0 && forbidden.has(entryAddress(pte))) {
            return `task ${task}: user page ${hex((slot << 22) | (index << 12))} maps kernel frame ${hex(entryAddress(pte))}`;
          }
        }
      }
    }
    return null;
  },
};

/** A read-only translation of `linear` through the directory at `cr3` (no A/D updates). */
function translate(memory: PhysicalMemory, cr3: number, linear: number): { physical: number; writable: boolean; user: boolean } | null {
  const pde = memory.read32(entryAddress(cr3) + pdIndex(linear) * ENTRY_BYTES);
  if (!isPresent(pde) || (pde & PDE_PS) !== 0) return null;
  const pte = memory.read32(entryAddress(pde) + ptIndex(linear) * ENTRY_BYTES);
  if (!isPresent(pte)) return null;
  return { physical: entryAddress(pte), writable: (pde & pte & PTE_RW) !== 0, user: (pde & pte & PTE_US) !== 0 };
}

/**
 * Every TLB entry agrees with the page tables of the address space its CPU
 * runs: same frame, no more rights. The exception "where an invalidation is
 * still owed by a step in progress" is empty here: each kernel step is atomic
 * and completes its INVLPG and shootdown before the next step.
 */
const tlbAgreesWithPageTables: Obligation = {
  name: "TlbAgreesWithPageTables",
  quote: "Every TLB entry agrees with the page tables, except where an invalidation is still owed by a step in progress.",
  check: (_ctx, s) => {
    for (const cpu of s.cpus) {
      for (const entry of cpu.tlb.entries()) {
        const now = translate(s.memory, cpu.cr3, entry.linearBase);
        const where = `CPU ${cpu.id}: TLB entry ${hex(entry.linearBase)} -> ${hex(entry.physicalBase)}`;
        if (now === null) return `${where}, but the page tables map nothing there`;
        if (now.physical !== entry.physicalBase) return `${where}, but the page tables map ${hex(now.physical)}`;
        if (entry.writable && !now.writable) return `${where} is writable, the page tables say read-only`;
        if (entry.user && !now.user) return `${where} is user-accessible, the page tables say supervisor`;
      }
    }
    return null;
  },
};

/**
 * No frame is mapped by two managers: all present user pages that map one
 * frame lie in regions whose manager owns that frame.
 */
const noFrameMappedByTwoManagers: Obligation = {
  name: "NoFrameMappedByTwoManagers",
  quote: "When multiple memory managers can coexist in the system concurrently, each of them must manage its own resources, and each resource unit in the system must be managed by exactly one memory manager.",
  check: (ctx, s) => {
    const managerOf = new Map<number, { manager: number | null; where: string }>();
    for (const task of range(ctx.spec.tasks)) {
      const table = regionTableOf(ctx, s.memory, task);
      for (const region of range(ctx.spec.regionsPerTask)) {
        const manager = table === null ? null : decodeRegionEntry(s.memory.read32(table + regionEntryOffset(region))).manager;
        for (const page of range(ctx.spec.pagesPerRegion)) {
          const p = readPage(ctx, s.memory, task, region, page);
          if (!p.present) continue;
          const where = `task ${task} region ${region} page ${page}`;
          if (table !== null && manager !== ctx.spec.frames[p.frame]) {
            return `${where} maps frame ${p.frame} of pager ${ctx.spec.frames[p.frame]}, but the region's manager is ${manager ?? "none"}`;
          }
          const earlier = managerOf.get(p.frame);
          if (earlier !== undefined && earlier.manager !== manager) {
            return `frame ${p.frame} is mapped at ${earlier.where} (manager ${earlier.manager ?? "none"}) and at ${where} (manager ${manager ?? "none"})`;
          }
          managerOf.set(p.frame, { manager, where });
        }
      }
    }
    return null;
  },
};

/**
 * The IPC queues agree with the thread control blocks: every queued fault
 * message is from a thread blocked with its reply held by the queue's owner,
 * once, and carries that thread's address, access and the marker of the
 * entry the zero level read.
 */
const queuesAgreeWithThreads: Obligation = {
  name: "QueuesAgreeWithThreads",
  quote: "Kernel notified pager that thread A triggered page fault on page N via message and blocks thread A execution until pager will have page N restored.",
  check: (_ctx, s) => {
    const seen = new Set<number>();
    for (const [holder, queue] of s.queues.entries()) {
      for (const message of queue) {
        const st = s.threads[message.thread];
        const where = `message of thread ${message.thread} in the queue of thread ${holder}`;
        if (st === undefined || st.tag !== "blocked" || st.handler !== holder) return `${where}, but thread ${message.thread} is not blocked on ${holder}`;
        if (seen.has(message.thread)) return `${where} is queued twice`;
        seen.add(message.thread);
        if (message.kind === "fault") {
          if (message.address !== st.address || message.access !== st.access) return `${where} names another fault than the thread is blocked on`;
          const marker = isPresent(st.seen) ? 0 : markerOf(st.seen);
          if (message.marker !== marker) return `${where} carries marker ${message.marker}, the entry read at dispatch holds ${marker}`;
        }
      }
    }
    return null;
  },
};

/**
 * Each CPU runs at most one thread, in that thread's address space, in the
 * privilege level its status says (user mode running, kernel mode trapped).
 */
const cpusRunTheirThreads: Obligation = {
  name: "CpusRunTheirThreads",
  quote: "Page fault triggered by the thread causes transition from the user mode to kernel mode",
  check: (ctx, s) => {
    const on = new Map<number, number>();
    for (const [thread, st] of s.threads.entries()) {
      if (st.tag !== "running" && st.tag !== "trapped") continue;
      const cpu = s.cpus[st.cpu];
      if (cpu === undefined) return `thread ${thread} runs on CPU ${st.cpu}, which does not exist`;
      if (on.has(st.cpu)) return `threads ${on.get(st.cpu)} and ${thread} both run on CPU ${st.cpu}`;
      on.set(st.cpu, thread);
      if (cpu.currentThread !== thread) return `thread ${thread} runs on CPU ${st.cpu}, whose current thread is ${cpu.currentThread}`;
      const pd = ctx.placement.pageDirectory(ctx.kernel.threads[thread]!.task);
      if (entryAddress(cpu.cr3) !== pd) return `thread ${thread} runs on CPU ${st.cpu} with CR3 ${hex(cpu.cr3)}, not its address space ${hex(pd)}`;
      if (cpu.cpl !== (st.tag === "running" ? 3 : 0)) return `thread ${thread} is ${st.tag} on CPU ${st.cpu} at CPL ${cpu.cpl}`;
    }
    return null;
  },
};

/** In checking order: the first that fails names the violation. */
export const OBLIGATIONS: readonly Obligation[] = [
  kernelMappingsIdentical,
  regionTablePerAddressSpace,
  regionTableNotUserReachable,
  tlbAgreesWithPageTables,
  noFrameMappedByTwoManagers,
  queuesAgreeWithThreads,
  cpusRunTheirThreads,
];

/** The first failing obligation, or null. An unreadable structure is a failure of the obligation reading it. */
export function brokenObligation(ctx: RefinementContext, s: KernelState): { obligation: Obligation; detail: string } | null {
  for (const obligation of OBLIGATIONS) {
    let detail: string | null;
    try {
      detail = obligation.check(ctx, s);
    } catch (error) {
      if (!(error instanceof AbstractionError)) throw error;
      detail = error.message;
    }
    if (detail !== null) return { obligation, detail };
  }
  return null;
}

