/**
 * Temporal properties and fairness, as a TLA+ user writes them beside a
 * specification: `P ~> Q` (leads-to) checked on every behaviour that
 * satisfies the fairness conditions `WF_vars(A)` / `SF_vars(A)`.
 *
 * model/ stays generic: a machine declares these next to its invariants
 * (StateMachine.fairness / StateMachine.temporalProperties, both optional)
 * and the liveness engine (check.ts) checks them on the explored state graph.
 */
import type { ActionParams } from "../machine.js";

/**
 * Weak fairness (WF): an action instance that stays enabled forever is
 * eventually taken (◇□ENABLED A ⇒ □◇A). Strong fairness (SF): an action
 * instance that is enabled again and again is eventually taken
 * (□◇ENABLED A ⇒ □◇A).
 */
export type FairnessKind = "weak" | "strong";

/**
 * A fairness condition on one action, e.g. WF_vars(Dispatch(t)) for every
 * thread t: `{ action: "Dispatch", kind: "weak", per: ["thread"] }`, or on a
 * disjunction of actions, e.g. SF_vars(Resolve(p, t) \/ Refuse(p, t)):
 * `{ action: ["Resolve", "Refuse"], kind: "strong", per: ["pager", "thread"] }`.
 * Actions without a condition (a task's own choices) are unfair: a behaviour
 * may never take them.
 *
 * As in TLA+ (WF_vars(A) is about <<A>>_vars steps), a step that leaves the
 * state unchanged neither takes an action nor makes it enabled.
 */
export interface Fairness {
  readonly action: string | readonly string[];
  readonly kind: FairnessKind;
  /**
   * The action's params that separate fairness instances: each combination
   * of their values is fair on its own (WF per thread), the remaining params
   * are existentially quantified inside the instance. Omitted or empty: one
   * instance for the action as a whole (WF_vars(\E t : Dispatch(t))).
   */
  readonly per?: readonly string[];
  /** Why this party is assumed fair (printed with --liveness). */
  readonly reason?: string;
}

/**
 * A leads-to property `premise ~> response`, i.e. □(premise ⇒ ◇response):
 * whenever the premise holds, the response holds then or at some later
 * state. "Always eventually Q" (□◇Q) is `TRUE ~> Q`.
 *
 * A parameterised property (∀ t : Blocked(t) ~> Resumed(t)) lists its
 * instances; each is checked on its own and a counterexample names it.
 */
export interface TemporalProperty<S> {
  readonly name: string;
  /** The sentence (of the paper, for spec/) the property encodes. */
  readonly quote: string;
  /** The formula in TLA+-like notation, shown in reports, e.g. "\\A t : Blocked(t) ~> Resumed(t)". */
  readonly formula: string;
  /** One entry per instance (e.g. { thread: 2 }); omitted: a single instance {}. */
  readonly instances?: readonly ActionParams[];
  readonly premise: (state: S, instance: ActionParams) => boolean;
  readonly response: (state: S, instance: ActionParams) => boolean;
}
