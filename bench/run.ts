/**
 * `npm run bench`: our checker beside Spin on the same abstract spec, in one
 * run. For each configuration (smallest first): Spin on the Promela
 * translation (breadth-first, no partial-order reduction), then our checker
 * with one worker, with symmetry reduction, and with two workers, each in a
 * fresh process so its peak memory is its own. Prints one table, the Spin
 * ratios, and fails (exit 1) when Spin's stored states differ from our
 * distinct states. Writes the table to bench/results.md as well.
 *
 * Options: --quick (the two smallest configurations only), --spin-timeout S
 * (default 120: a configuration Spin cannot finish in that time is the last),
 * --repeat N (default 3: our three runs of a configuration are repeated N
 * times, interleaved, and each row shows the run with the median wall time,
 * so that a burst of load on a shared machine moves no ratio by itself).
 */
import { execFileSync, spawnSync } from "node:child_process";
import { cpus, totalmem } from "node:os";
import { fileURLToPath } from "node:url";
import { integerOption, parseOptions } from "../cli/options.js";
import { InputError } from "../model/input-error.js";
import { writeFileAtomic } from "../model/atomic-write.js";
import { BENCH_CONFIGS } from "./configs.js";
import { measure } from "./fresh-process.js";
import type { Measurement } from "./measure.js";
import { promelaModel } from "./promela/generate.js";
import { ensureSpin, runSpin, type SpinResult } from "./promela/spin.js";

interface Row {
  readonly config: string;
  readonly checker: string;
  readonly distinct: number;
  readonly generated: number;
  readonly depth: number;
  readonly seconds: number;
  readonly cpuSeconds: number;
  readonly peakMemoryBytes: number;
  readonly bytesPerState: number;
  readonly note: string;
}

const RESULTS = fileURLToPath(new URL("../../bench/results.md", import.meta.url));

/** The run with the median wall time (the upper median of an even count). */
function median(runs: readonly Measurement[]): Measurement {
  const sorted = [...runs].sort((a, b) => a.seconds - b.seconds);
  return sorted[Math.floor(sorted.length / 2)]!;
}

const BENCH_OPTIONS = "options: --quick, --spin-timeout S, --repeat N";

const mib = (bytes: number) => (bytes / 2 ** 20).toFixed(1);
const int = (n: number) => (Number.isFinite(n) ? Math.round(n).toLocaleString("en-US") : "-");

function table(rows: readonly Row[]): string {
  const header = ["configuration", "checker", "distinct states", "states generated", "depth", "wall s", "CPU s", "distinct/s (wall)", "peak MiB", "bytes/state (visited set)", "note"];
  const cells = rows.map((r) => [
    r.config,
    r.checker,
    int(r.distinct),
    int(r.generated),
    String(r.depth),
    r.seconds.toFixed(2),
    r.cpuSeconds.toFixed(2),
    int(r.distinct / r.seconds),
    mib(r.peakMemoryBytes),
    Number.isFinite(r.bytesPerState) ? r.bytesPerState.toFixed(1) : "-",
    r.note,
  ]);
  const line = (values: readonly string[]) => `| ${values.join(" | ")} |`;
  return [line(header), line(header.map(() => "---")), ...cells.map(line)].join("\n");
}

function machineDescription(): string {
  const lscpu = spawnSync("sh", ["-c", "lscpu | grep -E '^(Model name|CPU\\(s\\)|Thread|Core|L2|L3)' | tr -s ' '"], { encoding: "utf8" }).stdout.trim();
  return [
    `node ${process.version}, ${cpus().length} CPUs (nproc), ${(totalmem() / 2 ** 30).toFixed(0)} GiB RAM`,
    ...lscpu.split("\n").filter((l) => l !== ""),
    `spin: ${spawnSync("spin", ["-V"], { encoding: "utf8" }).stdout.trim()}; cc: ${execFileSync("cc", ["--version"], { encoding: "utf8" }).split("\n")[0]}`,
  ].join("; ");
}

async function main(): Promise<number> {
  const values = parseOptions("bench", process.argv.slice(2), { quick: { type: "boolean" }, "spin-timeout": { type: "string" }, repeat: { type: "string" } }, BENCH_OPTIONS);
  const spinTimeout = integerOption("bench", "spin-timeout", values["spin-timeout"], 1) ?? 120;
  const repeat = integerOption("bench", "repeat", values.repeat, 1) ?? 3;
  const log = (line: string) => process.stderr.write(`${line}\n`);
  if (!ensureSpin(log)) {
    log("bench: FAILED: spin is required for the side-by-side comparison");
    return 1;
  }
  const configs = values.quick ? BENCH_CONFIGS.slice(0, 2) : BENCH_CONFIGS;
  const rows: Row[] = [];
  const comparisons: string[] = [];
  const mismatches: string[] = [];
  let largestFinished: { name: string; spin: SpinResult; ours: Measurement; two?: Measurement; symmetric?: Measurement } | undefined;

  for (const { name, config } of configs) {
    const runs: { ours: Measurement[]; two: Measurement[]; symmetric: Measurement[] } = { ours: [], two: [], symmetric: [] };
    for (let round = 1; round <= repeat; round++) {
      log(`bench: ${name}: ours, round ${round} of ${repeat}: 1 worker, 2 workers, symmetry ...`);
      runs.ours.push(measure({ config, symmetry: false, workers: 1 }));
      runs.two.push(measure({ config, symmetry: false, workers: 2 }));
      runs.symmetric.push(measure({ config, symmetry: true, workers: 1 }));
    }
    const ours = median(runs.ours);
    const two = median(runs.two);
    const symmetric = median(runs.symmetric);
    log(`bench: ${name}: spin ...`);
    let spin: SpinResult | undefined;
    try {
      // pan's hash table sized for the state count (-w: 2^bits slots), as a Spin user would.
      const hashBits = Math.max(18, Math.ceil(Math.log2(ours.distinct)) + 1);
      spin = runSpin(promelaModel(config, name), { timeoutSeconds: spinTimeout, memoryLimitMb: 16384, hashBits });
    } catch (error) {
      log(`bench: ${name}: spin did not finish within ${spinTimeout} s (${(error as Error).message.split("\n")[0]})`);
    }
    const ourRow = (checker: string, m: Measurement, note: string): Row => ({
      config: name,
      checker,
      distinct: m.distinct,
      generated: m.generated,
      depth: m.depth,
      seconds: m.seconds,
      cpuSeconds: m.cpuSeconds,
      peakMemoryBytes: m.peakMemoryBytes,
      bytesPerState: m.visitedBytes / m.distinct,
      note: m.status === "ok" ? note : `${m.status}; ${note}`,
    });
    if (spin !== undefined) {
      rows.push({
        config: name,
        checker: "Spin (BFS, no POR)",
        distinct: spin.stored,
        generated: spin.transitions,
        depth: spin.depth,
        seconds: spin.seconds,
        cpuSeconds: spin.cpuSeconds,
        peakMemoryBytes: spin.memoryMb * 2 ** 20,
        bytesPerState: (spin.stateMemoryMb * 2 ** 20) / spin.stored,
        note: spin.complete ? "pan's own time and memory" : "INCOMPLETE",
      });
    }
    rows.push(ourRow("ours, 1 worker", ours, spin !== undefined ? `${(spin.seconds / ours.seconds).toFixed(2)}x Spin's speed (wall)` : ""));
    rows.push(ourRow("ours, 2 workers", two, `${(ours.seconds / two.seconds).toFixed(2)}x one worker`));
    rows.push(ourRow("ours, symmetry", symmetric, `${ours.distinct} states without; ${(ours.seconds / symmetric.seconds).toFixed(2)}x one worker`));
    if (two.distinct !== ours.distinct) mismatches.push(`${name}: 2 workers found ${two.distinct} distinct states, 1 worker ${ours.distinct}`);
    if (spin === undefined) {
      comparisons.push(`${name}: Spin did not finish within ${spinTimeout} s; ours: ${int(ours.distinct)} states in ${ours.seconds.toFixed(2)} s`);
      break;
    }
    if (spin.stored !== ours.distinct || !spin.complete) {
      mismatches.push(`${name}: Spin stored ${spin.stored} states${spin.complete ? "" : " (incomplete)"}, ours ${ours.distinct} distinct states`);
    }
    comparisons.push(
      `${name}: Spin ${int(spin.stored)} states, ours ${int(ours.distinct)} (${spin.stored === ours.distinct ? "equal" : "DIFFERENT"}); wall time Spin ${spin.seconds.toFixed(2)} s, ours ${ours.seconds.toFixed(2)} s: ours is ${(spin.seconds / ours.seconds).toFixed(2)}x Spin's speed (1 worker), ${(spin.seconds / two.seconds).toFixed(2)}x (2 workers), ${(spin.seconds / symmetric.seconds).toFixed(2)}x (symmetry); CPU time Spin ${spin.cpuSeconds.toFixed(2)} s, ours ${ours.cpuSeconds.toFixed(2)} s (${(spin.cpuSeconds / ours.cpuSeconds).toFixed(2)}x)`,
    );
    largestFinished = { name, spin, ours, two, symmetric };
  }

  const date = new Date().toISOString().slice(0, 10);
  const report = [
    `Measured ${date} on: ${machineDescription()}`,
    "",
    `Each row of ours is the run with the median wall time of ${repeat} (1 worker, 2 workers and symmetry interleaved); Spin ran once.`,
    "",
    table(rows),
    "",
    "Spin comparison (same configuration, same state count):",
    ...comparisons.map((c) => `- ${c}`),
    ...(largestFinished
      ? [`- largest configuration Spin finished within ${spinTimeout} s: ${largestFinished.name}, ratio ${(largestFinished.spin.seconds / largestFinished.ours.seconds).toFixed(2)}x by wall time, ${(largestFinished.spin.cpuSeconds / largestFinished.ours.cpuSeconds).toFixed(2)}x by CPU time (Spin's time / ours, 1 worker)`]
      : []),
  ].join("\n");
  process.stdout.write(`${report}\n`);
  writeFileAtomic(RESULTS, `${report}\n`);
  if (mismatches.length > 0) {
    process.stdout.write(`\nbench: FAILED: STATE COUNTS DIFFER\n${mismatches.map((m) => `  ${m}`).join("\n")}\n`);
    return 1;
  }
  return 0;
}

try {
  process.exitCode = await main();
} catch (error) {
  if (!(error instanceof InputError && error.kind === "usage")) throw error;
  process.stderr.write(`${error.message}\n`);
  process.exitCode = 2;
}
