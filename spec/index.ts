/**
 * The abstract specification of the multi-pager design as a StateMachine
 * (model/machine.ts): buildSpec, the named configurations, configuration
 * files, and the seeded design bugs.
 */
import { existsSync } from "node:fs";
import { InputError } from "../model/input-error.js";
import { parseJsonInput, readInputText } from "../model/input-file.js";
import type { StateMachine } from "../model/machine.js";
import type { MachineSource } from "../model/parallel.js";
import { type SpecConfig, validateConfig } from "./config-schema.js";
import { buildCheckedSpec, type SpecMachine } from "./build.js";
import { namedConfigs } from "./configs.js";
import type { SpecState } from "./state.js";

export type { SpecConfig } from "./config-schema.js";
export { LIMITS, SpecConfigSchema, validateConfig } from "./config-schema.js";
export { DEFAULT_CONFIG, namedConfigs, type NamedConfig } from "./configs.js";
export { MUTANTS, isLivenessMutant, livenessMutants, rulesFor, specMutants, type LivenessMutant, type Mutant, type MutantName, type SpecMutant } from "./mutants.js";
export { SPEC_FAIRNESS, TEMPORAL_PROPERTY_NAMES, temporalPropertiesFor } from "./liveness.js";
export { DESIGN, type DesignRules } from "./rules.js";
export { ACTION_NAMES, designSpec } from "./design.js";
export { buildWithRules, type SpecMachine } from "./build.js";
export { INVARIANT_NAMES, SPEC_INVARIANTS } from "./invariants.js";
export { SPEC_VARIABLES } from "./view.js";
export type * from "./state.js";

export { SPEC_MACHINE_NAME } from "./build.js";

export function buildSpec(config: SpecConfig, mutant?: string): SpecMachine {
  return buildCheckedSpec(validateConfig(config, "configuration"), mutant);
}

/** Where a worker thread of `check --workers` builds the same machine (model/parallel.ts). */
export function specSource(config: SpecConfig, mutant?: string): MachineSource {
  const valid = validateConfig(config, "configuration");
  return { module: new URL("./build.js", import.meta.url).href, exportName: "buildCheckedSpec", args: mutant === undefined ? [valid] : [valid, mutant] };
}

/**
 * A named configuration, or else a JSON file validated against
 * SpecConfigSchema. Throws InputError: "usage" for a name that is neither a
 * configuration nor a readable file, "bad-input" for a bad file.
 */
export function loadConfig(nameOrPath: string): { name: string; config: SpecConfig } {
  const named = namedConfigs.find((c) => c.name === nameOrPath);
  if (named) return { name: named.name, config: named.config };
  const looksLikePath = nameOrPath.endsWith(".json") || nameOrPath.includes("/");
  if (!looksLikePath && !existsSync(nameOrPath)) {
    throw new InputError(`unknown configuration "${nameOrPath}" (named: ${namedConfigs.map((c) => c.name).join(", ")}; or a .json file)`, "usage");
  }
  const json = parseJsonInput(readInputText(nameOrPath, "configuration file"), nameOrPath);
  return { name: nameOrPath, config: validateConfig(json, nameOrPath) };
}
