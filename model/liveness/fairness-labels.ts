/**
 * Labels each edge of the explored graph with the fairness instance it
 * takes: WF_vars(Dispatch(t)) with per = ["thread"] makes one instance per
 * thread value, and every Dispatch edge of thread 2 takes instance
 * "Dispatch(thread = 2)". An instance is enabled in a state exactly when one
 * of the state's edges takes it.
 */
import type { ActionParams, StateMachine } from "../machine.js";
import { canonicalJson } from "../trace.js";
import type { TransitionTable } from "../transitions.js";
import { type FairnessLabels, STRONG, WEAK } from "./fair-components.js";
import type { StateGraph } from "./graph.js";
import type { Fairness, FairnessKind } from "./temporal.js";

export interface FairnessInstance {
  /** The action, or the actions of a disjunction joined by " \\/ ". */
  readonly action: string;
  readonly kind: FairnessKind;
  /** The values of the `per` params that name this instance. */
  readonly params: ActionParams;
}

export interface LabelledGraph extends FairnessLabels {
  readonly instances: readonly FairnessInstance[];
}

/** Rejects fairness that names an undeclared action or names one twice: a bug in the machine, not in user input. */
export function validateFairness(machine: StateMachine<unknown>, fairness: readonly Fairness[]): void {
  const seen = new Set<string>();
  for (const condition of fairness) {
    for (const action of actionsOf(condition)) {
      if (!machine.actions.includes(action)) {
        throw new Error(`machine ${machine.name} declares fairness for '${action}', which is not in its actions list`);
      }
      if (seen.has(action)) throw new Error(`machine ${machine.name} declares fairness for '${action}' twice`);
      seen.add(action);
    }
  }
}

export function actionsOf(condition: Fairness): readonly string[] {
  return typeof condition.action === "string" ? [condition.action] : condition.action;
}

/** The name of a fairness condition's action (a disjunction for several). */
export function fairnessName(condition: Fairness): string {
  return actionsOf(condition).join(" \\/ ");
}

export function labelEdges(machine: StateMachine<unknown>, fairness: readonly Fairness[], graph: StateGraph): LabelledGraph {
  validateFairness(machine, fairness);
  const byAction = new Map<number, Fairness>();
  for (const condition of fairness) for (const action of actionsOf(condition)) byAction.set(machine.actions.indexOf(action), condition);
  const instances: FairnessInstance[] = [];
  const instanceIds = new Map<string, number>();
  const perTransition: number[] = [];
  const instanceOfTransition = (transitions: TransitionTable, transition: number): number => {
    const cached = perTransition[transition];
    if (cached !== undefined) return cached;
    const action = transitions.action(transition);
    const condition = byAction.get(action);
    let id = -1;
    if (condition !== undefined) {
      const params = transitions.paramsOf(transition);
      const named = Object.fromEntries((condition.per ?? []).filter((key) => key in params).map((key) => [key, params[key]!]));
      const key = `${fairnessName(condition)}:${canonicalJson(named)}`;
      const existing = instanceIds.get(key);
      if (existing !== undefined) id = existing;
      else {
        id = instances.length;
        instanceIds.set(key, id);
        instances.push({ action: fairnessName(condition), kind: condition.kind, params: named });
      }
    }
    perTransition[transition] = id;
    return id;
  };
  const { edgeStart, edgeTarget, edgeTransition, transitions } = graph;
  const edgeInstance = new Int32Array(edgeTransition.length);
  for (let v = 0; v < graph.stateCount; v++) {
    for (let e = edgeStart[v]!; e < edgeStart[v + 1]!; e++) {
      // A step back to the same state is a stuttering step: not an <<A>>_vars step.
      edgeInstance[e] = edgeTarget[e] === v ? -1 : instanceOfTransition(transitions, edgeTransition[e]!);
    }
  }
  const instanceKind = Uint8Array.from(instances, (instance) => (instance.kind === "strong" ? STRONG : WEAK));
  return { edgeInstance, instanceKind, instances };
}
