/**
 * The decisions' witnesses in tests/traces/: one per decision of
 * spec/README.md (and the order of the zero level's checks), each linked
 * from spec/README.md, each still showing its decision at its last step and
 * not before.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { DECISION_WITNESSES } from "../../trace/decisions.js";
import { loadTrace } from "../../trace/load.js";
import { replayTrace } from "../../trace/reproduce.js";

const DIR = "tests/traces";

describe("decision witnesses", () => {
  test("every decision D1-D8 and the zero level's order has one, linked from spec/README.md", () => {
    const decisions = new Set(DECISION_WITNESSES.map((w) => w.decision.split(" ")[0]));
    for (const d of ["D1", "D2", "D3", "D4", "D5", "D6", "D7", "D8", "zero-level"]) expect(decisions).toContain(d);
    const readme = readFileSync("spec/README.md", "utf8");
    for (const w of DECISION_WITNESSES) expect(readme).toContain(`(../tests/traces/${w.file}.itf.json)`);
  });

  test.each(DECISION_WITNESSES.map((w) => [w.file, w] as const))("%s shows its decision at its last step, and not one step earlier", async (file, witness) => {
    const path = join(DIR, `${file}.itf.json`);
    const { trace } = loadTrace(path);
    expect(trace.violation).toMatchObject({ kind: "witness", name: witness.decision, quote: witness.statement });
    expect(await replayTrace(trace, path)).toMatchObject({ kind: "reproduces", steps: trace.steps.length - 1 });
    const shorter = { ...trace, steps: trace.steps.slice(0, -1) };
    expect(await replayTrace(shorter, path)).toMatchObject({ kind: "does-not-apply", reason: "the decision does not act at the last step" });
  });
});
