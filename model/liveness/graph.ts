/**
 * Breadth-first exploration that keeps the whole state graph: every
 * transition (duplicates included) as an edge labelled with its action and
 * params, in compressed sparse row form (typed arrays, no per-edge objects).
 * Invariants and deadlocks are checked on the way exactly as by check(), so
 * `check --liveness` is one run that checks safety and then liveness.
 */
import { actionIndexer, DEADLOCK, invariantViolation } from "../check.js";
import { collisionProbability } from "../fingerprint.js";
import type { StateMachine } from "../machine.js";
import { NO_STATE, StateStore } from "../state-store.js";
import type { ActionCoverage, CheckStatistics, Progress, RunStatus } from "../statistics.js";
import type { TraceStep, Violation } from "../trace.js";
import { TransitionTable } from "../transitions.js";
import { ByteRows, IntVector } from "./int-vector.js";

/** The transition id of an initial state (as in check.ts). */
export const INIT_TRANSITION = -1;
const CLOCK_STRIDE = 1024;

/** A predicate evaluated once per state while exploring; its bit is kept in StateGraph.marks. */
export type StatePredicate<S> = (state: S) => boolean;

export interface StateGraph {
  readonly stateCount: number;
  /** The edges of state v are edgeStart[v] .. edgeStart[v + 1] - 1. */
  readonly edgeStart: Int32Array;
  readonly edgeTarget: Int32Array;
  /** Id in `transitions` of the (action, params) of each edge. */
  readonly edgeTransition: Int32Array;
  readonly transitions: TransitionTable;
  /** States in discovery (= breadth-first) order; parent links give shortest paths from an initial state. */
  readonly store: StateStore;
  /** marks.get(v, k) is predicate k evaluated on state v (1 or 0). */
  readonly marks: ByteRows;
  readonly bytesUsed: number;
}

export interface ExploreOptions {
  readonly checkDeadlock?: boolean;
  readonly maxStates?: number;
  readonly maxDepth?: number;
  readonly onProgress?: (progress: Progress) => void;
  readonly progressIntervalMs?: number;
}

export interface ExploreResult {
  readonly status: RunStatus;
  readonly statistics: CheckStatistics;
  readonly violation?: Violation;
  readonly trace?: readonly TraceStep[];
  readonly budget?: string;
  /** Present when every reachable state was explored without a safety violation. */
  readonly graph?: StateGraph;
}

export function exploreGraph<S>(
  machine: StateMachine<S>,
  predicates: readonly StatePredicate<S>[],
  options: ExploreOptions = {},
): ExploreResult {
  const checkDeadlock = options.checkDeadlock ?? true;
  const maxStates = options.maxStates ?? Number.POSITIVE_INFINITY;
  const maxDepth = options.maxDepth ?? Number.POSITIVE_INFINITY;
  const progressInterval = options.progressIntervalMs ?? 1000;
  const onProgress = options.onProgress;
  const invariants = machine.invariants;
  const indexOf = actionIndexer(machine as StateMachine<unknown>);
  const firings = new Float64Array(machine.actions.length);
  const newStates = new Float64Array(machine.actions.length);

  const store = new StateStore();
  const transitions = new TransitionTable();
  const marks = new ByteRows(predicates.length);
  const edgeStart = new IntVector();
  const edgeTarget = new IntVector(4096);
  const edgeTransition = new IntVector(4096);
  const started = performance.now();
  let lastProgress = started;
  let generated = 0;
  let initialStates = 0;
  let deepest = 0;
  let head = 0;
  let budget: string | undefined;

  const mark = (state: S): void => {
    const row = marks.addRow();
    for (let k = 0; k < predicates.length; k++) if (predicates[k]!(state)) marks.set(row, k, 1);
  };

  const brokenInvariant = (state: S): Violation | undefined => {
    for (const invariant of invariants) if (!invariant.holds(state)) return invariantViolation(invariant);
    return undefined;
  };

  const finish = (status: RunStatus, violation?: Violation, at?: number): ExploreResult => {
    const seconds = (performance.now() - started) / 1000;
    const coverage: ActionCoverage[] = machine.actions.map((action, index) => ({
      action,
      firings: firings[index]!,
      distinct: newStates[index]!,
    }));
    const statistics: CheckStatistics = {
      initialStates,
      generated,
      distinct: store.size,
      queue: store.size - head,
      depth: store.size === 0 ? 0 : deepest + 1,
      seconds,
      statesPerSecond: seconds > 0 ? Math.round(generated / seconds) : generated,
      coverage,
      collisionProbability: collisionProbability(store.size, generated),
      fingerprintCollisions: store.fingerprintCollisions,
      storeBytes: store.bytesUsed,
    };
    if (violation !== undefined && at !== undefined) {
      return { status, statistics, violation, trace: pathTrace(machine, store, transitions, shortestPath(store, at)) };
    }
    if (status !== "ok") return { status, statistics, ...(budget !== undefined ? { budget } : {}) };
    edgeStart.push(edgeTarget.length);
    const graph: StateGraph = {
      stateCount: store.size,
      edgeStart: edgeStart.view(),
      edgeTarget: edgeTarget.view(),
      edgeTransition: edgeTransition.view(),
      transitions,
      store,
      marks,
      bytesUsed: store.bytesUsed + edgeStart.byteLength + edgeTarget.byteLength + edgeTransition.byteLength + marks.byteLength,
    };
    return { status, statistics, graph };
  };

  for (const state of machine.initialStates()) {
    generated++;
    const index = store.add(machine.encode(state), NO_STATE, INIT_TRANSITION, 0);
    if (index < 0) continue;
    initialStates++;
    mark(state);
    const violation = brokenInvariant(state);
    if (violation) return finish("violation", violation, index);
    if (store.size >= maxStates) {
      budget = `the state budget of ${maxStates} distinct states`;
      return finish("budget");
    }
  }

  while (head < store.size) {
    const index = head;
    const depth = store.depth(index);
    if (depth >= maxDepth) {
      budget = `the depth budget of ${maxDepth} steps`;
      return finish("budget");
    }
    head++;
    if (depth > deepest) deepest = depth;
    edgeStart.push(edgeTarget.length);
    const state = machine.decode(store.bytes(index));
    let successors = 0;
    for (const step of machine.successors(state)) {
      successors++;
      generated++;
      const action = indexOf(step.action);
      firings[action]!++;
      const transition = transitions.intern(action, step.params);
      let target = store.add(machine.encode(step.state), index, transition, depth + 1);
      if (target < 0) {
        target = -1 - target;
      } else {
        newStates[action]!++;
        if (depth + 1 > deepest) deepest = depth + 1;
        mark(step.state);
        const violation = brokenInvariant(step.state);
        if (violation) return finish("violation", violation, target);
        if (store.size >= maxStates) {
          budget = `the state budget of ${maxStates} distinct states`;
          return finish("budget");
        }
      }
      edgeTarget.push(target);
      edgeTransition.push(transition);
    }
    if (successors === 0 && checkDeadlock) return finish("violation", DEADLOCK, index);
    if (onProgress !== undefined && (head & (CLOCK_STRIDE - 1)) === 0) {
      const now = performance.now();
      if (now - lastProgress >= progressInterval) {
        lastProgress = now;
        onProgress({ generated, distinct: store.size, queue: store.size - head, depth: deepest + 1, seconds: (now - started) / 1000 });
      }
    }
  }
  return finish("ok");
}

/** The states of a shortest path from an initial state to `last`, following parent links. */
export function shortestPath(store: StateStore, last: number): number[] {
  const path: number[] = [];
  for (let index = last; index !== NO_STATE; index = store.parent(index)) path.push(index);
  return path.reverse();
}

/**
 * Trace steps for a path of states. `via[i]` is the transition id that led
 * to path[i] (INIT_TRANSITION for an initial state); by default the
 * parent-link transition stored with each state.
 */
export function pathTrace<S>(
  machine: StateMachine<S>,
  store: StateStore,
  transitions: TransitionTable,
  path: readonly number[],
  via: readonly number[] = path.map((index) => store.transition(index)),
): TraceStep[] {
  return path.map((index, position) => {
    const state = machine.view(machine.decode(store.bytes(index).slice()));
    const transition = via[position]!;
    if (transition === INIT_TRANSITION) return { action: "Init", params: {}, state };
    return { action: machine.actions[transitions.action(transition)]!, params: transitions.paramsOf(transition), state };
  });
}
