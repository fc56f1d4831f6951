/**
 * An independent check of a lasso against its machine, sharing no code with
 * the engine: every step is a real transition, the closing step leads back
 * to the loop state (or stutters), the property's premise holds somewhere
 * and its response never holds from there on, and the cycle is fair.
 */
import type { ActionParams } from "../../model/machine.js";
import type { LiveMachine, LivenessResult } from "../../model/liveness/check.js";
import { canonicalJson } from "../../model/trace.js";

const same = (a: unknown, b: unknown): boolean => canonicalJson(a) === canonicalJson(b);

/** Returns a description of the first thing wrong with the lasso, or undefined if it is a genuine fair counterexample. */
export function lassoProblem<S>(machine: LiveMachine<S>, result: LivenessResult): string | undefined {
  const trace = result.trace;
  const loop = result.loop;
  const closing = result.closing;
  const instance = result.property?.instance;
  if (trace === undefined || loop === undefined || closing === undefined || instance === undefined) return "not a lasso result";
  if (loop < 0 || loop >= trace.length) return `loop ${loop} out of range`;
  const property = machine.temporalProperties?.find((p) => p.name === result.property?.name);
  if (property === undefined) return "unknown property";

  const states: S[] = [];
  const initial = [...machine.initialStates()].find((s) => same(machine.view(s), trace[0]!.state));
  if (initial === undefined || trace[0]!.action !== "Init") return "first state is not initial";
  states.push(initial);
  const stepEdges: { action: string; params: ActionParams }[] = [];
  for (let i = 1; i < trace.length; i++) {
    const step = trace[i]!;
    const next = [...machine.successors(states[i - 1]!)].find(
      (s) => s.action === step.action && same(s.params, step.params) && same(machine.view(s.state), step.state),
    );
    if (next === undefined) return `step ${i} is not a transition of the machine`;
    states.push(next.state);
    stepEdges.push({ action: step.action, params: step.params });
  }
  const last = states[states.length - 1]!;
  const cycleEdges = stepEdges.slice(loop);
  if (closing === "stutter") {
    if (loop !== trace.length - 1) return "a stuttering lasso must loop on its last state";
  } else {
    const back = [...machine.successors(last)].find(
      (s) => s.action === closing.action && same(s.params, closing.params) && same(machine.view(s.state), trace[loop]!.state),
    );
    if (back === undefined) return "the closing step does not lead back to the loop state";
    cycleEdges.push(closing);
  }

  // Some state where the premise holds must be followed (cycle included) only by states where the response does not.
  const neverAfter = (j: number) => {
    for (let i = Math.min(j, loop); i < states.length; i++) if (property.response(states[i]!, instance)) return false;
    return true;
  };
  if (!states.some((s, j) => property.premise(s, instance) && neverAfter(j))) {
    return "no state where the premise holds is followed only by states where the response does not";
  }

  // The cycle's steps, each with whether it changes the state (a step that does not is stuttering, as in TLA+).
  const cycleStates = states.slice(loop);
  const cycleSteps = cycleEdges.map((edge, i) => {
    const from = cycleStates[i]!;
    const to = i + 1 < cycleStates.length ? cycleStates[i + 1]! : states[loop]!;
    return { ...edge, changes: !same(machine.view(from), machine.view(to)) };
  });
  for (const condition of machine.fairness ?? []) {
    const actions = typeof condition.action === "string" ? [condition.action] : condition.action;
    const key = (params: ActionParams) => canonicalJson((condition.per ?? []).map((name) => params[name] ?? null));
    const enabledSets = cycleStates.map(
      (s) =>
        new Set(
          [...machine.successors(s)]
            .filter((step) => actions.includes(step.action) && !same(machine.view(step.state), machine.view(s)))
            .map((step) => key(step.params)),
        ),
    );
    const taken = new Set(cycleSteps.filter((step) => step.changes && actions.includes(step.action)).map((step) => key(step.params)));
    const everywhere = [...enabledSets[0]!].filter((k) => enabledSets.every((set) => set.has(k)));
    const somewhere = new Set(enabledSets.flatMap((set) => [...set]));
    const mustTake = condition.kind === "weak" ? everywhere : [...somewhere];
    for (const k of mustTake) {
      if (!taken.has(k)) return `the cycle is unfair to ${actions.join(" \\/ ")} ${k} (${condition.kind})`;
    }
  }
  return undefined;
}
