/**
 * The regression corpus: every trace in tests/traces/ still reproduces, there
 * is one for every spec mutant, and each renders in all four formats.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { ExitCode } from "../../cli/exit-codes.js";
import { parseItf } from "../../model/itf.js";
import { formatTraceText } from "../../model/trace-text.js";
import { traceId, traceNoun, type Trace } from "../../model/trace.js";
import { kernelMutants } from "../../impl/mutants.js";
import { specMutants } from "../../spec/index.js";
import { livenessMutants } from "../../spec/index.js";
import { formatRefinementTrace } from "../../refinement/render.js";
import { reproduceCommand } from "../../trace/command.js";
import { OTHER_ARCHITECTURE_TRACES } from "../../trace/refinement.js";
import { DECISION_WITNESSES } from "../../trace/decisions.js";
import { loadTrace } from "../../trace/load.js";
import { multipagerTrace } from "./run-trace.js";

const DIR = "tests/traces";

/** A replay that reproduces: 12 (a safety trace), 13 (a lasso), 0 (a decision's witness still shows its decision). */
const expectedReplayCode = (trace: Trace): number =>
  trace.violation.kind === "witness" ? ExitCode.Ok : trace.loop === undefined ? ExitCode.Safety : ExitCode.Liveness;
const files = readdirSync(DIR).filter((name) => name.endsWith(".itf.json")).sort();

describe("corpus", () => {
  test("has one trace per spec mutant (a lasso per liveness mutant) and one refinement trace per implementation mutant", () => {
    for (const file of files.filter((name) => name.startsWith("live-"))) expect(loadTrace(join(DIR, file)).trace.loop, file).toBeDefined();
    for (const mutant of specMutants) expect(files).toContain(`spec-${mutant.name}.itf.json`);
    for (const mutant of livenessMutants) expect(files).toContain(`live-${mutant.name}.itf.json`);
    for (const mutant of kernelMutants) expect(files).toContain(`impl-${mutant.name}.itf.json`);
    for (const witness of DECISION_WITNESSES) expect(files).toContain(`${witness.file}.itf.json`);
    for (const file of files.filter((name) => name.startsWith("impl-"))) {
      const { trace } = loadTrace(join(DIR, file));
      expect(trace.kind, file).toBe("refinement");
      expect(trace.steps.every((step) => step.abstract !== undefined), file).toBe(true);
    }
  });

  test("a manager is encoded one way everywhere: an integer, present only when a region has one (never \"none\", never -1)", () => {
    const managers: unknown[] = [];
    const visit = (value: unknown): void => {
      if (Array.isArray(value)) return value.forEach(visit);
      if (value === null || typeof value !== "object") return;
      for (const [key, field] of Object.entries(value)) {
        if (key === "manager") managers.push(field);
        visit(field);
      }
    };
    for (const file of files) visit(JSON.parse(readFileSync(join(DIR, file), "utf8")));
    expect(managers.length).toBeGreaterThan(100);
    for (const manager of managers) expect(Number.isInteger(manager) && (manager as number) >= 0, JSON.stringify(manager)).toBe(true);
  });

  test("a lasso keeps the step that closes its cycle (or its stuttering), its formula and the failing instance", () => {
    const lassos = files.filter((name) => name.startsWith("live-")).map((file) => ({ file, ...loadTrace(join(DIR, file)) }));
    for (const { file, trace } of lassos) {
      expect(trace.closing, file).toBeDefined();
      expect(trace.violation.formula, file).toMatch(/~>/);
      expect(Object.keys(trace.violation.instance ?? {}), file).toEqual(["thread"]);
      const meta = JSON.parse(readFileSync(join(DIR, file), "utf8"))["#meta"];
      expect(meta.closing.kind, file).toBe(trace.closing === "stutter" ? "stutter" : "step");
    }
    // The corpus shows both shapes: a cycle closed by a step, and a stutter.
    expect(lassos.some(({ trace }) => trace.closing === "stutter")).toBe(true);
    expect(lassos.some(({ trace }) => typeof trace.closing === "object")).toBe(true);
  });

  test("each file's id is the hash of its content", () => {
    for (const file of files) {
      const loaded = loadTrace(join(DIR, file));
      expect(loaded.recordedId, file).toBe(loaded.id);
    }
  });

  test.each(files)("%s replays and reproduces (exit 12, 13 for a lasso, 0 for a decision's witness)", async (file) => {
    const { trace } = loadTrace(join(DIR, file));
    const run = await multipagerTrace("replay", join(DIR, file));
    expect(run.stderr).toBe("");
    expect(run.stdout).toMatch(/^Reproduces: all \d+ steps apply/m);
    expect(run.code).toBe(expectedReplayCode(trace));
  });

  test.each(files)("%s renders as text, md, svg and itf", async (file) => {
    const path = join(DIR, file);
    const { trace, id } = loadTrace(path);
    const text = await multipagerTrace("show", path, "--format", "text");
    expect(text.code).toBe(ExitCode.Ok);
    // A refinement trace in the two columns refine prints (concrete | abstract).
    expect(text.stdout).toBe(`${traceNoun(trace)} ${id}\n${trace.kind === "refinement" ? formatRefinementTrace(trace) : formatTraceText(trace)}`);

    const md = await multipagerTrace("show", path, "--format", "md");
    expect(md.code).toBe(ExitCode.Ok);
    expect(md.stdout).toContain(`\`${id}\``);
    expect(md.stdout).toContain(trace.violation.name);
    expect(md.stdout).toContain(trace.violation.quote.replace(/\|/g, "\\|"));
    expect(md.stdout).toContain(reproduceCommand(trace));
    expect(reproduceCommand(trace)).toMatch(
      trace.violation.kind === "witness" ? /^npx multipager trace corpus$/ : new RegExp(`^npx multipager (check|refine --exhaustive|refine --liveness) --mutant ${trace.mutant}`),
    );
    expect(md.stdout).toContain(`npx multipager trace replay ${path}`);
    expect(md.stdout).toContain("```mermaid\nsequenceDiagram");
    // One table row per state (and one for a lasso's way back).
    expect(md.stdout.split("\n").filter((line) => /^\| \d+ \|/.test(line))).toHaveLength(trace.steps.length + (trace.loop === undefined ? 0 : 1));
    if (trace.kind === "refinement") expect(md.stdout).toContain("| State | Concrete step | Concrete changes | Abstract image | Abstract changes |");

    const svg = await multipagerTrace("show", path, "--format", "svg");
    expect(svg.code).toBe(ExitCode.Ok);
    expect(svg.stdout.startsWith("<svg xmlns=\"http://www.w3.org/2000/svg\"")).toBe(true);
    expect(svg.stdout).toContain(id);
    expect(svg.stdout).not.toMatch(/<script|on[a-z]+=/i);

    const itf = await multipagerTrace("show", path, "--format", "itf");
    expect(itf.code).toBe(ExitCode.Ok);
    expect(itf.stdout).toBe(readFileSync(path, "utf8"));
    expect(traceId(parseItf(itf.stdout, "stdout"))).toBe(id);
  });
});

describe("trace corpus (the generator)", () => {
  test("writes one reproducing trace per spec and implementation mutant", async () => {
    const { mkdtempSync } = await import("node:fs");
    const { tmpdir } = await import("node:os");
    const out = mkdtempSync(join(tmpdir(), "multipager-corpus-"));
    const run = await multipagerTrace("corpus", "--out", out);
    expect(run.code).toBe(ExitCode.Ok);
    const written = readdirSync(out).sort();
    expect(written).toHaveLength(specMutants.length + livenessMutants.length + kernelMutants.length + OTHER_ARCHITECTURE_TRACES.length + DECISION_WITNESSES.length);
    expect(run.stdout).toContain(`${written.length} traces written to ${out}`);
    for (const file of written) {
      const replay = await multipagerTrace("replay", join(out, file));
      expect(replay.code, file).toBe(expectedReplayCode(loadTrace(join(out, file)).trace));
    }
  });
});
