/**
 * `npm run bench:checkpoint`: does `--checkpoint`/`--recover` end with the
 * figures of a run that never stopped, on a configuration of a few million
 * states? By hand, not a timed test (a few minutes on two loaded cores).
 *
 * For each worker count, through the launcher users run (child processes,
 * real signals), on the configuration written to a file as a user would:
 *   1. the run without interruption;
 *   2. the same run with `--checkpoint DIR`, sent SIGINT once its first
 *      periodic checkpoint is written (it stops at its next pause, writes
 *      the checkpoint again and exits 130);
 *   3. `--recover DIR`, killed with SIGKILL (a crash: nothing is written)
 *      once its own first periodic checkpoint is written;
 *   4. `--recover DIR` again, to the end.
 * The last run's figures must be the first's: the counts, the depth, the
 * outdegree and each action's firings; with one worker every line of the
 * output but the time and the line saying where it resumed.
 *
 * Options: --config NAME (a configuration of bench/configs.ts or of spec/;
 * default 2p-2c-1pg-1m, 3.6 million distinct states), --workers 1,2
 * (default), --interval D (the checkpoint interval, default 5s).
 * Exit 0 when every resumed run ends with the uninterrupted figures, 1 when
 * one does not, 2 for a bad command line.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { namedConfigs, type SpecConfig } from "../spec/index.js";
import { BENCH_CONFIGS } from "./configs.js";

const COMMAND = "bench:checkpoint";
const LAUNCHER = fileURLToPath(new URL("../../bin/multipager.js", import.meta.url));
const CHECKPOINT_WRITTEN = /^Checkpoint written to /m;

interface Run {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly seconds: number;
}

/** Runs the launcher; with `signal`, sends it once the run has written its first periodic checkpoint. */
function launch(args: readonly string[], signal?: NodeJS.Signals): Promise<Run> {
  return new Promise((resolve) => {
    const started = performance.now();
    const child = spawn(process.execPath, [LAUNCHER, ...args], { stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    let sent = false;
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => {
      stderr += chunk.toString();
      if (signal !== undefined && !sent && CHECKPOINT_WRITTEN.test(stderr)) {
        sent = true;
        child.kill(signal);
      }
    });
    child.on("close", (code, closedBy) => resolve({ code, signal: closedBy, stdout, stderr, seconds: (performance.now() - started) / 1000 }));
  });
}

const line = (stdout: string, pattern: RegExp): string => pattern.exec(stdout)?.[0] ?? "(missing)";
const countsLine = (stdout: string) => line(stdout, /^\d+ states generated, \d+ distinct states found, \d+ states left on queue\.$/m);
const depthLine = (stdout: string) => line(stdout, /^The depth of the (?:complete )?state graph search (?:so far )?is \d+\.$/m);
const outdegreeLine = (stdout: string) => line(stdout, /^The average outdegree .*$/m);
/** Each action's firings (its distinct column varies between runs with workers: which worker reaches a state first). */
const firings = (stdout: string): string[] => [...stdout.matchAll(/^ {2}(\w+) +(\d+) +\d+$/gm)].map((m) => `${m[1]} ${m[2]}`);
/** The output but for the lines that differ between any two runs: the time, and where a run resumed. */
const timeless = (stdout: string): string[] => stdout.split("\n").filter((l) => !/^Finished in |^Resuming from the checkpoint /.test(l));

const int = (n: number) => n.toLocaleString("en-US");
const shortCounts = (stdout: string): string => {
  const found = /^(\d+) states generated, (\d+) distinct states found, (\d+) states left on queue\.$/m.exec(stdout);
  const depth = /search (?:so far )?is (\d+)\./.exec(stdout)?.[1] ?? "?";
  return found === null ? "(no figures)" : `${int(Number(found[1]))} generated, ${int(Number(found[2]))} distinct, ${int(Number(found[3]))} on queue, depth ${depth}`;
};
/** Where a recovered run resumed, from its "Resuming from the checkpoint" line. */
const resumedFrom = (stdout: string): string => {
  const found = /^Resuming from the checkpoint in .*?: (\d+) states generated, (\d+) distinct states found, (\d+) states left on queue, depth (\d+),/m.exec(stdout);
  return found === null ? "(did not resume)" : `${int(Number(found[1]))} generated, ${int(Number(found[2]))} distinct, ${int(Number(found[3]))} on queue, depth ${found[4]}`;
};
const ending = (run: Run): string => (run.signal !== null ? run.signal : `exit ${run.code}`);

function configNamed(name: string): SpecConfig {
  const found = BENCH_CONFIGS.find((c) => c.name === name) ?? namedConfigs.find((c) => c.name === name);
  if (found === undefined) throw new Error(`${COMMAND}: no configuration named ${name} (bench/configs.ts: ${BENCH_CONFIGS.map((c) => c.name).join(", ")})`);
  return found.config;
}

/** One worker count's four runs; the table row and whether the figures agree. */
async function compare(configFile: string, workers: number, interval: string, log: (text: string) => void): Promise<{ row: string[]; agrees: boolean; details: string[] }> {
  const dir = mkdtempSync(join(tmpdir(), "multipager-bench-checkpoint-"));
  try {
    const base = ["check", "--config", configFile, "--workers", String(workers)];
    const withCheckpoint = [...base, "--checkpoint", dir, "--checkpoint-interval", interval];
    log(`${COMMAND}: ${workers} worker(s): the uninterrupted run ...`);
    const full = await launch(base);
    log(`${COMMAND}: ${workers} worker(s): --checkpoint, SIGINT after the first checkpoint ...`);
    const interrupted = await launch(withCheckpoint, "SIGINT");
    const checkpointBytes = statSync(join(dir, "checkpoint.bin")).size;
    log(`${COMMAND}: ${workers} worker(s): --recover, SIGKILL after its first checkpoint ...`);
    const crashed = await launch([...withCheckpoint, "--recover", dir], "SIGKILL");
    log(`${COMMAND}: ${workers} worker(s): --recover to the end ...`);
    const resumed = await launch([...withCheckpoint, "--recover", dir]);

    const details: string[] = [];
    const expectSame = (what: string, a: unknown, b: unknown) => {
      if (JSON.stringify(a) !== JSON.stringify(b)) details.push(`${workers} worker(s): ${what} differs:\n  uninterrupted: ${JSON.stringify(a)}\n  resumed:       ${JSON.stringify(b)}`);
    };
    if (!/ 0 states left on queue\.$/.test(countsLine(full.stdout))) details.push(`${workers} worker(s): the uninterrupted run printed no final counts`);
    if (full.code !== 0) details.push(`${workers} worker(s): the uninterrupted run ended with ${ending(full)}: ${full.stderr.trim()}`);
    if (interrupted.code !== 130) details.push(`${workers} worker(s): the interrupted run ended with ${ending(interrupted)}, not exit 130 (finished before its first checkpoint? try a shorter --interval)`);
    if (crashed.signal !== "SIGKILL") details.push(`${workers} worker(s): the first resumed run ended with ${ending(crashed)} before its first checkpoint (try a shorter --interval)`);
    if (resumed.code !== 0) details.push(`${workers} worker(s): the resumed run ended with ${ending(resumed)}: ${resumed.stderr.trim()}`);
    expectSame("the counts", countsLine(full.stdout), countsLine(resumed.stdout));
    expectSame("the depth", depthLine(full.stdout), depthLine(resumed.stdout));
    expectSame("the outdegree", outdegreeLine(full.stdout), outdegreeLine(resumed.stdout));
    expectSame("the firings per action", firings(full.stdout), firings(resumed.stdout));
    if (workers === 1) expectSame("the output (but for the time)", timeless(full.stdout), timeless(resumed.stdout));
    const agrees = details.length === 0;
    return {
      agrees,
      details,
      row: [
        String(workers),
        `${shortCounts(full.stdout)}; ${full.seconds.toFixed(1)} s`,
        `${ending(interrupted)} at ${shortCounts(interrupted.stdout)}; checkpoint ${(checkpointBytes / 2 ** 20).toFixed(1)} MiB`,
        `${ending(crashed)} after ${crashed.seconds.toFixed(1)} s, resumed from ${resumedFrom(crashed.stdout)}`,
        `${ending(resumed)}, resumed from ${resumedFrom(resumed.stdout)}: ${shortCounts(resumed.stdout)}; ${resumed.seconds.toFixed(1)} s`,
        agrees ? (workers === 1 ? "yes, line for line" : "yes") : "NO",
      ],
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<number> {
  let values;
  try {
    values = parseArgs({ options: { config: { type: "string" }, workers: { type: "string" }, interval: { type: "string" } } }).values;
  } catch (error) {
    process.stderr.write(`${COMMAND}: ${(error as Error).message.split("\n")[0]} (options: --config NAME, --workers 1,2, --interval 5s)\n`);
    return 2;
  }
  const name = values.config ?? "2p-2c-1pg-1m";
  const workerCounts = (values.workers ?? "1,2").split(",").map(Number);
  if (workerCounts.some((w) => !Number.isInteger(w) || w < 1 || w > 64)) {
    process.stderr.write(`${COMMAND}: --workers is a list of worker counts in 1..64, like 1,2; got "${values.workers}"\n`);
    return 2;
  }
  const interval = values.interval ?? "5s";
  let config: SpecConfig;
  try {
    config = configNamed(name);
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n`);
    return 2;
  }
  const work = mkdtempSync(join(tmpdir(), "multipager-bench-checkpoint-config-"));
  const configFile = join(work, `${name}.json`);
  writeFileSync(configFile, `${JSON.stringify(config, null, 2)}\n`);
  const log = (text: string) => process.stderr.write(`${text}\n`);
  const rows: string[][] = [];
  const problems: string[] = [];
  try {
    for (const workers of workerCounts) {
      const { row, details } = await compare(configFile, workers, interval, log);
      rows.push(row);
      problems.push(...details);
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  const header = ["workers", "uninterrupted", "interrupted (SIGINT after its first checkpoint)", "resumed, then crashed (SIGKILL after its first checkpoint)", "resumed again, to the end", "same figures"];
  const table = [header, header.map(() => "---"), ...rows].map((row) => `| ${row.join(" | ")} |`);
  process.stdout.write(
    [
      `--checkpoint/--recover against an uninterrupted run: configuration ${name}, checkpoint interval ${interval}; node ${process.version}`,
      "",
      ...table,
      "",
      ...problems,
      problems.length === 0 ? "Every resumed run ended with the uninterrupted run's figures." : `${problems.length} difference(s).`,
      "",
    ].join("\n"),
  );
  return problems.length === 0 ? 0 : 1;
}

process.exitCode = await main();
