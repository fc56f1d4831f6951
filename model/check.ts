/**
 * Exhaustive breadth-first model checking over any StateMachine<S>.
 *
 * States are numbered in the order they are discovered; for a breadth-first
 * search that is also the order they are expanded, so the queue is a cursor
 * into the store. Each new state is checked against every invariant when it
 * is discovered, and each state with no successor is a deadlock (unless
 * deadlock checking is off): both are reported with a shortest trace.
 */
import type { Invariant, StateMachine } from "./machine.js";
import { collisionProbability } from "./fingerprint.js";
import { NO_STATE, StateStore } from "./state-store.js";
import { TransitionTable } from "./transitions.js";
import type { TraceStep, Violation } from "./trace.js";
import type { ActionCoverage, CheckResult, CheckStatistics, Outdegree, Progress, RunStatus } from "./statistics.js";

export interface CheckOptions {
  /** Report a reachable state with no successor (TLC's default: on). */
  readonly checkDeadlock?: boolean;
  /** Stop cleanly after this many distinct states (status "budget"). */
  readonly maxStates?: number;
  /** Do not expand states this many steps from an initial state (status "budget" if any were left). */
  readonly maxDepth?: number;
  /** Called about every `progressIntervalMs` with a snapshot. */
  readonly onProgress?: (progress: Progress) => void;
  readonly progressIntervalMs?: number;
}

/** The transition id of an initial state. */
const INIT = -1;
/** Check the clock once per this many expanded states. */
const CLOCK_STRIDE = 1024;
/** Outdegrees at or above this share the histogram's last bucket. */
const OUTDEGREE_BUCKETS = 4096;

export const DEADLOCK: Violation = {
  kind: "deadlock",
  name: "Deadlock",
  quote: "A reachable state has no successor (no action is enabled).",
};

export function invariantViolation<S>(invariant: Invariant<S>): Violation {
  return { kind: "invariant", name: invariant.name, quote: invariant.quote };
}

/** Index of each action name in machine.actions; an undeclared action is a bug in the machine. */
export function actionIndexer(machine: StateMachine<unknown>): (action: string) => number {
  const indexes = new Map(machine.actions.map((action, index) => [action, index]));
  return (action) => {
    const index = indexes.get(action);
    if (index === undefined) {
      throw new Error(`machine ${machine.name} fired action '${action}', which is not in its actions list`);
    }
    return index;
  };
}

export function check<S>(machine: StateMachine<S>, options: CheckOptions = {}): CheckResult {
  const checkDeadlock = options.checkDeadlock ?? true;
  const maxStates = options.maxStates ?? Number.POSITIVE_INFINITY;
  const maxDepth = options.maxDepth ?? Number.POSITIVE_INFINITY;
  const progressInterval = options.progressIntervalMs ?? 1000;
  const onProgress = options.onProgress;
  const invariants = machine.invariants;
  const indexOf = actionIndexer(machine as StateMachine<unknown>);
  const actionCount = machine.actions.length;
  const firings = new Float64Array(actionCount);
  const newStates = new Float64Array(actionCount);
  const outdegrees = new Float64Array(OUTDEGREE_BUCKETS);
  let maxOutdegree = 0;

  const store = new StateStore();
  const transitions = new TransitionTable();
  const started = performance.now();
  let lastProgress = started;
  let generated = 0;
  let initialStates = 0;
  let deepest = 0;
  let head = 0;
  let budget: string | undefined;

  const finish = (status: RunStatus, violation?: Violation, at?: number): CheckResult => {
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
      ...outdegreeOf(outdegrees, maxOutdegree),
    };
    if (violation === undefined || at === undefined) return { status, statistics, ...(budget ? { budget } : {}) };
    return { status, statistics, violation, trace: rebuildTrace(machine, store, transitions, at) };
  };

  const brokenInvariant = (state: S): Violation | undefined => {
    for (const invariant of invariants) if (!invariant.holds(state)) return invariantViolation(invariant);
    return undefined;
  };

  for (const state of machine.initialStates()) {
    generated++;
    const index = store.add(machine.encode(state), NO_STATE, INIT, 0);
    if (index < 0) continue;
    initialStates++;
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
      break;
    }
    head++;
    if (depth > deepest) deepest = depth;
    const state = machine.decode(store.bytes(index));
    let successors = 0;
    for (const step of machine.successors(state)) {
      successors++;
      generated++;
      const action = indexOf(step.action);
      firings[action]!++;
      const bytes = machine.encode(step.state);
      const added = store.add(bytes, index, INIT, depth + 1);
      if (added < 0) continue;
      // Record the transition only for new states: most successors are duplicates.
      store.setTransition(added, transitions.intern(action, step.params));
      newStates[action]!++;
      if (depth + 1 > deepest) deepest = depth + 1;
      const violation = brokenInvariant(step.state);
      if (violation) return finish("violation", violation, added);
      if (store.size >= maxStates) {
        budget = `the state budget of ${maxStates} distinct states`;
        return finish("budget");
      }
    }
    outdegrees[Math.min(successors, OUTDEGREE_BUCKETS - 1)]!++;
    if (successors > maxOutdegree) maxOutdegree = successors;
    if (successors === 0 && checkDeadlock) return finish("violation", DEADLOCK, index);
    if (onProgress !== undefined && (head & (CLOCK_STRIDE - 1)) === 0) {
      const now = performance.now();
      if (now - lastProgress >= progressInterval) {
        lastProgress = now;
        onProgress({ generated, distinct: store.size, queue: store.size - head, depth: deepest + 1, seconds: (now - started) / 1000 });
      }
    }
  }
  return finish(budget === undefined ? "ok" : "budget");
}

function outdegreeOf(histogram: Float64Array, maximum: number): { outdegree?: Outdegree } {
  let expanded = 0;
  let total = 0;
  let minimum = -1;
  histogram.forEach((count, degree) => {
    if (count === 0) return;
    expanded += count;
    total += count * degree;
    if (minimum < 0) minimum = degree;
  });
  if (expanded === 0) return {};
  let seen = 0;
  let percentile95 = maximum;
  for (let degree = 0; degree < histogram.length; degree++) {
    seen += histogram[degree]!;
    if (seen >= 0.95 * expanded) {
      percentile95 = Math.min(degree, maximum);
      break;
    }
  }
  return { outdegree: { average: total / expanded, minimum, maximum, percentile95 } };
}

/** Follows parent links back to an initial state and replays the encodings into trace steps. */
function rebuildTrace<S>(machine: StateMachine<S>, store: StateStore, transitions: TransitionTable, last: number): TraceStep[] {
  const path: number[] = [];
  for (let index = last; index !== NO_STATE; index = store.parent(index)) path.push(index);
  path.reverse();
  return path.map((index) => {
    const state = machine.decode(store.bytes(index).slice());
    const transition = store.transition(index);
    if (transition === INIT) return { action: "Init", params: {}, state: machine.view(state) };
    return {
      action: machine.actions[transitions.action(transition)]!,
      params: transitions.paramsOf(transition),
      state: machine.view(state),
    };
  });
}
