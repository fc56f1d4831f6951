/**
 * `npm run bench:kill-rate`: how strong the property-based refinement check
 * is. For every implementation mutant, `refine --mutant M` (the default
 * number of runs, on the configuration listed for M) is run with seeds
 * 1..N; the table gives how many seeds caught the mutant, and for the caught
 * ones the median number of commands fast-check ran before its first
 * failure. The target: every mutant caught by at least 99 of 100 seeds.
 *
 * Options: --seeds N (default 100), --runs N (default: refine's), --mutant M
 * (one mutant only), --jobs J (processes at a time, default 1: the machine is
 * shared). Seeds are fixed (1..N), so a run is reproducible; each seed is
 * one `propertyCheck` in a worker process, the search `refine --seed S`
 * runs, stopped at the first failing run (whether the bug is found is the
 * question; shrinking it is not). A liveness mutant breaks no refinement
 * obligation (every step refines), so `refine --mutant M` checks it with
 * --liveness, an exhaustive search with no seed: it is run once, and its
 * row says whether that search found the lasso. Run by hand; the measured
 * table is in README.md and docs/bench.md.
 */
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { kernelMutants } from "../impl/mutants.js";
import { refinementConfigNamed } from "../refinement/configs.js";
import { checkRefinementLiveness } from "../refinement/liveness.js";
import { DEFAULT_RUNS, propertyCheck } from "../refinement/pbt.js";
import { buildRefinement, kernelConfigFor } from "../refinement/product.js";

interface SeedResult {
  readonly mutant: string;
  readonly seed: number;
  readonly caught: boolean;
  /** Commands fast-check ran before the first failure (all of them when nothing failed). */
  readonly commands: number;
  readonly obligation: string | null;
}

const isLiveness = (mutant: string): boolean => kernelMutants.find((m) => m.name === mutant)?.kind === "liveness";

/** One seed, in this process (the worker's job); for a liveness mutant, refine --liveness's exhaustive search (seed 0: none drawn). */
function runSeed(mutant: string, seed: number, runs: number): SeedResult {
  const planted = kernelMutants.find((m) => m.name === mutant)!;
  const config = refinementConfigNamed(planted.config);
  const refinement = buildRefinement({ spec: config.spec, kernel: kernelConfigFor(config.spec, config.cpus), arch: planted.arch ?? "proposed", mutant });
  if (planted.kind === "liveness") {
    const { result, counterexample } = checkRefinementLiveness(refinement);
    return { mutant, seed, caught: counterexample !== undefined, commands: result.statistics.distinct, obligation: counterexample?.violation.name ?? null };
  }
  const result = propertyCheck(refinement, mutant, { seed, runs, shrink: false });
  return { mutant, seed, caught: result.failure !== undefined, commands: result.commandsToFailure ?? result.commands, obligation: result.failure?.violation.name ?? null };
}

function runInWorker(mutant: string, seed: number, runs: number): Promise<SeedResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [fileURLToPath(import.meta.url), "--worker", mutant, String(seed), String(runs)], { stdio: ["ignore", "pipe", "inherit"] });
    let out = "";
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => (out += chunk));
    child.on("exit", (code) => (code === 0 ? resolve(JSON.parse(out) as SeedResult) : reject(new Error(`${mutant} seed ${seed}: worker exited ${code}`))));
  });
}

async function pool<T>(jobs: readonly (() => Promise<T>)[], width: number, onDone: (done: number) => void): Promise<T[]> {
  const results: T[] = new Array(jobs.length);
  let next = 0;
  let done = 0;
  const lane = async () => {
    while (next < jobs.length) {
      const index = next++;
      results[index] = await jobs[index]!();
      onDone(++done);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, width) }, lane));
  return results;
}

const median = (values: readonly number[]): number => {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor((sorted.length - 1) / 2)]!;
};

function table(results: readonly SeedResult[], seeds: number, runs: number): string {
  const rows = kernelMutants
    .filter((m) => m.kind === "safety" && results.some((r) => r.mutant === m.name))
    .map((m) => {
      const mine = results.filter((r) => r.mutant === m.name);
      const caught = mine.filter((r) => r.caught);
      const obligations = [...new Set(caught.map((r) => r.obligation))].join(", ");
      const missed = mine.filter((r) => !r.caught).map((r) => r.seed);
      return [
        `\`${m.name}\``,
        `\`${m.config}\``,
        `${caught.length}/${mine.length}`,
        caught.length === 0 ? "-" : String(median(caught.map((r) => r.commands))),
        obligations === "" ? "-" : obligations,
        missed.length === 0 ? "" : missed.slice(0, 8).join(", ") + (missed.length > 8 ? ", ..." : ""),
      ];
    });
  const header = ["mutant", "configuration", `caught (of ${seeds} seeds)`, "median commands to catch", "obligation", "seeds that missed it"];
  const lines = [`| ${header.join(" | ")} |`, `| ${header.map(() => "---").join(" | ")} |`, ...rows.map((row) => `| ${row.join(" | ")} |`)];
  const live = kernelMutants
    .filter((m) => m.kind === "liveness")
    .flatMap((m) => results.filter((r) => r.mutant === m.name))
    .map((r) => `| \`${r.mutant}\` | \`${kernelMutants.find((m) => m.name === r.mutant)!.config}\` | ${r.caught ? "yes" : "**no**"} | ${r.commands} | ${r.obligation ?? "-"} |`);
  const liveTable =
    live.length === 0
      ? ""
      : `\nLiveness mutants: \`refine --mutant M\` runs --liveness (exhaustive, no seed), once:\n\n| mutant | configuration | lasso found | distinct states | temporal property |\n| --- | --- | --- | --- | --- |\n${live.join("\n")}\n`;
  const safetyTable = rows.length === 0 ? "" : `Kill rate of \`refine --mutant M\` (${runs} runs per seed, seeds 1..${seeds}):\n\n${lines.join("\n")}\n`;
  return safetyTable + liveTable;
}

async function main(): Promise<number> {
  const argv = process.argv.slice(2);
  if (argv[0] === "--worker") {
    process.stdout.write(JSON.stringify(runSeed(argv[1]!, Number(argv[2]), Number(argv[3]))));
    return 0;
  }
  let options;
  try {
    options = parseArgs({ args: argv, options: { seeds: { type: "string" }, runs: { type: "string" }, mutant: { type: "string" }, jobs: { type: "string" } }, strict: true }).values;
  } catch (error) {
    process.stderr.write(`bench/kill-rate: ${(error as Error).message.split("\n")[0]}\n`);
    return 2;
  }
  const integer = (name: string, text: string | undefined, fallback: number): number => {
    if (text === undefined) return fallback;
    if (!/^[0-9]+$/.test(text) || Number(text) < 1) throw new Error(`--${name} must be a positive integer, got '${text}'`);
    return Number(text);
  };
  let seeds: number, runs: number, jobs: number;
  try {
    seeds = integer("seeds", options.seeds, 100);
    runs = integer("runs", options.runs, DEFAULT_RUNS);
    jobs = integer("jobs", options.jobs, 1);
  } catch (error) {
    process.stderr.write(`bench/kill-rate: ${(error as Error).message}\n`);
    return 2;
  }
  const mutants = kernelMutants.map((m) => m.name).filter((name) => options.mutant === undefined || name === options.mutant);
  if (mutants.length === 0) {
    process.stderr.write(`bench/kill-rate: unknown mutant '${options.mutant}' (known: ${kernelMutants.map((m) => m.name).join(", ")})\n`);
    return 2;
  }
  const work = mutants.flatMap((mutant) => (isLiveness(mutant) ? [() => runInWorker(mutant, 0, runs)] : Array.from({ length: seeds }, (_, i) => () => runInWorker(mutant, i + 1, runs))));
  const started = Date.now();
  const results = await pool(work, jobs, (done) => {
    if (process.stderr.isTTY) process.stderr.write(`\r${done}/${work.length} seeds`);
  });
  if (process.stderr.isTTY) process.stderr.write("\n");
  process.stdout.write(table(results, seeds, runs));
  process.stdout.write(`\n(${work.length} run${work.length === 1 ? "" : "s"} in ${((Date.now() - started) / 1000).toFixed(0)} s, ${jobs} at a time)\n`);
  return results.every((r) => r.caught) ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`bench/kill-rate: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
