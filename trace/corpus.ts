/**
 * The regression corpus (tests/traces/): one counterexample per seeded bug
 * (spec mutants: spec-<name>; implementation mutants, as refinement traces:
 * impl-<name>),
 * found by the same search the commands run, written as ITF with its stable
 * id. The tests replay every file and expect it still to reproduce; when a
 * deliberate change of the spec makes one stop applying, regenerate with
 * `npx multipager trace corpus` and review the diff.
 */
import { join } from "node:path";
import { check } from "../model/check.js";
import { writeItf } from "../model/itf.js";
import type { StateMachine, TraceValue } from "../model/machine.js";
import type { Trace } from "../model/trace.js";
import { buildSpec, livenessMutants, loadConfig, specMutants } from "../spec/index.js";
import { checkLiveness, type LiveMachine } from "../model/liveness/check.js";
import { implementationMutantTraces } from "./refinement.js";
import { DECISION_WITNESSES, findWitness } from "./decisions.js";

export const DEFAULT_CORPUS_DIR = "tests/traces";

export interface CorpusEntry {
  readonly file: string;
  readonly trace: Trace;
}

/** A shortest counterexample for each spec mutant, on the configuration it is listed with. */
export function specMutantTraces(toolVersion: string): CorpusEntry[] {
  return specMutants.map((mutant) => {
    const { name: config, config: configValue } = loadConfig(mutant.config);
    const machine = buildSpec(configValue, mutant.name) as StateMachine<unknown>;
    const result = check(machine, { checkDeadlock: false });
    if (result.violation === undefined || result.trace === undefined) throw new Error(`spec mutant ${mutant.name}: no violation found on ${config}`);
    const trace: Trace = {
      kind: "spec",
      machine: machine.name,
      config,
      configValue: configValue as unknown as TraceValue,
      mutant: mutant.name,
      violation: result.violation,
      command: ["check", "--mutant", mutant.name, "--config", config, "--no-deadlock"],
      toolVersion,
      vars: machine.variables,
      steps: result.trace,
    };
    return { file: `spec-${mutant.name}.itf.json`, trace };
  });
}

/** A lasso for each liveness mutant of the spec (check --liveness), on the configuration it is listed with. */
export function livenessMutantTraces(toolVersion: string): CorpusEntry[] {
  return livenessMutants.map((mutant) => {
    const { name: config, config: configValue } = loadConfig(mutant.config);
    const machine = buildSpec(configValue, mutant.name) as LiveMachine<unknown>;
    const result = checkLiveness(machine, { checkDeadlock: false });
    if (result.violation === undefined || result.trace === undefined || result.loop === undefined) throw new Error(`liveness mutant ${mutant.name}: no lasso found on ${config}`);
    const trace: Trace = {
      kind: "spec",
      machine: machine.name,
      config,
      configValue: configValue as unknown as TraceValue,
      mutant: mutant.name,
      violation: result.violation,
      command: ["check", "--mutant", mutant.name, "--config", config],
      toolVersion,
      vars: machine.variables,
      steps: result.trace,
      loop: result.loop,
      ...(result.closing !== undefined ? { closing: result.closing } : {}),
    };
    return { file: `live-${mutant.name}.itf.json`, trace };
  });
}

/** A witness for each decision of the spec (trace/decisions.ts): the shortest behaviour whose last step is one where it acts. */
export function decisionWitnessTraces(toolVersion: string): CorpusEntry[] {
  return DECISION_WITNESSES.map((witness) => ({ file: `${witness.file}.itf.json`, trace: findWitness(witness, toolVersion) }));
}

export function corpusTraces(toolVersion: string): CorpusEntry[] {
  return [...specMutantTraces(toolVersion), ...livenessMutantTraces(toolVersion), ...implementationMutantTraces(toolVersion), ...decisionWitnessTraces(toolVersion)];
}

export async function writeCorpus(dir: string, toolVersion: string): Promise<CorpusEntry[]> {
  const entries = corpusTraces(toolVersion);
  for (const entry of entries) writeItf(join(dir, entry.file), entry.trace);
  return entries;
}
