/**
 * `check --workers N` through the launcher users run (worker threads load
 * the compiled dist/): the statistics line of a violation is one worker's;
 * `--workers auto` is one worker per CPU, and --max-error and --no-inv reach
 * every worker; --max-memory holds with workers.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { availableParallelism, tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, expect, test } from "vitest";
import { ExitCode } from "../../cli/exit-codes.js";
import { parseReport } from "../../cli/json-report.js";
import { ensureBuilt, LAUNCHER } from "../built.js";
import { multipager } from "./run-cli.js";

beforeAll(ensureBuilt, 300_000);

const directory = mkdtempSync(join(tmpdir(), "multipager-workers-"));
const countsLine = (stdout: string) => /^\d+ states generated, \d+ distinct states found, \d+ states left on queue\.$/m.exec(stdout)?.[0];

/** Runs the built launcher in the test's directory; returns its exit code and stdout. */
function launch(...argv: string[]): { code: number; stdout: string } {
  try {
    return { code: 0, stdout: execFileSync(process.execPath, [LAUNCHER, ...argv], { cwd: directory, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] }) };
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

test("--workers auto --max-error 3: one worker per CPU, three distinct counterexamples", () => {
  const run = launch("check", "--mutant", "no-present-recheck", "--workers", "auto", "--max-error", "3", "--json", "-");
  expect(run.code).toBe(ExitCode.Safety);
  const report = parseReport(run.stdout);
  expect(report.search!.workers).toBe(Math.min(availableParallelism(), 64));
  expect(report.counterexamples).toHaveLength(3);
  expect(new Set(report.counterexamples.map((c) => c.id)).size).toBe(3);
});

test("--workers 2 --no-inv: the workers leave the invariant out too", () => {
  const run = launch("check", "--mutant", "no-present-recheck", "--workers", "2", "--no-inv", "NoNeedlessPagerInvocation", "--json", "-");
  expect(run.code).toBe(ExitCode.Ok);
  expect(parseReport(run.stdout).search).toMatchObject({ workers: 2, complete: true });
});

test("--workers 2 --max-memory 4M: stops within the budget (not after a whole level), partial figures, then the simulation; exit 152", () => {
  const run = launch("check", "--config", "three-consumers", "--workers", "2", "--max-memory", "4M", "--runs", "5", "--seed", "3");
  expect(run.code).toBe(ExitCode.Budget);
  expect(run.stdout).toContain("Model checking stopped: the memory budget of 4.0 MiB was reached before the search finished; the figures below are partial.");
  const distinct = Number(/(\d+) distinct states found/.exec(run.stdout)![1]);
  expect(distinct).toBeGreaterThan(0);
  expect(distinct).toBeLessThan(399_492);
  // The store's account (shared table, every worker's links and frontier chunks) is checked before each state: it never passes the budget.
  const store = Number(/visited-state store (\d+\.\d) MiB/.exec(run.stdout)![1]);
  expect(store).toBeLessThanOrEqual(4);
  expect(run.stdout).toContain("continuing with a random simulation, seed 3.");
});
