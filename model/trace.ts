/**
 * A counterexample trace, as every command writes it and every reader reads
 * it. On disk it is ITF JSON (the trace format of Apalache and Quint:
 * https://apalache-mc.org/docs/adr/015adr-trace.html) with our metadata in
 * the top-level "#meta" and each step's action in the state's "#meta".
 */
import { createHash } from "node:crypto";
import type { ActionParams, TraceValue } from "./machine.js";

/** Bump when the on-disk layout changes; readers reject versions they do not know. */
export const TRACE_FORMAT_VERSION = 1;

/**
 * The first step's action of a counterexample to induction (`prove`): not
 * the initial state but any state of the inductive invariant IndInv, from
 * which the next step breaks one of its conjuncts.
 */
export const INDUCTION_START = "IndInv";

/** Does the trace start from a state of IndInv (a counterexample to induction) rather than the initial state? */
export const startsFromInduction = (trace: Pick<Trace, "steps">): boolean => trace.steps[0]?.action === INDUCTION_START;

/**
 * What a trace shows: a violation (of an invariant, deadlock freedom, a
 * temporal property, a refinement obligation), or a witness: a behaviour
 * whose last step is one where a named decision of the spec acts (the
 * decision corpus, trace/decisions.ts).
 */
export type ViolationKind = "invariant" | "deadlock" | "liveness" | "refinement" | "witness";

export interface Violation {
  readonly kind: ViolationKind;
  /** Invariant / property / obligation name; "Deadlock" for a deadlock; the decision's name for a witness. */
  readonly name: string;
  /** The sentence of the paper (or the obligation) that was violated. */
  readonly quote: string;
  /** Temporal properties: the formula, e.g. `\A t \in Threads : Blocked(t) ~> Running(t)`. */
  readonly formula?: string;
  /** Temporal properties checked per instance: the failing one, e.g. { thread: 0 }. */
  readonly instance?: ActionParams;
}

/** How a lasso closes: a step from the last state back to the state at `loop`, or stuttering in the last state forever. */
export type ClosingStep = { readonly action: string; readonly params: ActionParams } | "stutter";

export interface TraceStep {
  /** "Init" for the initial state, otherwise the action that led here. */
  readonly action: string;
  readonly params: ActionParams;
  readonly state: Readonly<Record<string, TraceValue>>;
  /** Refinement traces: the abstract image of this concrete state, and the abstract action the step maps to. */
  readonly abstract?: {
    readonly action: string;
    readonly params: ActionParams;
    readonly state: Readonly<Record<string, TraceValue>>;
  };
}

export interface Trace {
  /** "spec" for check/simulate traces, "refinement" for refine traces. */
  readonly kind: "spec" | "refinement";
  /** StateMachine.name of the machine that produced it. */
  readonly machine: string;
  /** Configuration name (or file path as given) and the configuration itself. */
  readonly config: string;
  readonly configValue: TraceValue;
  readonly mutant: string | null;
  /** refine only: the architecture. */
  readonly arch?: string;
  readonly violation: Violation;
  /** argv after `multipager`, e.g. ["check", "--mutant", "no-recheck"]. */
  readonly command: readonly string[];
  readonly toolVersion: string;
  readonly vars: readonly string[];
  readonly steps: readonly TraceStep[];
  /** Lasso traces: index of the first state of the cycle (the last state steps back to it). */
  readonly loop?: number;
  /** Lasso traces: the step from the last state back to `loop` (the cycle's last step), or "stutter". */
  readonly closing?: ClosingStep;
  /** When the trace was shortened: how many steps it had before. */
  readonly originalLength?: number;
}

/** Canonical JSON: object keys sorted, so equal content gives equal text. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (value !== null && typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(",")}}`;
  }
  return JSON.stringify(value);
}

/**
 * The trace's stable id: a short hash of what it says (configuration, mutant,
 * violation, actions, states), never of when or where it was written, so the
 * same bug found twice gets the same id.
 */
export function traceId(trace: Trace): string {
  const content = {
    kind: trace.kind, machine: trace.machine, configValue: trace.configValue, mutant: trace.mutant, arch: trace.arch ?? null,
    violation: { kind: trace.violation.kind, name: trace.violation.name, instance: trace.violation.instance }, loop: trace.loop ?? null,
    closing: trace.closing,
    steps: trace.steps.map((step) => [step.action, step.params, step.state]),
  };
  return createHash("sha256").update(canonicalJson(content)).digest("hex").slice(0, 12);
}

/**
 * The one numbering every rendering and message uses: TLC's, where the
 * initial state is State 1 and the step at trace index i leads to State i + 1.
 */
export function stateNumber(index: number): number {
  return index + 1;
}

/** What a trace is called in its headings: a decision's witness is not a counterexample. */
export function traceNoun(trace: Pick<Trace, "violation">): "Witness" | "Counterexample" {
  return trace.violation.kind === "witness" ? "Witness" : "Counterexample";
}
