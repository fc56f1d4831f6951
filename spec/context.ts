/**
 * Facts fixed by the configuration, in plain form, for code that reads spec
 * states as objects (the temporal properties, traces, tests): which threads
 * are pagers, who owns each frame, each thread's task.
 */
import type { SpecConfig } from "./config-schema.js";
import type { FrameId, TaskId, ThreadId } from "./state.js";

export interface SpecContext {
  readonly config: SpecConfig;
  readonly threadCount: number;
  readonly taskOf: readonly TaskId[];
  readonly isPager: readonly boolean[];
  readonly pagers: readonly ThreadId[];
  readonly frameOwner: readonly ThreadId[];
  /** framesOf[thread]: the frames that pager owns. */
  readonly framesOf: readonly (readonly FrameId[])[];
}

export function makeContext(config: SpecConfig): SpecContext {
  const isPager = config.threads.map((t) => t.pager === true);
  const pagers = isPager.flatMap((p, i) => (p ? [i] : []));
  return {
    config,
    threadCount: config.threads.length,
    taskOf: config.threads.map((t) => t.task),
    isPager,
    pagers,
    frameOwner: [...config.frames],
    framesOf: config.threads.map((_, t) => config.frames.flatMap((owner, f) => (owner === t ? [f] : []))),
  };
}

export const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i);
