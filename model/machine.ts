/**
 * The one interface through which any state machine plugs into the checker.
 *
 * model/ knows nothing about pagers, kernels or x86: spec/ (the abstract
 * design) and impl/ (the concrete kernel) each implement StateMachine<S>, and
 * every engine in model/ (breadth-first search, simulation, liveness) consumes
 * only this interface.
 */

/**
 * A value as it appears in a trace; exactly what the ITF trace format
 * (Apalache / Quint) can carry: integers, strings, booleans, lists, records,
 * and ITF's tagged objects written as records ({"#set": [...]},
 * {"#map": [[k, v], ...]}, {"#tup": [...]}, {"#bigint": "..."}).
 */
import type { Fairness, TemporalProperty } from "./liveness/temporal.js";
export type TraceValue =
  | boolean
  | number
  | string
  | readonly TraceValue[]
  | { readonly [field: string]: TraceValue };

/** Arguments of one firing of an action, e.g. { thread: 1, region: 0 }. */
export type ActionParams = Readonly<Record<string, TraceValue>>;

/** One labelled transition: which action fired, with which arguments, and the state it led to. */
export interface Step<S> {
  readonly action: string;
  readonly params: ActionParams;
  readonly state: S;
}

/** A named safety property checked on every reachable state. */
export interface Invariant<S> {
  readonly name: string;
  /** The sentence (of the paper, for spec/) that this invariant encodes. */
  readonly quote: string;
  readonly holds: (state: S) => boolean;
}

export interface StateMachine<S> {
  readonly name: string;
  /** Every action name successors() may emit; an action that never fires is reported by coverage. */
  readonly actions: readonly string[];
  /** The state variables, in the order view() lists them. */
  readonly variables: readonly string[];
  readonly invariants: readonly Invariant<S>[];

  initialStates(): Iterable<S>;
  successors(state: S): Iterable<Step<S>>;

  /**
   * Canonical, compact encoding: two states are equal exactly when their
   * encodings are byte-for-byte equal. The checker fingerprints and stores
   * encodings, never object graphs.
   */
  encode(state: S): Uint8Array;
  decode(bytes: Uint8Array): S;

  /** The state as trace variables (one entry per name in `variables`). */
  view(state: S): Readonly<Record<string, TraceValue>>;

  /**
   * Optional fast path for the checker: the successors of an encoded state as
   * encodings, with no state objects on the way. It must emit the same
   * successors as successors(decode(state)), in the same order (simulation
   * picks by position), each as (index of its action in `actions`,
   * encoding); `successor` may be a buffer that is reused once emit returns.
   */
  readonly expand?: (state: Uint8Array, emit: (action: number, successor: Uint8Array) => boolean | void, skip?: number) => number | void;

  /**
   * Optional, with `expand`: whether `expand` honours `skip` (the first
   * `skip` successors only counted, not built) and emit returning false (stop
   * early), returning how many successors there are. Simulation then picks a
   * successor without building the others.
   */
  readonly expandSkips?: boolean;

  /**
   * Optional fast path: the index in `invariants` of the first invariant the
   * encoded state breaks, or -1; the same verdict as the invariants' holds().
   */
  readonly brokenInvariant?: (state: Uint8Array) => number;

  /**
   * Optional symmetry reduction (`check --symmetry`): the encoding of one
   * fixed representative of the state's orbit under the permutations of
   * interchangeable components (e.g. threads, pagers, frames of the same
   * role). Sound only when the permutations map successors to successors and
   * preserve every invariant; the checker then explores one state per orbit.
   * Returns a fresh array or `state` itself.
   */
  readonly canonicalize?: (state: Uint8Array) => Uint8Array;

  /**
   * Optional, for `check --liveness`: fairness conditions per action, as
   * TLA+'s WF_vars / SF_vars (model/liveness/temporal.ts). Actions without
   * one are unfair.
   */
  readonly fairness?: readonly Fairness[];

  /** Optional, for `check --liveness`: leads-to properties P ~> Q, checked under `fairness` on the state graph. */
  readonly temporalProperties?: readonly TemporalProperty<S>[];
}
