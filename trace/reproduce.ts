/**
 * `trace replay`: rebuilds the machine from the trace's metadata and replays
 * the trace with the verdict's kind chosen by the violation (safety on the
 * last state, lasso for liveness, refinement traces by refinement/).
 */
import { match } from "ts-pattern";
import { InputError } from "../model/input-error.js";
import type { LiveMachine } from "../model/liveness/check.js";
import type { StateMachine } from "../model/machine.js";
import type { Trace } from "../model/trace.js";
import { replayLasso } from "./lasso.js";
import { checkActions, checkViolationName, specMachineFor, type MachineChoice } from "./machines.js";
import { replaySafety, type ReplayVerdict } from "./replay.js";

/** What refinement/ may export to make its traces replayable here. */
export interface RefinementReplayer {
  replayRefinementTrace(trace: Trace, source: string, choice: MachineChoice): ReplayVerdict;
}

async function refinementReplayer(source: string): Promise<RefinementReplayer> {
  // refinement/ sits beside trace/ in the layering; it is loaded only for refinement traces.
  const path = "../refinement/index.js";
  let module: Partial<RefinementReplayer>;
  try {
    module = (await import(path)) as Partial<RefinementReplayer>;
  } catch {
    throw new InputError(`${source}: a refinement trace, but this build has no refinement checker to replay it`);
  }
  if (typeof module.replayRefinementTrace !== "function") {
    throw new InputError(`${source}: a refinement trace, but refinement/ does not export replayRefinementTrace`);
  }
  return module as RefinementReplayer;
}

/** The spec machine for a spec trace, with the file's actions and violation checked against it. */
export function validatedSpecMachine(trace: Trace, source: string, choice: MachineChoice = {}): StateMachine<unknown> {
  const machine = specMachineFor(trace, source, choice);
  checkActions(trace, machine, source);
  checkViolationName(trace, machine, source);
  return machine;
}

export async function replayTrace(trace: Trace, source: string, choice: MachineChoice = {}): Promise<ReplayVerdict> {
  if (trace.kind === "refinement") return (await refinementReplayer(source)).replayRefinementTrace(trace, source, choice);
  const machine = validatedSpecMachine(trace, source, choice);
  return match(trace.violation.kind)
    .with("invariant", "deadlock", () => replaySafety(machine, trace.steps, trace.violation))
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
    .exhaustive();
}
