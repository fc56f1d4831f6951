/**
 * The spec as a StateMachine, from a configuration already validated
 * (spec/index.ts's buildSpec validates, then calls this). Kept apart from
 * the configuration schema so that a worker thread of `check --workers`,
 * which receives a validated configuration, does not load the schema library.
 */
import { type LanguageMachine, languageMachine } from "../model/lang/machine.js";
import type { SpecConfig } from "./config-schema.js";
import { makeContext } from "./context.js";
import { SPEC_MACHINE_NAME, designSpec } from "./design.js";
import { instanceOf } from "./instance.js";
import { SPEC_FAIRNESS, temporalPropertiesFor } from "./liveness.js";
import { rulesFor } from "./mutants.js";
import type { DesignRules } from "./rules.js";
import type { SpecState } from "./state.js";
import { view } from "./view.js";

export { SPEC_MACHINE_NAME };

export type SpecMachine = LanguageMachine<SpecState>;

/** The design (or a seeded bug, by name) on a configuration. */
export function buildCheckedSpec(valid: SpecConfig, mutant?: string): SpecMachine {
  return buildWithRules(valid, rulesFor(mutant ?? null));
}

/** The design under any rules record: a variant decision is a rules record too. */
export function buildWithRules(valid: SpecConfig, rules: DesignRules): SpecMachine {
  const ctx = makeContext(valid);
  const machine = languageMachine<SpecState>(designSpec(rules), instanceOf(valid), { name: SPEC_MACHINE_NAME, view: (s) => view(ctx, s) });
  return { ...machine, fairness: SPEC_FAIRNESS, temporalProperties: temporalPropertiesFor(ctx) };
}
