/**
 * A counterexample to induction of the design, for people: its instance as
 * a configuration of the spec, the step as a trace of two states (the first
 * any state of IndInv, "IndInv", then the step), and whether that first
 * state is reachable: the explicit checker explores the configuration the
 * CTI lives in, looking for exactly that state. Reachable: the design (or
 * the seeded bug) is wrong, and the trace from the initial state is a normal
 * counterexample. Unreachable: the invariants are true there but not
 * inductive, a lemma is missing.
 */
import type { Cti, Obligation } from "../../model/lang/induction.js";
import type { ObjectState } from "../../model/lang/interpret.js";
import { labelOf } from "../../model/lang/machine.js";
import type { Instance } from "../../model/lang/spec.js";
import { check } from "../../model/check.js";
import type { TraceValue } from "../../model/machine.js";
import { INDUCTION_START, type Trace, type TraceStep, type Violation } from "../../model/trace.js";
import { buildSpec, SPEC_MACHINE_NAME, SPEC_VARIABLES, validateConfig, type SpecConfig, type SpecMachine } from "../../spec/index.js";
import { makeContext } from "../../spec/context.js";
import { view } from "../../spec/view.js";
import type { SpecState } from "../../spec/state.js";

/** The configuration whose instance (spec/instance.ts) is `inst`, not yet checked against the schema's bounds. */
export function uncheckedConfigOfInstance(inst: Instance): SpecConfig {
  return {
    tasks: inst.sizes["Task"]!,
    threads: Array.from({ length: inst.sizes["Thread"]! }, (_, t) => ({
      task: inst.rigids["taskOf"]!(t) as number,
      ...(inst.members["Pager"]!.includes(t) ? { pager: true } : {}),
    })),
    frames: Array.from({ length: inst.sizes["Frame"]! }, (_, f) => inst.rigids["ownerOf"]!(f) as number),
    regionsPerTask: inst.sizes["Region"]!,
    pagesPerRegion: inst.sizes["Page"]!,
    kernelAddresses: inst.sizes["KernelAddress"]!,
    markers: inst.sizes["Marker"]!,
  };
}

/** The configuration whose instance (spec/instance.ts) is the CTI's. */
export function configOfInstance(inst: Instance): SpecConfig {
  return validateConfig(uncheckedConfigOfInstance(inst), "the configuration of a counterexample to induction");
}

/** A trace of the spec on a configuration that no name stands for (a CTI's, a bounded search's): its value travels in the trace. */
export function specTrace(config: SpecConfig, configName: string, mutant: string | null, violation: Violation, command: readonly string[], toolVersion: string, steps: readonly TraceStep[]): Trace {
  return {
    kind: "spec",
    machine: SPEC_MACHINE_NAME,
    config: configName,
    configValue: config as unknown as TraceValue,
    mutant,
    violation,
    command,
    toolVersion,
    vars: [...SPEC_VARIABLES],
    steps,
  };
}

export interface CtiTrace {
  readonly trace: Trace;
  readonly config: SpecConfig;
}

/** The CTI as a trace: "IndInv" (the state before), then the step; the violation is the property it breaks. */
export function ctiTrace(cti: Cti, o: Obligation, violation: Violation, mutant: string | null, command: readonly string[], toolVersion: string): CtiTrace {
  const config = configOfInstance(cti.instance);
  const machine = buildSpec(config, mutant ?? undefined);
  const ctx = makeContext(config);
  const show = (s: ObjectState) => view(ctx, s as unknown as SpecState);
  const first: TraceStep = { action: o.kind === "init" ? "Init" : INDUCTION_START, params: {}, state: show(cti.before) };
  const steps: TraceStep[] = [first];
  if (cti.step !== null) {
    const action = machine.spec.actions.find((a) => a.name === cti.step!.action)!;
    steps.push({ action: action.name, params: labelOf(action, cti.step.values), state: show(cti.step.after) });
  }
  return { config, trace: specTrace(config, "cti", mutant, violation, command, toolVersion, steps) };
}

export type Reachability =
  | { readonly kind: "reachable"; readonly steps: readonly TraceStep[]; readonly states: number }
  | { readonly kind: "unreachable"; readonly states: number }
  | { readonly kind: "unknown"; readonly states: number; readonly why: string };

/** At most this many distinct states are explored to decide whether a CTI's state is reachable. */
export const REACHABILITY_BUDGET = 3_000_000;

/** Explores the CTI's configuration breadth-first for exactly the state before the step (a shortest trace to it if found). */
export function reachability(config: SpecConfig, mutant: string | null, before: ObjectState, maxStates = REACHABILITY_BUDGET): Reachability {
  const machine: SpecMachine = buildSpec(config, mutant ?? undefined);
  const target = Buffer.from(machine.encode(before as unknown as SpecState));
  const isTarget = (bytes: Uint8Array) => target.equals(bytes);
  const looking = {
    ...machine,
    invariants: [{ name: "NotTheCtiState", quote: "the state before the counterexample to induction", holds: (s: SpecState) => !isTarget(machine.encode(s)) }],
    brokenInvariant: (bytes: Uint8Array) => (isTarget(bytes) ? 0 : -1),
  };
  const result = check(looking, { checkDeadlock: false, maxStates });
  if (result.violation !== undefined && result.trace !== undefined) return { kind: "reachable", steps: result.trace, states: result.statistics.distinct };
  if (result.status === "budget") return { kind: "unknown", states: result.statistics.distinct, why: result.budget ?? "budget" };
  return { kind: "unreachable", states: result.statistics.distinct };
}
