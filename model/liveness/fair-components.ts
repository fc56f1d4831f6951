/**
 * Which states of a subgraph lie on a fair cycle, and which states can reach
 * one: the heart of checking `P ~> Q`. A counterexample is an infinite
 * behaviour that stays in the ¬Q states forever and is fair; every such
 * behaviour ends in a strongly connected set of ¬Q states that it visits
 * again and again, so it suffices to search the components of the ¬Q
 * subgraph for one that a fair cycle can cover.
 *
 * Stuttering is allowed (TLA+'s □[Next]_vars): every state has an implicit
 * step to itself that takes no action, so even a single state is a cycle,
 * fair exactly when no fair action instance is enabled in it.
 *
 * A component C is fair when
 *   - for every weakly fair instance enabled in *every* state of C, some
 *     edge inside C takes it (otherwise a cycle through all of C keeps it
 *     enabled forever and never takes it, and no smaller cycle does better);
 *   - for every strongly fair instance enabled in *some* state of C, some
 *     edge inside C takes it. If not, no fair cycle can visit a state where
 *     that instance is enabled: those states are removed and the rest is
 *     split into components again, recursively (the usual Streett-style
 *     refinement).
 */
import { type Components, type EdgeLists, SccScratch, stronglyConnectedComponents } from "./scc.js";

export const WEAK = 0;
export const STRONG = 1;

/** The fairness labelling of a graph's edges. */
export interface FairnessLabels {
  /** Fairness instance taken by each edge, or -1 for an unfair action. */
  readonly edgeInstance: Int32Array;
  /** WEAK or STRONG, per instance. */
  readonly instanceKind: Uint8Array;
}

export interface FairAnalysis {
  readonly components: Components;
  /** Main component label (unique id) of each member state. */
  readonly componentOf: Int32Array;
  readonly firstComponentLabel: number;
  /** Per main component (0-based, completion order): can it reach a fair cycle inside the subgraph? */
  readonly canReachFair: Uint8Array;
  /** Per state: id of the fair (sub)component it belongs to, -1 if none. */
  readonly fairId: Int32Array;
  /** How many fair (sub)components were found. */
  readonly fairComponents: number;
  /** How many components (including refinements) were examined. */
  readonly examined: number;
}

export class FairComponentFinder {
  private readonly scratch: SccScratch;
  private readonly componentOf: Int32Array;
  private readonly subLabel: Int32Array;
  private readonly subSet: Uint8Array;
  private readonly fairId: Int32Array;
  private readonly seenAt: Int32Array;
  private readonly count: Int32Array;
  private readonly taken: Uint8Array;
  private readonly touched: number[] = [];
  private tick = 0;
  private nextLabel = 0;
  private nextFair = 0;
  private examined = 0;

  constructor(private readonly graph: EdgeLists, private readonly labels: FairnessLabels, stateCount: number) {
    this.scratch = new SccScratch(stateCount);
    this.componentOf = new Int32Array(stateCount).fill(-1);
    this.subLabel = new Int32Array(stateCount).fill(-1);
    this.subSet = new Uint8Array(stateCount);
    this.fairId = new Int32Array(stateCount);
    const instances = labels.instanceKind.length;
    this.seenAt = new Int32Array(instances);
    this.count = new Int32Array(instances);
    this.taken = new Uint8Array(instances);
  }

  /**
   * Analyses the subgraph induced by `members` (`inSet[v] === 1` exactly for
   * them). The arrays of the result are reused by the next call.
   */
  analyse(members: Int32Array, inSet: Uint8Array): FairAnalysis {
    const { edgeStart, edgeTarget } = this.graph;
    this.fairId.fill(-1);
    this.nextFair = 0;
    this.examined = 0;
    const first = this.nextLabel;
    const components = stronglyConnectedComponents(this.graph, members, inSet, this.scratch, this.componentOf, first);
    this.nextLabel += components.count;
    const canReachFair = new Uint8Array(components.count);
    for (let c = 0; c < components.count; c++) {
      const states = components.order.subarray(components.starts[c]!, components.starts[c + 1]!);
      const label = first + c;
      let reach = this.searchFair(states, this.componentOf, label);
      for (let m = 0; m < states.length && !reach; m++) {
        const u = states[m]!;
        for (let e = edgeStart[u]!; e < edgeStart[u + 1]!; e++) {
          const w = edgeTarget[e]!;
          if (inSet[w] !== 1) continue;
          const other = this.componentOf[w]! - first;
          if (other !== c && canReachFair[other] === 1) {
            reach = true;
            break;
          }
        }
      }
      canReachFair[c] = reach ? 1 : 0;
    }
    return {
      components,
      componentOf: this.componentOf,
      firstComponentLabel: first,
      canReachFair,
      fairId: this.fairId,
      fairComponents: this.nextFair,
      examined: this.examined,
    };
  }

  /**
   * Marks the fair (sub)components of the component `states` (whose members
   * have `labelOf[v] === label`) in fairId; true if there is one.
   */
  private searchFair(states: Int32Array, labelOf: Int32Array, label: number): boolean {
    this.examined++;
    const { edgeStart, edgeTarget } = this.graph;
    const { edgeInstance, instanceKind } = this.labels;
    const { seenAt, count, taken, touched } = this;
    for (let m = 0; m < states.length; m++) {
      const u = states[m]!;
      const tick = ++this.tick;
      for (let e = edgeStart[u]!; e < edgeStart[u + 1]!; e++) {
        const i = edgeInstance[e]!;
        if (i < 0) continue;
        if (seenAt[i] !== tick) {
          seenAt[i] = tick;
          if (count[i] === 0) touched.push(i);
          count[i] = count[i]! + 1;
        }
        if (labelOf[edgeTarget[e]!] === label) taken[i] = 1;
      }
    }
    let fair = true;
    const unanswered: number[] = [];
    for (const i of touched) {
      if (taken[i] === 1) continue;
      if (instanceKind[i] === STRONG) {
        fair = false;
        unanswered.push(i);
      } else if (count[i] === states.length) {
        fair = false;
      }
    }
    for (const i of touched) {
      count[i] = 0;
      taken[i] = 0;
    }
    touched.length = 0;
    if (fair) {
      const id = this.nextFair++;
      for (let m = 0; m < states.length; m++) this.fairId[states[m]!] = id;
      return true;
    }
    if (unanswered.length === 0) return false;
    return this.refine(states, unanswered);
  }

  /** Drops the states where an unanswered strongly fair instance is enabled and searches what is left. */
  private refine(states: Int32Array, unanswered: readonly number[]): boolean {
    const { edgeStart } = this.graph;
    const { edgeInstance } = this.labels;
    const blocked = new Set(unanswered);
    const kept: number[] = [];
    for (let m = 0; m < states.length; m++) {
      const u = states[m]!;
      let enables = false;
      for (let e = edgeStart[u]!; e < edgeStart[u + 1]! && !enables; e++) enables = blocked.has(edgeInstance[e]!);
      if (!enables) kept.push(u);
    }
    if (kept.length === 0) return false;
    const members = Int32Array.from(kept);
    for (const u of kept) this.subSet[u] = 1;
    const first = this.nextLabel;
    const components = stronglyConnectedComponents(this.graph, members, this.subSet, this.scratch, this.subLabel, first);
    this.nextLabel += components.count;
    for (const u of kept) this.subSet[u] = 0;
    let found = false;
    for (let c = 0; c < components.count; c++) {
      const sub = components.order.slice(components.starts[c]!, components.starts[c + 1]!);
      if (this.searchFair(sub, this.subLabel, first + c)) found = true;
    }
    return found;
  }
}
