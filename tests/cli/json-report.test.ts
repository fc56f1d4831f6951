/**
 * `--json FILE|-`: the machine-readable report of check, refine and table1,
 * validated against its effect Schema (cli/json-report.ts), and the figures
 * in it are the run's own (the same as its text report).
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { ExitCode } from "../../cli/exit-codes.js";
import { parseReport, reportJsonSchema, type RunReport } from "../../cli/json-report.js";
import { readItf } from "../../model/itf.js";
import { traceId } from "../../model/trace.js";
import { inFreshDirectory, multipager } from "./run-cli.js";

const here = inFreshDirectory("multipager-json");

const report = (file = "report.json"): RunReport => parseReport(readFileSync(join(here(), file), "utf8"));
/** A figure of the text statistics, e.g. "distinct states found". */
const figure = (stdout: string, pattern: RegExp) => Number(pattern.exec(stdout)![1]);

describe("--json", () => {
  test("docs/json-report.schema.json is the report's effect Schema as JSON Schema", () => {
    const committed = JSON.parse(readFileSync(new URL("../../docs/json-report.schema.json", import.meta.url), "utf8")) as unknown;
    expect(committed, "regenerate: npm run build && node -e 'import(\"./dist/cli/json-report.js\").then(m => process.stdout.write(JSON.stringify(m.reportJsonSchema(), null, 2) + \"\\n\"))' > docs/json-report.schema.json").toEqual(reportJsonSchema());
  });

  test("check, no error: verdict, counts, depth and coverage as the statistics print them", async () => {
    const run = await multipager("check", "--config", "tiny", "--json", "report.json");
    expect(run.code).toBe(ExitCode.Ok);
    const r = report();
    expect(r).toMatchObject({ command: "check", argv: ["check", "--config", "tiny", "--json", "report.json"], verdict: "ok", exitCode: 0, mode: "exhaustive", seed: null, counterexamples: [] });
    expect(r.subject).toEqual({ machine: "multipager-spec", config: "tiny", mutant: null });
    expect(r.properties?.invariants).toHaveLength(8);
    const search = r.search!;
    expect(search.complete).toBe(true);
    expect(search.distinct).toBe(figure(run.stdout, /(\d+) distinct states found/));
    expect(search.generated).toBe(figure(run.stdout, /^(\d+) states generated/m));
    expect(search.depth).toBe(figure(run.stdout, /search is (\d+)\./));
    expect(search.coverage.map((c) => c.action)).toContain("Dispatch");
    const dispatch = search.coverage.find((c) => c.action === "Dispatch")!;
    expect(run.stdout).toMatch(new RegExp(`^ {2}Dispatch +${dispatch.firings} +${dispatch.distinct}$`, "m"));
    expect(r.timing.seconds).toBeGreaterThan(0);
    expect(r.timing.searchSeconds).toBeLessThanOrEqual(r.timing.seconds);
  });

  test("check --max-error 3 --json -: only JSON on stdout, the text on stderr, three counterexamples with their files and ids", async () => {
    const run = await multipager("check", "--mutant", "no-present-recheck", "--max-error", "3", "--json", "-");
    expect(run.code).toBe(ExitCode.Safety);
    const r = parseReport(run.stdout);
    expect(run.stderr).toContain("Counterexample 3 of 3:");
    expect(r).toMatchObject({ verdict: "safety", exitCode: 12 });
    expect(r.search!.complete).toBe(false);
    expect(r.counterexamples).toHaveLength(3);
    for (const c of r.counterexamples) {
      expect(c.file).toBe(`counterexample-${c.id}.itf.json`);
      const trace = readItf(join(here(), c.file!));
      expect(traceId(trace)).toBe(c.id);
      expect(c.steps).toBe(trace.steps.length - 1);
      expect(c.violation).toEqual(trace.violation);
    }
  });

  test("check --simulate: the seed and the simulation's figures; a shortened trace says how long it was", async () => {
    const run = await multipager("check", "--mutant", "no-present-recheck", "--simulate", "--seed", "7", "--runs", "300", "--json", "report.json");
    expect(run.code).toBe(ExitCode.Safety);
    const r = report();
    expect(r).toMatchObject({ mode: "simulation", seed: 7, verdict: "safety" });
    expect(r.simulation!.runs).toBe(figure(run.stdout, /in (\d+) runs/));
    // Seed 7's walk is shortened to the 4 steps of a shortest trace.
    expect(r.counterexamples[0]).toMatchObject({ steps: 4, originalSteps: figure(run.stdout, /shortened from (\d+)/) });
  });

  test("check --liveness: each temporal property's verdict; a lasso's loop", async () => {
    const ok = await multipager("check", "--config", "tiny", "--liveness", "--json", "ok.json");
    expect(ok.code).toBe(ExitCode.Ok);
    expect(report("ok.json").search!.temporal!.properties.map((p) => [p.name, p.holds])).toEqual([
      ["PagersReceiveTheirFaults", true],
      ["FaultsAreDispatched", true],
      ["FaultedThreadsResume", true],
      ["NoWaitOnWithdrawnAgreement", true],
    ]);
    const lasso = await multipager("check", "--mutant", "hold-unaccepted-faults", "--json", "lasso.json");
    expect(lasso.code).toBe(ExitCode.Liveness);
    const r = report("lasso.json");
    expect(r).toMatchObject({ mode: "liveness", verdict: "liveness", exitCode: 13 });
    expect(r.counterexamples[0]!.loop).toBe(readItf(join(here(), r.counterexamples[0]!.file!)).loop);
  });

  test("refine: exhaustive with a counterexample, and property-based with its seed", async () => {
    const exhaustive = await multipager("refine", "--exhaustive", "--mutant", "no-invlpg", "--json", "exhaustive.json", "--quiet");
    expect(exhaustive.code).toBe(ExitCode.Safety);
    const e = report("exhaustive.json");
    expect(e).toMatchObject({ command: "refine", mode: "exhaustive", verdict: "safety", seed: null, subject: { arch: "proposed", config: "micro", mutant: "no-invlpg", cpus: 1 } });
    expect(e.counterexamples[0]!.violation.name).toBe("TlbAgreesWithPageTables");
    expect(existsSync(join(here(), e.counterexamples[0]!.file!))).toBe(true);
    const pbt = await multipager("refine", "--config", "micro", "--runs", "20", "--seed", "3", "--json", "pbt.json", "--quiet");
    expect(pbt.code).toBe(ExitCode.Ok);
    expect(report("pbt.json")).toMatchObject({ mode: "property-based", seed: 3, verdict: "ok", propertyBased: { runs: 20, path: null } });
  });

  test("table1: the table as data, the verdict against the paper", async () => {
    const run = await multipager("table1", "--arch", "proposed", "--faults", "2", "--json", "-");
    expect(run.code).toBe(ExitCode.Ok);
    expect(run.stderr).toContain("Proposed approach");
    const r = parseReport(run.stdout);
    expect(r).toMatchObject({ command: "table1", mode: "measurement", verdict: "ok" });
    expect(r.table1!.rows[0]).toMatchObject({ arch: "proposed", plain: { mode: 4, context: 2, faults: 2 }, paper: { mode: 4, context: 2 } });
  });

  test("a report that cannot be written is one line on stderr; the exit code is still the verdict's", async () => {
    const run = await multipager("check", "--mutant", "no-present-recheck", "--json", join(here(), "missing", "report.json"), "--quiet");
    expect(run.code).toBe(ExitCode.Safety);
    expect(run.stderr.trim().split("\n")).toHaveLength(1);
    expect(run.stderr).toContain("the verdict is printed above and the exit code is still the verdict's");
  });

  test("--json - and --itf - cannot both be standard output", async () => {
    const run = await multipager("check", "--json", "-", "--itf", "-");
    expect(run.code).toBe(ExitCode.Usage);
    expect(run.stderr).toBe("multipager: check: --json and --itf cannot both be standard output (-)\n");
  });
});
