/**
 * The design (or a seeded bug) as an induction problem for model/lang's
 * prover: IndInv = TypeOK, the eight invariants of spec/invariants.ts and
 * the lemmas of spec/lemmas.ts, with what every configuration guarantees
 * about its rigid facts.
 */
import type { BmcProblem } from "../../model/lang/bmc.js";
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

/**
 * The paper's scale (docs/prove.md): 16 tasks, 64 threads, 1020 regions of
 * 1024 pages, 256 frames, 2^31 markers; kernel-space addresses: the 4
 * regions of 1024 pages above the user part (the 4 GiB space holds 1024).
 */
export const PAPER_SIZES: Readonly<Record<string, number>> = {
  Task: 16,
  Thread: 64,
  Region: 1020,
  Page: 1024,
  Frame: 256,
  Marker: 2 ** 31,
  KernelAddress: 4 * 1024,
};

/**
 * The design's bounded search at the paper's scale. D4's wait chain walks
 * from a pager through threads each blocked on the next; only Dispatch
 * blocks a thread, one per step, and no thread is blocked initially, so
 * within K steps a chain holds at most K blocked threads and K + 1 hops find
 * any thread it reaches (exact, and far smaller than 64 hops).
 */
export function designBmcProblem(mutant: string | null): BmcProblem {
  const problem = designProblem(mutant);
  return {
    spec: problem.spec,
    invariants: problem.invariants,
    assumptions: problem.assumptions,
    ...(problem.boundedFacts === undefined ? {} : { boundedFacts: problem.boundedFacts }),
    sizes: PAPER_SIZES,
    reachHops: (depth) => depth + 1,
  };
}
