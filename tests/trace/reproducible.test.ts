/**
 * Every trace is reproducible from its own file: a property-based `refine`
 * records the seed and fast-check path it drew, and shrinks its failure to
 * the shortest trace, the one exhaustive checking reports, so the same bug
 * gets the same id whatever the seed; reproduce lines work from a checkout
 * and carry no absolute local paths.
 */
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, test } from "vitest";
import { ExitCode } from "../../cli/exit-codes.js";
import { readItf } from "../../model/itf.js";
import { traceId } from "../../model/trace.js";
import { portablePath, reproduceCommand, reproducingArgs } from "../../trace/command.js";
import { formatTraceMarkdown } from "../../trace/markdown.js";
import { multipager } from "../cli/run-cli.js";

const originalCwd = process.cwd();
const corpusId = (file: string): string => traceId(readItf(join(originalCwd, "tests/traces", file)));
let directory: string;
beforeEach(() => {
  directory = mkdtempSync(join(tmpdir(), "multipager-reproducible-"));
  process.chdir(directory);
});
afterEach(() => process.chdir(originalCwd));

describe("property-based refine: reproducible from the file, the same id for the same bug", () => {
  test("refine --mutant no-present-recheck with two seeds: the shortest trace, the exhaustive search's id, seed and path recorded", async () => {
    const ids: string[] = [];
    // Two seeds, as two fresh runs would draw (fixed here so the test's time is too).
    for (const [name, drawn] of [["a.itf.json", "3"], ["b.itf.json", "12"]] as const) {
      const run = await multipager("refine", "--mutant", "no-present-recheck", "--seed", drawn, "--itf", name);
      expect(run.code).toBe(ExitCode.Safety);
      const trace = readItf(join(directory, name));
      ids.push(traceId(trace));
      const seed = /^Seed: (\d+)$/m.exec(run.stdout)![1]!;
      // The drawn seed and the fast-check path are in the file, and in the Markdown's Reproduce block.
      expect(trace.command).toEqual(["refine", "--mutant", "no-present-recheck", "--seed", seed, "--path", expect.stringMatching(/^\d+(:\d+)*$/)]);
      expect(formatTraceMarkdown(trace, traceId(trace))).toContain(`\`\`\`sh\n${reproduceCommand(trace)}\n`);
      expect(trace.steps).toHaveLength(5);
      // Seed 12's run found a longer trace (9 steps) before the breadth-first search shortened it.
      if (drawn === "12") expect(trace.originalLength).toBe(9);
    }
    expect(ids[1]).toBe(ids[0]);
    expect(ids[0]).toBe(corpusId("impl-no-present-recheck.itf.json"));
  }, 60_000);

  test("the recorded command replays that very run: the same trace, byte for byte", async () => {
    await multipager("refine", "--mutant", "no-flush-on-reassign", "--seed", "5", "--itf", "first.itf.json");
    const first = readItf("first.itf.json");
    expect(first.command).toContain("--path");
    const again = await multipager(...first.command, "--itf", "again.itf.json");
    expect(again.code).toBe(ExitCode.Safety);
    expect(readFileSync("again.itf.json", "utf8")).toBe(readFileSync("first.itf.json", "utf8"));
    expect(traceId(first)).toBe(corpusId("impl-no-flush-on-reassign.itf.json"));
  }, 60_000);
});

describe("reproduce lines carry no absolute local paths and work from a checkout", () => {
  test("check with an absolute --itf and --config: the file's command and the Markdown name neither", async () => {
    const config = join(directory, "cfg.json");
    writeFileSync(config, readFileSync(join(originalCwd, "spec/configs/example.json")));
    const itf = join(directory, "out", "..", "bug.itf.json");
    const run = await multipager("check", "--mutant", "no-present-recheck", "--config", config, "--itf", itf, "--quiet");
    expect(run.code).toBe(ExitCode.Safety);
    const trace = readItf(itf);
    expect(trace.command).toEqual(["check", "--mutant", "no-present-recheck", "--config", "cfg.json"]);
    const markdown = formatTraceMarkdown(trace, traceId(trace), { file: itf });
    expect(markdown).toContain("npx multipager check --mutant no-present-recheck --config cfg.json\nnpx multipager trace replay bug.itf.json\n");
    expect(markdown).not.toContain(directory);
    expect(markdown).not.toMatch(/ \/(tmp|home|root|work)\//);
  }, 60_000);

  test("a simulation's drawn seed is recorded, and its replay line is a command that runs from a checkout (npx)", async () => {
    const run = await multipager("check", "--simulate", "--mutant", "no-present-recheck", "--runs", "2000", "--itf", "sim.itf.json");
    expect(run.code).toBe(ExitCode.Safety);
    const seed = /^Seed: (\d+)$/m.exec(run.stdout)![1]!;
    expect(readItf("sim.itf.json").command).toEqual(["check", "--simulate", "--mutant", "no-present-recheck", "--runs", "2000", "--seed", seed]);
    expect(run.stdout).toContain(`Replay this run with: npx multipager check --simulate --mutant no-present-recheck --runs 2000 --seed ${seed}\n`);
  }, 60_000);

  test("the command helpers: output options dropped (both spellings), paths made portable, drawn values added once", () => {
    expect(reproducingArgs("check", ["--itf=/tmp/x.itf.json", "-o", "y", "--quiet", "--config", "/elsewhere/c.json", "--seed", "3"], { "--seed": "9" })).toEqual([
      "check",
      "--config",
      "c.json",
      "--seed",
      "3",
    ]);
    expect(reproducingArgs("refine", ["--mutant", "m"], { "--seed": "1", "--path": "2:0" })).toEqual(["refine", "--mutant", "m", "--seed", "1", "--path", "2:0"]);
    expect(portablePath("/a/b/c.json", "/a")).toBe("b/c.json");
    expect(portablePath("/x/c.json", "/a")).toBe("c.json");
    expect(portablePath("rel/c.json", "/a")).toBe("rel/c.json");
    expect(reproduceCommand({ command: ["check", "--config", "my config.json", "--itf", "/tmp/t.json"] })).toBe("npx multipager check --config 'my config.json'");
  });
});

