/**
 * `multipager prove`: the design proves (exit 0, every obligation in the
 * table); bad command lines are one line and exit 2; the JSON report holds
 * every obligation. The seeded bugs are in prove-mutants.test.ts.
 */
import { readFileSync } from "node:fs";
import { describe, expect, test } from "vitest";
import { parseReport } from "../../cli/json-report.js";
import { INVARIANT_NAMES } from "../../spec/index.js";
import { LEMMA_NAMES } from "../../spec/lemmas.js";
import { inFreshDirectory, multipager } from "./run-cli.js";

inFreshDirectory("prove");

describe("prove", () => {
  test("the design: every obligation proved for every size, exit 0, and the JSON report lists them", async () => {
    const run = await multipager("prove", "--json", "report.json");
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^Proved: all \d+ obligations hold; IndInv is inductive and implies the 8 invariants, for every size/m);
    for (const row of ["Init", "AssignManager", "Dispatch", "HandleException", "IndInv => inv"]) expect(run.stdout).toMatch(new RegExp(`^${row.replace(/[=>]/g, (c) => `\\${c}`)} `, "m"));
    for (const name of [...INVARIANT_NAMES, ...LEMMA_NAMES, "TypeOK"]) expect(run.stdout).toContain(name);
    expect(run.stdout).toContain("1020 regions of 1024 pages");
    const report = parseReport(readFileSync("report.json", "utf8"));
    expect(report.verdict).toBe("ok");
    expect(report.mode).toBe("induction");
    const obligations = report.proof!.obligations;
    // Init and each of the ten actions for every conjunct, then IndInv => each invariant.
    const conjuncts = 1 + INVARIANT_NAMES.length + LEMMA_NAMES.length;
    expect(obligations.length).toBe(conjuncts * 11 + INVARIANT_NAMES.length);
    expect(obligations.every((o) => o.status === "proved")).toBe(true);
    expect(obligations.filter((o) => o.unchanged).length).toBeGreaterThan(0);
  });

  test("--format md prints the table as GitHub Markdown", async () => {
    const run = await multipager("prove", "--format", "md");
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("| obligation | 1 | 2 |");
    expect(run.stdout).toContain("| Dispatch |");
  });

  test.each([
    [["--timeout", "0"], /prove: --timeout must be an integer in 1\.\.86400, got "0"/],
    [["--format", "svg"], /prove: --format must be one of text, md, got "svg"/],
    [["--mutant", "nonsense"], /prove: unknown mutant "nonsense" \(safety mutants: /],
    [["--mutant", "drop-second-fault-message"], /drop-second-fault-message is a liveness mutant/],
    [["--cti", "one.itf.json"], /--cti names one file per CTI: put \{id\} in it/],
    [["--tiemout", "3"], /unknown option '--tiemout' \(did you mean --timeout\?\)/],
  ])("%j is a one-line usage error, exit 2", async (args, message) => {
    const run = await multipager("prove", ...args);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe("");
    expect(run.stderr).toMatch(message);
    expect(run.stderr.trim().split("\n")).toHaveLength(1);
  });
});
