/**
 * The other direction: abstract behaviours an architecture cannot produce.
 *
 * Forward simulation says every concrete step is allowed by the spec; it does
 * not say the implementation can do everything the spec can (an L4 kernel
 * with one pager per thread cannot route two regions of a task to two
 * managers). This module finds, by exploring both machines with model/'s
 * checker on the same configuration:
 *   1. every abstract label (action with parameters) the concrete steps map
 *      to, over all reachable concrete states;
 *   2. every abstract label the spec can fire, over all reachable abstract
 *      states;
 * and reports the labels of (2) missing from (1), each action with the
 * shortest abstract behaviour that ends in such a label (found by the
 * checker's breadth-first search, so it is a shortest witness).
 */
import { check } from "../model/check.js";
import type { ActionParams, StateMachine, Step } from "../model/machine.js";
import { canonicalJson, type TraceStep } from "../model/trace.js";
import { formatAction } from "../model/trace-text.js";
import type { KernelState } from "../impl/kernel/state.js";
import type { SpecState } from "../spec/index.js";
import type { Refinement } from "./product.js";

export interface MissingBehaviour {
  readonly action: string;
  /** How many distinct labels of this action the spec fires and no concrete step maps to. */
  readonly labels: number;
  /** Those labels as text, sorted. */
  readonly examples: readonly string[];
  /** The shortest abstract behaviour ending in one of them. */
  readonly witness: readonly TraceStep[];
}

export interface CompletenessResult {
  readonly concreteStates: number;
  readonly abstractStates: number;
  readonly abstractLabels: number;
  readonly matchedLabels: number;
  readonly missing: readonly MissingBehaviour[];
  /** A state budget stopped one of the explorations: the result is partial. */
  readonly partial: boolean;
}

const key = (action: string, params: ActionParams): string => `${action} ${canonicalJson(params)}`;

/** A machine that records every label its successors fire (model/'s BFS drives it). */
function recording<S>(machine: StateMachine<S>, record: (state: S, step: Step<S>) => void): StateMachine<S> {
  // A new machine without the checker's optional fast paths (expand, ...), which would bypass successors().
  return {
    name: machine.name,
    actions: machine.actions,
    variables: machine.variables,
    invariants: [],
    initialStates: () => machine.initialStates(),
    encode: (s) => machine.encode(s),
    decode: (b) => machine.decode(b),
    view: (s) => machine.view(s),
    successors: function* (s) {
      for (const step of machine.successors(s)) {
        record(s, step);
        yield step;
      }
    },
  };
}

interface Flagged {
  readonly state: SpecState;
  readonly missing: string | null;
}

/** The spec with a flag on each transition whose label is in `missing` of action `action`: a shortest witness is a shortest violation. */
function witnessMachine(spec: StateMachine<SpecState>, missing: ReadonlySet<string>, action: string): StateMachine<Flagged> {
  const encoder = new TextEncoder();
  const decoder = new TextDecoder();
  return {
    name: spec.name,
    actions: spec.actions,
    variables: spec.variables,
    invariants: [{ name: "HasConcreteCounterpart", quote: "", holds: (s) => s.missing === null }],
    initialStates: () => [...spec.initialStates()].map((state) => ({ state, missing: null })),
    successors: function* (s) {
      if (s.missing !== null) return;
      for (const step of spec.successors(s.state)) {
        const label = key(step.action, step.params);
        yield { action: step.action, params: step.params, state: { state: step.state, missing: step.action === action && missing.has(label) ? label : null } };
      }
    },
    encode: (s) => {
      const bytes = spec.encode(s.state);
      const flag = s.missing === null ? new Uint8Array(0) : encoder.encode(s.missing);
      const out = new Uint8Array(bytes.length + flag.length + 4);
      new DataView(out.buffer).setUint32(0, bytes.length, true);
      out.set(bytes, 4);
      out.set(flag, 4 + bytes.length);
      return out;
    },
    decode: (b) => {
      const length = new DataView(b.buffer, b.byteOffset, b.byteLength).getUint32(0, true);
      const rest = b.subarray(4 + length);
      return { state: spec.decode(b.subarray(4, 4 + length)), missing: rest.length === 0 ? null : decoder.decode(rest) };
    },
    view: (s) => spec.view(s.state),
  };
}

export function missingBehaviours(refinement: Refinement, maxStates = 500_000): CompletenessResult {
  const matched = new Set<string>();
  const concrete = recording<KernelState>(refinement.concrete, (pre, step) => {
    const move = refinement.moveOf(step.action, step.params, pre);
    if (move !== null && move.kind === "steps") for (const label of move.steps) matched.add(key(label.action, label.params));
  });
  const concreteRun = check(concrete, { checkDeadlock: false, maxStates });

  const fired = new Map<string, string>();
  const abstract = recording<SpecState>(refinement.spec, (_pre, step) => fired.set(key(step.action, step.params), step.action));
  const abstractRun = check(abstract, { checkDeadlock: false, maxStates });

  const missingByAction = new Map<string, Set<string>>();
  for (const [label, action] of fired) {
    if (matched.has(label)) continue;
    if (!missingByAction.has(action)) missingByAction.set(action, new Set());
    missingByAction.get(action)!.add(label);
  }
  const missing: MissingBehaviour[] = [];
  for (const action of refinement.spec.actions) {
    const labels = missingByAction.get(action);
    if (labels === undefined) continue;
    const run = check(witnessMachine(refinement.spec, labels, action), { checkDeadlock: false, maxStates });
    const examples = [...labels].map((label) => {
      const space = label.indexOf(" ");
      return formatAction(label.slice(0, space), JSON.parse(label.slice(space + 1)) as ActionParams);
    });
    missing.push({ action, labels: labels.size, examples: examples.sort(), witness: run.trace ?? [] });
  }
  return {
    concreteStates: concreteRun.statistics.distinct,
    abstractStates: abstractRun.statistics.distinct,
    abstractLabels: fired.size,
    matchedLabels: fired.size - [...missingByAction.values()].reduce((n, s) => n + s.size, 0),
    missing,
    partial: concreteRun.status === "budget" || abstractRun.status === "budget",
  };
}

const MAX_EXAMPLES = 6;

export function formatMissing(result: CompletenessResult, arch: string): string {
  const lines = [
    `Abstract behaviours: ${result.matchedLabels} of the spec's ${result.abstractLabels} labelled transitions have a concrete counterpart ` +
      `(${result.abstractStates} abstract states, ${result.concreteStates} concrete states explored${result.partial ? "; PARTIAL: a state budget was hit" : ""}).`,
  ];
  if (result.missing.length === 0) {
    lines.push(`Every abstract behaviour of the spec has a concrete counterpart in ${arch}.`);
    return lines.join("\n");
  }
  lines.push(`${arch} lacks these abstract behaviours (no concrete step maps to them):`);
  for (const m of result.missing) {
    const path = m.witness.slice(1).map((s) => formatAction(s.action, s.params));
    const last = path.pop() ?? m.action;
    lines.push(`  ${m.action}: ${m.labels} label${m.labels === 1 ? "" : "s"}${m.labels > MAX_EXAMPLES ? ` (first ${MAX_EXAMPLES})` : ""}:`);
    for (const example of m.examples.slice(0, MAX_EXAMPLES)) lines.push(`    ${example}`);
    lines.push(`    shortest abstract behaviour: ${[...path, last].join(" ; ")}`);
  }
  return lines.join("\n");
}
