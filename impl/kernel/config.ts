/**
 * The concrete kernel's configuration: the spec's SpecConfig shape (tasks,
 * threads with their task and pager flag, frames with their owning pager,
 * regions, pages per region, kernel addresses, marker domain) plus what only
 * the concrete machine has: the address-space layout and the number of CPUs,
 * and for the L4 baselines each thread's pager and each task's region mapper.
 * `fromSpecConfig` converts, so refinement runs both machines on one
 * configuration.
 */
import { InputError } from "../../model/input-error.js";
import { PAPER_LAYOUT, smallLayout, validateLayout, type Layout } from "./layout.js";
import type { TaskId, ThreadId } from "./types.js";

export interface KernelThreadConfig {
  readonly task: TaskId;
  readonly pager?: boolean;
}

export interface KernelConfig {
  readonly layout: Layout;
  readonly cpus: number;
  readonly tasks: number;
  readonly threads: readonly KernelThreadConfig[];
  /** frames[f]: the pager thread owning frame f. */
  readonly frames: readonly ThreadId[];
  /** Abstract kernel addresses the model's threads may touch (see layout.kernelAddresses). */
  readonly kernelAddresses: number;
  /** Markers 0..markers-1 are the ones the model's pagers leave (the kernel accepts any 31-bit marker). */
  readonly markers: number;
  /** Single-pager L4: pagerOf[thread] is the one pager of each thread (default: the lowest-numbered pager). */
  readonly pagerOf?: readonly (ThreadId | null)[];
  /** L4 + L4Re: regionMapperOf[task] is the region-mapper thread running in that task. */
  readonly regionMapperOf?: readonly (ThreadId | null)[];
}

/** The spec's configuration shape (spec/config-schema.ts SpecConfig), restated to keep impl/ independent of spec/. */
export interface SpecShapedConfig {
  readonly tasks: number;
  readonly threads: readonly { readonly task: number; readonly pager?: boolean | undefined }[];
  readonly frames: readonly number[];
  readonly regionsPerTask: number;
  readonly pagesPerRegion: number;
  readonly kernelAddresses: number;
  readonly markers: number;
}

export interface FromSpecOptions {
  readonly cpus?: number;
  readonly layout?: Layout;
}

/**
 * The kernel configuration of a spec-shaped one: the same threads (ids
 * unchanged), frames and domains, one CPU unless told otherwise. An
 * architecture adds its own threads after these (Architecture.withOwnThreads),
 * so the refinement hides the threads past the spec's.
 */
export function fromSpecConfig(spec: SpecShapedConfig, options: FromSpecOptions = {}): KernelConfig {
  return validateKernelConfig({
    layout: options.layout ?? smallLayout(spec.regionsPerTask, spec.pagesPerRegion),
    cpus: options.cpus ?? 1,
    tasks: spec.tasks,
    threads: spec.threads.map((t) => (t.pager === true ? { task: t.task, pager: true } : { task: t.task })),
    frames: [...spec.frames],
    kernelAddresses: spec.kernelAddresses,
    markers: spec.markers,
  });
}

/**
 * L4 + L4Re: `config` with one region-mapper thread per task appended after
 * its threads (thread threads.length + task), unless it names region mappers
 * already.
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

export function validateKernelConfig(config: KernelConfig): KernelConfig {
  const bad = (field: string, why: string): never => {
    throw new InputError(`kernel configuration: field ${field}: ${why}`);
  };
  validateLayout(config.layout);
  if (!Number.isInteger(config.cpus) || config.cpus < 1) bad("cpus", "must be a positive integer");
  if (!Number.isInteger(config.tasks) || config.tasks < 1) bad("tasks", "must be a positive integer");
  if (config.threads.length < 1) bad("threads", "needs at least one thread");
  config.threads.forEach((t, i) => {
    if (!Number.isInteger(t.task) || t.task < 0 || t.task >= config.tasks) bad(`threads[${i}].task`, `task ${t.task} does not exist`);
  });
  config.frames.forEach((owner, f) => {
    if (config.threads[owner]?.pager !== true) bad(`frames[${f}]`, `owner ${owner} is not a pager thread`);
  });
  if (!Number.isInteger(config.markers) || config.markers < 1) bad("markers", "must be a positive integer");
  config.pagerOf?.forEach((p, i) => {
    if (p !== null && config.threads[p]?.pager !== true) bad(`pagerOf[${i}]`, `${p} is not a pager thread`);
  });
  config.regionMapperOf?.forEach((rm, task) => {
    if (rm !== null && config.threads[rm]?.task !== task) bad(`regionMapperOf[${task}]`, `thread ${rm} does not run in task ${task}`);
    if (rm !== null && config.threads[rm]?.pager === true) bad(`regionMapperOf[${task}]`, `thread ${rm} is a pager; a region mapper is a thread of its own`);
  });
  return config;
}

/** The paper's full layout with a small population (used by Table I's workload). */
export const paperLayout = (): Layout => PAPER_LAYOUT;
