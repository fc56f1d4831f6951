/**
 * Runs Spin on a Promela model: breadth-first safety search without
 * partial-order reduction (spin -a; cc -DBFS -DNOREDUCE -DSAFETY; ./pan) and
 * reads the counts from pan's report.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export interface SpinResult {
  /** pan's "states, stored": distinct states. */
  readonly stored: number;
  /** pan's "transitions": successors computed (stored + matched). */
  readonly transitions: number;
  readonly matched: number;
  /** Wall time of ./pan alone (not spin -a or the C compiler). */
  readonly seconds: number;
  /** CPU time (user + system) of ./pan. */
  readonly cpuSeconds: number;
  /** pan's "total actual memory usage", MB. */
  readonly memoryMb: number;
  /** pan's "actual memory usage for states" (the stored states), MB. */
  readonly stateMemoryMb: number;
  readonly depth: number;
  /** pan stopped before the search was complete (memory limit, error). */
  readonly complete: boolean;
  readonly report: string;
}

/** Where spin is, or null when it is not installed. */
export function spinPath(): string | null {
  const found = spawnSync("sh", ["-c", "command -v spin"], { encoding: "utf8" });
  const path = found.stdout.trim();
  return found.status === 0 && path !== "" ? path : null;
}

/** Installs the Debian package spin when missing and we may (root with apt-get); returns whether spin is there. */
export function ensureSpin(log: (line: string) => void): boolean {
  if (spinPath() !== null) return true;
  if (process.getuid?.() !== 0) {
    log("spin is not installed and this is not root: install the Debian package spin (apt-get install spin)");
    return false;
  }
  log("spin is not installed: apt-get install spin ...");
  const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
  spawnSync("apt-get", ["update", "-qq"], { stdio: "inherit", env });
  spawnSync("apt-get", ["install", "-y", "-qq", "--no-install-recommends", "spin", "gcc"], { stdio: "inherit", env });
  return spinPath() !== null;
}

export interface SpinOptions {
  /** pan's memory limit (MEMLIM), MB. */
  readonly memoryLimitMb?: number;
  /** Hash table size exponent (pan -w). */
  readonly hashBits?: number;
  readonly timeoutSeconds?: number;
}

function count(report: string, pattern: RegExp): number {
  const found = pattern.exec(report);
  return found ? Number(found[1]) : Number.NaN;
}

/** Compiles and runs `model` with Spin; throws when spin, cc or pan fails to run. */
export function runSpin(model: string, options: SpinOptions = {}): SpinResult {
  const dir = mkdtempSync(join(tmpdir(), "multipager-spin-"));
  try {
    writeFileSync(join(dir, "model.pml"), model);
    execFileSync("spin", ["-o2", "-a", "model.pml"], { cwd: dir, stdio: "pipe" });
    const memlim = options.memoryLimitMb ?? 8192;
    execFileSync(
      "cc",
      ["-O2", "-DBFS", "-DNOREDUCE", "-DSAFETY", "-DNOCLAIM", "-DNOFAIR", `-DMEMLIM=${memlim}`, "-DVECTORSZ=4096", "-o", "pan", "pan.c"],
      { cwd: dir, stdio: "pipe" },
    );
    // -c1: stop at the first error; -m: no depth bound worth mentioning; `time -f` is not always there, so measure here.
    const args = [`-w${options.hashBits ?? 24}`, "-m100000000", "-c1"];
    const started = performance.now();
    // bash's `time` gives pan's own CPU time (user + system), robust on a shared, loaded machine.
    const limit = options.timeoutSeconds !== undefined ? `timeout ${options.timeoutSeconds} ` : "";
    const run = spawnSync("bash", ["-c", `TIMEFORMAT='cpu %3U %3S'; time ${limit}./pan ${args.join(" ")}`], {
      cwd: dir,
      encoding: "utf8",
      maxBuffer: 64 * 2 ** 20,
    });
    if (run.status === 124) throw new Error(`pan did not finish within ${options.timeoutSeconds} s`);
    const seconds = (performance.now() - started) / 1000;
    const report = `${run.stdout ?? ""}${run.stderr ?? ""}`;
    if (run.error !== undefined) throw new Error(`pan did not finish: ${run.error.message}`);
    const stored = count(report, /([\d.e+]+) states, stored/);
    const matched = count(report, /([\d.e+]+) states, matched/);
    const transitions = count(report, /([\d.e+]+) transitions \(= stored\+matched\)/);
    const errors = count(report, /errors: (\d+)/);
    const complete = errors === 0 && !/pan: out of memory|error: max search depth too small|aborting/i.test(report);
    return {
      stored,
      matched,
      transitions,
      seconds,
      cpuSeconds: cpuOf(report),
      memoryMb: count(report, /([\d.]+)\s+total actual memory usage/),
      stateMemoryMb: count(report, /([\d.]+)\s+actual memory usage for states/),
      depth: count(report, /depth reached (\d+)/),
      complete,
      report,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function cpuOf(report: string): number {
  const found = /cpu (\d+\.\d+) (\d+\.\d+)/.exec(report);
  return found ? Number(found[1]) + Number(found[2]) : Number.NaN;
}
