/**
 * Trusted: the abstraction function, the one reading of a concrete kernel
 * state in the spec's vocabulary (every check of the kernel against the spec
 * goes through it: refine, refine --liveness, the property-based runs, the
 * trace's abstract column).
 *
 * It reads what the hardware and the kernel hold, never a shadow copy: the
 * region table through the page directory's region-table slot and simulated
 * physical memory, every user page-table entry (present: frame and rights;
 * not present: the 31-bit pager-defined marker in bits 31:1), the thread
 * control blocks (status, the fault they are blocked on, the entry the zero
 * level read, who holds the reply). Nothing of it is cached between calls.
 *
 * Ghost fields of the spec are functions of concrete data: a present page's
 * `mapper` is its frame's owner (the only manager the spec lets map it: an
 * obligation, NoFrameMappedByTwoManagers, checks that the region's manager
 * owns it), and a pager's `pending` set is the threads whose reply it holds
 * (the fault message itself may already have been received; see
 * obligations.ts for the agreement of the queues with the thread control
 * blocks).
 *
 * Threads past the spec's are the architecture's own (L4Re's region
 * mappers): hidden. A fault such a runtime holds undecided is, for the
 * design, still trapped; an answer it passes back has already resumed the
 * thread. An in-kernel module (the monolithic kernel's) is never scheduled:
 * its thread control block stays `ready`, and for the design it is always
 * running.
 */
import { PDE_PS, PTE_RW, PTE_US, entryAddress, isPresent, markerOf } from "../impl/hw/bits.js";
import type { PhysicalMemory } from "../impl/hw/memory.js";
import type { Architecture, RegionTablePlace, ThreadRole } from "../impl/kernel/architecture.js";
import type { KernelConfig } from "../impl/kernel/config.js";
import {
  PAGE_SIZE,
  REGION_TABLE_SLOT,
  isUserAddress,
  kernelAddresses,
  pageInRegion,
  regionOf,
  regionSlot,
  type Layout,
} from "../impl/kernel/layout.js";
import { USER_FRAMES_BASE, placementFor, type Placement } from "../impl/kernel/physical.js";
import { decodeRegionEntry, regionEntryOffset } from "../impl/kernel/region-table.js";
import type { KernelState } from "../impl/kernel/state.js";
import type { ThreadStatus as ConcreteStatus } from "../impl/kernel/types.js";
import { rightsOf } from "../impl/kernel/vm.js";
import type { Address, Page, PteSnapshot, RegionEntry, SpecConfig, SpecState, ThreadStatus } from "../spec/index.js";

const ENTRY_BYTES = 4;

/** Everything fixed for one refinement run: both configurations and the architecture. */
export interface RefinementContext {
  readonly spec: SpecConfig;
  readonly kernel: KernelConfig;
  readonly arch: Architecture;
  readonly layout: Layout;
  readonly placement: Placement;
  /** Linear address of each abstract kernel-space address. */
  readonly kernelAddressList: readonly number[];
  /** Threads 0..abstractThreads-1 are the spec's; later ones (an architecture's runtime) are hidden. */
  readonly abstractThreads: number;
  /** Each concrete thread's role under the architecture. */
  readonly roles: readonly ThreadRole[];
  /** Where each task's region table lives under the architecture. */
  readonly tablePlaces: readonly RegionTablePlace[];
  readonly pagers: readonly number[];
}

export function makeContext(spec: SpecConfig, kernel: KernelConfig, arch: Architecture): RefinementContext {
  const placement = placementFor(kernel.layout, kernel.tasks, kernel.frames.length);
  return {
    spec,
    kernel,
    arch,
    layout: kernel.layout,
    placement,
    kernelAddressList: kernelAddresses(kernel.layout, kernel.kernelAddresses),
    abstractThreads: spec.threads.length,
    roles: kernel.threads.map((_, t) => arch.roleOf(kernel, t)),
    tablePlaces: Array.from({ length: kernel.tasks }, (_, task) => arch.regionTableOf(kernel, placement, task)),
    pagers: spec.threads.flatMap((t, i) => (t.pager === true ? [i] : [])),
  };
}

/** The concrete state has no abstract image (e.g. a PTE maps a frame no pager owns). */
export class AbstractionError extends Error {}

const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i);

// --- region table ------------------------------------------------------------------

/** Physical address of `task`'s region table, read from its page directory's region-table slot. */
export function regionTableFrame(ctx: RefinementContext, memory: PhysicalMemory, task: number): number {
  const slot = memory.read32(ctx.placement.pageDirectory(task) + REGION_TABLE_SLOT * ENTRY_BYTES);
  if (!isPresent(slot)) throw new AbstractionError(`task ${task}: page-directory slot ${REGION_TABLE_SLOT} (the region table) is not present`);
  return entryAddress(slot);
}

/** An entry in impl/kernel/region-table.ts's one encoding; it must name a pager of the spec. */
function decodeEntry(ctx: RefinementContext, word: number, task: number, region: number): RegionEntry {
  const entry = decodeRegionEntry(word);
  if (entry.manager !== null && !ctx.pagers.includes(entry.manager)) {
    throw new AbstractionError(`task ${task} region ${region}: region-table entry names thread ${entry.manager}, not a pager`);
  }
  return entry;
}

/**
 * Where `task`'s region table lives: the kernel's page (found through the
 * page directory), or an architecture's runtime frame (L4 + L4Re: the region
 * mapper's own, user-level memory of the task's runtime), or nowhere
 * (single-pager L4).
 */
export function regionTableOf(ctx: RefinementContext, memory: PhysicalMemory, task: number): number | null {
  const place = ctx.tablePlaces[task]!;
  if (place.kind === "kernel") return regionTableFrame(ctx, memory, task);
  return place.kind === "runtime" ? place.frame : null;
}

function regionEntries(ctx: RefinementContext, s: KernelState, task: number): RegionEntry[] {
  const regions = range(ctx.spec.regionsPerTask);
  const table = regionTableOf(ctx, s.memory, task);
  if (table === null) return regions.map(() => ({ manager: null, accepted: false }));
  return regions.map((region) => decodeEntry(ctx, s.memory.read32(table + regionEntryOffset(region)), task, region));
}

// --- page tables ---------------------------------------------------------------------

function frameIndex(ctx: RefinementContext, physical: number, where: string): number {
  const offset = physical - USER_FRAMES_BASE;
  const frame = offset / PAGE_SIZE;
  if (offset < 0 || !Number.isInteger(frame) || frame >= ctx.spec.frames.length) {
    throw new AbstractionError(`${where}: maps physical 0x${physical.toString(16)}, which is no pager's frame`);
  }
  return frame;
}

/** Page `page` of `region` of `task`, read through the task's page directory. */
export function readPage(ctx: RefinementContext, memory: PhysicalMemory, task: number, region: number, page: number): Page {
  const where = `task ${task} region ${region} page ${page}`;
  const pde = memory.read32(ctx.placement.pageDirectory(task) + regionSlot(ctx.layout, region) * ENTRY_BYTES);
  if (!isPresent(pde)) return { present: false, marker: 0 };
  if ((pde & PDE_PS) !== 0) throw new AbstractionError(`${where}: the region's directory entry maps a 4 MiB page`);
  const pte = memory.read32(entryAddress(pde) + page * ENTRY_BYTES);
  if (!isPresent(pte)) return { present: false, marker: markerOf(pte) };
  if ((pte & PTE_US) === 0) throw new AbstractionError(`${where}: present user page without U/S`);
  const frame = frameIndex(ctx, entryAddress(pte), where);
  return { present: true, frame, rights: rightsOf(pte), mapper: ctx.spec.frames[frame]! };
}

// --- threads ---------------------------------------------------------------------------

function abstractAddress(ctx: RefinementContext, linear: number, thread: number): Address {
  if (isUserAddress(ctx.layout, linear)) {
    const region = regionOf(ctx.layout, linear);
    const page = pageInRegion(ctx.layout, linear);
    if (region >= ctx.spec.regionsPerTask || page >= ctx.spec.pagesPerRegion) {
      throw new AbstractionError(`thread ${thread}: fault address 0x${linear.toString(16)} is outside the configured regions`);
    }
    return { space: "user", region, page };
  }
  const index = ctx.kernelAddressList.indexOf(linear >>> 0);
  if (index < 0) throw new AbstractionError(`thread ${thread}: fault address 0x${linear.toString(16)} is no abstract kernel address`);
  return { space: "kernel", index };
}

function snapshot(entry: number): PteSnapshot {
  return isPresent(entry) ? { present: true, rights: rightsOf(entry) } : { present: false, marker: markerOf(entry) };
}

function abstractStatus(ctx: RefinementContext, status: ConcreteStatus, thread: number): ThreadStatus {
  switch (status.tag) {
    case "ready":
    case "running":
    case "receiving":
      // Runnable, on a CPU, or waiting for a message: for the design the thread can act.
      return { tag: "running" };
    case "trapped":
      return { tag: "trapped", address: abstractAddress(ctx, status.address, thread), access: status.access };
    case "blocked": {
      if (ctx.roles[status.handler] === "runtime") {
        // A fault an architecture's runtime (L4Re's region mapper) holds is, for the design, not yet
        // dispatched (trapped); a pager's answer on its way back through it has already resumed the thread.
        if (status.replied === true) return { tag: "running" };
        return { tag: "trapped", address: abstractAddress(ctx, status.address, thread), access: status.access };
      }
      return {
        tag: "blocked",
        address: abstractAddress(ctx, status.address, thread),
        access: status.access,
        pager: status.handler,
        seen: snapshot(status.seen),
      };
    }
    case "stopped":
      return { tag: "stopped", reason: status.reason };
  }
}

/**
 * abs(s). Throws AbstractionError when the concrete state has no image
 * (which is itself a refinement failure).
 */
export function abstractState(ctx: RefinementContext, s: KernelState): SpecState {
  const tasks = range(ctx.spec.tasks);
  const pageTable = tasks.map((task) =>
    range(ctx.spec.regionsPerTask).map((region) => range(ctx.spec.pagesPerRegion).map((page) => readPage(ctx, s.memory, task, region, page))),
  );
  const regionTable = tasks.map((task) => regionEntries(ctx, s, task));
  const threads = range(ctx.abstractThreads).map((t) => abstractStatus(ctx, s.threads[t]!, t));
  const pending = range(ctx.abstractThreads).map((pager) =>
    threads.flatMap((st, t) => (st.tag === "blocked" && st.pager === pager ? [t] : [])),
  );
  return { regionTable, pageTable, threads, pending };
}
