/**
 * `prove --bmc K`: the design's bounded search at the paper's scale
 * (model/lang/bmc.ts over the SMT encoding `prove` uses), a line per depth,
 * and a violation as a normal trace: the path concretised to the small
 * configuration holding exactly the elements it uses, rendered like every
 * trace and written as ITF, which `trace replay` reproduces when that
 * configuration is within the schema's bounds.
 */
import { match } from "ts-pattern";
import { boundedModelCheck, type BmcResult, type Concrete, type DepthResult } from "../../model/lang/bmc.js";
import type { ObjectState } from "../../model/lang/interpret.js";
import { labelOf } from "../../model/lang/machine.js";
import type { Trace, TraceStep, Violation } from "../../model/trace.js";
import { InputError } from "../../model/input-error.js";
import { SPEC_INVARIANTS, type SpecConfig } from "../../spec/index.js";
import { makeContext } from "../../spec/context.js";
import { view } from "../../spec/view.js";
import type { SpecState } from "../../spec/state.js";
import { configOfInstance, specTrace, uncheckedConfigOfInstance } from "./cti.js";
import { designBmcProblem, PAPER_SIZES } from "./problem.js";

/** The deepest search accepted: each depth costs about five times the one before (docs/prove.md). */
export const MAX_BMC_DEPTH = 64;

export const BMC_SIZES =
  `the paper's scale: ${PAPER_SIZES["Task"]} tasks, ${PAPER_SIZES["Thread"]} threads (any of them pagers), ${PAPER_SIZES["Region"]} regions of ${PAPER_SIZES["Page"]} pages per task, ${PAPER_SIZES["Frame"]} frames, 2^31 markers, ${PAPER_SIZES["KernelAddress"]} kernel-space addresses; every assignment of threads to tasks and of frames to pagers (symbolic, not enumerated)`;

export interface BmcRun {
  readonly result: BmcResult;
  /** The violation as a trace (when one was found and replays on a small configuration). */
  readonly trace: Trace | null;
  /** Whether that configuration is within the schema's bounds (so `trace replay` can rebuild it). */
  readonly replayable: boolean;
  /** Why a violation found at scale has no trace (it did not replay on a small configuration). */
  readonly failure: string | null;
}

export async function runBmc(mutant: string | null, depth: number, timeoutS: number, command: readonly string[], toolVersion: string, onDepth: (d: DepthResult) => void): Promise<BmcRun> {
  const result = await boundedModelCheck(designBmcProblem(mutant), depth, { timeoutMs: timeoutS * 1000, onDepth });
  const v = result.violation;
  if (v === null) return { result, trace: null, replayable: false, failure: null };
  if ("failure" in v.concrete) return { result, trace: null, replayable: false, failure: v.concrete.failure };
  const { trace, replayable } = bmcTrace(v.concrete, mutant, command, toolVersion);
  return { result, trace, replayable, failure: null };
}

/** The configuration of a concretised path: within the schema's bounds, or (unchecked) beyond them. */
function configOf(concrete: Concrete): { config: SpecConfig; replayable: boolean } {
  try {
    return { config: configOfInstance(concrete.instance), replayable: true };
  } catch (error) {
    if (!(error instanceof InputError)) throw error;
    return { config: uncheckedConfigOfInstance(concrete.instance), replayable: false };
  }
}

function bmcTrace(concrete: Concrete, mutant: string | null, command: readonly string[], toolVersion: string): { trace: Trace; replayable: boolean } {
  const { config, replayable } = configOf(concrete);
  const ctx = makeContext(config);
  const show = (s: ObjectState) => view(ctx, s as unknown as SpecState);
  const steps: TraceStep[] = [
    { action: "Init", params: {}, state: show(concrete.states[0]!) },
    ...concrete.steps.map((s, i) => ({ action: s.action.name, params: labelOf(s.action, s.values), state: show(concrete.states[i + 1]!) })),
  ];
  const name = concrete.broken[0]!;
  const violation: Violation = { kind: "invariant", name, quote: SPEC_INVARIANTS.find((i) => i.name === name)?.quote ?? "" };
  return { replayable, trace: specTrace(config, "bmc", mutant, violation, command, toolVersion, steps) };
}

/** A depth's result in words. */
export function depthResult(d: DepthResult): string {
  return match(d.verdict)
    .with("unsat", () => "no violation")
    .with("sat", () => "VIOLATION")
    .with("unknown", () => `unknown (${d.reason ?? "unknown"})`)
    .exhaustive();
}

/** One line of the per-depth table. */
export function depthLine(d: DepthResult): string {
  return `${String(d.depth).padStart(5)}  ${d.seconds.toFixed(2).padStart(8)}  ${depthResult(d)}`;
}

export const DEPTH_HEADER = `${"depth".padStart(5)}  ${"seconds".padStart(8)}  result`;

/** Where each element of the trace's small configuration stands at the paper's scale (thread 3 is thread 41 there). */
export function renumbering(concrete: Concrete): string {
  const parts = Object.entries(concrete.used)
    .filter(([, xs]) => xs.length > 0)
    .map(([sort, xs]) => `${sort} ${xs.map((x, i) => (i === x ? `${i}` : `${i}=${x}`)).join(", ")}`);
  return parts.join("; ");
}
