/**
 * A signal during a long run, through the launcher users run (a child
 * process, real signals): the run says it was interrupted, prints its
 * partial figures, writes a checkpoint when asked, and exits 128 + the
 * signal's number; `--recover DIR` then ends with the figures of a run that
 * was never interrupted, with one worker and with two.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, test } from "vitest";
import { ExitCode } from "../../cli/exit-codes.js";
import { ensureBuilt, LAUNCHER } from "../built.js";
import { multipager } from "./run-cli.js";

beforeAll(ensureBuilt, 300_000);

const directory = mkdtempSync(join(tmpdir(), "multipager-interrupt-"));
/**
 * A run long enough to be caught mid-search on a quiet machine too (bench/'s
 * 2p-2c-1pg-1m: 3.6 million states, several seconds; three-consumers ends in
 * well under a second, before the signal, when nothing else runs).
 */
const long = join(directory, "2p-2c-1pg-1m.json");
writeFileSync(
  long,
  JSON.stringify({
    tasks: 1,
    threads: [{ task: 0, pager: true }, { task: 0, pager: true }, { task: 0 }, { task: 0 }],
    frames: [0, 1],
    regionsPerTask: 2,
    pagesPerRegion: 1,
    kernelAddresses: 1,
    markers: 1,
  }),
);
const countsLine = (stdout: string) => /^\d+ states generated, \d+ distinct states found, \d+ states left on queue\.$/m.exec(stdout)?.[0];
const depthOf = (stdout: string) => /depth of the (?:complete )?state graph search (?:so far )?is (\d+)/.exec(stdout)?.[1];

interface Run {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs the launcher; once its header is out, waits `delayMs` and sends `signal` (unless it has finished). */
function launchAndSignal(argv: readonly string[], signal: NodeJS.Signals, delayMs = 300): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [LAUNCHER, ...argv], { stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    let sent = false;
    // A run that does not answer the signal within a minute fails the test instead of outliving it.
    let timer: NodeJS.Timeout | undefined;
    child.stdout.on("data", (chunk: Buffer) => {
      stdout += chunk.toString();
      if (!sent && stdout.includes("\n")) {
        sent = true;
        timer = setTimeout(() => {
          child.kill(signal);
          timer = setTimeout(() => child.kill("SIGKILL"), 60_000);
        }, delayMs);
      }
    });
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** Runs the launcher to its end. */
const launch = (argv: readonly string[]): Promise<Run> => launchAndSignal(argv, "SIGINT", 3_600_000);

describe("SIGINT, a checkpoint, and --recover", () => {
  let uninterrupted: { code: number; stdout: string };
  beforeAll(async () => {
    uninterrupted = await multipager("check", "--config", long);
    expect(uninterrupted.code).toBe(ExitCode.Ok);
  }, 300_000);

  test.each([1, 2])("%i worker(s): interrupted with partial figures (exit 130), then resumed to an uninterrupted run's figures", async (workers) => {
    const dir = join(directory, `workers-${workers}`);
    const args = ["check", "--config", long, "--workers", String(workers), "--checkpoint", dir];
    const interrupted = await launchAndSignal(args, "SIGINT");
    expect(interrupted.code).toBe(130);
    expect(interrupted.stdout).toContain("Model checking interrupted (SIGINT) before the search finished; the figures below are partial.");
    expect(interrupted.stdout).toMatch(/^\d+ states generated, \d+ distinct states found, [1-9]\d* states left on queue\.$/m);
    expect(interrupted.stdout).toContain(`resume with: multipager check --config ${long} --workers ${workers} --checkpoint ${dir} --recover ${dir}`);
    expect(interrupted.stderr).toContain("multipager: SIGINT received: stopping at the next safe point");

    const resumed = await launch([...args, "--recover", dir]);
    expect(resumed.code).toBe(ExitCode.Ok);
    expect(resumed.stdout).toMatch(new RegExp(`^Resuming from the checkpoint in ${dir}: \\d+ states generated`, "m"));
    expect(countsLine(resumed.stdout)).toBe(countsLine(uninterrupted.stdout));
    expect(depthOf(resumed.stdout)).toBe(depthOf(uninterrupted.stdout));
  }, 600_000);

  test("SIGTERM without --checkpoint: exit 143, and it says nothing is kept", async () => {
    const run = await launchAndSignal(["check", "--config", long], "SIGTERM");
    expect(run.code).toBe(143);
    expect(run.stdout).toContain("Model checking interrupted (SIGTERM)");
    expect(run.stdout).toContain("No checkpoint was asked for (--checkpoint DIR): the figures above are all that is kept of this run.");
  });

  test("a simulation is interrupted too, with the runs so far", async () => {
    const run = await launchAndSignal(["check", "--config", "three-consumers", "--simulate", "--runs", "100000000", "--seed", "5"], "SIGINT");
    expect(run.code).toBe(130);
    expect(run.stdout).toMatch(/^Simulation interrupted \(SIGINT\) in run \d+; the figures below are partial, no error has been found so far\.$/m);
  });
});

describe("--recover refuses what is not this run's checkpoint (exit 151, one line)", () => {
  const dir = join(directory, "default-checkpoint");

  beforeAll(async () => {
    const run = await launchAndSignal(["check", "--config", long, "--checkpoint", dir], "SIGINT", 200);
    expect(run.code).toBe(130);
  }, 60_000);

  test.each([
    [["--config", "default"], "written for another configuration than this run's"],
    [["--config", long, "--mutant", "no-present-recheck"], "written for mutant none, but this run has mutant no-present-recheck"],
    [["--config", long, "--symmetry"], "written for symmetry false, but this run has symmetry true"],
    [["--config", long, "--no-deadlock"], "written for deadlock checking true, but this run has deadlock checking false"],
  ])("%j", async (options, message) => {
    const run = await multipager("check", ...options, "--recover", dir);
    expect(run.code).toBe(ExitCode.BadInput);
    expect(run.stderr).toBe(`multipager: checkpoint ${dir}: ${message} (resume with the options it was written with)\n`);
  });

  test("a directory with no checkpoint, and a missing one", async () => {
    const empty = mkdtempSync(join(directory, "empty-"));
    expect((await multipager("check", "--recover", empty)).stderr).toBe(`multipager: checkpoint ${empty}: no checkpoint in it (checkpoint.bin is missing)\n`);
    expect((await multipager("check", "--recover", join(directory, "nowhere"))).code).toBe(ExitCode.BadInput);
  });

  test.each([
    [["--simulate", "--checkpoint", dir], "--checkpoint applies to exhaustive search, not --simulate"],
    [["--liveness", "--recover", dir], "--recover cannot be combined with --liveness"],
    [["--checkpoint-interval", "5m"], "--checkpoint-interval needs --checkpoint DIR"],
    [["--checkpoint", dir, "--checkpoint-interval", "soon"], '--checkpoint-interval must be a duration of at least 1s (e.g. 90s, 10m, 1h), got "soon"'],
  ])("usage: %j", async (options, message) => {
    const run = await multipager("check", ...options);
    expect(run.code).toBe(ExitCode.Usage);
    expect(run.stderr).toContain(message);
  });
});
