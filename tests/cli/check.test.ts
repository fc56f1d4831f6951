import { mkdtempSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, test } from "vitest";
import { ExitCode } from "../../cli/exit-codes.js";
import { readItf } from "../../model/itf.js";
import { traceId } from "../../model/trace.js";
import { namedConfigs, specMutants } from "../../spec/index.js";
import { multipager } from "./run-cli.js";


/** Drops the timing line, the one line that differs between identical runs. */
const withoutTiming = (text: string) => text.split("\n").filter((line) => !line.startsWith("Finished in")).join("\n");

let directory: string;
const originalCwd = process.cwd();
beforeEach(() => {
  directory = mkdtempSync(join(tmpdir(), "multipager-check-"));
  process.chdir(directory);
});
afterEach(() => process.chdir(originalCwd));

describe("multipager check", () => {
  test("explores the default configuration exhaustively and prints the statistics", async () => {
    const run = await multipager("check");
    expect(run.code).toBe(ExitCode.Ok);
    expect(run.stdout).toContain("configuration default");
    expect(run.stdout).toContain("Model checking completed. No error has been found.");
    expect(run.stdout).toMatch(/^\d+ states generated, \d+ distinct states found, 0 states left on queue\.$/m);
    expect(run.stdout).toMatch(/^The depth of the complete state graph search is \d+\.$/m);
    expect(run.stdout).toContain("Coverage");
    expect(readdirSync(directory)).toEqual([]);
  });

  test.each(specMutants.map((m) => m.name))("--mutant %s exits 12 with a shortest trace and an ITF file", async (mutant) => {
    const run = await multipager("check", "--mutant", mutant);
    expect(run.code).toBe(ExitCode.Safety);
    expect(run.stdout).toMatch(/Error: Invariant \w+ is violated\./);
    expect(run.stdout).toContain("State 1: <Initial predicate>");
    const written = /written to (counterexample-([0-9a-f]{12})\.itf\.json)$/m.exec(run.stdout);
    expect(written).not.toBeNull();
    const trace = readItf(join(directory, written![1]!));
    expect(trace.mutant).toBe(mutant);
    expect(trace.command).toEqual(["check", "--mutant", mutant]);
    expect(traceId(trace)).toBe(written![2]);
    // Every step of the file appears in the text, in order.
    trace.steps.forEach((_, index) => expect(run.stdout).toContain(`State ${index + 1}: <`));
  });

  test("--itf chooses the trace file; --quiet leaves out the statistics", async () => {
    const path = join(directory, "bug.itf.json");
    const run = await multipager("check", "--mutant", specMutants[0]!.name, "--itf", path, "--quiet");
    expect(run.code).toBe(ExitCode.Safety);
    expect(run.stdout).toContain(`written to ${path}`);
    expect(run.stdout).not.toContain("Coverage");
    expect(readItf(path).violation.kind).toBe("invariant");
  });

  test("simulation prints its seed, and the seed replays the run", async () => {
    const args = ["check", "--simulate", "--seed", "4242", "--runs", "30", "--depth", "15", "--config", "tiny"];
    const first = await multipager(...args);
    const second = await multipager(...args);
    expect(first.code).toBe(ExitCode.Ok);
    expect(first.stdout).toContain("Seed: 4242");
    expect(withoutTiming(second.stdout)).toBe(withoutTiming(first.stdout));
    const unseeded = await multipager("check", "--simulate", "--runs", "2", "--depth", "5", "--config", "tiny");
    expect(unseeded.stdout).toMatch(/^Seed: \d+$/m);
  });

  test("simulation finds a mutant's bug, writes the trace and says how to replay it", async () => {
    const mutant = specMutants[0]!;
    const run = await multipager("check", "--simulate", "--seed", "1", "--runs", "2000", "--depth", "20", "--mutant", mutant.name);
    expect(run.code).toBe(ExitCode.Safety);
    expect(run.stdout).toContain("Replay this run with: npx multipager check --simulate --seed 1 --runs 2000 --depth 20");
  });

  test("--max-states stops with partial statistics and exit 152", async () => {
    const run = await multipager("check", "--max-states", "50");
    expect(run.code).toBe(ExitCode.Budget);
    expect(run.stdout).toContain("the state budget of 50 distinct states was reached");
  });

  test("a configuration file is checked like a named configuration, and recorded in the trace", async () => {
    const tiny = namedConfigs.find((c) => c.name === "tiny")!;
    writeFileSync(join(directory, "mine.json"), JSON.stringify(tiny.config));
    const named = await multipager("check", "--config", "tiny", "--quiet");
    const file = await multipager("check", "--config", "mine.json", "--quiet");
    expect(file.code).toBe(named.code);
    const statistics = (text: string) => text.split("\n").slice(1).join("\n");
    expect(statistics(file.stdout)).toBe(statistics(named.stdout));
    const mutant = await multipager("check", "--config", "mine.json", "--mutant", specMutants[0]!.name, "--itf", "t.itf.json");
    expect(mutant.code).toBe(ExitCode.Safety);
    const trace = readItf(join(directory, "t.itf.json"));
    expect(trace.config).toBe("mine.json");
    expect(trace.configValue).toEqual(tiny.config);
  });

  test("--no-deadlock is accepted and reported in the header", async () => {
    const run = await multipager("check", "--config", "tiny", "--no-deadlock", "--quiet");
    expect(run.stdout).toContain("deadlock checking off");
    // Quiet: the header and the verdict, nothing else.
    expect(run.stdout.trimEnd().split("\n")).toHaveLength(2);
    expect(run.stdout).toMatch(/^Model checking completed\. No error has been found\.$/m);
  });

  test("--list-mutants and --list-configs", async () => {
    const mutants = await multipager("check", "--list-mutants");
    expect(mutants.code).toBe(ExitCode.Ok);
    for (const m of specMutants) expect(mutants.stdout).toContain(m.name);
    const configs = await multipager("check", "--list-configs");
    expect(configs.stdout).toMatch(/^default .*\(default\)$/m);
  });

  test("bad command lines and files: one line on stderr, exit 2 or 151", async () => {
    const cases: [string[], number, RegExp][] = [
      [["check", "--mutant", "no-such-bug"], ExitCode.Usage, /unknown mutant "no-such-bug"/],
      [["check", "--config", "no-such-config"], ExitCode.Usage, /unknown configuration "no-such-config"/],
      [["check", "--frobnicate"], ExitCode.Usage, /--frobnicate/],
      [["check", "--seed", "3"], ExitCode.Usage, /--seed needs --simulate/],
      [["check", "--simulate", "--seed", "-3"], ExitCode.Usage, /--seed/],
      [["check", "--max-states", "many"], ExitCode.Usage, /--max-states must be an integer/],
      [["check", "--config", "missing.json"], ExitCode.BadInput, /missing\.json/],
    ];
    writeFileSync(join(directory, "broken.json"), "{ not json");
    cases.push([["check", "--config", join(directory, "broken.json")], ExitCode.BadInput, /not valid JSON/]);
    for (const [argv, code, message] of cases) {
      const run = await multipager(...argv);
      expect({ argv, code: run.code }).toEqual({ argv, code });
      expect(run.stderr).toMatch(message);
      expect(run.stderr.trimEnd().split("\n")).toHaveLength(1);
    }
  });

  test("--help lists every option", async () => {
    const run = await multipager("check", "--help");
    expect(run.code).toBe(ExitCode.Ok);
    for (const option of ["--config", "--mutant", "--list-mutants", "--list-configs", "--no-deadlock", "--simulate", "--seed", "--depth", "--runs", "--max-states", "--itf", "--quiet"]) {
      expect(run.stdout).toContain(option);
    }
  });
});
