/**
 * The concrete kernel's configuration: the spec's SpecConfig shape (tasks,
 * threads with their task and pager flag, frames with their owning pager,
 * regions, pages per region, kernel addresses, marker domain) plus what only
 * the concrete machine has: the address-space layout and the number of CPUs,
 * and for the L4 baselines each thread's pager and each task's region mapper.
 * `fromSpecConfig` converts, so refinement runs both machines on one
 * configuration.
 */
import { Either, Schema } from "effect";
import { InputError } from "../../model/input-error.js";
import { firstIssue } from "../../model/schema-issue.js";
import { ENTRIES_PER_TABLE, PAPER_LAYOUT, smallLayout, validateLayout, type Layout } from "./layout.js";
import { MAX_USER_FRAMES, maxTasks } from "./physical.js";
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
 * Bounds of the concrete kernel's configuration, so that no configuration
 * (in code or read from a trace file) can make the kernel hang or place two
 * things at one physical address. Tasks and frames are bounded by the fixed
 * physical placement (physical.ts: maxTasks(layout), 256 with the paper's
 * layout; MAX_USER_FRAMES); the others are a model's sizes.
 */
export const KERNEL_LIMITS = {
  /** CPUs, each with its own TLB (the refinement configurations use 1 or 2). */
  cpus: 16,
  threads: 1024,
  /** Distinct kernel-space addresses the model's threads touch (the spec's bound). */
  kernelAddresses: 8,
  /** The marker is 31 bits wide. */
  markers: 2 ** 31,
} as const;

const int = (min: number, max: number) => Schema.Int.pipe(Schema.greaterThanOrEqualTo(min), Schema.lessThanOrEqualTo(max));
const word = int(0, 2 ** 32 - 1);
const threadId = int(0, KERNEL_LIMITS.threads - 1);

const LayoutSchema = Schema.Struct({
  userBase: word,
  regionShift: int(0, 31),
  regions: int(1, ENTRIES_PER_TABLE),
  pagesPerRegion: int(1, ENTRIES_PER_TABLE),
  regionTableAddress: word,
  pageDirectoryAddress: word,
  kernelBase: word,
});

const KernelConfigSchema = Schema.Struct({
  layout: LayoutSchema,
  cpus: int(1, KERNEL_LIMITS.cpus),
  tasks: int(1, maxTasks(smallLayout(1, 1))),
  threads: Schema.Array(Schema.Struct({ task: int(0, Number.MAX_SAFE_INTEGER), pager: Schema.optional(Schema.Boolean) })).pipe(
    Schema.minItems(1),
    Schema.maxItems(KERNEL_LIMITS.threads),
  ),
  frames: Schema.Array(threadId).pipe(Schema.maxItems(MAX_USER_FRAMES)),
  kernelAddresses: int(0, KERNEL_LIMITS.kernelAddresses),
  markers: int(1, KERNEL_LIMITS.markers),
  pagerOf: Schema.optional(Schema.Array(Schema.NullOr(threadId))),
  regionMapperOf: Schema.optional(Schema.Array(Schema.NullOr(threadId))),
});

/**
 * A kernel configuration from code or from outside (a trace file's
 * configuration value): its shape and bounds (KERNEL_LIMITS, the layout's
 * rules, the physical placement), then the rules across fields. Throws an
 * InputError naming the first bad field.
 */
export function validateKernelConfig(value: unknown): KernelConfig {
  const bad = (field: string, why: string): never => {
    throw new InputError(`kernel configuration: field ${field}: ${why}`);
  };
  const decoded = Schema.decodeUnknownEither(KernelConfigSchema, { onExcessProperty: "error" })(value);
  if (Either.isLeft(decoded)) throw new InputError(`kernel configuration: field ${firstIssue(decoded.left)}`);
  const config = decoded.right;
  validateLayout(config.layout);
  if (config.tasks > maxTasks(config.layout)) {
    bad("tasks", `${config.tasks} tasks do not fit: with ${config.layout.regions} regions at most ${maxTasks(config.layout)} tasks' page directories and tables fit below the pagers' frames`);
  }
  config.threads.forEach((t, i) => {
    if (t.task >= config.tasks) bad(`threads[${i}].task`, `task ${t.task} does not exist`);
  });
  config.frames.forEach((owner, f) => {
    if (config.threads[owner]?.pager !== true) bad(`frames[${f}]`, `owner ${owner} is not a pager thread`);
  });
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
