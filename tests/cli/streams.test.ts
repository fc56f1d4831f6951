/**
 * Standard output failing under the launcher users run (bin/multipager.js,
 * as a child process): a full device is one line and exit 151; a reader that
 * stops early (`| head`) ends the output quietly.
 */
import { spawn, spawnSync } from "node:child_process";
import { closeSync, openSync } from "node:fs";
import { beforeAll, expect, test } from "vitest";
import { ExitCode } from "../../cli/exit-codes.js";
import { ensureBuilt, LAUNCHER } from "../built.js";

beforeAll(ensureBuilt, 300_000);

test("check > /dev/full: one line on stderr, exit 151, no stack", () => {
  const full = openSync("/dev/full", "w");
  try {
    const run = spawnSync(process.execPath, [LAUNCHER, "check"], { stdio: ["ignore", full, "pipe"], encoding: "utf8" });
    expect(run.stderr).toBe("multipager: cannot write standard output: no space left on device (ENOSPC)\n");
    expect(run.status).toBe(ExitCode.BadInput);
  } finally {
    closeSync(full);
  }
});

test("check | head -1: the closed pipe ends the output quietly with the command's code", async () => {
  const child = spawn(process.execPath, [LAUNCHER, "check", "--config", "three-consumers"], { stdio: ["ignore", "pipe", "pipe"] });
  let stderr = "";
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  // Read the first line, then close the pipe as `head -1` does.
  await new Promise<void>((resolve) => child.stdout.once("data", () => resolve()));
  child.stdout.destroy();
  const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
  expect(stderr).toBe("");
  expect(code).toBe(ExitCode.Ok);
});
