/** Reading spec states in object form (the temporal properties and the tests read states this way). */
import type { Page, RegionEntry, SpecState, TaskId, ThreadId, ThreadStatus } from "./state.js";

export const statusOf = (s: SpecState, thread: ThreadId): ThreadStatus => s.threads[thread]!;
export const entryOf = (s: SpecState, task: TaskId, region: number): RegionEntry => s.regionTable[task]![region]!;
export const pageOf = (s: SpecState, task: TaskId, region: number, page: number): Page => s.pageTable[task]![region]![page]!;
