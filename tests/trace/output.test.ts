/**
 * What the commands print around a trace: no noise (no "action never fired"
 * after a search that stopped early, TLC's "Finished computing initial
 * states" before the trace, the seed once), and `--itf -` / `-o -` put the
 * file itself on standard output, everything for people on standard error.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, test } from "vitest";
import { ExitCode } from "../../cli/exit-codes.js";
import { formatItf, parseItf } from "../../model/itf.js";
import { traceId } from "../../model/trace.js";
import { loadTrace } from "../../trace/load.js";
import { formatTraceSvg } from "../../trace/svg.js";
import { multipager } from "../cli/run-cli.js";

const originalCwd = process.cwd();
const corpus = (file: string) => join(originalCwd, "tests/traces", file);
beforeEach(() => process.chdir(mkdtempSync(join(tmpdir(), "multipager-output-"))));
afterEach(() => process.chdir(originalCwd));

/** How many lines mention the seed, the replay command aside. */
const seedMentions = (text: string, seed: string): number => text.split("\n").filter((line) => line.includes(seed) && !line.startsWith("Replay this")).length;

describe("no noise", () => {
  test("a counterexample at depth 4: no 'never fired' warning, and 'Finished computing initial states' comes before the trace", async () => {
    const run = await multipager("check", "--mutant", "no-present-recheck");
    expect(run.code).toBe(ExitCode.Safety);
    expect(run.stdout).not.toContain("never fired");
    const lines = run.stdout.split("\n");
    const initial = lines.findIndex((line) => line.startsWith("Finished computing initial states: 1 distinct state generated."));
    expect(initial).toBe(1);
    expect(lines.findIndex((line) => line.startsWith("Error: Invariant"))).toBe(initial + 1);
  });

  test("a simulation of 2 runs: no 'never fired' warning, its seed printed once", async () => {
    const run = await multipager("check", "--simulate", "--runs", "2", "--depth", "5", "--seed", "987654321", "--config", "tiny");
    expect(run.code).toBe(ExitCode.Ok);
    expect(run.stdout).not.toContain("never fired");
    expect(seedMentions(run.stdout, "987654321")).toBe(1);
    expect(run.stdout).toContain("Seed: 987654321\n");
  });

  test("a property-based refine prints its seed once (and once more only inside the replay command)", async () => {
    const run = await multipager("refine", "--mutant", "no-flush-on-reassign", "--seed", "424242");
    expect(run.code).toBe(ExitCode.Safety);
    expect(seedMentions(run.stdout, "424242")).toBe(1);
    expect(run.stdout).toMatch(/^Replay this failure with: npx multipager refine --mutant no-flush-on-reassign --seed 424242 --path \S+$/m);
  }, 60_000);

  test("an exhaustive refine prints 'Finished computing initial states' before its trace", async () => {
    const run = await multipager("refine", "--exhaustive", "--mutant", "acceptance-without-map", "--itf", "t.itf.json");
    expect(run.code).toBe(ExitCode.Safety);
    const lines = run.stdout.split("\n");
    expect(lines[1]).toMatch(/^Finished computing initial states: 1 distinct state generated\.$/);
    expect(lines[2]).toMatch(/^Error: Refinement obligation /);
    expect(run.stdout).not.toContain("never fired");
  }, 60_000);

  test("a complete search still warns about an action that never fired", async () => {
    const run = await multipager("check", "--config", "tiny");
    expect(run.code).toBe(ExitCode.Ok);
    expect(run.stdout).toContain("Model checking completed. No error has been found.");
    const lines = run.stdout.split("\n");
    expect(lines[1]).toMatch(/^Finished computing initial states: /);
  });
});

describe("'-' is standard output", () => {
  test("check --itf -: standard output is the ITF file alone, the text for people is on standard error", async () => {
    const run = await multipager("check", "--mutant", "no-present-recheck", "--itf", "-");
    expect(run.code).toBe(ExitCode.Safety);
    const trace = parseItf(run.stdout, "stdout");
    expect(run.stdout).toBe(formatItf(trace));
    expect(run.stderr).toContain("Error: Invariant NoNeedlessPagerInvocation is violated.");
    expect(run.stderr).toContain(`Counterexample ${traceId(trace)}: 4 steps, written to standard output`);
  });

  test("refine --itf -: the same", async () => {
    const run = await multipager("refine", "--exhaustive", "--mutant", "marker-lost", "--itf", "-");
    expect(run.code).toBe(ExitCode.Safety);
    const trace = parseItf(run.stdout, "stdout");
    expect(trace.kind).toBe("refinement");
    expect(run.stderr).toContain("Error: Refinement obligation CommutingSquare is violated.");
  }, 60_000);

  test("trace show -o -: the rendering on standard output, nothing else", async () => {
    const file = corpus("impl-no-shootdown.itf.json");
    const { trace, id } = loadTrace(file);
    const run = await multipager("trace", "show", file, "--format", "svg", "-o", "-");
    expect(run.code).toBe(ExitCode.Ok);
    expect(run.stdout).toBe(formatTraceSvg(trace, id));
    expect(run.stderr).toBe("");
  });
});
