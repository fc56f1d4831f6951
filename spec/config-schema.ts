/**
 * The configuration of the abstract machine, as a JSON-able value, and its
 * validation: an effect Schema for the shape, then the cross-field rules
 * (a thread's task exists, a frame's owner is a pager). Every failure becomes
 * one InputError line naming the field.
 */
import { Either, ParseResult, Schema } from "effect";
import { InputError } from "../model/input-error.js";

/** Bounds keep every state field in one byte of the canonical encoding. */
export const LIMITS = {
  tasks: 8,
  threads: 16,
  regionsPerTask: 16,
  pagesPerRegion: 16,
  frames: 32,
  kernelAddresses: 8,
  markers: 16,
} as const;

const count = (min: number, max: number) =>
  Schema.Int.pipe(Schema.greaterThanOrEqualTo(min), Schema.lessThanOrEqualTo(max));

export const ThreadConfigSchema = Schema.Struct({
  /** The task (address space) the thread runs in. */
  task: count(0, LIMITS.tasks - 1),
  /** A pager thread may be assigned as a region manager and owns frames. */
  pager: Schema.optional(Schema.Boolean),
});

export const SpecConfigSchema = Schema.Struct({
  tasks: count(1, LIMITS.tasks),
  threads: Schema.Array(ThreadConfigSchema).pipe(Schema.minItems(1), Schema.maxItems(LIMITS.threads)),
  /** frames[f] is the pager thread that owns frame f. */
  frames: Schema.Array(count(0, LIMITS.threads - 1)).pipe(Schema.maxItems(LIMITS.frames)),
  regionsPerTask: count(1, LIMITS.regionsPerTask),
  pagesPerRegion: count(1, LIMITS.pagesPerRegion),
  /** How many distinct kernel-space addresses a thread may touch (0: none). */
  kernelAddresses: count(0, LIMITS.kernelAddresses),
  /** Size of the finite domain standing for the 31-bit pager-defined marker. */
  markers: count(1, LIMITS.markers),
});

export type ThreadConfig = Schema.Schema.Type<typeof ThreadConfigSchema>;
export type SpecConfig = Schema.Schema.Type<typeof SpecConfigSchema>;

function pathText(path: ReadonlyArray<PropertyKey>): string {
  return path.map((p, i) => (typeof p === "number" ? `[${p}]` : i === 0 ? String(p) : `.${String(p)}`)).join("");
}

/**
 * Validate an unknown value (parsed JSON) as a SpecConfig.
 * @param source names the value in the message (a file path, "configuration").
 * @throws InputError (kind "bad-input") with one line naming the first bad field.
 */
export function validateConfig(value: unknown, source: string): SpecConfig {
  const decoded = Schema.decodeUnknownEither(SpecConfigSchema, { onExcessProperty: "error", errors: "first" })(value);
  if (Either.isLeft(decoded)) {
    const issues = ParseResult.ArrayFormatter.formatErrorSync(decoded.left);
    const first = issues[0];
    const field = first && first.path.length > 0 ? pathText(first.path) : "(top level)";
    const message = (first?.message ?? "invalid").replace(/\s+/g, " ");
    throw new InputError(`${source}: field ${field}: ${message}`);
  }
  const config = decoded.right;
  checkCrossFields(config, source);
  return config;
}

function checkCrossFields(config: SpecConfig, source: string): void {
  const bad = (field: string, why: string): never => {
    throw new InputError(`${source}: field ${field}: ${why}`);
  };
  config.threads.forEach((t, i) => {
    if (t.task >= config.tasks) bad(`threads[${i}].task`, `task ${t.task} does not exist (tasks is ${config.tasks})`);
  });
  config.frames.forEach((owner, f) => {
    const thread = config.threads[owner];
    if (thread === undefined) bad(`frames[${f}]`, `owner thread ${owner} does not exist`);
    else if (thread.pager !== true) bad(`frames[${f}]`, `owner thread ${owner} is not a pager`);
  });
}
