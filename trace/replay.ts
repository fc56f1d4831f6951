/**
 * Replaying a trace: re-execute its actions on the machine rebuilt from the
 * trace's metadata and say whether the violation still happens.
 *
 * A step is followed by its label (action and params), not by its recorded
 * state: (action, params) names one transition from a state, so if every
 * labelled step is still enabled the trace still *applies*, even when a step
 * now leads somewhere else (that is what a fix looks like). The verdict:
 *   reproduces        every step is enabled and the violation happens at the end;
 *   fixed             every step is enabled, the violation no longer happens;
 *   does-not-apply    some step's action (with its params) is not enabled: the step and why.
 */
import { match } from "ts-pattern";
import type { ActionParams, StateMachine } from "../model/machine.js";
import { formatAction } from "../model/trace-text.js";
import { canonicalJson, type TraceStep, type Violation } from "../model/trace.js";

const same = (a: unknown, b: unknown): boolean => canonicalJson(a) === canonicalJson(b);

/** How many enabled steps of the same action to list when a step is disabled. */
const MAX_ALTERNATIVES = 4;

export interface Label {
  readonly action: string;
  readonly params: ActionParams;
}

export type Walk<S> =
  | {
      readonly kind: "applies";
      readonly states: readonly S[];
      /** The first step (index into the trace) whose state differs from the recorded one, with the variables that differ. */
      readonly divergence?: { readonly step: number; readonly variables: readonly string[] };
    }
  | { readonly kind: "stuck"; readonly step: number; readonly reason: string; readonly states: readonly S[] };

function differingVariables(machine: StateMachine<unknown>, state: unknown, recorded: Readonly<Record<string, unknown>>): string[] {
  const view = machine.view(state);
  return machine.variables.filter((name) => !same(view[name], recorded[name]));
}

/**
 * Follows the trace's labels from the machine's initial state. With one
 * initial state it is taken (noting a difference); with several, the one the
 * trace starts from.
 */
export function walk<S>(machine: StateMachine<S>, steps: readonly TraceStep[]): Walk<S> {
  const m = machine as StateMachine<unknown>;
  const initials = [...machine.initialStates()];
  const first = steps[0]!;
  const initial = initials.length === 1 ? initials[0] : initials.find((s) => same(machine.view(s), first.state));
  if (initial === undefined) {
    return { kind: "stuck", step: 0, reason: `no initial state of ${machine.name} is the trace's first state`, states: [] };
  }
  const states: S[] = [initial];
  let divergence: { step: number; variables: string[] } | undefined;
  const initialDiff = differingVariables(m, initial, first.state);
  if (initialDiff.length > 0) divergence = { step: 0, variables: initialDiff };
  for (let index = 1; index < steps.length; index++) {
    const step = steps[index]!;
    const current = states[states.length - 1]!;
    const successors = [...machine.successors(current)];
    const candidates = successors.filter((s) => s.action === step.action && same(s.params, step.params));
    if (candidates.length === 0) return { kind: "stuck", step: index, reason: disabledReason(step, successors), states };
    const next = candidates.find((s) => same(machine.view(s.state), step.state)) ?? candidates[0]!;
    states.push(next.state);
    if (divergence === undefined) {
      const diff = differingVariables(m, next.state, step.state);
      if (diff.length > 0) divergence = { step: index, variables: diff };
    }
  }
  return divergence === undefined ? { kind: "applies", states } : { kind: "applies", states, divergence };
}

function disabledReason(step: Label, successors: readonly Label[]): string {
  const wanted = formatAction(step.action, step.params);
  const sameAction = successors.filter((s) => s.action === step.action);
  if (sameAction.length === 0) {
    const enabled = [...new Set(successors.map((s) => s.action))];
    return `${wanted} is not enabled: no ${step.action} step is (enabled actions: ${enabled.length === 0 ? "none, a deadlock" : enabled.join(", ")})`;
  }
  const shown = sameAction.slice(0, MAX_ALTERNATIVES).map((s) => formatAction(s.action, s.params));
  const more = sameAction.length > MAX_ALTERNATIVES ? ` and ${sameAction.length - MAX_ALTERNATIVES} more` : "";
  return `${wanted} is not enabled; enabled instead: ${shown.join("; ")}${more}`;
}

/**
 * Whether a safety violation shows on the final state: an invariant that
 * fails, or no enabled action (deadlock). Undefined for kinds decided
 * elsewhere (liveness needs the lasso, refinement the abstract machine).
 */
export function finalStateViolates<S>(machine: StateMachine<S>, violation: Violation): ((state: S) => boolean) | undefined {
  return match(violation.kind)
    .with("invariant", () => {
      const invariant = machine.invariants.find((i) => i.name === violation.name);
      return invariant === undefined ? undefined : (state: S) => !invariant.holds(state);
    })
    .with("deadlock", () => (state: S) => {
      for (const _ of machine.successors(state)) return false;
      return true;
    })
    .with("liveness", "refinement", "witness", () => undefined)
    .exhaustive();
}

export type ReplayVerdict =
  | { readonly kind: "reproduces"; readonly steps: number; readonly divergence?: { readonly step: number; readonly variables: readonly string[] } }
  | { readonly kind: "fixed"; readonly steps: number; readonly divergence?: { readonly step: number; readonly variables: readonly string[] }; readonly detail: string }
  | { readonly kind: "does-not-apply"; readonly step: number; readonly reason: string };

/** Replays a safety trace (invariant or deadlock) on a machine. */
export function replaySafety<S>(machine: StateMachine<S>, steps: readonly TraceStep[], violation: Violation): ReplayVerdict {
  const violates = finalStateViolates(machine, violation);
  if (violates === undefined) throw new Error(`replaySafety: ${violation.kind} traces are replayed elsewhere`);
  const result = walk(machine, steps);
  if (result.kind === "stuck") return { kind: "does-not-apply", step: result.step, reason: result.reason };
  const last = result.states[result.states.length - 1]!;
  const divergence = result.divergence === undefined ? {} : { divergence: result.divergence };
  if (violates(last)) return { kind: "reproduces", steps: steps.length - 1, ...divergence };
  const detail = match(violation.kind)
    .with("deadlock", () => "the last state has an enabled action now")
    .otherwise(() => `invariant ${violation.name} holds on the last state now`);
  return { kind: "fixed", steps: steps.length - 1, detail, ...divergence };
}
