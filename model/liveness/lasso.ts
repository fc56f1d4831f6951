/**
 * A counterexample to `P ~> Q` as a lasso: a stem from an initial state to a
 * state where P holds and Q does not, on through ¬Q states into a fair
 * component, then a cycle inside it that satisfies every fairness condition
 * and returns to where it started. Stem parts are shortest paths
 * (breadth-first); the cycle is built greedily, each time walking to the
 * nearest state that settles a still-open fairness obligation.
 */
import type { FairAnalysis, FairnessLabels } from "./fair-components.js";
import { STRONG } from "./fair-components.js";
import { shortestPath, type StateGraph } from "./graph.js";

/** Transition id of the closing step when the cycle is stuttering (no action). */
export const STUTTER = -1;

export interface LassoPath {
  /** Graph states, stem then cycle: the last state steps back to states[loop]. */
  readonly states: readonly number[];
  /** Transition id that led to each state (INIT_TRANSITION for an initial state). */
  readonly via: readonly number[];
  readonly loop: number;
  /** Transition id of the step from the last state back to states[loop]; STUTTER when the behaviour stutters there forever. */
  readonly closing: number;
}

class Walker {
  private readonly seen: Int32Array;
  private readonly previousEdge: Int32Array;
  private readonly previousState: Int32Array;
  private stamp = 0;

  constructor(private readonly graph: StateGraph) {
    this.seen = new Int32Array(graph.stateCount);
    this.previousEdge = new Int32Array(graph.stateCount);
    this.previousState = new Int32Array(graph.stateCount);
  }

  /** Edges of a shortest path from `from` through allowed states to the nearest goal state (empty if `from` is one), or undefined. */
  shortest(from: number, allowed: (v: number) => boolean, goal: (v: number) => boolean): number[] | undefined {
    const { edgeStart, edgeTarget } = this.graph;
    const stamp = ++this.stamp;
    const queue = [from];
    this.seen[from] = stamp;
    for (let head = 0; head < queue.length; head++) {
      const u = queue[head]!;
      if (goal(u)) {
        const edges: number[] = [];
        for (let v = u; v !== from; v = this.previousState[v]!) edges.push(this.previousEdge[v]!);
        return edges.reverse();
      }
      for (let e = edgeStart[u]!; e < edgeStart[u + 1]!; e++) {
        const w = edgeTarget[e]!;
        if (this.seen[w] === stamp || !allowed(w)) continue;
        this.seen[w] = stamp;
        this.previousEdge[w] = e;
        this.previousState[w] = u;
        queue.push(w);
      }
    }
    return undefined;
  }
}

/**
 * The lasso for one property instance, or undefined when the analysis found
 * no reachable fair cycle of ¬Q states after a P state. `inSet` marks the ¬Q
 * states; `premise(v)` tells whether P holds in state v.
 */
export function buildLasso(
  graph: StateGraph,
  labels: FairnessLabels,
  analysis: FairAnalysis,
  inSet: Uint8Array,
  premise: (v: number) => boolean,
): LassoPath | undefined {
  const { store, edgeTarget, edgeTransition } = graph;
  const { fairId, componentOf, canReachFair, firstComponentLabel } = analysis;

  // States are numbered in breadth-first order: the first bad premise state has the shortest stem.
  let start = -1;
  for (let v = 0; v < graph.stateCount && start < 0; v++) {
    if (inSet[v] === 1 && premise(v) && canReachFair[componentOf[v]! - firstComponentLabel] === 1) start = v;
  }
  if (start < 0) return undefined;

  const walker = new Walker(graph);
  const { toCycle, cycle } = cheapestEntry(graph, labels, fairId, inSet, start, walker);
  const stem = shortestPath(store, start);
  const states = [...stem];
  const via = stem.map((v) => store.transition(v));
  for (const e of toCycle) {
    states.push(edgeTarget[e]!);
    via.push(edgeTransition[e]!);
  }
  const loop = states.length - 1;
  if (cycle.length === 0) return { states, via, loop, closing: STUTTER };
  for (const e of cycle.slice(0, -1)) {
    states.push(edgeTarget[e]!);
    via.push(edgeTransition[e]!);
  }
  return { states, via, loop, closing: edgeTransition[cycle[cycle.length - 1]!]! };
}

/** How many fair states, nearest first, are tried as the cycle's entry. */
const ENTRY_CANDIDATES = 32;

/**
 * The way from `start` into a fair component and the cycle there, choosing
 * among the nearest fair states the one that gives the shortest lasso (a
 * state where the behaviour may simply stutter costs no cycle at all).
 */
function cheapestEntry(
  graph: StateGraph,
  labels: FairnessLabels,
  fairId: Int32Array,
  inSet: Uint8Array,
  start: number,
  walker: Walker,
): { toCycle: number[]; cycle: number[] } {
  const { edgeStart, edgeTarget } = graph;
  const distance = new Map<number, number>([[start, 0]]);
  const candidates: number[] = [];
  const queue = [start];
  for (let head = 0; head < queue.length && candidates.length < ENTRY_CANDIDATES; head++) {
    const u = queue[head]!;
    if (fairId[u]! >= 0) candidates.push(u);
    for (let e = edgeStart[u]!; e < edgeStart[u + 1]!; e++) {
      const w = edgeTarget[e]!;
      if (inSet[w] !== 1 || distance.has(w)) continue;
      distance.set(w, distance.get(u)! + 1);
      queue.push(w);
    }
  }
  if (candidates.length === 0) throw new Error("liveness: a component said to reach a fair cycle does not");
  const members = new Map<number, number[]>();
  let best: { entry: number; cycle: number[]; cost: number } | undefined;
  for (const entry of candidates) {
    const distanceToEntry = distance.get(entry)!;
    if (best !== undefined && distanceToEntry >= best.cost) break;
    const cycle = fairCycle(graph, labels, fairId, entry, walker, members);
    const cost = distanceToEntry + cycle.length;
    if (best === undefined || cost < best.cost) best = { entry, cycle, cost };
  }
  const entry = best!.entry;
  const toCycle = walker.shortest(start, (v) => inSet[v] === 1, (v) => v === entry)!;
  return { toCycle, cycle: best!.cycle };
}

/**
 * A closed walk from `entry` inside its fair component that is fair: every
 * weakly fair instance enabled at `entry` is taken or disabled somewhere on
 * it, and every strongly fair instance enabled anywhere in the component is
 * taken. Empty when nothing fair is enabled at `entry`: the behaviour may
 * stutter there forever.
 */
function fairCycle(
  graph: StateGraph,
  labels: FairnessLabels,
  fairId: Int32Array,
  entry: number,
  walker: Walker,
  membersOf: Map<number, number[]>,
): number[] {
  const { edgeStart, edgeTarget } = graph;
  const { edgeInstance, instanceKind } = labels;
  const component = fairId[entry]!;
  const inside = (v: number): boolean => fairId[v] === component;
  const enabledAt = (u: number): Set<number> => {
    const enabled = new Set<number>();
    for (let e = edgeStart[u]!; e < edgeStart[u + 1]!; e++) if (edgeInstance[e]! >= 0) enabled.add(edgeInstance[e]!);
    return enabled;
  };

  let members = membersOf.get(component);
  if (members === undefined) {
    members = [];
    for (let v = 0; v < graph.stateCount; v++) if (inside(v)) members.push(v);
    membersOf.set(component, members);
  }
  const enabledEverywhere = new Map<number, number>();
  const strongSomewhere = new Set<number>();
  for (const u of members) {
    for (const i of enabledAt(u)) {
      enabledEverywhere.set(i, (enabledEverywhere.get(i) ?? 0) + 1);
      if (instanceKind[i] === STRONG) strongSomewhere.add(i);
    }
  }
  /** Weakly fair instances that some state of the component disables: visiting that state settles them. */
  const mustVisitDisabled = new Set<number>();
  /** Instances the cycle must take. */
  const mustTake = new Set<number>(strongSomewhere);
  for (const i of enabledAt(entry)) {
    if (instanceKind[i] === STRONG) continue;
    if (enabledEverywhere.get(i) === members.length) mustTake.add(i);
    else mustVisitDisabled.add(i);
  }

  const settleState = (u: number): void => {
    if (mustVisitDisabled.size === 0) return;
    const enabled = enabledAt(u);
    for (const i of [...mustVisitDisabled]) if (!enabled.has(i)) mustVisitDisabled.delete(i);
  };
  const takeableEdge = (u: number): number => {
    for (let e = edgeStart[u]!; e < edgeStart[u + 1]!; e++) {
      if (mustTake.has(edgeInstance[e]!) && inside(edgeTarget[e]!)) return e;
    }
    return -1;
  };
  const settlesSomething = (u: number): boolean => {
    if (takeableEdge(u) >= 0) return true;
    if (mustVisitDisabled.size === 0) return false;
    const enabled = enabledAt(u);
    for (const i of mustVisitDisabled) if (!enabled.has(i)) return true;
    return false;
  };

  const walk: number[] = [];
  const follow = (e: number): void => {
    walk.push(e);
    mustTake.delete(edgeInstance[e]!);
    settleState(edgeTarget[e]!);
  };
  let current = entry;
  while (mustTake.size > 0 || mustVisitDisabled.size > 0) {
    const path = walker.shortest(current, inside, settlesSomething);
    if (path === undefined) throw new Error("liveness: a fair component cannot settle its fairness obligations");
    for (const e of path) follow(e);
    if (path.length > 0) current = edgeTarget[path[path.length - 1]!]!;
    const take = takeableEdge(current);
    if (take >= 0) {
      follow(take);
      current = edgeTarget[take]!;
    }
  }
  if (walk.length === 0) return walk;
  const back = walker.shortest(current, inside, (v) => v === entry);
  if (back === undefined) throw new Error("liveness: a fair component is not strongly connected");
  for (const e of back) walk.push(e);
  return walk;
}
