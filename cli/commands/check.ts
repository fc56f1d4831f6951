/**
 * `multipager check`: model-check the abstract spec (spec/) on a named
 * configuration or a configuration file, exhaustively (breadth-first, so a
 * counterexample is a shortest trace) or by seeded random simulation.
 *
 * Output is TLC's: the verdict, the counterexample (first state whole, then
 * only what changed), the statistics. A counterexample is also written as an
 * ITF file. With --liveness the temporal properties are checked too and a
 * violation is a lasso. Exit codes follow TLC: 0 no error, 11 deadlock,
 * 12 safety, 13 liveness.
 */
import { match } from "ts-pattern";
import { ExitCode } from "../exit-codes.js";
import { version } from "../main.js";
import { InputError } from "../../model/input-error.js";
import type { StateMachine, TraceValue } from "../../model/machine.js";
import { check } from "../../model/check.js";
import { checkParallel } from "../../model/parallel.js";
import { simulate, DEFAULT_SIMULATION_DEPTH, DEFAULT_SIMULATION_RUNS } from "../../model/simulate.js";
import { freshSeed, MAX_SEED } from "../../model/random.js";
import { formatItf } from "../../model/itf.js";
import { formatTraceText } from "../../model/trace-text.js";
import { checkLiveness, type ClosingStep, type LiveMachine } from "../../model/liveness/check.js";
import { withLivenessStatistics } from "../../model/liveness/report.js";
import { formatInitialStates, formatSimulationStatistics, formatStatistics } from "../../model/report.js";
import { terminalProgress } from "../../model/progress.js";
import { stateNumber, traceId, type Trace, type TraceStep, type Violation } from "../../model/trace.js";
import { portablePath, reproducingArgs, shellCommand } from "../../trace/command.js";
import { humanOutput } from "../human-output.js";
import { finalStateViolates } from "../../trace/replay.js";
import { shortenTrace } from "../../trace/shorten.js";
import { buildSpec, DEFAULT_CONFIG, loadConfig, namedConfigs, specMutants, specSource } from "../../spec/index.js";
import { livenessMutants } from "../../spec/liveness-mutants.js";
import { integerOption, parseOptions } from "../options.js";
import { writeEvidence } from "../evidence.js";

export const CHECK_USAGE = `usage: multipager check [options]

Model-check the abstract spec of the multi-pager design.

options:
  --config NAME|FILE.json  configuration: a named one (--list-configs) or a JSON file
                           (default: "${DEFAULT_CONFIG}"; with --mutant, the configuration listed for that mutant)
  --mutant NAME            check a seeded design bug instead of the design (--list-mutants);
                           a liveness mutant implies --liveness
  --liveness               also check the temporal properties under fairness (spec/liveness.ts):
                           a violation is a lasso, printed with its cycle marked (exit 13)
  --list-configs           list the named configurations and exit
  --list-mutants           list the seeded design bugs and exit
  --no-deadlock            do not report states without a successor (deadlock checking is on by default)
  --max-states N           stop after N distinct states (exit 152, partial statistics)
  --depth N                exhaustive: do not explore beyond N steps (exit 152 if states were left);
                           with --simulate: steps per run (default ${DEFAULT_SIMULATION_DEPTH})
  --symmetry               exhaustive: explore one state per orbit of interchangeable threads,
                           pagers and frames (symmetry reduction; distinct states count orbits)
  --workers N              exhaustive: explore with N worker threads (default 1)
  --max-memory SIZE        exhaustive: stop cleanly before the search's arrays exceed SIZE
                           (e.g. 512M, 4G; exit 152, partial statistics), then explore the rest
                           of the state space by a seeded random simulation (--seed, --runs)
  --simulate               random simulation instead of exhaustive search
  --seed S                 simulation seed, 0..${MAX_SEED} (default: random; always printed)
  --runs N                 simulation runs (default ${DEFAULT_SIMULATION_RUNS})
  --itf PATH               where to write a counterexample (default: counterexample-<id>.itf.json)
  --quiet                  print only the verdict, the counterexample and the trace file
  --help                   show this help

exit codes: 0 no error, 11 deadlock, 12 invariant violated, 13 temporal property violated (lasso),
            152 budget reached,
            2 bad command line, 151 bad configuration file`;

const OPTIONS = {
  config: { type: "string" },
  mutant: { type: "string" },
  liveness: { type: "boolean" },
  "list-configs": { type: "boolean" },
  "list-mutants": { type: "boolean" },
  "no-deadlock": { type: "boolean" },
  "max-states": { type: "string" },
  depth: { type: "string" },
  simulate: { type: "boolean" },
  symmetry: { type: "boolean" },
  workers: { type: "string" },
  "max-memory": { type: "string" },
  seed: { type: "string" },
  runs: { type: "string" },
  itf: { type: "string" },
  quiet: { type: "boolean" },
  help: { type: "boolean", short: "h" },
} as const;

function parse(args: string[]) {
  return parseOptions("check", args, OPTIONS);
}

/** "512M", "4G", "1.5G", "65536" (bytes) as bytes. */
function sizeOption(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const found = /^(\d+(?:\.\d+)?)([KMG]?)i?B?$/i.exec(text.trim());
  const unit = { "": 1, K: 2 ** 10, M: 2 ** 20, G: 2 ** 30 }[(found?.[2] ?? "").toUpperCase() as "" | "K" | "M" | "G"];
  const bytes = found ? Math.floor(Number(found[1]) * unit) : Number.NaN;
  if (!Number.isSafeInteger(bytes) || bytes < 2 ** 20) throw new InputError(`check: --max-memory must be a size of at least 1M (e.g. 512M, 4G), got "${text}"`, "usage");
  return bytes;
}

function listConfigs(): string {
  const width = Math.max(...namedConfigs.map((c) => c.name.length));
  return namedConfigs.map((c) => `${c.name.padEnd(width)}  ${c.description}${c.name === DEFAULT_CONFIG ? " (default)" : ""}`).join("\n");
}

/** Every seeded design bug, with what it breaks: safety (an invariant, exit 12) or liveness (a temporal property, exit 13). */
const allMutants: ReadonlyArray<{ name: string; description: string; config: string; kind: "safety" | "liveness" }> = [
  ...specMutants.map((m) => ({ ...m, kind: "safety" as const })),
  ...livenessMutants.map((m) => ({ ...m, kind: "liveness" as const })),
];

function listMutants(): string {
  const width = Math.max(...allMutants.map((m) => m.name.length));
  return allMutants.map((m) => `${m.name.padEnd(width)}  ${m.kind.padEnd(8)}  ${m.description}`).join("\n");
}

/** The configuration a mutant is listed with, when the spec names one. */
function mutantConfig(mutant: string): string | undefined {
  const entry = allMutants.find((m) => m.name === mutant) as { config?: unknown } | undefined;
  return typeof entry?.config === "string" ? entry.config : undefined;
}

/** The statistics' verdict line ("Model checking completed. ...", "Simulation completed: ..."). */
function verdictLine(report: string): string {
  return report.split("\n").find((line) => /^(Model checking|Simulation) /.test(line)) ?? report;
}

const print = (text: string) => process.stdout.write(text.endsWith("\n") ? text : `${text}\n`);

export async function run(args: string[]): Promise<number> {
  const options = parse(args);
  if (options.help) {
    print(CHECK_USAGE);
    return ExitCode.Ok;
  }
  if (options["list-configs"]) {
    print(listConfigs());
    return ExitCode.Ok;
  }
  if (options["list-mutants"]) {
    print(listMutants());
    return ExitCode.Ok;
  }
  const simulation = options.simulate === true;
  if (!simulation && options["max-memory"] === undefined && (options.seed !== undefined || options.runs !== undefined)) {
    throw new InputError(`check: --${options.seed !== undefined ? "seed" : "runs"} needs --simulate (or --max-memory)`, "usage");
  }
  if (simulation && options["max-states"] !== undefined) throw new InputError("check: --max-states applies to exhaustive search, not --simulate", "usage");
  for (const exhaustiveOnly of ["symmetry", "workers", "max-memory"] as const) {
    if (simulation && options[exhaustiveOnly] !== undefined) throw new InputError(`check: --${exhaustiveOnly} applies to exhaustive search, not --simulate`, "usage");
  }
  const maxStates = integerOption("check", "max-states", options["max-states"], 1);
  const workers = integerOption("check", "workers", options.workers, 1, 64) ?? 1;
  const maxMemory = sizeOption(options["max-memory"]);
  const symmetry = options.symmetry === true;
  const depth = integerOption("check", "depth", options.depth, simulation ? 1 : 0);
  const runs = integerOption("check", "runs", options.runs, 1);
  const seed = integerOption("check", "seed", options.seed, 0, MAX_SEED) ?? (simulation ? freshSeed() : undefined);
  const checkDeadlock = options["no-deadlock"] !== true;
  const mutant = options.mutant ?? null;
  if (mutant !== null && !allMutants.some((m) => m.name === mutant)) {
    throw new InputError(`check: unknown mutant "${mutant}" (known: ${allMutants.map((m) => m.name).join(", ")})`, "usage");
  }
  const liveness = options.liveness === true || livenessMutants.some((m) => m.name === mutant);
  for (const unsupported of ["simulate", "symmetry", "workers", "max-memory"] as const) {
    if (liveness && options[unsupported] !== undefined) {
      throw new InputError(`check: --${unsupported} cannot be combined with --liveness${options.liveness === true ? "" : ` (implied by the liveness mutant ${mutant})`}`, "usage");
    }
  }
  const configName = options.config ?? (mutant !== null ? mutantConfig(mutant) : undefined) ?? DEFAULT_CONFIG;
  const { name: config, config: configValue } = loadConfig(configName);
  const machine = buildSpec(configValue, mutant ?? undefined) as StateMachine<unknown>;
  const quiet = options.quiet === true;
  // With --itf - the trace file is standard output: everything for people goes to standard error.
  const say = humanOutput(options.itf);

  const mode = simulation
    ? `random simulation, ${runs ?? DEFAULT_SIMULATION_RUNS} runs of at most ${depth ?? DEFAULT_SIMULATION_DEPTH} steps`
    : liveness
      ? "exhaustive breadth-first search, then the temporal properties under fairness on the state graph"
      : "exhaustive breadth-first search";
  say(`Checking ${machine.name}: configuration ${config}, ${mutant === null ? "no mutant" : `mutant ${mutant}`}; ${mode}; deadlock checking ${checkDeadlock ? "on" : "off"}.`);
  if (simulation) say(`Seed: ${seed}`);

  const progress = terminalProgress(process.stderr);
  let violation: Violation | undefined;
  let steps: readonly TraceStep[] | undefined;
  let report: string;
  let budgetHit = false;
  let originalLength: number | undefined;
  let lasso: { loop: number; closing: ClosingStep } | undefined;
  /** TLC's "Finished computing initial states" line: printed before the trace, as TLC does. */
  let initialStates: string | undefined;
  let drawnSeed: number | undefined = simulation && options.seed === undefined ? seed : undefined;
  try {
    if (simulation) {
      const result = simulate(machine, {
        seed: seed!,
        checkDeadlock,
        onProgress: progress.update,
        ...(runs !== undefined ? { runs } : {}),
        ...(depth !== undefined ? { depth } : {}),
      });
      violation = result.violation;
      steps = result.trace;
      report = formatSimulationStatistics(result);
      if (violation !== undefined && steps !== undefined) {
        // A random walk wanders: keep only the steps the violation needs (trace/shorten.ts).
        const violates = finalStateViolates(machine, violation);
        const shortened = violates === undefined ? undefined : shortenTrace(machine, steps, violates);
        if (shortened !== undefined) {
          steps = shortened.steps;
          if (shortened.length < shortened.originalLength) originalLength = shortened.originalLength;
        }
      }
    } else if (liveness) {
      const result = checkLiveness(machine as LiveMachine<unknown>, {
        checkDeadlock,
        onProgress: progress.update,
        ...(maxStates !== undefined ? { maxStates } : {}),
        ...(depth !== undefined ? { maxDepth: depth } : {}),
      });
      violation = result.violation;
      steps = result.trace;
      budgetHit = result.status === "budget";
      initialStates = formatInitialStates(result);
      // One "Finished in" line for the whole run: exploration and liveness analysis.
      const seconds = result.statistics.seconds + (result.liveness?.seconds ?? 0);
      const statistics = formatStatistics({ ...result, statistics: { ...result.statistics, seconds } });
      report = result.liveness === undefined ? statistics : withLivenessStatistics(statistics, result.liveness, result.statistics.distinct);
      if (result.loop !== undefined && result.closing !== undefined) lasso = { loop: result.loop, closing: result.closing };
    } else {
      const exhaustive = {
        checkDeadlock,
        onProgress: progress.update,
        symmetry,
        ...(maxStates !== undefined ? { maxStates } : {}),
        ...(depth !== undefined ? { maxDepth: depth } : {}),
        ...(maxMemory !== undefined ? { maxMemory } : {}),
      };
      const result = workers > 1
        ? await checkParallel(specSource(configValue, mutant ?? undefined), { ...exhaustive, workers })
        : check(machine, exhaustive);
      violation = result.violation;
      steps = result.trace;
      budgetHit = result.status === "budget";
      initialStates = formatInitialStates(result);
      report = formatStatistics(result);
      if (result.status === "budget" && result.budget?.startsWith("the memory budget")) {
        // The state space does not fit: explore the rest of it by seeded random walks.
        const fallbackSeed = seed ?? freshSeed();
        if (seed === undefined) drawnSeed = fallbackSeed;
        say(initialStates);
        initialStates = undefined;
        say(report);
        say(`The state space does not fit in the memory budget: continuing with a random simulation, seed ${fallbackSeed}.`);
        const walked = simulate(machine, { seed: fallbackSeed, checkDeadlock, onProgress: progress.update, ...(runs !== undefined ? { runs } : {}) });
        violation = walked.violation;
        steps = walked.trace;
        report = formatSimulationStatistics(walked);
      }
    }
  } finally {
    progress.finish();
  }
  if (initialStates !== undefined) say(initialStates);

  if (violation === undefined || steps === undefined) {
    say(quiet ? verdictLine(report) : report);
    return budgetHit ? ExitCode.Budget : ExitCode.Ok;
  }
  const trace: Trace = {
    kind: "spec",
    machine: machine.name,
    // A configuration file is named as a reader can find it, never by a local absolute path.
    config: portablePath(config),
    configValue: configValue as unknown as TraceValue,
    mutant,
    violation,
    // The command that reproduces it: a drawn seed is added, output options and local paths are not kept.
    command: reproducingArgs("check", args, drawnSeed === undefined ? {} : { "--seed": String(drawnSeed) }),
    toolVersion: await version(),
    vars: machine.variables,
    steps,
    ...(originalLength !== undefined ? { originalLength } : {}),
    ...(lasso !== undefined ? { loop: lasso.loop, closing: lasso.closing } : {}),
  };
  const id = traceId(trace);
  const path = options.itf ?? `counterexample-${id}.itf.json`;
  say(formatTraceText(trace));
  if (!quiet) say(report);
  const written = writeEvidence("check", path, formatItf(trace), "the counterexample is printed above and the exit code is still the verdict's");
  const shape = lasso === undefined ? "" : lasso.closing === "stutter" ? `, then State ${stateNumber(lasso.loop)} stutters forever` : `, then back to State ${stateNumber(lasso.loop)} forever`;
  say(`Counterexample ${id}: ${steps.length - 1} steps${shape}${originalLength !== undefined ? ` (shortened from ${originalLength})` : ""}, ${written ? `written to ${path === "-" ? "standard output" : path}` : "not written (see the error above)"}`);
  if (drawnSeed !== undefined || simulation) say(`Replay this run with: ${shellCommand(trace.command)}`);
  return match(violation.kind)
    .with("deadlock", () => ExitCode.Deadlock)
    .with("invariant", "refinement", () => ExitCode.Safety)
    .with("liveness", () => ExitCode.Liveness)
    .exhaustive();
}
