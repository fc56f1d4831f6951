/**
 * A trace as text for people, in TLC's layout: the violation, then the first
 * state whole, then for every step "State N: <Action params>" and only what
 * changed. A changed record, list or ITF map is followed down to the leaves
 * that changed (`rmState.r1 = "prepared"`), so a step that touches one field
 * of a large structure prints one line.
 */
import { match } from "ts-pattern";
import type { ActionParams, TraceValue } from "./machine.js";
import { canonicalJson, INDUCTION_START, startsFromInduction, stateNumber, type Trace, type TraceStep, type Violation } from "./trace.js";

/** More changed leaves than this in one variable: print the variable whole. */
const MAX_LEAVES_PER_VARIABLE = 8;

type Record_ = Readonly<Record<string, TraceValue>>;

function isRecord(value: TraceValue): value is Record_ {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function tag(value: TraceValue): string | undefined {
  if (!isRecord(value)) return undefined;
  const keys = Object.keys(value);
  return keys.length === 1 && keys[0]!.startsWith("#") ? keys[0] : undefined;
}

/** A value in TLA+ notation: <<1, 2>>, {1, 2}, [f |-> 1], (k :> v @@ ...). */
export function formatValue(value: TraceValue): string {
  if (typeof value === "string") return JSON.stringify(value);
  if (typeof value === "number") return String(value);
  if (typeof value === "boolean") return value ? "TRUE" : "FALSE";
  if (Array.isArray(value)) return `<<${(value as readonly TraceValue[]).map(formatValue).join(", ")}>>`;
  const record = value as Record_;
  const inner = (key: string) => record[key] as readonly TraceValue[];
  switch (tag(value)) {
    case "#set":
      return `{${inner("#set").map(formatValue).join(", ")}}`;
    case "#tup":
      return `<<${inner("#tup").map(formatValue).join(", ")}>>`;
    case "#bigint":
      return String(record["#bigint"]);
    case "#map": {
      const pairs = inner("#map") as readonly (readonly TraceValue[])[];
      if (pairs.length === 0) return "<<>>";
      return `(${pairs.map(([key, val]) => `${formatValue(key!)} :> ${formatValue(val!)}`).join(" @@ ")})`;
    }
    default: {
      const entries = Object.entries(record);
      return `[${entries.map(([key, field]) => `${key} |-> ${formatValue(field)}`).join(", ")}]`;
    }
  }
}

function fieldPath(key: string): string {
  return /^[A-Za-z_][A-Za-z0-9_]*$/.test(key) ? `.${key}` : `[${JSON.stringify(key)}]`;
}

/** The paths (relative to a variable) whose values differ, with the new values. */
function changedLeaves(before: TraceValue | undefined, after: TraceValue, path: string, out: [string, TraceValue][]): void {
  if (before !== undefined && canonicalJson(before) === canonicalJson(after)) return;
  if (before === undefined) {
    out.push([path, after]);
    return;
  }
  if (Array.isArray(before) && Array.isArray(after) && before.length === after.length) {
    after.forEach((item: TraceValue, index: number) => changedLeaves((before as readonly TraceValue[])[index], item, `${path}[${index}]`, out));
    return;
  }
  const beforeTag = tag(before);
  if (beforeTag === "#map" && tag(after) === "#map") {
    const beforePairs = new Map(((before as Record_)["#map"] as readonly (readonly TraceValue[])[]).map(([k, v]) => [canonicalJson(k), v!]));
    const afterPairs = (after as Record_)["#map"] as readonly (readonly TraceValue[])[];
    const sameKeys = afterPairs.length === beforePairs.size && afterPairs.every(([k]) => beforePairs.has(canonicalJson(k)));
    if (sameKeys) {
      for (const [key, val] of afterPairs) changedLeaves(beforePairs.get(canonicalJson(key)), val!, `${path}[${formatValue(key!)}]`, out);
      return;
    }
  }
  if (beforeTag === undefined && isRecord(before) && isRecord(after) && tag(after) === undefined) {
    const beforeKeys = Object.keys(before);
    const afterKeys = Object.keys(after);
    if (beforeKeys.length === afterKeys.length && afterKeys.every((key) => key in before)) {
      for (const key of afterKeys) changedLeaves(before[key], after[key]!, `${path}${fieldPath(key)}`, out);
      return;
    }
  }
  out.push([path, after]);
}

/** The lines "/\ path = value" for what changed from one state to the next. */
export function diffLines(vars: readonly string[], before: Record_ | undefined, after: Record_): string[] {
  const lines: string[] = [];
  for (const name of vars) {
    const value = after[name];
    if (value === undefined) continue;
    if (before === undefined) {
      lines.push(`/\\ ${name} = ${formatValue(value)}`);
      continue;
    }
    const leaves: [string, TraceValue][] = [];
    changedLeaves(before[name], value, name, leaves);
    if (leaves.length > MAX_LEAVES_PER_VARIABLE) lines.push(`/\\ ${name} = ${formatValue(value)}`);
    else for (const [path, leaf] of leaves) lines.push(`/\\ ${path} = ${formatValue(leaf)}`);
  }
  return lines;
}

export function formatAction(action: string, params: ActionParams): string {
  const entries = Object.entries(params);
  if (entries.length === 0) return action;
  return `${action}(${entries.map(([key, value]) => `${key} = ${formatValue(value)}`).join(", ")})`;
}

export function formatViolation(violation: Violation): string[] {
  const headline = match(violation.kind)
    .with("invariant", () => `Error: Invariant ${violation.name} is violated.`)
    .with("deadlock", () => "Error: Deadlock reached.")
    .with("liveness", () => `Error: Temporal property ${violation.name} is violated.`)
    .with("refinement", () => `Error: Refinement obligation ${violation.name} is violated.`)
    .with("witness", () => `Witness: decision ${violation.name} acts at the last step.`)
    .exhaustive();
  const lines = violation.quote === "" ? [headline] : [headline, `  "${violation.quote}"`];
  if (violation.formula !== undefined) lines.push(`  ${violation.formula}`);
  if (violation.instance !== undefined && Object.keys(violation.instance).length > 0) lines.push(`  violated for ${formatInstance(violation.instance)}`);
  return lines;
}

/** A property instance as "thread = 0, pager = 1". */
export function formatInstance(instance: ActionParams): string {
  return Object.entries(instance).map(([key, value]) => `${key} = ${formatValue(value)}`).join(", ");
}

export const CYCLE_MARKER = "-- cycle starts here: the behaviour repeats from the next state forever --";

/** A state's label in the behaviour: the action that led to it, in TLC's brackets (a counterexample to induction starts from any state of IndInv). */
export function stateLabel(step: TraceStep, index: number): string {
  if (index === 0 && step.action === "Init") return "<Initial predicate>";
  if (index === 0 && step.action === INDUCTION_START) return "<Any state of IndInv>";
  return `<${formatAction(step.action, step.params)}>`;
}

/**
 * How one state is shown under its "State N: <Action>" line: by default
 * what changed in the trace's variables; refinement traces put the
 * concrete and the abstract side in two columns (refinement/render.ts).
 * `closing` marks a lasso's step back into the cycle.
 */
export type StateBody = (previous: TraceStep | undefined, current: TraceStep, closing: boolean) => string[];

export function changesBody(vars: readonly string[]): StateBody {
  return (previous, current) => {
    const changes = diffLines(vars, previous?.state, current.state);
    return changes.length === 0 ? ["(no variable changed)"] : changes;
  };
}

/**
 * The whole trace as TLC-style text, ending with a newline: the violation,
 * then every state with what changed. A lasso marks where its cycle starts
 * and ends with the step that closes it ("Back to state K", with what that
 * step changes) or with "Stuttering" (the last state repeats forever).
 */
export function formatTraceText(trace: Trace, body: StateBody = changesBody(trace.vars)): string {
  const behaviour = startsFromInduction(trace)
    ? "Error: A counterexample to induction: from a state of IndInv, this step breaks it:"
    : trace.violation.kind === "witness"
      ? "The behavior:"
      : "Error: The behavior up to this point is:";
  const lines = [...formatViolation(trace.violation), behaviour];
  trace.steps.forEach((step, index) => {
    if (index === trace.loop) lines.push(CYCLE_MARKER);
    lines.push(`State ${stateNumber(index)}: ${stateLabel(step, index)}`, ...body(trace.steps[index - 1], step, false), "");
  });
  if (trace.loop !== undefined) lines.push(...closingLines(trace, body), "");
  if (trace.originalLength !== undefined) lines.push(`(shortened from ${trace.originalLength} steps)`, "");
  return lines.join("\n");
}

function closingLines(trace: Trace, body: StateBody): string[] {
  const loop = trace.loop!;
  const next = stateNumber(trace.steps.length);
  const back = stateNumber(loop);
  const closing = trace.closing;
  if (closing === "stutter") return [`State ${next}: Stuttering`, `(State ${back} repeats forever: no fairly scheduled action changes it)`];
  if (closing === undefined) return [`State ${next}: Back to state ${back}`];
  const last = trace.steps[trace.steps.length - 1]!;
  const step = { ...trace.steps[loop]!, action: closing.action, params: closing.params };
  return [`State ${next}: <${formatAction(closing.action, closing.params)}> Back to state ${back}`, ...body(last, step, true)];
}
