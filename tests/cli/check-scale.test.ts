/**
 * The scale options of `multipager check`: --symmetry, --max-memory (a clean
 * stop, then simulation), --workers (parsed here; the threads themselves are
 * tested on the build in tests/model/parallel.test.ts) and their usage errors.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, test } from "vitest";
import { multipager as run } from "./run-cli.js";
import { ExitCode } from "../../cli/exit-codes.js";

const multipager = (...argv: string[]) => run("check", ...argv);

const distinctOf = (stdout: string) => Number(/(\d+) distinct states found/.exec(stdout)?.[1]);

const originalCwd = process.cwd();
beforeEach(() => process.chdir(mkdtempSync(join(tmpdir(), "multipager-scale-"))));
afterEach(() => process.chdir(originalCwd));

describe("multipager check: scale options", () => {
  test("--symmetry explores fewer states with the same verdict, and says so", async () => {
    const full = await multipager("--config", "default");
    const reduced = await multipager("--config", "default", "--symmetry");
    expect(reduced.code).toBe(ExitCode.Ok);
    expect(reduced.stdout).toContain("symmetry reduction: one state per orbit");
    expect(distinctOf(reduced.stdout)).toBeLessThan(distinctOf(full.stdout));
  });

  test("--symmetry still catches a mutant with a shortest trace", async () => {
    const full = await multipager("--mutant", "no-present-recheck", "--itf", "a.itf.json");
    const reduced = await multipager("--mutant", "no-present-recheck", "--symmetry", "--itf", "b.itf.json");
    expect(reduced.code).toBe(ExitCode.Safety);
    const steps = (text: string) => /Counterexample \w+: (\d+) steps/.exec(text)?.[1];
    expect(steps(reduced.stdout)).toBe(steps(full.stdout));
  });

  test("--max-memory stops cleanly with partial statistics, then simulates with a printed seed; exit 152", async () => {
    const run = await multipager("--config", "three-consumers", "--max-memory", "1M", "--runs", "50", "--seed", "3");
    expect(run.code).toBe(ExitCode.Budget);
    expect(run.stdout).toContain("the memory budget of 1.0 MiB was reached");
    expect(run.stdout).toContain("continuing with a random simulation, seed 3");
    expect(run.stdout).toContain("Simulation completed");
  });

  test("usage errors name the option", async () => {
    for (const [args, text] of [
      [["--max-memory", "lots"], "--max-memory must be a size"],
      [["--workers", "0"], "--workers must be an integer in 1..64"],
      [["--simulate", "--symmetry"], "--symmetry applies to exhaustive search"],
      [["--simulate", "--max-memory", "1G"], "--max-memory applies to exhaustive search"],
    ] as const) {
      const run = await multipager(...args);
      expect(run.code).toBe(ExitCode.Usage);
      expect(run.stderr).toContain(text);
    }
  });
});
