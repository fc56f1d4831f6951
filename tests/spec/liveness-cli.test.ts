/**
 * `multipager check --liveness` end to end (in process, as tests/cli does):
 * exit 0 on the design, exit 13 with a lasso (text with the cycle marked,
 * ITF with its loop index) on every liveness mutant.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, test } from "vitest";
import { ExitCode } from "../../cli/exit-codes.js";
import { readItf } from "../../model/itf.js";
import { CYCLE_MARKER } from "../../model/liveness/lasso-text.js";
import { livenessMutants } from "../../spec/index.js";
import { TEMPORAL_PROPERTY_NAMES } from "../../spec/liveness.js";
import { multipager } from "../cli/run-cli.js";


const originalCwd = process.cwd();
beforeEach(() => process.chdir(mkdtempSync(join(tmpdir(), "multipager-liveness-"))));
afterEach(() => process.chdir(originalCwd));

describe("multipager check --liveness", () => {
  test("the design passes on the default configuration: every property holds", async () => {
    const run = await multipager("check", "--liveness");
    expect(run.code).toBe(ExitCode.Ok);
    expect(run.stdout).toContain("configuration default");
    expect(run.stdout).toContain("Model checking completed. No error has been found.");
    expect(run.stdout).toMatch(/^Temporal properties checked on the complete state graph \(\d+ states, \d+ transitions\)\.$/m);
    for (const name of TEMPORAL_PROPERTY_NAMES) expect(run.stdout).toMatch(new RegExp(`^  ${name}\\s+3\\s+\\d+\\s+holds$`, "m"));
    expect(run.stdout).toContain("SF(Resolve \\/ Resume \\/ Refuse per pager, thread)");
    // One timing line, last, for the whole run: everything above it is stable from run to run.
    expect(run.stdout.match(/^Finished in /gm)).toHaveLength(1);
    expect(run.stdout.indexOf("Liveness analysis:")).toBeLessThan(run.stdout.indexOf("Finished in "));
  });

  test.each(livenessMutants.map((m) => [m.name, m] as const))("--mutant %s exits 13 with a lasso, as text and as ITF with its loop", async (_name, mutant) => {
    const run = await multipager("check", "--mutant", mutant.name, "--itf", "lasso.itf.json");
    expect(run.code).toBe(ExitCode.Liveness);
    expect(run.stdout).toContain(`configuration ${mutant.config}`);
    expect(run.stdout).toContain(`Error: Temporal property ${mutant.caughtBy} is violated.`);
    expect(run.stdout).toContain(CYCLE_MARKER);
    expect(run.stdout).toMatch(/^State \d+: (Stuttering|<.*> Back to state \d+)$/m);
    const trace = readItf("lasso.itf.json");
    expect(trace.violation).toMatchObject({ kind: "liveness", name: mutant.caughtBy });
    expect(trace.mutant).toBe(mutant.name);
    expect(trace.loop).toBeGreaterThanOrEqual(0);
    expect(trace.loop).toBeLessThan(trace.steps.length);
    // The cycle marker sits right before the loop state, numbered from 1 as TLC does.
    expect(run.stdout).toContain(`${CYCLE_MARKER}\nState ${trace.loop! + 1}: `);
  });

  test("--list-mutants says which mutants break safety and which break liveness", async () => {
    const run = await multipager("check", "--list-mutants");
    expect(run.code).toBe(ExitCode.Ok);
    for (const mutant of livenessMutants) expect(run.stdout).toMatch(new RegExp(`^${mutant.name}\\s+liveness\\s`, "m"));
    expect(run.stdout).toMatch(/^\S+\s+safety\s/m);
  });

  test("refuses options it cannot honour, and stops at a state budget without a verdict", async () => {
    expect((await multipager("check", "--liveness", "--simulate")).code).toBe(ExitCode.Usage);
    expect((await multipager("check", "--liveness", "--workers", "2")).code).toBe(ExitCode.Usage);
    const budget = await multipager("check", "--liveness", "--config", "tiny", "--max-states", "50");
    expect(budget.code).toBe(ExitCode.Budget);
  });
});
