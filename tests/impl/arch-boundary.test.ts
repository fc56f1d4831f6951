/**
 * Each architecture's protocol lives in its file of impl/arch/: the kernel
 * core, the model's machine, the Table I workload, the runtime's one program
 * and the refinement ask the Architecture interface and never test which
 * architecture they run on. (Data may name one: impl/mutants.ts's seeded
 * bugs, impl/table1.ts's paper figures, the kernel fuzz's fixture.)
 */
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { ARCH_NAMES } from "../../impl/arch/index.js";

const CORE = ["impl/kernel", "impl/machine.ts", "impl/workload.ts", "impl/fairness.ts", "impl/arch/runtime.ts", "refinement"];

function sourcesUnder(path: string): string[] {
  if (path.endsWith(".ts")) return [path];
  return readdirSync(path, { withFileTypes: true }).flatMap((entry) => sourcesUnder(join(path, entry.name)));
}

/** The lines of `source` that name an architecture in a string literal, or test a family by a hook that serves one. */
function familyTests(source: string): string[] {
  const names = ARCH_NAMES.map((name) => name.replace(/[-]/g, "\\-")).join("|");
  const literal = new RegExp(`["'\`](${names})["'\`]`);
  const familyHook = /\b(usesRegionMappers|isRegionMapper|isMonolithic|arch\.name\s*===)/;
  return readFileSync(source, "utf8")
    .split("\n")
    .flatMap((line, i) => (literal.test(line) || familyHook.test(line) ? [`${source}:${i + 1}: ${line.trim()}`] : []));
}

describe("architectures behind one interface", () => {
  test("no file of the core or of the refinement names an architecture or asks for a family", () => {
    expect(CORE.flatMap(sourcesUnder).flatMap(familyTests)).toEqual([]);
  });

  test("the check finds a family test when there is one", () => {
    expect(familyTests("impl/arch/l4re.ts").length).toBeGreaterThan(0);
  });
});
