/**
 * Hostile input files as a user meets them: devices, directories, FIFOs and
 * deeply nested JSON get one line on stderr and exit 151, through every
 * command that reads a file (check --config, trace show/replay, x86 run).
 */
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { ExitCode } from "../../cli/exit-codes.js";
import { multipager } from "./run-cli.js";

const directory = mkdtempSync(join(tmpdir(), "multipager-hostile-"));
const corpusTrace = new URL("../traces/spec-no-present-recheck.itf.json", import.meta.url).pathname;

const oneLine151 = (run: { code: number; stderr: string }, text: string) => {
  expect(run.code).toBe(ExitCode.BadInput);
  expect(run.stderr).toContain(text);
  expect(run.stderr.trim().split("\n")).toHaveLength(1);
  expect(run.stderr).not.toContain("internal error");
};

describe("non-regular input files are refused with one line (exit 151)", () => {
  test.each([
    [["check", "--config", "/dev/zero"], "cannot read configuration file /dev/zero: it is a character device, not a regular file"],
    [["check", "--config", directory], `cannot read configuration file ${directory}: it is a directory, not a regular file`],
    [["trace", "show", "/dev/zero"], "cannot read trace file /dev/zero: it is a character device, not a regular file"],
    [["trace", "replay", "/dev/zero"], "cannot read trace file /dev/zero: it is a character device, not a regular file"],
    [["x86", "run", "/dev/zero"], "cannot read case file /dev/zero: it is a character device, not a regular file"],
    [["x86", "run", directory], `cannot read case file ${directory}: it is a directory, not a regular file`],
  ])("%j", async (argv, text) => oneLine151(await multipager(...argv), text));

  test("a configuration from a FIFO (as with --config <(...)) is read and checked", async () => {
    const fifo = join(directory, "config.fifo");
    spawnSync("mkfifo", [fifo]);
    const config = JSON.stringify({ tasks: 1, threads: [{ task: 0, pager: true }, { task: 0 }], frames: [0], regionsPerTask: 1, pagesPerRegion: 1, kernelAddresses: 0, markers: 1 });
    const writer = spawn("sh", ["-c", `printf '%s' '${config}' > '${fifo}'`]);
    const run = await multipager("check", "--config", fifo, "--quiet");
    await new Promise((resolve) => writer.on("close", resolve));
    expect(run.code).toBe(ExitCode.Ok);
    expect(run.stdout).toContain("Model checking completed. No error has been found.");
  });
});

describe("deeply nested JSON is one line (exit 151), never a stack overflow", () => {
  test("a configuration of 100,000 nested arrays", async () => {
    const file = join(directory, "deep-config.json");
    writeFileSync(file, "[".repeat(100_000) + "]".repeat(100_000));
    oneLine151(await multipager("check", "--config", file), `${file}: JSON nested more than 64 levels deep`);
  });

  test.each(["show", "replay"])("trace %s of a trace with a value nested 5,000 deep", async (subcommand) => {
    const file = join(directory, "deep-trace.itf.json");
    const deep = "[".repeat(5000) + "0" + "]".repeat(5000);
    writeFileSync(file, readFileSync(corpusTrace, "utf8").replace('"params": {}', `"params": {"x": ${deep}}`));
    oneLine151(await multipager("trace", subcommand, file), `${file}: JSON nested more than 64 levels deep`);
  });
});
