/**
 * `check --workers N` through the launcher users run (worker threads load
 * the compiled dist/): the statistics line of a violation is one worker's.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, expect, test } from "vitest";
import { ExitCode } from "../../cli/exit-codes.js";
import { ensureBuilt, LAUNCHER } from "../built.js";
import { multipager } from "./run-cli.js";

beforeAll(ensureBuilt, 300_000);

const directory = mkdtempSync(join(tmpdir(), "multipager-workers-"));
const countsLine = (stdout: string) => /^\d+ states generated, \d+ distinct states found, \d+ states left on queue\.$/m.exec(stdout)?.[0];

/** Runs the built launcher; returns its exit code and stdout. */
function launch(...argv: string[]): { code: number; stdout: string } {
  try {
    return { code: 0, stdout: execFileSync(process.execPath, [LAUNCHER, ...argv], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] }) };
  } catch (error) {
    const failed = error as { status: number; stdout: string };
    return { code: failed.status, stdout: failed.stdout };
  }
}

test("a violation found by two workers: the same generated, distinct and left-on-queue counts as one worker", async () => {
  const one = await multipager("check", "--mutant", "no-present-recheck", "--itf", join(directory, "one.itf.json"));
  const two = launch("check", "--mutant", "no-present-recheck", "--workers", "2", "--itf", join(directory, "two.itf.json"));
  expect(one.code).toBe(ExitCode.Safety);
  expect(two.code).toBe(ExitCode.Safety);
  expect(countsLine(two.stdout)).toBe(countsLine(one.stdout));
  expect(countsLine(one.stdout)).toBeDefined();
});
