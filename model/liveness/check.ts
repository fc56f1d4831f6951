/**
 * `check --liveness`: explore the whole state graph (checking invariants and
 * deadlocks on the way, as check() does), then check every temporal property
 * `P ~> Q` under the machine's fairness on that graph, and on a violation
 * return a lasso: a stem and a fair cycle on which Q never holds.
 */
import type { ActionParams, StateMachine } from "../machine.js";
import type { CheckStatistics, RunStatus } from "../statistics.js";
import type { ClosingStep, TraceStep, Violation } from "../trace.js";
import { FairComponentFinder } from "./fair-components.js";
import { type FairnessInstance, labelEdges } from "./fairness-labels.js";
import { exploreGraph, type ExploreOptions, pathTrace, type StatePredicate } from "./graph.js";
import { IntVector } from "./int-vector.js";
import { buildLasso, STUTTER } from "./lasso.js";
import type { TemporalProperty } from "./temporal.js";

/** A machine with (optional) fairness and temporal properties: StateMachine itself, named for what liveness reads of it. */
export type LiveMachine<S> = StateMachine<S>;

export interface LivenessOptions extends ExploreOptions {
  /** Check only the properties with these names (default: all of them). */
  readonly properties?: readonly string[];
}

export interface PropertyVerdict {
  readonly name: string;
  readonly formula: string;
  readonly instances: number;
  /** States where some instance's premise holds and its response does not yet. */
  readonly pendingStates: number;
  readonly holds: boolean;
}

export interface LivenessStatistics {
  readonly edges: number;
  readonly fairness: readonly FairnessInstance[];
  /** Strongly connected components examined (strong-fairness refinements included), summed over property instances. */
  readonly componentsExamined: number;
  readonly properties: readonly PropertyVerdict[];
  /** Seconds spent on the graph analysis after exploration. */
  readonly seconds: number;
  /** Memory held by the state graph (states, edges, property marks). */
  readonly graphBytes: number;
}

/** The step that closes a lasso: an action back to trace[loop], or stuttering in the last state forever. */
export type { ClosingStep } from "../trace.js";

export interface LivenessResult {
  readonly status: RunStatus;
  readonly statistics: CheckStatistics;
  readonly liveness?: LivenessStatistics;
  readonly violation?: Violation;
  /** A shortest trace (safety, deadlock) or a lasso (liveness). */
  readonly trace?: readonly TraceStep[];
  /** Lassos: index in `trace` of the first state of the cycle. */
  readonly loop?: number;
  readonly closing?: ClosingStep;
  /** Lassos: the violated property and the instance of it. */
  readonly property?: { readonly name: string; readonly formula: string; readonly instance: ActionParams };
  readonly budget?: string;
}

interface Obligation<S> {
  readonly property: TemporalProperty<S>;
  readonly instance: ActionParams;
}

/** The violation of one instance of a temporal property, with its formula and (when it has one) the instance. */
function livenessViolation<S>(property: TemporalProperty<S>, instance: ActionParams): Violation {
  const violation: Violation = { kind: "liveness", name: property.name, quote: property.quote, formula: property.formula };
  return Object.keys(instance).length === 0 ? violation : { ...violation, instance };
}

export function checkLiveness<S>(machine: LiveMachine<S>, options: LivenessOptions = {}): LivenessResult {
  const all = machine.temporalProperties ?? [];
  const wanted = options.properties;
  const properties = wanted === undefined ? all : all.filter((property) => wanted.includes(property.name));
  const obligations: Obligation<S>[] = properties.flatMap((property) =>
    (property.instances ?? [{}]).map((instance) => ({ property, instance })),
  );
  const predicates: StatePredicate<S>[] = obligations.flatMap(({ property, instance }) => [
    (state: S) => property.premise(state, instance),
    (state: S) => property.response(state, instance),
  ]);

  const explored = exploreGraph(machine, predicates, options);
  const graph = explored.graph;
  if (explored.status !== "ok" || graph === undefined) {
    const { graph: _unused, ...rest } = explored;
    return rest;
  }

  const started = performance.now();
  const labelled = labelEdges(machine as StateMachine<unknown>, machine.fairness ?? [], graph);
  const finder = new FairComponentFinder(graph, labelled, graph.stateCount);
  const inSet = new Uint8Array(graph.stateCount);
  const verdicts: PropertyVerdict[] = [];
  let examined = 0;
  const statistics = (): LivenessStatistics => ({
    edges: graph.edgeTarget.length,
    fairness: labelled.instances,
    componentsExamined: examined,
    properties: verdicts,
    seconds: (performance.now() - started) / 1000,
    graphBytes: graph.bytesUsed + labelled.edgeInstance.byteLength,
  });

  for (const property of properties) {
    const first = obligations.findIndex((obligation) => obligation.property === property);
    const count = property.instances?.length ?? 1;
    let pendingStates = 0;
    for (let k = first; k < first + count; k++) {
      // Columns of graph.marks: the predicates were registered as premise, response per obligation.
      const premise = 2 * k;
      const response = 2 * k + 1;
      const members = new IntVector();
      let pending = 0;
      for (let v = 0; v < graph.stateCount; v++) {
        const answered = graph.marks.get(v, response) === 1;
        inSet[v] = answered ? 0 : 1;
        if (answered) continue;
        members.push(v);
        if (graph.marks.get(v, premise) === 1) pending++;
      }
      pendingStates += pending;
      if (pending === 0) continue;
      const analysis = finder.analyse(members.view(), inSet);
      examined += analysis.examined;
      const lasso = analysis.fairComponents === 0
        ? undefined
        : buildLasso(graph, labelled, analysis, inSet, (v) => graph.marks.get(v, premise) === 1);
      if (lasso === undefined) continue;
      verdicts.push({ name: property.name, formula: property.formula, instances: count, pendingStates, holds: false });
      const { transitions } = graph;
      return {
        status: "violation",
        statistics: explored.statistics,
        liveness: statistics(),
        violation: livenessViolation(property, obligations[k]!.instance),
        trace: pathTrace(machine, graph.store, transitions, lasso.states, lasso.via),
        loop: lasso.loop,
        closing: lasso.closing === STUTTER
          ? "stutter"
          : { action: machine.actions[transitions.action(lasso.closing)]!, params: transitions.paramsOf(lasso.closing) },
        property: { name: property.name, formula: property.formula, instance: obligations[k]!.instance },
      };
    }
    verdicts.push({ name: property.name, formula: property.formula, instances: count, pendingStates, holds: true });
  }
  return { status: "ok", statistics: explored.statistics, liveness: statistics() };
}
