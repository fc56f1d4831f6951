/**
 * `multipager prove --bmc K`: the bounded search at the paper's scale finds
 * nothing in the design within a few steps, finds a seeded safety bug with a
 * normal trace (rendered by `trace show`, reproduced by `trace replay`), and
 * refuses a bad K with one line, exit 2.
 */
import { readdirSync, readFileSync } from "node:fs";
import { describe, expect, test } from "vitest";
import { parseReport } from "../../cli/json-report.js";
import { inFreshDirectory, multipager } from "./run-cli.js";

inFreshDirectory("prove-bmc");

describe("prove --bmc", () => {
  test("the design: no violation within 3 steps at the paper's scale, a line per depth, exit 0", async () => {
    const run = await multipager("prove", "--bmc", "3", "--json", "report.json");
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("1020 regions of 1024 pages per task");
    expect(run.stdout).toContain("64 threads");
    for (const depth of [0, 1, 2, 3]) expect(run.stdout).toMatch(new RegExp(`^ +${depth} +\\d+\\.\\d\\d  no violation$`, "m"));
    expect(run.stdout).toMatch(/^No violation: every state within 3 steps of the initial state keeps the 8 invariants, at the paper's scale/m);
    const report = parseReport(readFileSync("report.json", "utf8"));
    expect(report.mode).toBe("bounded");
    expect(report.bounded!.depths.map((d) => d.result)).toEqual(["none", "none", "none", "none"]);
    expect(readdirSync(".").filter((f) => f.startsWith("counterexample-"))).toEqual([]);
  }, 300_000);

  test("a seeded bug (task-maps-own-region): a violation at depth 2, its trace shown and replayed, exit 12", async () => {
    const run = await multipager("prove", "--bmc", "3", "--mutant", "task-maps-own-region", "--itf", "bmc-{id}.itf.json");
    expect(run.code, run.stderr).toBe(12);
    expect(run.stdout).toMatch(/^ +2 +\d+\.\d\d  VIOLATION$/m);
    expect(run.stdout).toMatch(/^Violation: \w+ breaks after 2 steps at the paper's scale/m);
    expect(run.stdout).toContain("renumbered from the paper's scale");
    const files = readdirSync(".").filter((f) => f.startsWith("bmc-"));
    expect(files).toHaveLength(1);
    const file = files[0]!;
    const shown = await multipager("trace", "show", file);
    expect(shown.code, shown.stderr).toBe(0);
    expect(shown.stdout).toContain("<Initial predicate>");
    expect(shown.stdout).toContain("<Map(");
    const md = await multipager("trace", "show", file, "--format", "md");
    expect(md.code).toBe(0);
    expect(md.stdout).toContain("npx multipager prove --bmc 3 --mutant task-maps-own-region");
    const replay = await multipager("trace", "replay", file);
    expect(replay.stdout).toMatch(/^Reproduces:/m);
    expect(replay.code).toBe(12);
    // The design does not break on the same trace: the seeded bug's Map is the culprit.
    const fixed = await multipager("trace", "replay", file, "--mutant", "none");
    expect(fixed.code).not.toBe(12);
  }, 300_000);

  test.each([["0"], ["-1"], ["abc"], ["65"], ["99999999999999999999"], ["2.5"]])("--bmc %s is a one-line usage error, exit 2", async (k) => {
    const run = await multipager("prove", "--bmc", k);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe("");
    expect(run.stderr).toMatch(new RegExp(`prove: --bmc must be an integer in 1\\.\\.64, got "${k.replace(".", "\\.")}"`));
    expect(run.stderr.trim().split("\n")).toHaveLength(1);
  });

  test("--cti is refused with --bmc, --itf without it", async () => {
    const a = await multipager("prove", "--bmc", "2", "--cti", "x-{id}.json");
    expect([a.code, a.stderr.trim()]).toEqual([2, "multipager: prove: --cti is for the proof by induction, not --bmc"]);
    const b = await multipager("prove", "--itf", "x.json");
    expect(b.code).toBe(2);
    expect(b.stderr).toMatch(/--itf names the trace of --bmc/);
  });
});
