/**
 * The design (or a seeded bug) as an induction problem for model/lang's
 * prover: IndInv = TypeOK, the eight invariants of spec/invariants.ts and
 * the lemmas of spec/lemmas.ts, with what every configuration guarantees
 * about its rigid facts.
 */
import type { InductionProblem } from "../../model/lang/induction.js";
import type { SmtEncoding } from "../../model/lang/smt.js";
import { option } from "../../model/lang/types.js";
import { designSpec } from "../../spec/design.js";
import { SPEC_INVARIANTS } from "../../spec/invariants.js";
import { CONFIGURATION_FACTS, LEMMAS } from "../../spec/lemmas.js";
import { rulesFor } from "../../spec/mutants.js";
import { Pager, Thread } from "../../spec/vocabulary.js";

/**
 * spec/instance.ts numbers the threads so that l4Pager is the lowest-numbered
 * pager: said in SMT-LIB, since the language has no order on a sort.
 */
function lowestPagerIsL4(enc: SmtEncoding): string[] {
  const opt = enc.typeOf(option(Pager));
  const t = enc.sortOf(Thread);
  return [`(assert (forall ((t ${t})) (=> (${enc.symbol(Pager.name)}? t) (and ((_ is ${opt}.some) l4Pager) (<= (${opt}.value l4Pager) t)))))`];
}

export function designProblem(mutant: string | null): InductionProblem {
  return {
    spec: designSpec(rulesFor(mutant)),
    invariants: SPEC_INVARIANTS,
    lemmas: LEMMAS,
    assumptions: CONFIGURATION_FACTS,
    boundedFacts: lowestPagerIsL4,
  };
}
