/**
 * Output files as a user meets them: `-` and /dev/stdout are standard
 * output, a file that cannot be written is one line naming it (exit 151),
 * a verdict is never lost to a trace file that cannot be written, a link
 * stays a link, and a killed write's temporary file is cleaned by the next.
 */
import { spawnSync } from "node:child_process";
import { lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { ExitCode } from "../../cli/exit-codes.js";
import { multipager } from "./run-cli.js";

const directory = mkdtempSync(join(tmpdir(), "multipager-output-"));
const missing = join(directory, "no-such-dir");
const corpusTrace = new URL("../traces/spec-no-present-recheck.itf.json", import.meta.url).pathname;

describe("a verdict is never lost to a trace file that cannot be written", () => {
  test("check: the violation's exit code (12), the trace on stdout, one line on stderr naming the file", async () => {
    const target = join(missing, "trace.itf.json");
    const run = await multipager("check", "--mutant", "no-present-recheck", "--itf", target);
    expect(run.code).toBe(ExitCode.Safety);
    expect(run.stdout).toContain("Error: Invariant NoNeedlessPagerInvocation is violated.");
    expect(run.stdout).toMatch(/Counterexample \w+: 4 steps, not written \(see the error above\)/);
    expect(run.stderr).toBe(`multipager: check: cannot write ${target}: no such directory (ENOENT); the counterexample is printed above and the exit code is still the verdict's\n`);
  });

  test("check: a device that refuses the bytes (/dev/full) is written through, not replaced, and the verdict stands", async () => {
    const run = await multipager("check", "--mutant", "no-present-recheck", "--itf", "/dev/full");
    expect(run.code).toBe(ExitCode.Safety);
    expect(run.stderr).toContain("cannot write /dev/full: no space left on device (ENOSPC)");
  });

  test("refine: the same for a refinement counterexample", async () => {
    const target = join(missing, "refinement.itf.json");
    const run = await multipager("refine", "--exhaustive", "--mutant", "no-invlpg", "--itf", target, "--quiet");
    expect(run.code).toBe(ExitCode.Safety);
    expect(run.stderr).toContain(`cannot write ${target}: no such directory (ENOENT)`);
    expect(run.stderr.trim().split("\n")).toHaveLength(1);
  });
});

describe("- and /dev/stdout are standard output", () => {
  test("check --itf /dev/stdout: standard output is the ITF alone, the trace text goes to stderr", async () => {
    const run = await multipager("check", "--mutant", "no-present-recheck", "--itf", "/dev/stdout", "--quiet");
    expect(run.code).toBe(ExitCode.Safety);
    expect(JSON.parse(run.stdout)["#meta"].format).toBe("ITF");
    expect(run.stderr).toContain("Error: Invariant NoNeedlessPagerInvocation is violated.");
  });

  test("trace show -o - writes the rendering to stdout, with no 'wrote' line", async () => {
    const run = await multipager("trace", "show", corpusTrace, "--format", "svg", "-o", "-");
    expect(run.code).toBe(ExitCode.Ok);
    expect(run.stdout.startsWith("<svg")).toBe(true);
    expect(run.stderr).toBe("");
  });

  test("x86 gen -o - writes the case to stdout and its summary to stderr", async () => {
    const run = await multipager("x86", "gen", "--seed", "3", "--ops", "5", "-o", "-");
    expect(run.code).toBe(ExitCode.Ok);
    expect(run.stdout).toContain("\nx86-case 1\n");
    expect(run.stderr).toMatch(/^wrote standard output: seed 3, 5 operations, \d+ image words\n$/);
  });
});

describe("an output that cannot be written is one line naming it, exit 151", () => {
  test.each([
    [["x86", "gen", "--seed", "1", "--ops", "5", "-o", join(missing, "x.case")], join(missing, "x.case")],
    [["trace", "show", corpusTrace, "-o", join(missing, "t.svg"), "--format", "svg"], join(missing, "t.svg")],
  ])("%j", async (argv, target) => {
    const run = await multipager(...argv);
    expect(run.code).toBe(ExitCode.BadInput);
    expect(run.stderr).toBe(`multipager: cannot write ${target}: no such directory (ENOENT)\n`);
  });

  test("trace corpus --out where a trace file's name is taken by a directory names that file, not a temporary one", async () => {
    const out = join(directory, "corpus");
    const taken = join(out, "spec-no-present-recheck.itf.json");
    mkdirSync(taken, { recursive: true });
    const run = await multipager("trace", "corpus", "--out", out);
    expect(run.code).toBe(ExitCode.BadInput);
    expect(run.stderr).toBe(`multipager: cannot write ${taken}: it is a directory (EISDIR)\n`);
    expect(readdirSync(out).filter((name) => name.includes(".tmp-"))).toEqual([]);
  });
});

describe("the trace file of check --itf", () => {
  test("a symbolic link stays a link, and its target gets the trace", async () => {
    const dir = mkdtempSync(join(directory, "link-"));
    const target = join(dir, "real.itf.json");
    const link = join(dir, "link.itf.json");
    symlinkSync(target, link);
    const run = await multipager("check", "--mutant", "no-present-recheck", "--itf", link);
    expect(run.code).toBe(ExitCode.Safety);
    expect(lstatSync(link).isSymbolicLink()).toBe(true);
    expect(JSON.parse(readFileSync(target, "utf8"))).toHaveProperty("states");
    expect(readdirSync(dir).sort()).toEqual(["link.itf.json", "real.itf.json"]);
  });

  test("a temporary file left by a killed write (a dead process's) is removed by the next write to the same file; a running process's stays", async () => {
    const dir = mkdtempSync(join(directory, "stale-"));
    const deadPid = Number(spawnSync(process.execPath, ["-e", "process.stdout.write(String(process.pid))"], { encoding: "utf8" }).stdout);
    const stale = `t.itf.json.tmp-${deadPid}-1700000000000`;
    const running = `t.itf.json.tmp-${process.ppid}-1700000000001`;
    for (const name of [stale, running]) writeFileSync(join(dir, name), "half a trace");
    const run = await multipager("check", "--mutant", "no-present-recheck", "--itf", join(dir, "t.itf.json"));
    expect(run.code).toBe(ExitCode.Safety);
    expect(readdirSync(dir).sort()).toEqual([running, "t.itf.json"].sort());
  });
});
