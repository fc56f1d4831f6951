/**
 * Traces on disk in ITF, the Informal Trace Format of Apalache and Quint
 * (https://apalache-mc.org/docs/adr/015adr-trace.html): a top-level "#meta"
 * with our metadata, "vars", "states" (each with its own "#meta": index,
 * action, params) and, for lassos, "loop". Integers are JSON numbers when
 * they are safe, otherwise {"#bigint": "<decimal>"}; records are objects;
 * sets, maps and tuples are ITF's tagged objects, as the machine's view()
 * wrote them. Reading validates the whole file with effect Schema and names
 * the first bad field in a one-line InputError.
 */
import { Either, Schema } from "effect";
import { writeFileAtomic } from "./atomic-write.js";
import { InputError } from "./input-error.js";
import { parseJsonInput, readInputText } from "./input-file.js";
import { itfValueProblem } from "./itf-value.js";
import { firstIssue } from "./schema-issue.js";
import type { ActionParams, TraceValue } from "./machine.js";
import { TRACE_FORMAT_VERSION, traceId, type ClosingStep, type Trace, type TraceStep, type Violation } from "./trace.js";

export const ITF_FORMAT_DESCRIPTION = "https://apalache-mc.org/docs/adr/015adr-trace.html";

type Json = boolean | number | string | null | readonly Json[] | { readonly [key: string]: Json };

/** A value as ITF writes it: unsafe integers become {"#bigint": "..."}. */
export function toItfValue(value: TraceValue): Json {
  if (typeof value === "number") {
    if (Number.isInteger(value) && !Number.isSafeInteger(value)) return { "#bigint": BigInt(value).toString() };
    return value;
  }
  if (typeof value === "boolean" || typeof value === "string") return value;
  if (Array.isArray(value)) return (value as readonly TraceValue[]).map(toItfValue);
  return Object.fromEntries(Object.entries(value as Record<string, TraceValue>).map(([key, field]) => [key, toItfValue(field)]));
}

/** The inverse of toItfValue: a {"#bigint"} that fits a number becomes one again. */
export function fromItfValue(value: TraceValue): TraceValue {
  if (Array.isArray(value)) return (value as readonly TraceValue[]).map(fromItfValue);
  if (value !== null && typeof value === "object") {
    const record = value as Record<string, TraceValue>;
    const keys = Object.keys(record);
    const big = record["#bigint"];
    if (keys.length === 1 && typeof big === "string" && /^-?\d+$/.test(big)) {
      const number = Number(big);
      if (BigInt(number).toString() === big) return number;
    }
    return Object.fromEntries(keys.map((key) => [key, fromItfValue(record[key]!)]));
  }
  return value;
}

function recordToItf(record: Readonly<Record<string, TraceValue>>): Record<string, Json> {
  return Object.fromEntries(Object.entries(record).map(([key, value]) => [key, toItfValue(value)]));
}

function violationToItf(violation: Violation): Record<string, Json> {
  const out: Record<string, Json> = { kind: violation.kind, name: violation.name, quote: violation.quote };
  if (violation.formula !== undefined) out["formula"] = violation.formula;
  if (violation.instance !== undefined) out["instance"] = recordToItf(violation.instance);
  return out;
}

/** A lasso's closing step in #meta: {"kind": "step", action, params} back to the loop state, or {"kind": "stutter"}. */
function closingToItf(closing: ClosingStep): Record<string, Json> {
  return closing === "stutter" ? { kind: "stutter" } : { kind: "step", action: closing.action, params: recordToItf(closing.params) };
}

/** The ITF JSON object for a trace (stable key order, no timestamps). */
export function toItf(trace: Trace): Record<string, Json> {
  const meta: Record<string, Json> = {
    format: "ITF",
    "format-description": ITF_FORMAT_DESCRIPTION,
    version: TRACE_FORMAT_VERSION,
    toolVersion: trace.toolVersion,
    id: traceId(trace),
    kind: trace.kind,
    machine: trace.machine,
    config: trace.config,
    configValue: toItfValue(trace.configValue),
    mutant: trace.mutant,
    violation: violationToItf(trace.violation),
    command: [...trace.command],
  };
  if (trace.arch !== undefined) meta["arch"] = trace.arch;
  if (trace.loop !== undefined) meta["loop"] = trace.loop;
  if (trace.closing !== undefined) meta["closing"] = closingToItf(trace.closing);
  if (trace.originalLength !== undefined) meta["originalLength"] = trace.originalLength;
  const states = trace.steps.map((step, index) => {
    const stateMeta: Record<string, Json> = { index, action: step.action, params: recordToItf(step.params) };
    if (step.abstract !== undefined) {
      stateMeta["abstract"] = { action: step.abstract.action, params: recordToItf(step.abstract.params), state: recordToItf(step.abstract.state) };
    }
    return { "#meta": stateMeta, ...Object.fromEntries(trace.vars.map((name) => [name, toItfValue(step.state[name] as TraceValue)])) };
  });
  const itf: Record<string, Json> = { "#meta": meta, vars: [...trace.vars], states };
  if (trace.loop !== undefined) itf["loop"] = trace.loop;
  return itf;
}

export function formatItf(trace: Trace): string {
  return `${JSON.stringify(toItf(trace), null, 2)}\n`;
}

/** Writes the trace atomically: a reader never sees half a file. */
export function writeItf(path: string, trace: Trace): void {
  writeFileAtomic(path, formatItf(trace));
}

// ---- reading ----------------------------------------------------------------

/**
 * Any JSON value here; its ITF grammar (integers, tagged forms) is checked
 * by itfValueProblem once the envelope has decoded, so that the error names
 * the whole path down to the bad value.
 */
const TraceValueSchema = Schema.declare((input: unknown): input is TraceValue => input !== undefined);

const ParamsSchema = Schema.Record({ key: Schema.String, value: TraceValueSchema });
const VarsRecordSchema = Schema.Record({ key: Schema.String, value: TraceValueSchema });

const ViolationSchema = Schema.Struct({
  kind: Schema.Literal("invariant", "deadlock", "liveness", "refinement", "witness"),
  name: Schema.String,
  quote: Schema.String,
  formula: Schema.optional(Schema.String),
  instance: Schema.optional(ParamsSchema),
});

const ClosingSchema = Schema.Union(
  Schema.Struct({ kind: Schema.Literal("stutter") }),
  Schema.Struct({ kind: Schema.Literal("step"), action: Schema.String, params: ParamsSchema }),
);

const TopMetaSchema = Schema.Struct({
  format: Schema.optional(Schema.String),
  "format-description": Schema.optional(Schema.String),
  version: Schema.Literal(TRACE_FORMAT_VERSION),
  toolVersion: Schema.String,
  id: Schema.optional(Schema.String),
  kind: Schema.Literal("spec", "refinement"),
  machine: Schema.String,
  config: Schema.String,
  configValue: TraceValueSchema,
  mutant: Schema.NullOr(Schema.String),
  arch: Schema.optional(Schema.String),
  violation: ViolationSchema,
  command: Schema.Array(Schema.String),
  loop: Schema.optional(Schema.Int.pipe(Schema.nonNegative())),
  closing: Schema.optional(ClosingSchema),
  originalLength: Schema.optional(Schema.Int.pipe(Schema.nonNegative())),
});

const StateMetaSchema = Schema.Struct({
  index: Schema.Int.pipe(Schema.nonNegative()),
  action: Schema.String,
  params: ParamsSchema,
  abstract: Schema.optional(Schema.Struct({ action: Schema.String, params: ParamsSchema, state: VarsRecordSchema })),
});

const StateSchema = Schema.extend(Schema.Struct({ "#meta": StateMetaSchema }), VarsRecordSchema);

const ItfSchema = Schema.Struct({
  "#meta": TopMetaSchema,
  vars: Schema.Array(Schema.String),
  states: Schema.Array(StateSchema).pipe(Schema.minItems(1)),
  loop: Schema.optional(Schema.Int.pipe(Schema.nonNegative())),
});

/** The first value anywhere in the file that is not an ITF expression, with its path. */
function firstValueProblem(itf: Schema.Schema.Type<typeof ItfSchema>): string | undefined {
  const meta = itf["#meta"];
  const record = (values: Readonly<Record<string, unknown>>, path: string): string | undefined => {
    for (const [key, value] of Object.entries(values)) {
      const problem = itfValueProblem(value, `${path}.${key}`);
      if (problem !== undefined) return problem;
    }
    return undefined;
  };
  const top =
    itfValueProblem(meta.configValue, "#meta.configValue") ??
    (meta.violation.instance === undefined ? undefined : record(meta.violation.instance, "#meta.violation.instance")) ??
    (meta.closing?.kind === "step" ? record(meta.closing.params, "#meta.closing.params") : undefined);
  if (top !== undefined) return top;
  for (let i = 0; i < itf.states.length; i++) {
    const state = itf.states[i]! as Record<string, unknown> & { "#meta": (typeof itf.states)[number]["#meta"] };
    const stateMeta = state["#meta"];
    const vars = Object.fromEntries(Object.entries(state).filter(([key]) => key !== "#meta"));
    const problem =
      record(vars, `states[${i}]`) ??
      record(stateMeta.params, `states[${i}].#meta.params`) ??
      (stateMeta.abstract === undefined
        ? undefined
        : record(stateMeta.abstract.params, `states[${i}].#meta.abstract.params`) ?? record(stateMeta.abstract.state, `states[${i}].#meta.abstract.state`));
    if (problem !== undefined) return problem;
  }
  return undefined;
}

/** Parses ITF JSON text into a Trace; `source` names the file in errors. */
export function parseItf(text: string, source: string): Trace {
  const json = parseJsonInput(text, source);
  const decoded = Schema.decodeUnknownEither(ItfSchema)(json);
  if (Either.isLeft(decoded)) throw new InputError(`${source}: not a multipager ITF trace: ${firstIssue(decoded.left)}`);
  const itf = decoded.right;
  const meta = itf["#meta"];
  const problem = firstValueProblem(itf);
  if (problem !== undefined) throw new InputError(`${source}: not an ITF value: ${problem}`);
  const steps: TraceStep[] = itf.states.map((state, index) => {
    const stateMeta = state["#meta"];
    if (stateMeta.index !== index) throw new InputError(`${source}: states[${index}].#meta.index is ${stateMeta.index}, expected ${index}`);
    for (const name of itf.vars) {
      if (!(name in state)) throw new InputError(`${source}: states[${index}] lacks variable '${name}' listed in vars`);
    }
    for (const name of Object.keys(state)) {
      if (name !== "#meta" && !itf.vars.includes(name)) throw new InputError(`${source}: states[${index}] has variable '${name}' not listed in vars`);
    }
    const values = Object.fromEntries(itf.vars.map((name) => [name, fromItfValue((state as Record<string, TraceValue>)[name]!)]));
    const step: TraceStep = { action: stateMeta.action, params: fromItfValue(stateMeta.params) as ActionParams, state: values };
    if (stateMeta.abstract === undefined) return step;
    return {
      ...step,
      abstract: {
        action: stateMeta.abstract.action,
        params: fromItfValue(stateMeta.abstract.params) as ActionParams,
        state: fromItfValue(stateMeta.abstract.state) as Record<string, TraceValue>,
      },
    };
  });
  const loop = itf.loop ?? meta.loop;
  if (loop !== undefined && loop >= steps.length) throw new InputError(`${source}: loop index ${loop} is past the last state (${steps.length - 1})`);
  if (meta.closing !== undefined && loop === undefined) throw new InputError(`${source}: #meta.closing: a closing step without a "loop" index`);
  if (meta.closing?.kind === "stutter" && loop !== steps.length - 1) {
    throw new InputError(`${source}: #meta.closing: a stuttering lasso loops on its last state (${steps.length - 1}), not on ${loop}`);
  }
  const closing: ClosingStep | undefined =
    meta.closing === undefined ? undefined : meta.closing.kind === "stutter" ? "stutter" : { action: meta.closing.action, params: fromItfValue(meta.closing.params) as ActionParams };
  const violation: Violation = {
    kind: meta.violation.kind,
    name: meta.violation.name,
    quote: meta.violation.quote,
    ...(meta.violation.formula !== undefined ? { formula: meta.violation.formula } : {}),
    ...(meta.violation.instance !== undefined ? { instance: fromItfValue(meta.violation.instance) as ActionParams } : {}),
  };
  const trace: Trace = {
    kind: meta.kind,
    machine: meta.machine,
    config: meta.config,
    configValue: fromItfValue(meta.configValue),
    mutant: meta.mutant,
    ...(meta.arch !== undefined ? { arch: meta.arch } : {}),
    violation,
    command: meta.command,
    toolVersion: meta.toolVersion,
    vars: itf.vars,
    steps,
    ...(loop !== undefined ? { loop } : {}),
    ...(closing !== undefined ? { closing } : {}),
    ...(meta.originalLength !== undefined ? { originalLength: meta.originalLength } : {}),
  };
  return trace;
}

export function readItf(path: string): Trace {
  return parseItf(readInputText(path, "trace file"), path);
}
