/**
 * One differential run: the case on the model and on QEMU, compared.
 * Shared by the command line (cli/commands/x86.ts) and the tests.
 */
import { X86_RULES, type WalkRules } from "../hw/walk.js";
import { compareRuns, type Comparison } from "./compare.js";
import type { X86Case } from "./format.js";
import { generateCase } from "./generate.js";
import { runOnModel, type ModelRun } from "./model-run.js";
import type { RunReport } from "./output.js";
import { mapConcurrently, runOnQemu, type QemuOptions } from "./qemu.js";

export interface DifferentialResult {
  readonly model: ModelRun;
  readonly qemu: RunReport;
  readonly comparison: Comparison;
}

export async function runDifferential(c: X86Case, rules: WalkRules = X86_RULES, options: QemuOptions = {}): Promise<DifferentialResult> {
  const model = runOnModel(c, rules);
  const qemu = await runOnQemu(c, options);
  return { model, qemu, comparison: compareRuns(c, model, qemu) };
}

/** Seeds stay in fast-check's range (a signed 32-bit integer); case i of a fuzz run uses caseSeed(seed, i). */
export const SEED_LIMIT = 2 ** 31;

export function caseSeed(seed: number, index: number): number {
  return (seed + index) % SEED_LIMIT;
}

export function freshSeed(): number {
  return Math.floor(Math.random() * SEED_LIMIT);
}

export interface FuzzCase {
  readonly index: number;
  readonly seed: number;
  readonly case: X86Case;
  readonly result: DifferentialResult;
}

/** Generates `cases` cases from `seed` (case i from caseSeed(seed, i)) and runs each both ways, `jobs` QEMUs at a time. */
export async function fuzz(
  seed: number,
  cases: number,
  operations: number,
  rules: WalkRules = X86_RULES,
  jobs = 1,
  options: QemuOptions = {},
): Promise<FuzzCase[]> {
  const indices = Array.from({ length: cases }, (_, index) => index);
  return mapConcurrently(indices, jobs, async (index) => {
    const s = caseSeed(seed, index);
    const c = generateCase(s, operations);
    return { index, seed: s, case: c, result: await runDifferential(c, rules, options) };
  });
}
