/** Small pure helpers that return a new SpecState with one part replaced. */
import type { Page, RegionEntry, SpecState, TaskId, ThreadId, ThreadStatus } from "./state.js";

const replaced = <T>(list: readonly T[], index: number, value: T): readonly T[] =>
  list.map((old, i) => (i === index ? value : old));

export const statusOf = (s: SpecState, thread: ThreadId): ThreadStatus => s.threads[thread]!;
export const entryOf = (s: SpecState, task: TaskId, region: number): RegionEntry => s.regionTable[task]![region]!;
export const pageOf = (s: SpecState, task: TaskId, region: number, page: number): Page =>
  s.pageTable[task]![region]![page]!;

export const withThread = (s: SpecState, thread: ThreadId, status: ThreadStatus): SpecState => ({
  ...s,
  threads: replaced(s.threads, thread, status),
});

export const withEntry = (s: SpecState, task: TaskId, region: number, entry: RegionEntry): SpecState => ({
  ...s,
  regionTable: replaced(s.regionTable, task, replaced(s.regionTable[task]!, region, entry)),
});

export const withPage = (s: SpecState, task: TaskId, region: number, page: number, value: Page): SpecState => {
  const regions = s.pageTable[task]!;
  return {
    ...s,
    pageTable: replaced(s.pageTable, task, replaced(regions, region, replaced(regions[region]!, page, value))),
  };
};

export const withRegionPages = (s: SpecState, task: TaskId, region: number, pages: readonly Page[]): SpecState => ({
  ...s,
  pageTable: replaced(s.pageTable, task, replaced(s.pageTable[task]!, region, pages)),
});

/** Add a fault message from `thread` to `pager`'s queue (kept ascending: a set). */
export const withMessage = (s: SpecState, pager: ThreadId, thread: ThreadId): SpecState => ({
  ...s,
  pending: replaced(s.pending, pager, [...s.pending[pager]!, thread].sort((a, b) => a - b)),
});

export const withoutMessage = (s: SpecState, pager: ThreadId, thread: ThreadId): SpecState => ({
  ...s,
  pending: replaced(
    s.pending,
    pager,
    s.pending[pager]!.filter((t) => t !== thread),
  ),
});
