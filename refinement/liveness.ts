/**
 * Refinement with liveness: the spec's promises of progress
 * (spec/liveness.ts), seen through the abstraction function, checked on the
 * concrete kernel's state graph under the kernel's own fairness
 * (impl/fairness.ts). Safety refinement says every concrete step is a spec
 * step or a stutter; it cannot see a kernel that leaves a faulted thread
 * blocked for ever, because stuttering for ever is a spec behaviour too.
 * Here a concrete behaviour that is fair for the kernel (the scheduler runs
 * every runnable thread, kernel steps happen, pagers keep receiving and
 * answer what they hold) must satisfy every temporal property of the spec on
 * its abstract image: a violation is a concrete lasso.
 *
 * The machine is the refinement product itself (refinement/product.ts), so
 * one run checks the refinement obligations on every state and step, then
 * the temporal properties on the complete graph, as `check --liveness` does
 * for the spec.
 */
import { checkLiveness, type LiveMachine, type LivenessOptions, type LivenessResult } from "../model/liveness/check.js";
import type { TemporalProperty } from "../model/liveness/temporal.js";
import type { ClosingStep, TraceStep, Violation } from "../model/trace.js";
import type { SpecState } from "../spec/index.js";
import { AbstractionError } from "./abstraction.js";
import { refinementSteps, violationOf, type ProductState, type Refinement } from "./product.js";

/** A spec property read on the abstract image of a product state (a state without an image has no pending obligation: it is a safety failure). */
function throughAbstraction(refinement: Refinement, property: TemporalProperty<SpecState>): TemporalProperty<ProductState> {
  const image = (s: ProductState): SpecState | null => {
    const abstract = refinement.abstractOf(s.concrete);
    return abstract instanceof AbstractionError ? null : abstract;
  };
  return {
    ...property,
    premise: (s, instance) => {
      const abstract = image(s);
      return abstract !== null && property.premise(abstract, instance);
    },
    response: (s, instance) => {
      const abstract = image(s);
      return abstract === null || property.response(abstract, instance);
    },
  };
}

/** The refinement product with the kernel's fairness and the spec's temporal properties through the abstraction function. */
export function liveRefinement(refinement: Refinement): LiveMachine<ProductState> {
  return {
    ...refinement.product,
    fairness: refinement.concrete.fairness ?? [],
    temporalProperties: (refinement.spec.temporalProperties ?? []).map((property) => throughAbstraction(refinement, property)),
  };
}

export interface RefinementLivenessResult {
  readonly result: LivenessResult;
  /** A safety failure's trace or a liveness lasso, with abstract images (and, for a lasso, the step that closes its cycle, as `check` records it). */
  readonly counterexample?: { readonly steps: TraceStep[]; readonly violation: Violation; readonly loop?: number; readonly closing?: ClosingStep };
}

/** `refine --liveness`: the product's graph, its obligations on the way, then the temporal properties; a counterexample with its abstract images. */
export function checkRefinementLiveness(refinement: Refinement, options: LivenessOptions = {}): RefinementLivenessResult {
  const result = checkLiveness(liveRefinement(refinement), { checkDeadlock: false, ...options });
  if (result.violation === undefined || result.trace === undefined) return { result };
  const replayed = refinementSteps(refinement, result.trace);
  if (result.violation.kind !== "liveness") {
    return { result, counterexample: { steps: replayed.steps, violation: violationOf(refinement, replayed.last, result.violation.name) } };
  }
  const lasso = { ...(result.loop !== undefined ? { loop: result.loop } : {}), ...(result.closing !== undefined ? { closing: result.closing } : {}) };
  return { result, counterexample: { steps: replayed.steps, violation: result.violation, ...lasso } };
}
