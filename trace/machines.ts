/**
 * Rebuilds the machine a trace was found on from the trace's own metadata
 * (machine name, configuration value, mutant, architecture), so a trace file
 * is self-contained: whoever reads it can replay it without the command line
 * that produced it.
 */
import { InputError } from "../model/input-error.js";
import type { StateMachine } from "../model/machine.js";
import type { Trace } from "../model/trace.js";
import type { LiveMachine } from "../model/liveness/check.js";
import { makeContext } from "../spec/context.js";
import { SPEC_MACHINE_NAME, buildSpec, specMutants, validateConfig, type SpecConfig, type SpecState } from "../spec/index.js";
import { SPEC_FAIRNESS, temporalPropertiesFor } from "../spec/liveness.js";
import { mutantNamed } from "../spec/mutants.js";

/** Which variant of the design to replay against: the trace's own mutant, or another (null: the unmodified design). */
export interface MachineChoice {
  readonly mutant?: string | null;
}

export const KNOWN_MACHINES: readonly string[] = [SPEC_MACHINE_NAME];

/** Re-throws an InputError raised while rebuilding as a bad-input error that names the trace file. */
function asFileError<T>(source: string, field: string, build: () => T): T {
  try {
    return build();
  } catch (error) {
    if (error instanceof InputError) throw new InputError(`${source}: ${field}: ${error.message}`, "bad-input");
    throw error;
  }
}

/** The machine that produced the trace (kind "spec"); refinement traces are rebuilt by refinement/ (see replay.ts). */
export function specMachineFor(trace: Trace, source: string, choice: MachineChoice = {}): StateMachine<unknown> {
  if (trace.machine !== SPEC_MACHINE_NAME) {
    throw new InputError(`${source}: #meta.machine: unknown machine "${trace.machine}" (known: ${KNOWN_MACHINES.join(", ")})`);
  }
  const mutant = choice.mutant === undefined ? trace.mutant : choice.mutant;
  if (mutant !== null && !specMutants.some((m) => m.name === mutant)) {
    const known = specMutants.map((m) => m.name).join(", ");
    if (choice.mutant !== undefined) throw new InputError(`--mutant: unknown mutant "${mutant}" (known: ${known}, or none)`, "usage");
    throw new InputError(`${source}: #meta.mutant: unknown mutant "${mutant}" (known: ${known})`);
  }
  return asFileError(source, "#meta.configValue", () => withLiveness(trace.configValue as unknown as SpecConfig, mutant)) as StateMachine<unknown>;
}

/** The spec with its fairness and temporal properties (spec/liveness.ts), so lassos replay too. */
function withLiveness(config: SpecConfig, mutant: string | null): LiveMachine<SpecState> {
  const machine: LiveMachine<SpecState> = buildSpec(config, mutant ?? undefined);
  if (machine.temporalProperties !== undefined) return machine;
  const ctx = makeContext(validateConfig(config, "configuration"), mutantNamed(mutant ?? undefined));
  return { ...machine, fairness: SPEC_FAIRNESS, temporalProperties: temporalPropertiesFor(ctx) };
}

/** Every step names an action the machine has, and the first is the initial state; otherwise a one-line InputError naming the step. */
export function checkActions(trace: Trace, machine: StateMachine<unknown>, source: string): void {
  const known = new Set(machine.actions);
  trace.steps.forEach((step, index) => {
    if (index === 0) {
      if (step.action !== "Init") throw new InputError(`${source}: states[0].#meta.action: the first state must be "Init", got "${step.action}"`);
      return;
    }
    if (!known.has(step.action)) {
      throw new InputError(`${source}: states[${index}].#meta.action: unknown action "${step.action}" (${machine.name} has: ${machine.actions.join(", ")})`);
    }
  });
  const missing = machine.variables.filter((name) => !trace.vars.includes(name));
  if (missing.length > 0) throw new InputError(`${source}: vars: lacks ${missing.map((name) => `"${name}"`).join(", ")} of ${machine.name}`);
}

/** The violated invariant exists on the machine (for invariant traces). */
export function checkViolationName(trace: Trace, machine: StateMachine<unknown>, source: string): void {
  if (trace.violation.kind !== "invariant") return;
  if (!machine.invariants.some((invariant) => invariant.name === trace.violation.name)) {
    throw new InputError(
      `${source}: #meta.violation.name: unknown invariant "${trace.violation.name}" (${machine.name} has: ${machine.invariants.map((i) => i.name).join(", ")})`,
    );
  }
}
