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
    if (!machine.actions.includes(condition.action)) {
      throw new Error(`machine ${machine.name} declares fairness for '${condition.action}', which is not in its actions list`);
    }
    if (seen.has(condition.action)) throw new Error(`machine ${machine.name} declares fairness for '${condition.action}' twice`);
    seen.add(condition.action);
  }
}

export function labelEdges(machine: StateMachine<unknown>, fairness: readonly Fairness[], graph: StateGraph): LabelledGraph {
  validateFairness(machine, fairness);
  const byAction = new Map<number, Fairness>();
  for (const condition of fairness) byAction.set(machine.actions.indexOf(condition.action), condition);
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
      const key = `${action}:${canonicalJson(named)}`;
      const existing = instanceIds.get(key);
      if (existing !== undefined) id = existing;
      else {
        id = instances.length;
        instanceIds.set(key, id);
        instances.push({ action: condition.action, kind: condition.kind, params: named });
      }
    }
    perTransition[transition] = id;
    return id;
  };
  const edgeInstance = new Int32Array(graph.edgeTransition.length);
  for (let e = 0; e < edgeInstance.length; e++) edgeInstance[e] = instanceOfTransition(graph.transitions, graph.edgeTransition[e]!);
  const instanceKind = Uint8Array.from(instances, (instance) => (instance.kind === "strong" ? STRONG : WEAK));
  return { edgeInstance, instanceKind, instances };
}
