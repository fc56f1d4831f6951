/**
 * Replaying a lasso (a liveness counterexample): the stem and cycle must
 * still be transitions, the last state must still step back to the loop
 * state (by some action, or by stuttering when the loop is on the last
 * state), and the temporal property must still fail on it: some instance
 * whose premise holds at a state followed (cycle included) only by states
 * where its response does not, on a cycle that is fair.
 */
import type { LiveMachine } from "../model/liveness/check.js";
import type { ActionParams } from "../model/machine.js";
import { formatAction } from "../model/trace-text.js";
import { canonicalJson, stateNumber, type Trace } from "../model/trace.js";
import { walk, type ReplayVerdict } from "./replay.js";

const same = (a: unknown, b: unknown): boolean => canonicalJson(a) === canonicalJson(b);

interface Edge {
  readonly action: string;
  readonly params: ActionParams;
  readonly changes: boolean;
}

/** Does every fairness condition hold on the cycle (its states and steps)? Undefined when fair, else the unfair condition. */
function unfairCondition<S>(machine: LiveMachine<S>, cycle: readonly S[], edges: readonly Edge[]): string | undefined {
  for (const condition of machine.fairness ?? []) {
    const actions = typeof condition.action === "string" ? [condition.action] : condition.action;
    const per = condition.per ?? [];
    const key = (params: ActionParams) => canonicalJson(per.map((name) => params[name] ?? null));
    const readable = (k: string) => {
      const values = JSON.parse(k) as unknown[];
      return per.length === 0 ? "" : ` for ${per.map((name, i) => `${name} = ${JSON.stringify(values[i])}`).join(", ")}`;
    };
    const enabled = cycle.map(
      (s) =>
        new Set(
          [...machine.successors(s)]
            .filter((step) => actions.includes(step.action) && !same(machine.view(step.state), machine.view(s)))
            .map((step) => key(step.params)),
        ),
    );
    const taken = new Set(edges.filter((edge) => edge.changes && actions.includes(edge.action)).map((edge) => key(edge.params)));
    const candidates = condition.kind === "weak" ? [...enabled[0]!].filter((k) => enabled.every((set) => set.has(k))) : [...new Set(enabled.flatMap((set) => [...set]))];
    const missed = candidates.find((k) => !taken.has(k));
    if (missed !== undefined) return `${condition.kind === "weak" ? "WF" : "SF"}(${actions.join(" \\/ ")})${readable(missed)}`;
  }
  return undefined;
}

export function replayLasso<S>(machine: LiveMachine<S>, trace: Trace): ReplayVerdict {
  const loop = trace.loop!;
  const result = walk(machine, trace.steps);
  if (result.kind === "stuck") return { kind: "does-not-apply", step: result.step, reason: result.reason };
  const states = result.states;
  const last = states[states.length - 1]!;
  const divergence = result.divergence === undefined ? {} : { divergence: result.divergence };
  const edges: Edge[] = trace.steps.slice(1).map((step, i) => ({
    action: step.action,
    params: step.params,
    changes: !same(machine.view(states[i]!), machine.view(states[i + 1]!)),
  }));
  const cycleEdges = edges.slice(loop);
  const back = stateNumber(loop);
  const closing = trace.closing;
  if (closing !== undefined && closing !== "stutter") {
    // The recorded step back into the cycle must still be enabled, and still lead back.
    const enabled = [...machine.successors(last)].filter((s) => s.action === closing.action && same(s.params, closing.params));
    const label = formatAction(closing.action, closing.params);
    if (enabled.length === 0) return { kind: "does-not-apply", step: trace.steps.length, reason: `${label}, the step back to State ${back}, is not enabled: the cycle no longer closes` };
    const home = enabled.find((s) => same(machine.view(s.state), machine.view(states[loop]!)));
    if (home === undefined) return { kind: "does-not-apply", step: trace.steps.length, reason: `${label} no longer leads back to State ${back}: the cycle no longer closes` };
    cycleEdges.push({ action: closing.action, params: closing.params, changes: !same(machine.view(home.state), machine.view(last)) });
  } else if (closing === undefined && (loop !== states.length - 1 || !same(machine.view(last), machine.view(states[loop]!)))) {
    const home = [...machine.successors(last)].find((s) => same(machine.view(s.state), machine.view(states[loop]!)));
    if (home === undefined) {
      return { kind: "does-not-apply", step: trace.steps.length, reason: `no action leads from the last state back to State ${back}: the cycle no longer closes` };
    }
    cycleEdges.push({ action: home.action, params: home.params, changes: true });
  }
  const property = machine.temporalProperties?.find((p) => p.name === trace.violation.name);
  if (property === undefined) throw new Error(`replayLasso: unknown property ${trace.violation.name}`);
  const failingInstance = (property.instances ?? [{}]).find((instance) =>
    states.some((s, j) => {
      if (!property.premise(s, instance)) return false;
      for (let i = Math.min(j, loop); i < states.length; i++) if (property.response(states[i]!, instance)) return false;
      return true;
    }),
  );
  const steps = trace.steps.length - 1;
  if (failingInstance === undefined) {
    return { kind: "fixed", steps, detail: `${property.name} holds on this lasso now (its response is reached)`, ...divergence };
  }
  const unfair = unfairCondition(machine, states.slice(loop), cycleEdges);
  if (unfair !== undefined) return { kind: "fixed", steps, detail: `the cycle is no longer fair (${unfair} is enabled but never taken), so it is not a behaviour the property is about`, ...divergence };
  return { kind: "reproduces", steps, ...divergence };
}
