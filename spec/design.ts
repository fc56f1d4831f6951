/**
 * The design as a spec of the language: the vocabulary, the actions and the
 * invariants, under a rules record (the design's, a variant decision's or a
 * seeded bug's).
 */
import type { Spec } from "../model/lang/spec.js";
import { designActions } from "./actions.js";
import { SPEC_INVARIANTS } from "./invariants.js";
import { DESIGN, type DesignRules } from "./rules.js";
import { Frame, SORTS, Thread, VARIABLES, l4Pager, ownerOf, taskOf } from "./vocabulary.js";

export const SPEC_MACHINE_NAME = "multipager-spec";

export function designSpec(rules: DesignRules): Spec {
  return {
    name: SPEC_MACHINE_NAME,
    sorts: SORTS,
    rigids: [taskOf.decl, ownerOf.decl, l4Pager.decl],
    variables: VARIABLES,
    actions: designActions(rules),
    invariants: SPEC_INVARIANTS,
    // Nothing in the design tells two consumers of a task apart, or two pagers of a task with as many frames, or two frames of a pager.
    symmetric: [Thread, Frame],
  };
}

/** The design's actions by name, in the order successors are listed. */
export const ACTION_NAMES: readonly string[] = designActions(DESIGN).map((a) => a.name);
