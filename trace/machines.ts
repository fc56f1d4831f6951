/**
 * Rebuilds the machine a trace was found on (the spec, or the concrete
 * kernel on one of Table I's architectures) from the trace's own metadata
 * (machine name, configuration value, mutant, architecture), so a trace file
 * is self-contained: whoever reads it can replay it without the command line
 * that produced it.
 */
import { match } from "ts-pattern";
import { InputError } from "../model/input-error.js";
import type { LiveMachine } from "../model/liveness/check.js";
import type { StateMachine } from "../model/machine.js";
import { INDUCTION_START, startsFromInduction, type Trace } from "../model/trace.js";
import { TYPE_OK } from "../model/lang/smt.js";
import { LEMMA_NAMES } from "../spec/lemmas.js";
import { ARCH_NAMES } from "../impl/arch/index.js";
import { KERNEL_MACHINE_NAME, buildKernelMachine } from "../impl/machine.js";
import { kernelMutants } from "../impl/mutants.js";
import type { KernelConfig } from "../impl/kernel/config.js";
import { MUTANTS, SPEC_MACHINE_NAME, buildSpec, validateConfig, type SpecConfig, type SpecState } from "../spec/index.js";

/** Which variant of the design to replay against: the trace's own mutant, or another (null: the unmodified design). */
export interface MachineChoice {
  readonly mutant?: string | null;
}

export const KNOWN_MACHINES: readonly string[] = [SPEC_MACHINE_NAME, KERNEL_MACHINE_NAME];
/** The architecture a kernel trace without #meta.arch ran on: the paper's. */
export const DEFAULT_ARCH = "proposed";

/** Re-throws an InputError raised while rebuilding as a bad-input error that names the trace file. */
function asFileError<T>(source: string, field: string, build: () => T): T {
  try {
    return build();
  } catch (error) {
    if (error instanceof InputError) throw new InputError(`${source}: ${field}: ${error.message}`, "bad-input");
    throw error;
  }
}

/** The machine that produced the trace: the spec, or the concrete kernel (with its architecture); refinement traces by trace/refinement.ts. */
export function machineFor(trace: Trace, source: string, choice: MachineChoice = {}): StateMachine<unknown> {
  const mutant = choice.mutant === undefined ? trace.mutant : choice.mutant;
  const config = trace.configValue as unknown as SpecConfig;
  return match(trace.machine)
    .with(SPEC_MACHINE_NAME, () => {
      checkMutant(mutant, MUTANTS, choice, source);
      return asFileError(source, "#meta.configValue", () => specWithMutant(config, mutant)) as StateMachine<unknown>;
    })
    .with(KERNEL_MACHINE_NAME, () => {
      checkMutant(mutant, kernelMutants, choice, source);
      const arch = trace.arch ?? DEFAULT_ARCH;
      if (!(ARCH_NAMES as readonly string[]).includes(arch)) throw new InputError(`${source}: #meta.arch: unknown architecture "${arch}" (known: ${ARCH_NAMES.join(", ")})`);
      return asFileError(source, "#meta.configValue", () => buildKernelMachine(kernelTraceConfig(trace.configValue), arch, mutant ?? undefined)) as StateMachine<unknown>;
    })
    .otherwise(() => {
      throw new InputError(`${source}: #meta.machine: unknown machine "${trace.machine}" (known: ${KNOWN_MACHINES.join(", ")})`);
    });
}

/**
 * A kernel trace's configuration value: the kernel's own shape (with a
 * layout; validated with its bounds by buildKernelMachine) or the spec's
 * (validated here with the spec's bounds before it is converted).
 */
function kernelTraceConfig(value: unknown): KernelConfig | SpecConfig {
  if (value === null || typeof value !== "object" || Array.isArray(value)) throw new InputError(`expected a configuration object, got ${value === null ? "null" : Array.isArray(value) ? "an array" : `a ${typeof value}`}`);
  if ("layout" in value) return value as KernelConfig;
  return validateConfig(value, "spec-shaped configuration");
}

function checkMutant(mutant: string | null, known: ReadonlyArray<{ name: string }>, choice: MachineChoice, source: string): void {
  if (mutant === null || known.some((m) => m.name === mutant)) return;
  const names = known.map((m) => m.name).join(", ");
  if (choice.mutant !== undefined) throw new InputError(`--mutant: unknown mutant "${mutant}" (known: ${names}, or none)`, "usage");
  throw new InputError(`${source}: #meta.mutant: unknown mutant "${mutant}" (known: ${names})`);
}

/** The spec with a seeded design bug (spec/mutants.ts) planted, with its fairness and temporal properties, so lassos replay too. */
export function specWithMutant(config: SpecConfig, mutant: string | null): LiveMachine<SpecState> {
  return buildSpec(config, mutant ?? undefined);
}

/** Every step names an action the machine has, and the first is the initial state; otherwise a one-line InputError naming the step. */
export function checkActions(trace: Trace, machine: StateMachine<unknown>, source: string): void {
  const known = new Set(machine.actions);
  trace.steps.forEach((step, index) => {
    if (index === 0) {
      if (step.action !== "Init" && step.action !== INDUCTION_START) {
        throw new InputError(`${source}: states[0].#meta.action: the first state must be "Init" (or "${INDUCTION_START}" for a counterexample to induction), got "${step.action}"`);
      }
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
  // A counterexample to induction may break a lemma or TypeOK, conjuncts of IndInv that `check` does not check.
  if (startsFromInduction(trace) && [...LEMMA_NAMES, TYPE_OK].includes(trace.violation.name)) return;
  if (!machine.invariants.some((invariant) => invariant.name === trace.violation.name)) {
    throw new InputError(
      `${source}: #meta.violation.name: unknown invariant "${trace.violation.name}" (${machine.name} has: ${machine.invariants.map((i) => i.name).join(", ")})`,
    );
  }
}
