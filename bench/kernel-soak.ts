/**
 * The kernel fuzz's soak run, by hand (never in CI):
 *
 *   npm run build && node dist/bench/kernel-soak.js                  # 10,000,000 system calls, a fresh seed (printed)
 *   node dist/bench/kernel-soak.js --calls 1000000 --seed 42 --jobs 2
 *   node dist/bench/kernel-soak.js --arch proposed --seed 42 --episode 1234 --trace   # replay one episode, step by step
 *
 * The calls are split evenly over the architectures (--arch, default all
 * five), each run in a worker thread (--jobs at a time, default the CPUs);
 * isolation is checked after every step, as in CI (impl/fuzz). Prints the
 * seed first, a progress line on stderr every 30 s, then per architecture
 * the calls, steps, episodes, wall and CPU time, the rate, the share of calls
 * on each interesting path, and the breaches (each with the command that
 * replays its episode). Exit 0 without a breach, 1 with one, 2 for a bad
 * command line.
 */
import { availableParallelism } from "node:os";
import { fileURLToPath, pathToFileURL } from "node:url";
import { Worker, isMainThread, parentPort, workerData } from "node:worker_threads";
import { InputError } from "../model/input-error.js";
import { MAX_SEED, freshSeed } from "../model/random.js";
import { ARCH_NAMES, archNameOf, architectures, type ArchName } from "../impl/arch/index.js";
import { fuzzKernel } from "../impl/fuzz/driver.js";
import { pathShares, type Breach, type FuzzReport } from "../impl/fuzz/report.js";
import { pathsOf } from "../impl/fuzz/paths.js";
import { parseArgs } from "node:util";
import { integerOption } from "../cli/options.js";

const COMMAND = "kernel-soak";
const USAGE = `usage: node dist/bench/kernel-soak.js [--calls N] [--seed S] [--arch A[,A...]] [--jobs J]
       node dist/bench/kernel-soak.js --arch A --seed S --episode E [--trace]

The kernel fuzz for N system calls (default 10,000,000), split evenly over
the architectures (default: all five), J worker threads at a time (default:
the CPUs; 1 runs in this thread), isolation checked after every step. The
seed is printed first (default: a fresh one). --episode replays one episode
of one architecture; --trace prints its every step.

exit codes: 0 no breach, 1 a breach, 2 bad command line`;
const DEFAULT_CALLS = 10_000_000;
const PROGRESS_SECONDS = 30;

interface Task {
  readonly arch: ArchName;
  readonly seed: number;
  readonly calls: number;
}

type FromWorker = { readonly kind: "progress"; readonly arch: ArchName; readonly calls: number } | { readonly kind: "done"; readonly report: FuzzReport };

// --- in a worker: one architecture's run ------------------------------------------------

function runTask(task: Task): void {
  let last = 0;
  const report = fuzzKernel({
    ...task,
    onEpisode: (r) => {
      if (r.seconds - last < 1) return;
      last = r.seconds;
      parentPort!.postMessage({ kind: "progress", arch: task.arch, calls: r.calls } satisfies FromWorker);
    },
  });
  parentPort!.postMessage({ kind: "done", report } satisfies FromWorker);
}

// --- in the main thread -------------------------------------------------------------------

const int = (n: number): string => Math.round(n).toLocaleString("en-US");
const percent = (share: number): string => `${(100 * share).toFixed(2)}%`;

function replayCommand(b: Breach): string {
  return `node dist/bench/kernel-soak.js --arch ${b.arch} --seed ${b.seed} --episode ${b.episode} --trace`;
}

function describeBreach(b: Breach): string {
  return [`  BREACH ${b.arch}, episode ${b.episode}, step ${b.step}: ${b.message}`, ...b.lastSteps.map((line) => `    ${line}`), `    replay: ${replayCommand(b)}`].join("\n");
}

function reportLines(report: FuzzReport): string[] {
  const shares = pathShares(report);
  const paths = pathsOf(architectures[report.arch]).map((p) => `${p} ${percent(shares.perPath[p])}`);
  const bad = report.sources.typed.calls + report.sources["out-of-range"].calls + report.sources.garbage.calls;
  return [
    `${report.arch}: ${int(report.calls)} calls (${int(bad)} with bad registers), ${int(report.steps)} steps, ${int(report.episodes)} episodes ` +
      `(${int(report.stuckEpisodes)} ended stuck), ${report.seconds.toFixed(1)} s, ${int(report.calls / report.seconds)} calls/s, ` +
      `${report.breaches.length} breaches`,
    `  interesting paths ${percent(shares.interesting)} of the calls: ${paths.join(", ")}`,
    `  errors returned: ${[...report.errors].sort((a, b) => b[1] - a[1]).map(([name, n]) => `${name} ${int(n)}`).join(", ")}`,
  ];
}

function runWorkers(tasks: readonly Task[], jobs: number): Promise<FuzzReport[]> {
  const script = fileURLToPath(import.meta.url);
  const done = new Map<ArchName, number>(tasks.map((t) => [t.arch, 0]));
  const total = tasks.reduce((sum, t) => sum + t.calls, 0);
  const started = performance.now();
  let lastProgress = started;
  const reports: FuzzReport[] = [];
  let next = 0;
  return new Promise((resolve, reject) => {
    const startOne = (): void => {
      const task = tasks[next++];
      if (task === undefined) return;
      const worker = new Worker(script, { workerData: task });
      worker.on("message", (message: FromWorker) => {
        if (message.kind === "progress") {
          done.set(message.arch, message.calls);
          const now = performance.now();
          if (now - lastProgress >= PROGRESS_SECONDS * 1000) {
            lastProgress = now;
            const calls = [...done.values()].reduce((a, b) => a + b, 0);
            process.stderr.write(`${COMMAND}: ${int(calls)} of ${int(total)} calls, ${((now - started) / 1000).toFixed(0)} s, ${int((calls * 1000) / (now - started))} calls/s\n`);
          }
          return;
        }
        done.set(message.report.arch, message.report.calls);
        reports.push(message.report);
      });
      worker.on("error", reject);
      worker.on("exit", (code) => {
        if (code !== 0) return reject(new Error(`the ${task.arch} worker exited with code ${code}`));
        if (reports.length === tasks.length) resolve(reports);
        else startOne();
      });
    };
    for (let i = 0; i < Math.min(jobs, tasks.length); i++) startOne();
  });
}

/** The soak as a command: its exit code (0 no breach, 1 a breach, 2 a bad command line, with one line on stderr). */
export async function main(args: string[]): Promise<number> {
  try {
    return await soak(args);
  } catch (error) {
    if (!(error instanceof InputError)) throw error;
    process.stderr.write(error.message.startsWith(`${COMMAND}:`) ? `${error.message}\n` : `${COMMAND}: ${error.message}\n`);
    return 2;
  }
}

async function soak(args: string[]): Promise<number> {
  let options;
  try {
    options = parseArgs({
      args,
      strict: true,
      allowPositionals: false,
      options: {
        calls: { type: "string" },
        seed: { type: "string" },
        arch: { type: "string" },
        jobs: { type: "string" },
        episode: { type: "string" },
        trace: { type: "boolean" },
        help: { type: "boolean", short: "h" },
      },
    }).values;
  } catch (error) {
    throw new InputError(`${COMMAND}: ${(error as Error).message.split("\n")[0]} (see node dist/bench/kernel-soak.js --help)`, "usage");
  }
  if (options.help === true) {
    console.log(USAGE);
    return 0;
  }
  const calls = integerOption(COMMAND, "calls", options.calls, 1) ?? DEFAULT_CALLS;
  const seed = integerOption(COMMAND, "seed", options.seed, 0, MAX_SEED) ?? freshSeed();
  const jobs = integerOption(COMMAND, "jobs", options.jobs, 1, 64) ?? availableParallelism();
  const archs = options.arch === undefined ? ARCH_NAMES : options.arch.split(",").map(archNameOf);
  const episode = integerOption(COMMAND, "episode", options.episode, 0);
  if (options.trace === true && episode === undefined) throw new InputError(`${COMMAND}: --trace replays one episode: give --episode E (and --arch A)`, "usage");

  if (episode !== undefined) {
    if (archs.length !== 1) throw new InputError(`${COMMAND}: --episode replays one architecture's episode: give exactly one --arch`, "usage");
    const arch = archs[0]!;
    console.log(`${COMMAND}: replaying episode ${episode} of ${arch} with seed ${seed}`);
    const report = fuzzKernel({ arch, seed, calls: Number.MAX_SAFE_INTEGER, firstEpisode: episode, episodes: 1, ...(options.trace === true ? { onStep: (line: string) => console.log(line) } : {}) });
    for (const line of reportLines(report)) console.log(line);
    for (const b of report.breaches) console.log(describeBreach(b));
    return report.breaches.length === 0 ? 0 : 1;
  }

  const share = Math.floor(calls / archs.length);
  const tasks = archs.map((arch, i): Task => ({ arch, seed, calls: share + (i < calls % archs.length ? 1 : 0) }));
  console.log(`${COMMAND}: seed ${seed}, ${int(calls)} system calls over ${archs.join(", ")}, ${Math.min(jobs, tasks.length)} at a time (repeat: --seed ${seed})`);
  const started = performance.now();
  const cpuStart = process.cpuUsage();
  // One job runs in this thread (no worker to start; what the test of this script uses).
  const reports = (jobs === 1 ? tasks.map((task) => fuzzKernel(task)) : await runWorkers(tasks, jobs)).sort((a, b) => archs.indexOf(a.arch) - archs.indexOf(b.arch));
  const wall = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpuStart);
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  for (const report of reports) for (const line of reportLines(report)) console.log(line);
  const total = reports.reduce((sum, r) => sum + r.calls, 0);
  const breaches = reports.flatMap((r) => r.breaches);
  console.log(
    `${COMMAND}: ${int(total)} calls in ${wall.toFixed(0)} s wall (${int(total / wall)} calls/s), ${cpuSeconds.toFixed(0)} s CPU (${int(total / cpuSeconds)} calls per CPU second); ` +
      `${breaches.length} breaches (seed ${seed})`,
  );
  for (const b of breaches.slice(0, 20)) console.log(describeBreach(b));
  if (breaches.length > 20) console.log(`  ... and ${breaches.length - 20} more`);
  return breaches.length === 0 ? 0 : 1;
}

if (!isMainThread) runTask(workerData as Task);
else if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
