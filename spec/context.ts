/**
 * Facts fixed by the configuration that every action consults: which threads
 * are pagers, who owns each frame, each thread's task, and the active mutant.
 */
import type { SpecConfig } from "./config-schema.js";
import type { MutantName } from "./mutants.js";
import type { FrameId, TaskId, ThreadId } from "./state.js";

export interface SpecContext {
  readonly config: SpecConfig;
  readonly mutant: MutantName | null;
  readonly threadCount: number;
  readonly taskOf: readonly TaskId[];
  readonly isPager: readonly boolean[];
  readonly pagers: readonly ThreadId[];
  readonly frameOwner: readonly ThreadId[];
  /** framesOf[thread]: the frames that pager owns. */
  readonly framesOf: readonly (readonly FrameId[])[];
}

export function makeContext(config: SpecConfig, mutant: MutantName | null): SpecContext {
  const isPager = config.threads.map((t) => t.pager === true);
  const pagers = isPager.flatMap((p, i) => (p ? [i] : []));
  return {
    config,
    mutant,
    threadCount: config.threads.length,
    taskOf: config.threads.map((t) => t.task),
    isPager,
    pagers,
    frameOwner: [...config.frames],
    framesOf: config.threads.map((_, t) => config.frames.flatMap((owner, f) => (owner === t ? [f] : []))),
  };
}

export const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i);
