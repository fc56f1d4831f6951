/**
 * `check --workers auto` through the launcher users run (worker threads load
 * the compiled dist/): one worker per CPU, with --max-error and --inv passed
 * on to every worker.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { availableParallelism, tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, expect, test } from "vitest";
import { ExitCode } from "../../cli/exit-codes.js";
import { parseReport } from "../../cli/json-report.js";
import { ensureBuilt, LAUNCHER } from "../built.js";

beforeAll(ensureBuilt, 300_000);

const launch = (...args: string[]) =>
  spawnSync(process.execPath, [LAUNCHER, ...args], { cwd: mkdtempSync(join(tmpdir(), "multipager-workers-")), encoding: "utf8" });

test("--workers auto --max-error 3: one worker per CPU, three distinct counterexamples", () => {
  const run = launch("check", "--mutant", "no-present-recheck", "--workers", "auto", "--max-error", "3", "--json", "-");
  expect(run.status).toBe(ExitCode.Safety);
  const report = parseReport(run.stdout);
  expect(report.search!.workers).toBe(Math.min(availableParallelism(), 64));
  expect(report.counterexamples).toHaveLength(3);
  expect(new Set(report.counterexamples.map((c) => c.id)).size).toBe(3);
});

test("--workers 2 --no-inv: the workers leave the invariant out too", () => {
  const run = launch("check", "--mutant", "no-present-recheck", "--workers", "2", "--no-inv", "NoNeedlessPagerInvocation", "--json", "-");
  expect(run.status).toBe(ExitCode.Ok);
  expect(parseReport(run.stdout).search).toMatchObject({ workers: 2, complete: true });
});
