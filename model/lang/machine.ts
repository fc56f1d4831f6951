/**
 * A spec in the language as a StateMachine (model/machine.ts): the
 * interpreter gives the labelled successors and the invariants' verdicts on
 * object states, the derived layout the canonical bytes, and the compiled
 * fast path the checker's expand / brokenInvariant. Every one of them reads
 * the same definition.
 */
import type { ActionParams, StateMachine, TraceValue } from "../machine.js";
import { codecFor } from "./codec.js";
import { compileFastPath } from "./compile.js";
import { Interpreter, type ObjectState } from "./interpret.js";
import { type Layout, layoutOf } from "./layout.js";
import { canonicalizerFor } from "./symmetry.js";
import type { Action, Instance, Spec, Value } from "./spec.js";

export interface LanguageMachineOptions<S> {
  readonly name: string;
  /** The state as trace variables. */
  readonly view: (state: S) => Readonly<Record<string, TraceValue>>;
  /** Compile the fast path (default true). */
  readonly compile?: boolean;
}

export interface LanguageMachine<S> extends StateMachine<S> {
  readonly spec: Spec;
  readonly instance: Instance;
  readonly layout: Layout;
  readonly interpreter: Interpreter;
}

/** The step's parameters as a trace shows them: the action's own label, or each parameter and report by name. */
export function labelOf(action: Action, values: Readonly<Record<string, Value>>): ActionParams {
  if (action.label) return action.label(values);
  const out: Record<string, TraceValue> = {};
  for (const [k, v] of Object.entries(values)) if (v !== null) out[k] = v as TraceValue;
  return out;
}

export function languageMachine<S>(spec: Spec, inst: Instance, options: LanguageMachineOptions<S>): LanguageMachine<S> {
  const interpreter = new Interpreter(spec, inst);
  const layout = layoutOf(spec, inst);
  const initial = interpreter.initial();
  const codec = codecFor(spec, inst, layout, initial);
  // Built on first use (a check with --symmetry): other runs never pay for it.
  let canonical: ((state: Uint8Array) => Uint8Array) | null | undefined;
  const canonicalize =
    (spec.symmetric ?? []).length === 0
      ? null
      : (state: Uint8Array): Uint8Array => {
          if (canonical === undefined) canonical = canonicalizerFor(spec, inst, layout);
          return canonical === null ? state : canonical(state);
        };
  const fast = options.compile === false ? {} : (({ expand, brokenInvariant }) => ({ expand, brokenInvariant, expandSkips: true }))(compileFastPath(spec, inst, layout));
  return {
    name: options.name,
    spec,
    instance: inst,
    layout,
    interpreter,
    actions: spec.actions.map((a) => a.name),
    variables: spec.variables.map((v) => v.name),
    invariants: spec.invariants.map((inv) => ({ name: inv.name, quote: inv.quote, holds: (s: S) => interpreter.holds(inv, s as ObjectState) })),
    initialStates: () => [initial as S],
    *successors(s: S) {
      for (const step of interpreter.steps(s as ObjectState)) yield { action: step.action.name, params: labelOf(step.action, step.values), state: step.state as S };
    },
    encode: (s) => codec.encode(s as ObjectState),
    decode: (b) => codec.decode(b) as S,
    view: options.view,
    ...fast,
    ...(canonicalize === null ? {} : { canonicalize }),
  };
}
