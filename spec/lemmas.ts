/**
 * Strengthening lemmas for `multipager prove`: facts of every reachable
 * state that the paper does not state, written like invariants.ts, each with
 * the sentence that says why it holds. The inductive invariant is
 *
 *   IndInv = TypeOK /\ the eight invariants /\ these lemmas
 *
 * (TypeOK is generated from the types by model/lang/smt.ts: every field
 * holds a value of its declared type, a manager is a pager.) The eight
 * invariants with TypeOK are already inductive for this design; the lemmas
 * rule out states no behaviour reaches, so that a counterexample to
 * induction of a changed design starts from a state a reader recognises
 * (and, more often, from a reachable one: a bug rather than a missing
 * lemma). `check` does not check them; `prove` proves each of them
 * inductive, and `check --config` reaching a state that breaks one would be
 * caught by prove's init and step obligations first.
 *
 * CONFIGURATION_FACTS are not lemmas: they are what every configuration
 * guarantees about its rigid facts (spec/instance.ts), given to the solver
 * as assumptions, since it sees the rigid facts as unknown functions.
 */
import { TRUE, exists, forall, lit, some } from "../model/lang/ast.js";
import type { Invariant } from "../model/lang/spec.js";
import { Page, Pager, Region, Task, Thread, l4Pager, pageTable, regionTable } from "./vocabulary.js";

const define = (name: string, quote: string, holds: Invariant["holds"]): Invariant => ({ name, quote, holds });

export const LEMMAS: readonly Invariant[] = [
  /**
   * Only Map and Resolve make a page present, and both take the mapping
   * manager from the pagers.
   */
  define(
    "MappersArePagers",
    "Only Map and Resolve make a page present, and the manager that maps is always a pager.",
    forall(Task, (k) => forall(Region, (r) => forall(Page, (p) => pageTable.at(k, r, p).is(true).implies(pageTable.at(k, r, p).get("mapper").in(Pager))))),
  ),
  /**
   * Acceptance is set only by the region's manager (Map, Resolve, and Unmap
   * without REVOKE_AGREEMENT under D6), and every change of manager (D1)
   * resets it.
   */
  define(
    "AcceptedRegionsHaveAManager",
    "Only a region's manager accepts it, and assigning or clearing the manager resets acceptance (D1).",
    forall(Task, (k) => forall(Region, (r) => regionTable.at(k, r).get("accepted").implies(regionTable.at(k, r).get("manager").isNone().not()))),
  ),
  /**
   * A region without a manager was never managed, or was flushed when its
   * manager was cleared (D1): every page not present, marker 0. Only a
   * manager writes a marker (D8).
   */
  define(
    "UnmanagedRegionsAreBlank",
    "A region gets its pages and markers only from its manager (D8), and clearing the manager flushes them (D1).",
    forall(Task, (k) =>
      forall(Region, (r) => regionTable.at(k, r).get("manager").isNone().implies(forall(Page, (p) => pageTable.at(k, r, p).eq(pageTable.init([k, r, p]))))),
    ),
  ),
];

export const LEMMA_NAMES = LEMMAS.map((l) => l.name);

/** What every configuration guarantees about l4Pager (spec/instance.ts: the lowest-numbered pager, none without pagers). */
export const CONFIGURATION_FACTS: readonly Invariant[] = [
  define("ThreadZeroFirstAmongPagers", "Thread 0, when it is a pager, is the lowest-numbered pager.", lit(0, Thread).in(Pager).implies(l4Pager().eq(some(lit(0, Thread))))),
  define("SomePagerIsTheL4Pager", "With at least one pager, the L4-style pager is one.", exists(Pager, () => TRUE).implies(l4Pager().isNone().not())),
];
