/**
 * The README carries the measured kill-rate table of the property-based
 * refinement (bench/kill-rate.ts): a row for every implementation mutant,
 * on the configuration impl/mutants.ts lists for it, each safety mutant
 * caught by at least 99 of 100 seeds and each liveness mutant's lasso found.
 * A mutant added without measuring it fails here.
 */
import { readFileSync } from "node:fs";
import { describe, expect, test } from "vitest";
import { kernelMutants } from "../../impl/mutants.js";

const readme = readFileSync("README.md", "utf8");
const section = readme.split(/^## /m).find((part) => part.startsWith("Kill rate of the property-based refinement")) ?? "";

describe("the README's kill-rate table", () => {
  test("is there, with the command that measured it", () => {
    expect(section).toContain("npm run bench:kill-rate");
  });

  test.each(kernelMutants.map((m) => [m.name, m] as const))("%s has its measured row", (name, mutant) => {
    const row = section.split("\n").find((line) => line.startsWith(`| \`${name}\` | \`${mutant.config}\` |`));
    expect(row, `no row for ${name} on ${mutant.config}`).toBeDefined();
    const cells = row!.split("|").map((cell) => cell.trim());
    if (mutant.kind === "liveness") {
      expect(cells[3]).toBe("yes");
    } else {
      const [caught, of] = cells[3]!.split("/").map(Number);
      expect(of).toBe(100);
      expect(caught).toBeGreaterThanOrEqual(99);
    }
  });
});
