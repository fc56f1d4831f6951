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

export function placementFor(layout: Layout): Placement {
  const stride = layout.regions + 3;
  const taskBase = (task: number): number => KERNEL_POOL_BASE + task * stride * PAGE_SIZE;
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

/** The configuration's frame number of a user frame's physical address (not necessarily a configured frame). */
export const frameOf = (pte: number): number => ((pte & ~(PAGE_SIZE - 1)) - USER_FRAMES_BASE) / PAGE_SIZE;
