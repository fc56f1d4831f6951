/**
 * `trace replay`: rebuilds the machine from the trace's metadata and replays
 * the trace with the verdict's kind chosen by the violation (safety on the
 * last state, lasso for liveness, refinement traces on refinement/'s
 * product of the kernel and the spec).
 */
import { match } from "ts-pattern";
import { InputError } from "../model/input-error.js";
import type { LiveMachine } from "../model/liveness/check.js";
import type { StateMachine } from "../model/machine.js";
import { startsFromInduction, type Trace } from "../model/trace.js";
import { replayInduction } from "./induction.js";
import { replayLasso } from "./lasso.js";
import { checkActions, checkViolationName, machineFor, type MachineChoice } from "./machines.js";
import { replayRefinement, validatedRefinement } from "./refinement.js";
import { replaySafety, walk, type ReplayVerdict } from "./replay.js";
import { decisionWitnessNamed, DECISION_WITNESSES, witnessShows } from "./decisions.js";
import { validateConfig, type SpecState } from "../spec/index.js";

/** The machine of a spec or kernel trace, with the file's actions and violation checked against it. */
export function validatedMachine(trace: Trace, source: string, choice: MachineChoice = {}): StateMachine<unknown> {
  const machine = machineFor(trace, source, choice);
  checkActions(trace, machine, source);
  checkViolationName(trace, machine, source);
  return machine;
}

/** Every check of a trace file that needs its machine, whatever its kind; throws a one-line InputError. */
export function validateTrace(trace: Trace, source: string, choice: MachineChoice = {}): void {
  if (trace.kind === "refinement") validatedRefinement(trace, source, choice);
  else validatedMachine(trace, source, choice);
}

export async function replayTrace(trace: Trace, source: string, choice: MachineChoice = {}): Promise<ReplayVerdict> {
  if (trace.kind === "refinement") return replayRefinement(trace, source, choice);
  const machine = validatedMachine(trace, source, choice);
  return match(trace.violation.kind)
    .with("invariant", "deadlock", () => (startsFromInduction(trace) ? replayInduction(machine, trace, source) : replaySafety(machine, trace.steps, trace.violation)))
    .with("liveness", () => {
      const live = machine as LiveMachine<unknown>;
      if (trace.loop === undefined) throw new InputError(`${source}: a liveness trace without a "loop" index`);
      if (!live.temporalProperties?.some((p) => p.name === trace.violation.name)) {
        const known = (live.temporalProperties ?? []).map((p) => p.name);
        throw new InputError(`${source}: #meta.violation.name: unknown temporal property "${trace.violation.name}" (${known.length === 0 ? `${machine.name} declares none` : `known: ${known.join(", ")}`})`);
      }
      return replayLasso(live, trace);
    })
    .with("refinement", () => {
      throw new InputError(`${source}: #meta.violation.kind is "refinement" but #meta.kind is "spec"`);
    })
    .with("witness", () => replayWitness(machine as StateMachine<SpecState>, trace, source))
    .exhaustive();
}

/** A decision's witness: every step still applies and the decision acts at the last one (and not before). */
function replayWitness(machine: StateMachine<SpecState>, trace: Trace, source: string): ReplayVerdict {
  const witness = decisionWitnessNamed(trace.violation.name);
  if (witness === undefined) {
    throw new InputError(`${source}: #meta.violation.name: unknown decision "${trace.violation.name}" (known: ${DECISION_WITNESSES.map((w) => w.decision).join(", ")})`);
  }
  const result = walk(machine, trace.steps);
  if (result.kind === "stuck") return { kind: "does-not-apply", step: result.step, reason: result.reason };
  const why = witnessShows(witness, validateConfig(trace.configValue, "configuration"), result.states, trace.steps);
  if (why !== null) return { kind: "does-not-apply", step: trace.steps.length - 1, reason: why };
  return { kind: "reproduces", steps: trace.steps.length - 1, ...(result.divergence === undefined ? {} : { divergence: result.divergence }) };
}
