/**
 * `npm run bench:memory`: does `--max-memory` hold with worker threads? For
 * each budget and 1, 2 and 4 workers, the largest bench configuration is
 * checked under the budget in a fresh process (bench/measure.ts), and its
 * peak resident memory is set beside the budget and beside the same
 * process's peak on the spec's `tiny` configuration (1,368 states: what
 * Node, the machine and the worker threads take without a search to speak
 * of, the part the budget does not cover). By hand, not a timed test: about
 * a minute per row on two cores.
 *
 * Options: --budgets 128M,256M,512M (default), --workers 1,2,4 (default).
 * Exit 1 when a row's peak passes its budget plus its baseline by more than
 * the slack printed under the table.
 */
import { availableParallelism } from "node:os";
import { parseArgs } from "node:util";
import { namedConfigs } from "../spec/index.js";
import { BENCH_CONFIGS } from "./configs.js";
import { measure } from "./fresh-process.js";

/** What a budget may be passed by, beside the baseline: the transient copy of the visited set while it grows and the collector's lag. */
const SLACK = 0.25;

const mib = (bytes: number) => (bytes / 2 ** 20).toFixed(0);

function sizes(text: string): number[] {
  return text.split(",").map((part) => {
    const found = /^(\d+)([MG])$/i.exec(part.trim());
    if (found === null) throw new Error(`bench:memory: a budget is like 256M or 1G, got '${part}'`);
    return Number(found[1]) * (found[2]!.toUpperCase() === "G" ? 2 ** 30 : 2 ** 20);
  });
}

function main(): number {
  const { values } = parseArgs({ options: { budgets: { type: "string" }, workers: { type: "string" } } });
  const budgets = sizes(values.budgets ?? "128M,256M,512M");
  const workerCounts = (values.workers ?? "1,2,4").split(",").map(Number);
  const large = BENCH_CONFIGS[BENCH_CONFIGS.length - 1]!;
  const small = namedConfigs.find((c) => c.name === "tiny")!;
  const log = (line: string) => process.stderr.write(`${line}\n`);
  const rows: string[][] = [];
  let failed = false;
  for (const workers of workerCounts) {
    log(`bench:memory: baseline, ${workers} worker(s), ${small.name} ...`);
    const baseline = measure({ config: small.config, symmetry: false, workers });
    for (const budget of budgets) {
      log(`bench:memory: ${large.name}, ${workers} worker(s), --max-memory ${mib(budget)}M ...`);
      const run = measure({ config: large.config, symmetry: false, workers, maxMemory: budget });
      const overBaseline = run.peakMemoryBytes - baseline.peakMemoryBytes;
      const within = overBaseline <= budget * (1 + SLACK);
      failed ||= !within;
      rows.push([
        String(workers),
        `${mib(budget)}`,
        run.status,
        run.distinct.toLocaleString("en-US"),
        mib(run.peakMemoryBytes),
        mib(baseline.peakMemoryBytes),
        mib(overBaseline),
        `${((100 * overBaseline) / budget).toFixed(0)}%${within ? "" : " OVER"}`,
      ]);
    }
  }
  const header = ["workers", "budget MiB", "status", "distinct states", "peak RSS MiB", "baseline RSS MiB", "peak - baseline MiB", "of the budget"];
  const lines = [header, header.map(() => "---"), ...rows].map((row) => `| ${row.join(" | ")} |`);
  process.stdout.write(
    [
      `--max-memory against peak RSS: ${large.name} (the budget stops it), baseline ${small.name} (the same process without a search to speak of); node ${process.version}, ${availableParallelism()} CPUs`,
      "",
      ...lines,
      "",
      `A row passes when peak - baseline is at most the budget plus ${100 * SLACK}% (the visited set's copy while it grows, the garbage collector's lag).`,
      "",
    ].join("\n"),
  );
  return failed ? 1 : 0;
}

process.exitCode = main();
