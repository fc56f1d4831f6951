/**
 * Shortening a long counterexample (a random simulation's, a property-based
 * run's) before it is written, keeping only the steps the violation needs.
 *
 * Three passes, each result re-validated by replaying it on the machine:
 *  1. shortcuts: breadth-first search from the initial state to the violating
 *     state through the trace's own states, using any transition between two
 *     of them (a random walk often wanders off and comes back);
 *  2. delta debugging (Zeller's ddmin) over the remaining steps: drop a chunk
 *     of steps, replay the rest skipping steps that are no longer enabled
 *     (a dropped trap takes its dispatch with it) and stopping at the first
 *     violating state; keep the result when it still ends in a violation;
 *     down to single steps (1-minimal);
 *  3. a breadth-first search for a violation in at most that many steps,
 *     within a state budget (the shortest trace, whenever the budget allows).
 * The result is a valid trace of the same machine ending in the same kind of
 * violation; its states are recomputed, never patched.
 */
import type { StateMachine } from "../model/machine.js";
import { canonicalJson, type TraceStep } from "../model/trace.js";
import { walk, type Label } from "./replay.js";

/** At most this many replays in the delta-debugging pass (each costs one walk of the trace). */
export const DEFAULT_REPLAY_BUDGET = 5000;
/** At most this many states in the final bounded breadth-first search. */
export const DEFAULT_SEARCH_STATES = 20_000;

export interface ShortenResult {
  readonly steps: readonly TraceStep[];
  /** Number of steps (transitions) before and after. */
  readonly originalLength: number;
  readonly length: number;
}

function keyOf(machine: StateMachine<unknown>, state: unknown): string {
  return Buffer.from(machine.encode(state)).toString("base64");
}

/** Replays labels from the initial state; the states, or undefined when a label is not enabled. */
function statesOf<S>(machine: StateMachine<S>, initial: TraceStep, labels: readonly Label[]): readonly S[] | undefined {
  const result = walk(machine, [initial, ...labels.map((label) => ({ ...label, state: {} }))]);
  return result.kind === "applies" ? result.states : undefined;
}

function toSteps<S>(machine: StateMachine<S>, initial: TraceStep, labels: readonly Label[], states: readonly S[]): TraceStep[] {
  return [initial, ...labels.map((label, index) => ({ action: label.action, params: label.params, state: machine.view(states[index + 1]!) }))];
}

/** Pass 1: the shortest path to the last state through the trace's states. */
function shortcut<S>(machine: StateMachine<S>, states: readonly S[], labels: readonly Label[]): Label[] {
  const m = machine as StateMachine<unknown>;
  // First occurrence of each distinct state: a revisit is itself a shortcut.
  const indexOf = new Map<string, number>();
  states.forEach((state, index) => {
    const key = keyOf(m, state);
    if (!indexOf.has(key)) indexOf.set(key, index);
  });
  const end = states.length - 1;
  const last = indexOf.get(keyOf(m, states[end]!))!;
  const previous = new Map<number, { from: number; label: Label }>();
  const queue = [0];
  const seen = new Set([0]);
  for (let head = 0; head < queue.length && !seen.has(last); head++) {
    const from = queue[head]!;
    const edges: { to: number; label: Label }[] = [];
    if (from < end) edges.push({ to: from + 1, label: labels[from]! });
    for (const step of machine.successors(states[from]!)) {
      const to = indexOf.get(keyOf(m, step.state));
      if (to !== undefined && to > from + 1) edges.push({ to, label: { action: step.action, params: step.params } });
    }
    for (const edge of edges) {
      const to = edge.to;
      if (seen.has(to)) continue;
      seen.add(to);
      previous.set(to, { from, label: edge.label });
      queue.push(to);
    }
  }
  const path: Label[] = [];
  for (let at = last; at !== 0; ) {
    const edge = previous.get(at);
    if (edge === undefined) return [...labels];
    path.push(edge.label);
    at = edge.from;
  }
  return path.reverse();
}

/**
 * Replays labels leniently, as QuickCheck shrinks command sequences: a label
 * that is not enabled any more is skipped, and the replay stops at the first
 * violating state. The labels actually taken, when it ends in a violation.
 */
function lenient<S>(machine: StateMachine<S>, initial: S, labels: readonly Label[], violates: (state: S) => boolean): Label[] | undefined {
  let state = initial;
  if (violates(state)) return [];
  const taken: Label[] = [];
  for (const label of labels) {
    const key = canonicalJson(label.params);
    const next = [...machine.successors(state)].find((step) => step.action === label.action && canonicalJson(step.params) === key);
    if (next === undefined) continue;
    state = next.state;
    taken.push(label);
    if (violates(state)) return taken;
  }
  return undefined;
}

/**
 * Pass 2: ddmin over the labels (drop a chunk, keep what still replays to a
 * violation), then single steps until no one step can go (1-minimal).
 */
function ddmin(labels: Label[], test: (candidate: Label[]) => Label[] | undefined, budget: number): Label[] {
  let current = labels;
  let granularity = 2;
  let replays = 0;
  while (current.length >= 2 && replays < budget) {
    const chunk = Math.ceil(current.length / granularity);
    let reduced = false;
    for (let start = 0; start < current.length && replays < budget; start += chunk) {
      replays++;
      const kept = test([...current.slice(0, start), ...current.slice(start + chunk)]);
      if (kept !== undefined && kept.length < current.length) {
        current = kept;
        granularity = Math.max(granularity - 1, 2);
        reduced = true;
        break;
      }
    }
    if (!reduced) {
      if (granularity >= current.length) break;
      granularity = Math.min(granularity * 2, current.length);
    }
  }
  return current;
}

/**
 * Pass 3: breadth-first search from the initial state for a violating state
 * at most `bound` steps away, within a state budget. On small configurations
 * this finds the shortest trace, and the first one in the order of the
 * machine's successors, which is the one exhaustive checking reports: the
 * same bug found by simulation and by `check` gets the same trace and id. On
 * large configurations it gives up at the budget and the 1-minimal trace
 * stands.
 */
function boundedSearch<S>(machine: StateMachine<S>, initial: S, bound: number, violates: (state: S) => boolean, maxStates: number): Label[] | undefined {
  const m = machine as StateMachine<unknown>;
  const parent = new Map<string, { from: string; label: Label } | null>([[keyOf(m, initial), null]]);
  let frontier: { state: S; key: string }[] = [{ state: initial, key: keyOf(m, initial) }];
  for (let depth = 1; depth <= bound && frontier.length > 0; depth++) {
    const next: { state: S; key: string }[] = [];
    for (const { state, key } of frontier) {
      for (const step of machine.successors(state)) {
        const stepKey = keyOf(m, step.state);
        if (parent.has(stepKey)) continue;
        if (parent.size >= maxStates) return undefined;
        parent.set(stepKey, { from: key, label: { action: step.action, params: step.params } });
        if (violates(step.state)) {
          const path: Label[] = [];
          for (let at = parent.get(stepKey); at !== null && at !== undefined; at = parent.get(at.from)) path.push(at.label);
          return path.reverse();
        }
        next.push({ state: step.state, key: stepKey });
      }
    }
    frontier = next;
  }
  return undefined;
}

/**
 * Shortens a trace whose last state violates `violates`. The input must
 * replay on the machine; a trace that does not is returned unchanged.
 */
export function shortenTrace<S>(
  machine: StateMachine<S>,
  steps: readonly TraceStep[],
  violates: (state: S) => boolean,
  budget = DEFAULT_REPLAY_BUDGET,
  maxStates = DEFAULT_SEARCH_STATES,
): ShortenResult {
  const originalLength = steps.length - 1;
  const unchanged = { steps, originalLength, length: originalLength };
  const initial = steps[0]!;
  const original = walk(machine, steps);
  if (original.kind !== "applies" || original.divergence !== undefined) return unchanged;
  const labels: Label[] = steps.slice(1).map((step) => ({ action: step.action, params: step.params }));
  if (!violates(original.states[original.states.length - 1]!)) return unchanged;

  const start = original.states[0]!;
  const test = (candidate: readonly Label[]) => lenient(machine, start, candidate, violates);
  let best = test(shortcut(machine, original.states, labels)) ?? test(labels) ?? labels;
  best = ddmin(best, test, budget);
  best = boundedSearch(machine, start, best.length, violates, maxStates) ?? best;
  const states = statesOf(machine, initial, best);
  // Equal length is kept too: the search's trace is the canonical one (see boundedSearch).
  if (states === undefined || best.length > originalLength) return unchanged;
  return { steps: toSteps(machine, initial, best, states), originalLength, length: best.length };
}
