/**
 * Refinement traces (the concrete kernel against the spec): rebuilding the
 * product machine of refinement/ from a trace's metadata, replaying a trace
 * on it, and the implementation mutants' traces for the corpus.
 *
 * A refinement trace's configuration value is the refinement configuration:
 * { spec: <spec configuration>, cpus: N } (a bare spec configuration means
 * one CPU). Its violation names the broken obligation: a step obligation
 * (CommutingSquare, NoAbstractCounterpart, ...) or a representation
 * invariant of the concrete structures (TlbAgreesWithPageTables, ...); or,
 * for a lasso of `refine --liveness`, the spec's temporal property that a
 * fair behaviour of the kernel breaks on its abstract image.
 */
import { check } from "../model/check.js";
import { InputError } from "../model/input-error.js";
import type { StateMachine, TraceValue } from "../model/machine.js";
import type { ClosingStep, Trace, TraceStep } from "../model/trace.js";
import { kernelMutants } from "../impl/mutants.js";
import { KERNEL_LIMITS } from "../impl/kernel/config.js";
import { ARCH_NAMES } from "../impl/arch/index.js";
import { refinementConfigNamed } from "../refinement/configs.js";
import { OBLIGATIONS } from "../refinement/obligations.js";
import { REFINEMENT_MACHINE_NAME, STEP_OBLIGATIONS, buildRefinement, kernelConfigFor, refinementSteps, violationOf, type ProductState, type Refinement } from "../refinement/product.js";
import { checkRefinementLiveness, liveRefinement } from "../refinement/liveness.js";
import { TEMPORAL_PROPERTY_NAMES } from "../spec/index.js";
import { replayLasso } from "./lasso.js";
import { validateConfig, type SpecConfig } from "../spec/index.js";
import { DEFAULT_ARCH, type MachineChoice } from "./machines.js";
import { walk, type ReplayVerdict } from "./replay.js";
import { shortenTrace } from "./shorten.js";

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

/** A value in a message: a number or boolean as itself, anything else by its kind. */
const describe = (value: unknown): string =>
  typeof value === "number" || typeof value === "boolean" ? String(value) : value === null ? "null" : Array.isArray(value) ? "an array" : `a ${typeof value}`;

/** The spec configuration and CPU count a refinement trace was checked on. */
function setupOf(trace: Trace, source: string): { spec: SpecConfig; cpus: number } {
  const value = trace.configValue as unknown;
  if (!isRecord(value)) throw new InputError(`${source}: #meta.configValue: expected { spec, cpus } or a spec configuration, got ${describe(value)}`);
  const spec = "spec" in value ? value["spec"] : value;
  const cpus = "cpus" in value ? value["cpus"] : 1;
  if (typeof cpus !== "number" || !Number.isInteger(cpus) || cpus < 1 || cpus > KERNEL_LIMITS.cpus) {
    throw new InputError(`${source}: #meta.configValue.cpus: expected an integer in 1..${KERNEL_LIMITS.cpus}, got ${describe(cpus)}`);
  }
  try {
    return { spec: validateConfig(spec, "spec"), cpus };
  } catch (error) {
    if (error instanceof InputError) throw new InputError(`${source}: #meta.configValue: ${error.message}`);
    throw error;
  }
}

/** The refinement product a refinement trace was found on. */
export function refinementFor(trace: Trace, source: string, choice: MachineChoice = {}): Refinement {
  if (trace.machine !== REFINEMENT_MACHINE_NAME) {
    throw new InputError(`${source}: #meta.machine: a refinement trace must name "${REFINEMENT_MACHINE_NAME}", got "${trace.machine}"`);
  }
  const mutant = choice.mutant === undefined ? trace.mutant : choice.mutant;
  if (mutant !== null && !kernelMutants.some((m) => m.name === mutant)) {
    const names = kernelMutants.map((m) => m.name).join(", ");
    if (choice.mutant !== undefined) throw new InputError(`--mutant: unknown implementation mutant "${mutant}" (known: ${names}, or none)`, "usage");
    throw new InputError(`${source}: #meta.mutant: unknown implementation mutant "${mutant}" (known: ${names})`);
  }
  const arch = trace.arch ?? DEFAULT_ARCH;
  if (!(ARCH_NAMES as readonly string[]).includes(arch)) throw new InputError(`${source}: #meta.arch: unknown architecture "${arch}" (known: ${ARCH_NAMES.join(", ")})`);
  const { spec, cpus } = setupOf(trace, source);
  return buildRefinement({ spec, kernel: kernelConfigFor(spec, cpus), arch, mutant: mutant ?? undefined });
}

const KNOWN_OBLIGATIONS = [...Object.keys(STEP_OBLIGATIONS), ...OBLIGATIONS.map((o) => o.name)];

/** Does the last product state still break the obligation the trace names? */
function breaks(refinement: Refinement, last: ProductState, name: string): boolean {
  if (last.failure !== null) return last.failure.obligation === name || name === "StepRefines";
  const invariant = refinement.product.invariants.find((i) => i.name === name);
  return invariant !== undefined && !invariant.holds(last);
}

/** The product machine of a refinement trace, with the file's obligation and actions checked against it. */
export function validatedRefinement(trace: Trace, source: string, choice: MachineChoice = {}): Refinement {
  const name = trace.violation.name;
  if (trace.violation.kind === "liveness") {
    if (!(TEMPORAL_PROPERTY_NAMES as readonly string[]).includes(name)) {
      throw new InputError(`${source}: #meta.violation.name: unknown temporal property "${name}" (known: ${TEMPORAL_PROPERTY_NAMES.join(", ")})`);
    }
    if (trace.loop === undefined) throw new InputError(`${source}: a liveness trace without a "loop" index`);
  } else if (!KNOWN_OBLIGATIONS.includes(name) && name !== "StepRefines") {
    throw new InputError(`${source}: #meta.violation.name: unknown refinement obligation "${name}" (known: ${KNOWN_OBLIGATIONS.join(", ")})`);
  }
  const refinement = refinementFor(trace, source, choice);
  const product = refinement.product;
  const known = new Set(product.actions);
  trace.steps.forEach((step, index) => {
    if (index === 0 && step.action !== "Init") throw new InputError(`${source}: states[0].#meta.action: the first state must be "Init", got "${step.action}"`);
    if (index > 0 && !known.has(step.action)) throw new InputError(`${source}: states[${index}].#meta.action: unknown action "${step.action}" (${product.name} has: ${product.actions.join(", ")})`);
  });
  return refinement;
}

export function replayRefinement(trace: Trace, source: string, choice: MachineChoice = {}): ReplayVerdict {
  const name = trace.violation.name;
  const refinement = validatedRefinement(trace, source, choice);
  if (trace.violation.kind === "liveness") return replayLasso(liveRefinement(refinement), trace);
  const product = refinement.product as StateMachine<ProductState>;
  const result = walk(product, trace.steps);
  if (result.kind === "stuck") return { kind: "does-not-apply", step: result.step, reason: result.reason };
  const last = result.states[result.states.length - 1]!;
  const divergence = result.divergence === undefined ? {} : { divergence: result.divergence };
  if (breaks(refinement, last, name)) return { kind: "reproduces", steps: trace.steps.length - 1, ...divergence };
  return { kind: "fixed", steps: trace.steps.length - 1, detail: `obligation ${name} holds after the last step now`, ...divergence };
}

/**
 * Shortens a refinement counterexample (a random or property-based run's)
 * with trace/shorten.ts over the product machine, then rebuilds its abstract
 * images. `steps` are the product's steps (concrete labels and views); the
 * obligation is the name the trace's violation carries.
 */
export function shortenRefinementTrace(
  refinement: Refinement,
  steps: readonly TraceStep[],
  obligation: string,
): { steps: TraceStep[]; last: ProductState; originalLength: number; length: number } {
  const product = refinement.product;
  const shortened = shortenTrace(product, steps, (state) => breaks(refinement, state, obligation));
  const rebuilt = refinementSteps(refinement, shortened.steps.map((step) => ({ action: step.action, params: step.params })));
  return { ...rebuilt, originalLength: shortened.originalLength, length: shortened.length };
}

/** At most this many distinct states in the breadth-first search for a shortest refinement counterexample. */
export const SHORTEST_SEARCH_STATES = 200_000;

/**
 * The shortest refinement counterexample within `bound` steps, found by
 * model/'s breadth-first checker on the product (every obligation, within
 * `maxStates` distinct states): for a failure a property-based run found, the
 * very trace `refine --exhaustive` reports, so the same bug gets the same
 * trace and id however it was found (its obligation may be another than the
 * run's, when the bug shows sooner that way). Undefined when the search gives
 * up at its budget, or finds nothing that short (a failure that needs a step
 * the product does not enumerate, such as a malicious system call).
 */
export function shortestRefinementTrace(
  refinement: Refinement,
  bound: number,
  maxStates = SHORTEST_SEARCH_STATES,
): { steps: TraceStep[]; last: ProductState; violation: string; distinct: number } | undefined {
  const result = check(refinement.product, { checkDeadlock: false, maxDepth: bound, maxStates });
  if (result.status !== "violation" || result.trace === undefined || result.violation === undefined) return undefined;
  return { ...refinementSteps(refinement, result.trace), violation: result.violation.name, distinct: result.statistics.distinct };
}

/** The corpus's refinement traces beyond the paper's architecture: L4Re, so that its region mapper is in a picture. */
export const OTHER_ARCHITECTURE_TRACES: readonly { readonly arch: string; readonly mutant: string }[] = [{ arch: "l4re", mutant: "no-present-recheck" }];

/**
 * A counterexample of one implementation mutant on one architecture, on the
 * configuration it shows on: a shortest refinement trace for a safety mutant,
 * a lasso of `refine --liveness` for a liveness mutant.
 */
export function implementationMutantTrace(toolVersion: string, mutantName: string, arch: string): Trace | undefined {
  const mutant = kernelMutants.find((m) => m.name === mutantName);
  if (mutant === undefined) return undefined;
  const configName = mutant.config;
  const config = refinementConfigNamed(configName);
  const refinement = buildRefinement({ spec: config.spec, kernel: kernelConfigFor(config.spec, config.cpus), arch, mutant: mutant.name });
  const found = mutant.kind === "liveness" ? livenessCounterexample(refinement) : safetyCounterexample(refinement);
  if (found === undefined) return undefined;
  const mode = mutant.kind === "liveness" ? "--liveness" : "--exhaustive";
  return {
    kind: "refinement",
    machine: REFINEMENT_MACHINE_NAME,
    config: configName,
    configValue: { spec: config.spec, cpus: config.cpus } as unknown as TraceValue,
    mutant: mutant.name,
    arch,
    violation: found.violation,
    command: ["refine", mode, "--mutant", mutant.name, "--config", configName, "--arch", arch],
    toolVersion,
    vars: refinement.product.variables,
    steps: found.steps,
    ...(found.loop !== undefined ? { loop: found.loop } : {}),
    ...(found.closing !== undefined ? { closing: found.closing } : {}),
  };
}

/** A counterexample for each implementation mutant (on its own architecture), and the other architectures' listed above. */
export function implementationMutantTraces(toolVersion: string): { file: string; trace: Trace }[] {
  const runs = [
    ...kernelMutants.map((mutant) => ({ arch: mutant.arch ?? DEFAULT_ARCH, mutant: mutant.name, file: `impl-${mutant.name}.itf.json` })),
    ...OTHER_ARCHITECTURE_TRACES.map(({ arch, mutant }) => ({ arch, mutant, file: `impl-${arch}-${mutant}.itf.json` })),
  ];
  return runs.flatMap(({ arch, mutant, file }) => {
    const trace = implementationMutantTrace(toolVersion, mutant, arch);
    return trace === undefined ? [] : [{ file, trace }];
  });
}

type Found = { readonly steps: TraceStep[]; readonly violation: Trace["violation"]; readonly loop?: number; readonly closing?: ClosingStep } | undefined;

function safetyCounterexample(refinement: Refinement): Found {
  const result = check(refinement.product, { checkDeadlock: false });
  if (result.violation === undefined || result.trace === undefined) return undefined;
  const { steps, last } = refinementSteps(refinement, result.trace.map((step) => ({ action: step.action, params: step.params })));
  return { steps, violation: violationOf(refinement, last, result.violation.name) };
}

function livenessCounterexample(refinement: Refinement): Found {
  return checkRefinementLiveness(refinement).counterexample;
}
