/**
 * Where the kernel keeps things in simulated physical memory. Placement is
 * fixed by (task, purpose) rather than taken from a free list, so the same
 * history always yields the same bytes: two concrete states that differ only
 * in allocation order would otherwise be distinct states for the model
 * checker. Frames are "allocated" when the kernel first installs them (a
 * present page-directory entry); the registry below records what each
 * installed frame is for, which is how Table I's memory figures are counted.
 */
import { PAGE_SIZE, type Layout } from "./layout.js";

/** Physical address of the kernel's frame pool (above the first MiB, as kernels do). */
export const KERNEL_POOL_BASE = 0x0010_0000;
/** Physical address of the frames the configuration gives to pagers (frame f is at base + f * 4 KiB). */
export const USER_FRAMES_BASE = 0x4000_0000;

export type FramePurpose = "page-directory" | "region-table" | "page-table" | "routing-table";

export interface Placement {
  readonly pageDirectory: (task: number) => number;
  readonly regionTable: (task: number) => number;
  /** The page table behind page-directory slot `slot` of a task (user regions only). */
  readonly pageTable: (task: number, region: number) => number;
  /** A frame for an architecture's own per-task routing data (L4Re's region map, the monolithic module's map). */
  readonly routingTable: (task: number) => number;
  readonly userFrame: (frame: number) => number;
}

/** Frames the kernel pool gives each task: its page directory, region table, routing table, and a page table per region. */
const taskFrames = (layout: Layout): number => layout.regions + 3;

/** The most tasks whose frames fit below the user frames with this layout (256 with the paper's). */
export const maxTasks = (layout: Layout): number => Math.floor((USER_FRAMES_BASE - KERNEL_POOL_BASE) / (taskFrames(layout) * PAGE_SIZE));

/** The most frames pagers can own: from USER_FRAMES_BASE to the top of the 32-bit physical address space. */
export const MAX_USER_FRAMES = (2 ** 32 - USER_FRAMES_BASE) / PAGE_SIZE;

/**
 * The fixed placement of `tasks` address spaces and `frames` user frames.
 * The kernel's frames and the pagers' frames must never share an address
 * (a pager owning a frame that is another task's page directory would
 * rewrite that task's page tables from user mode): a configuration that
 * would make them overlap is refused by validateKernelConfig, and asserted
 * here again, so no path around the validation can boot such a kernel.
 */
export function placementFor(layout: Layout, tasks: number, frames: number): Placement {
  const stride = taskFrames(layout);
  const taskBase = (task: number): number => KERNEL_POOL_BASE + task * stride * PAGE_SIZE;
  const poolEnd = taskBase(tasks);
  const userEnd = USER_FRAMES_BASE + frames * PAGE_SIZE;
  if (tasks < 0 || frames < 0 || poolEnd > USER_FRAMES_BASE || userEnd > 2 ** 32) {
    throw new Error(
      `kernel placement overlap: ${tasks} tasks take physical 0x${KERNEL_POOL_BASE.toString(16)}..0x${poolEnd.toString(16)}, ${frames} user frames 0x${USER_FRAMES_BASE.toString(16)}..0x${userEnd.toString(16)} (at most ${maxTasks(layout)} tasks and ${MAX_USER_FRAMES} frames fit)`,
    );
  }
  return {
    pageDirectory: (task) => taskBase(task),
    regionTable: (task) => taskBase(task) + PAGE_SIZE,
    routingTable: (task) => taskBase(task) + 2 * PAGE_SIZE,
    pageTable: (task, region) => taskBase(task) + (3 + region) * PAGE_SIZE,
    userFrame: (frame) => USER_FRAMES_BASE + frame * PAGE_SIZE,
  };
}

/** The kernel's record of installed frames: physical address -> (purpose, task). */
export class FrameRegistry {
  private readonly frames = new Map<number, { purpose: FramePurpose; task: number }>();

  record(address: number, purpose: FramePurpose, task: number): void {
    this.frames.set(address, { purpose, task });
  }

  /** Bytes of the frames recorded for `purpose` in `task`'s address space. */
  bytes(purpose: FramePurpose, task: number): number {
    let count = 0;
    for (const entry of this.frames.values()) if (entry.purpose === purpose && entry.task === task) count++;
    return count * PAGE_SIZE;
  }

  clone(): FrameRegistry {
    const copy = new FrameRegistry();
    for (const [address, entry] of this.frames) copy.frames.set(address, entry);
    return copy;
  }
}
