import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeEach, describe, expect, test } from "vitest";
import { multipager as run } from "../cli/run-cli.js";
import { ExitCode } from "../../cli/exit-codes.js";
import { readItf } from "../../model/itf.js";
import { kernelMutants } from "../../impl/mutants.js";

const multipager = (...argv: string[]) => run("refine", ...argv);

describe("multipager refine", () => {
  beforeEach(() => new Promise<void>((resolve) => setImmediate(resolve)));
  const dir = mkdtempSync(join(tmpdir(), "refine-cli-"));

  test("--list-mutants lists every implementation mutant with its configuration", async () => {
    const { code, stdout } = await multipager("--list-mutants");
    expect(code).toBe(ExitCode.Ok);
    for (const m of kernelMutants) expect(stdout).toContain(m.name);
  });

  test("usage errors exit 2 with one line", async () => {
    for (const args of [["--bogus"], ["--arch", "mach"], ["--mutant", "nope"], ["--exhaustive", "--seed", "3"], ["--runs", "x"], ["--config", "huge"], ["--path", "1:2"]]) {
      const { code, stderr } = await multipager(...args);
      expect(code, args.join(" ")).toBe(ExitCode.Usage);
      expect(stderr.trim().split("\n")).toHaveLength(1);
    }
  });

  test("the issue's missed mutant: refine --mutant marker-lost --runs 500 --seed 7 catches it now (exit 12), with the exhaustive search's trace", async () => {
    const itf = join(dir, "marker-lost-7.itf.json");
    const { code, stdout } = await multipager("--mutant", "marker-lost", "--runs", "500", "--seed", "7", "--itf", itf);
    expect(code).toBe(ExitCode.Safety);
    expect(stdout).toMatch(/^Property-based refinement failed: /m);
    expect(readItf(itf).command).toEqual(expect.arrayContaining(["--seed", "7", "--runs", "500"]));
  }, 60_000);

  test("exhaustive on micro passes with TLC statistics", async () => {
    const { code, stdout } = await multipager("--exhaustive", "--config", "micro");
    expect(code).toBe(ExitCode.Ok);
    expect(stdout).toMatch(/Model checking completed\. No error has been found\./);
    expect(stdout).toMatch(/distinct states found/);
  }, 60_000);

  test("an exhaustive mutant run exits 12 and writes an ITF refinement trace", async () => {
    const itf = join(dir, "t.itf.json");
    const { code, stdout } = await multipager("--exhaustive", "--mutant", "marker-lost", "--itf", itf);
    expect(code).toBe(ExitCode.Safety);
    expect(stdout).toContain("Error: Refinement obligation CommutingSquare is violated.");
    expect(stdout).toContain("maps to: <Unmap(");
    const trace = readItf(itf);
    expect(trace.kind).toBe("refinement");
    expect(trace.arch).toBe("proposed");
    expect(trace.mutant).toBe("marker-lost");
    expect(trace.steps.every((s) => s.abstract !== undefined)).toBe(true);
  }, 60_000);

  test("a property-based failure prints its seed and a replay command with the path", async () => {
    const itf = join(dir, "p.itf.json");
    const { code, stdout } = await multipager("--mutant", "no-flush-on-reassign", "--seed", "5", "--itf", itf);
    expect(code).toBe(ExitCode.Safety);
    expect(stdout).toContain("Seed: 5");
    const replay = /--seed 5 --path (\S+)/.exec(stdout);
    expect(replay).not.toBeNull();
    const again = await multipager("--mutant", "no-flush-on-reassign", "--seed", "5", "--path", replay![1]!, "--itf", join(dir, "q.itf.json"));
    expect(again.code).toBe(ExitCode.Safety);
    expect(readItf(join(dir, "q.itf.json")).steps).toEqual(readItf(itf).steps);
  }, 60_000);
});
