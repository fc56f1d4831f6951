/**
 * The spec as a StateMachine, from a configuration already validated
 * (spec/index.ts's buildSpec validates, then calls this). Kept apart from
 * the configuration schema so that a worker thread of `check --workers`,
 * which receives a validated configuration, does not load the schema library.
 */
import type { StateMachine } from "../model/machine.js";
import { decode, encode } from "./codec.js";
import type { SpecConfig } from "./config-schema.js";
import { makeContext } from "./context.js";
import { fastSpec } from "./fast.js";
import { invariantsFor } from "./invariants.js";
import { SPEC_FAIRNESS, temporalPropertiesFor } from "./liveness.js";
import { applyLivenessMutant, livenessMutantNamed } from "./liveness-mutants.js";
import { mutantNamed } from "./mutants.js";
import { ACTION_NAMES, initialState, successors } from "./next.js";
import type { SpecState } from "./state.js";
import { canonicalizer } from "./symmetry.js";
import { SPEC_VARIABLES, view } from "./view.js";

export const SPEC_MACHINE_NAME = "multipager-spec";

export function buildCheckedSpec(valid: SpecConfig, mutant?: string): StateMachine<SpecState> {
  // A liveness mutant (spec/liveness-mutants.ts) rewrites the steps of the unmodified design.
  const livenessMutant = livenessMutantNamed(mutant);
  const ctx = makeContext(valid, livenessMutant === null ? mutantNamed(mutant) : null);
  const machine: StateMachine<SpecState> = {
    name: SPEC_MACHINE_NAME,
    actions: ACTION_NAMES,
    variables: SPEC_VARIABLES,
    invariants: invariantsFor(ctx),
    initialStates: () => [initialState(ctx)],
    successors: (s) => successors(ctx, s),
    encode: (s) => encode(ctx, s),
    decode: (b) => decode(ctx, b),
    view: (s) => view(ctx, s),
    // The checker's fast path (the design only: a mutant runs through the object version above).
    ...(ctx.mutant === null ? fastSpec(ctx) : {}),
    canonicalize: canonicalizer(ctx),
    fairness: SPEC_FAIRNESS,
    temporalProperties: temporalPropertiesFor(ctx),
  };
  return livenessMutant === null ? machine : applyLivenessMutant(ctx, machine, livenessMutant);
}

