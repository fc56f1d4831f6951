/**
 * The one option parser (cli/options.ts): every bad number and every option
 * mistake is our own one line and exit 2, never node:util's wording; -V and
 * --version; progress lines on a stderr that is not a terminal.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, test } from "vitest";
import { ExitCode } from "../../cli/exit-codes.js";
import { version } from "../../cli/main.js";
import { built, ensureBuilt } from "../built.js";
import { multipager } from "./run-cli.js";

const originalCwd = process.cwd();
beforeEach(() => process.chdir(mkdtempSync(join(tmpdir(), "multipager-options-"))));
afterEach(() => process.chdir(originalCwd));

/** Words of node:util's parseArgs that must never reach a user. */
const NODE_WORDING = /ambiguous|argument missing|does not take an argument|Unexpected argument|To specify|ERR_PARSE_ARGS/;

const MAX = "9007199254740991";

describe("bad numbers: our own one-line error, exit 2", () => {
  test.each([
    [["check", "--simulate", "--seed", "-1"], `check: --seed must be an integer in 0..${MAX}, got "-1"`],
    [["check", "--simulate", "--seed", "1.5"], `check: --seed must be an integer in 0..${MAX}, got "1.5"`],
    [["check", "--simulate", "--seed", "99999999999999999999"], `check: --seed must be an integer in 0..${MAX}, got "99999999999999999999"`],
    [["check", "--simulate", "--runs", "1e3"], `check: --runs must be an integer in 1..${MAX}, got "1e3"`],
    [["check", "--simulate", "--runs", "-5"], `check: --runs must be an integer in 1..${MAX}, got "-5"`],
    [["check", "--simulate", "--depth", "0"], `check: --depth must be an integer in 1..${MAX}, got "0"`],
    [["check", "--depth", "-1"], `check: --depth must be an integer in 0..${MAX}, got "-1"`],
    [["check", "--max-states", "0x10"], `check: --max-states must be an integer in 1..${MAX}, got "0x10"`],
    [["check", "--max-states", ""], `check: --max-states must be an integer in 1..${MAX}, got ""`],
    [["check", "--workers", "-2"], 'check: --workers must be an integer in 1..64 or "auto", got "-2"'],
    [["check", "--max-error", "-3"], `check: --max-error must be an integer in 1..${MAX}, got "-3"`],
    [["check", "--progress-interval", "-1"], 'check: --progress-interval must be an integer in 0..86400, got "-1"'],
    [["check", "--max-memory", "-1G"], 'check: --max-memory must be a size of at least 1M (e.g. 512M, 4G), got "-1G"'],
    [["refine", "--seed", "-1"], `refine: --seed must be an integer in 0..${MAX}, got "-1"`],
    [["refine", "--runs", "1e3"], `refine: --runs must be an integer in 1..${MAX}, got "1e3"`],
    [["refine", "--exhaustive", "--max-states", "-10"], `refine: --max-states must be an integer in 1..${MAX}, got "-10"`],
    [["table1", "--faults", "-3"], 'table1: --faults must be an integer in 1..64, got "-3"'],
    [["table1", "--faults", "1e1"], 'table1: --faults must be an integer in 1..64, got "1e1"'],
    [["x86", "fuzz", "--seed", "-1"], 'x86: --seed must be an integer in 0..2147483647, got "-1"'],
    [["x86", "gen", "--seed", "1", "--ops", "1e3", "-o", "-"], 'x86: --ops must be an integer in 1..100000, got "1e3"'],
    [["x86", "fuzz", "--jobs", "-2"], 'x86: --jobs must be an integer in 1..256, got "-2"'],
  ])("multipager %j", async (argv, message) => {
    const run = await multipager(...argv);
    expect(run.code).toBe(ExitCode.Usage);
    expect(run.stderr).toBe(`multipager: ${message}\n`);
    expect(run.stdout).toBe("");
  });
});

describe("option mistakes: our own wording", () => {
  test.each([
    [["check", "--invariant", "X"], "check: unknown option '--invariant' (did you mean --inv?) (see multipager check --help)"],
    [["check", "--mutnat", "x"], "check: unknown option '--mutnat' (did you mean --mutant?) (see multipager check --help)"],
    [["check", "--frobnicate"], "check: unknown option '--frobnicate' (see multipager check --help)"],
    [["check", "--inv"], "check: --inv needs a value (see multipager check --help)"],
    [["check", "--config", "--quiet"], "check: --config needs a value (see multipager check --help)"],
    [["check", "--quiet=yes"], "check: --quiet takes no value (see multipager check --help)"],
    [["check", "extra"], "check: unexpected argument 'extra' (see multipager check --help)"],
    [["check", "--progress", "--no-progress"], "check: --progress and --no-progress exclude each other"],
    [["refine", "--sed", "1"], "refine: unknown option '--sed' (did you mean --seed?) (see multipager refine --help)"],
    [["trace", "show", "--formt", "md"], "trace: unknown option '--formt' (did you mean --format?) (see multipager trace --help)"],
  ])("multipager %j", async (argv, message) => {
    const run = await multipager(...argv);
    expect(run.code).toBe(ExitCode.Usage);
    expect(run.stderr).toBe(`multipager: ${message}\n`);
    expect(run.stderr).not.toMatch(NODE_WORDING);
  });
});

describe("-V and --version", () => {
  test.each([["-V"], ["--version"]])("multipager %s prints the version and exits 0", async (flag) => {
    const run = await multipager(flag);
    expect(run.code).toBe(ExitCode.Ok);
    expect(run.stdout).toBe(`${await version()}\n`);
    expect(run.stdout).toMatch(/^\d+\.\d+\.\d+\n$/);
  });

  test("--help names -V", async () => {
    expect((await multipager("--help")).stdout).toContain("multipager -V | --version");
  });
});

describe("progress on a stderr that is not a terminal", () => {
  const progressLines = (stderr: string) => stderr.split("\n").filter((line) => line.startsWith("Progress ("));

  test("a line at each report with --progress-interval 0 (about every 1024 states), whole lines, never on stdout", async () => {
    const run = await multipager("check", "--config", "tiny", "--progress-interval", "0");
    expect(run.code).toBe(ExitCode.Ok);
    const lines = progressLines(run.stderr);
    expect(lines.length).toBeGreaterThanOrEqual(1);
    for (const line of lines) expect(line).toMatch(/^Progress \(\d+ s\): depth \d+, \d+ states generated \([\d,]+ s\/s\), \d+ distinct, \d+ on queue$/);
    expect(run.stderr).not.toContain("\r");
    expect(run.stdout).not.toContain("Progress (");
  });

  test("simulation and liveness report progress too", async () => {
    const simulation = await multipager("check", "--config", "tiny", "--simulate", "--seed", "1", "--runs", "200", "--progress-interval", "0");
    expect(progressLines(simulation.stderr).length).toBeGreaterThanOrEqual(1);
    const liveness = await multipager("check", "--config", "tiny", "--liveness", "--progress-interval", "0");
    expect(progressLines(liveness.stderr).length).toBeGreaterThanOrEqual(1);
  });

  test("--no-progress: none; the default interval (60 s, TLC's): none in a short run", async () => {
    expect((await multipager("check", "--config", "tiny", "--no-progress", "--progress-interval", "0")).stderr).toBe("");
    expect((await multipager("check", "--config", "tiny")).stderr).toBe("");
  });
});

describe("the bench's options go through the same parser", () => {
  test.each([
    [["--repeat", "-1"], 'bench: --repeat must be an integer in 1..9007199254740991, got "-1"'],
    [["--spin-timeout", "1e3"], 'bench: --spin-timeout must be an integer in 1..9007199254740991, got "1e3"'],
    [["--quik"], "bench: unknown option '--quik' (did you mean --quick?) (options: --quick, --spin-timeout S, --repeat N)"],
  ])("node dist/bench/run.js %j: exit 2 before anything runs", (argv, message) => {
    ensureBuilt();
    const run = spawnSync(process.execPath, [built("bench/run.ts"), ...argv], { encoding: "utf8" });
    expect(run.status).toBe(ExitCode.Usage);
    expect(run.stderr).toBe(`${message}\n`);
  });
});
