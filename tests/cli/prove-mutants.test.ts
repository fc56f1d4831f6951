/**
 * Every safety mutant makes `prove --mutant M` exit 12 with a
 * counterexample to induction that `trace show` renders (text and
 * Markdown); each CTI's first state is reachable, so a trace from the
 * initial state is written too, and `trace replay` reproduces it.
 */
import { readdirSync } from "node:fs";
import { describe, expect, test } from "vitest";
import { specMutants } from "../../spec/index.js";
import { inFreshDirectory, multipager } from "./run-cli.js";

inFreshDirectory("prove");

describe("prove fails on every seeded safety bug", () => {
  test.each(specMutants.map((m) => [m.name, m.caughtBy] as const))("%s: exit 12 with a CTI breaking %s", async (mutant, caughtBy) => {
    const run = await multipager("prove", "--mutant", mutant);
    expect(run.code, run.stderr).toBe(12);
    expect(run.stdout).toMatch(/^Failed: \d+ of \d+ obligations have a counterexample to induction/m);
    expect(run.stdout).toMatch(new RegExp(`Counterexample to induction [0-9a-f]{12}: IndInv /\\\\ \\w+ => ${caughtBy}' fails`));
    expect(run.stdout).toContain("The state before the step is reachable");
    const ctis = readdirSync(".").filter((f) => f.startsWith("cti-"));
    expect(ctis.length).toBeGreaterThan(0);
    for (const file of ctis) {
      const text = await multipager("trace", "show", file);
      expect(text.code, text.stderr).toBe(0);
      expect(text.stdout).toContain("<Any state of IndInv>");
      const md = await multipager("trace", "show", file, "--format", "md");
      expect(md.code).toBe(0);
      expect(md.stdout).toContain("### Counterexample to induction");
    }
    const full = readdirSync(".").filter((f) => f.startsWith("counterexample-"));
    expect(full.length).toBeGreaterThan(0);
    for (const file of full) expect((await multipager("trace", "replay", file)).code).toBe(12);
  });
});
