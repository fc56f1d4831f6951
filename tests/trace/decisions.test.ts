/**
 * The decisions' witnesses in tests/traces/: one per decision of
 * spec/README.md (and the order of the zero level's checks), each linked
 * from spec/README.md, each still showing its decision at its last step and
 * not before.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { buildWithRules, validateConfig } from "../../spec/index.js";
import { variantRules, VARIANTS } from "../../spec/variants.js";
import { DECISION_WITNESSES, witnessShows } from "../../trace/decisions.js";
import { loadTrace } from "../../trace/load.js";
import { walk } from "../../trace/replay.js";
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

  // A witness stands for the design's answer: under another answer to its decision (spec/variants.ts) it no longer shows it.
  test.each(VARIANTS.map((v) => [v.name, v] as const))("under the variant %s, the witness of its decision no longer shows it", (_name, variant) => {
    const witnesses = DECISION_WITNESSES.filter((w) => w.decision === variant.decision);
    expect(witnesses.length).toBeGreaterThan(0);
    for (const witness of witnesses) {
      const { trace } = loadTrace(join(DIR, `${witness.file}.itf.json`));
      const config = validateConfig(trace.configValue, "configuration");
      const underVariant = walk(buildWithRules(config, variantRules(variant.name)), trace.steps);
      const shown = underVariant.kind === "stuck" ? `stuck at step ${underVariant.step}` : witnessShows(witness, config, underVariant.states, trace.steps);
      expect(shown, witness.file).not.toBeNull();
    }
  });
});
