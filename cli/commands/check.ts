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
import { explore, type SearchPause } from "../../model/check.js";
import { machineSignature, readCheckpoint, type Snapshot } from "../../model/checkpoint.js";
import { runPausing } from "../../model/pausing.js";
import { checkParallel } from "../../model/parallel.js";
import { randomWalks, DEFAULT_SIMULATION_DEPTH, DEFAULT_SIMULATION_RUNS } from "../../model/simulate.js";
import { freshSeed, MAX_SEED } from "../../model/random.js";
import { formatItf } from "../../model/itf.js";
import { formatTraceText } from "../../model/trace-text.js";
import { checkLiveness, type ClosingStep, type LiveMachine } from "../../model/liveness/check.js";
import { withLivenessStatistics } from "../../model/liveness/report.js";
import { formatInitialStates, formatSimulationStatistics, formatStatistics } from "../../model/report.js";
import type { ProgressLine } from "../../model/progress.js";
import { selectProperties, type PropertySelection } from "../../model/selection.js";
import type { CheckResult } from "../../model/statistics.js";
import { stateNumber, traceId, type Trace, type TraceStep, type Violation } from "../../model/trace.js";
import { descriptorOf } from "../../model/atomic-write.js";
import { portablePath, reproducingArgs, shellCommand } from "../../trace/command.js";
import { finalStateViolates } from "../../trace/replay.js";
import { shortenTrace } from "../../trace/shorten.js";
import { buildSpec, DEFAULT_CONFIG, isLivenessMutant, loadConfig, MUTANTS, namedConfigs, specSource } from "../../spec/index.js";
import { integerOption, MAX_WORKERS, parseOptions, workersOption } from "../options.js";
import { writeEvidence } from "../evidence.js";
import { Checkpointer, DEFAULT_CHECKPOINT_INTERVAL, durationOption, resumeCommand, resumingLine } from "../checkpoints.js";
import { catchInterrupts, signalExitCode, type Interrupts } from "../interrupt.js";
import { counterexampleOf, searchOf, searchTiming, simulationOf, temporalOf, type Counterexample } from "../json-report.js";
import { RUN_OUTPUT_OPTIONS, RUN_OUTPUT_USAGE, runOutput, writeRunReport, type ReportBody } from "../run-output.js";

export const CHECK_USAGE = `usage: multipager check [options]

Model-check the abstract spec of the multi-pager design.

options:
  --config NAME|FILE.json  configuration: a named one (--list-configs) or a JSON file
                           (default: "${DEFAULT_CONFIG}"; with --mutant, the configuration listed for that mutant)
  --mutant NAME            check a seeded design bug instead of the design (--list-mutants);
                           a liveness mutant implies --liveness
  --inv NAME               check this invariant (repeatable; default: every invariant, --list-properties)
  --no-inv NAME            do not check this invariant (repeatable)
  --liveness               also check the temporal properties under fairness (spec/liveness.ts):
                           a violation is a lasso, printed with its cycle marked (exit 13)
  --temporal NAME          check this temporal property (repeatable; implies --liveness)
  --no-temporal NAME       do not check this temporal property (repeatable)
  --list-configs           list the named configurations and exit
  --list-mutants           list the seeded design bugs and exit
  --list-properties        list the invariants and temporal properties and exit
  --no-deadlock            do not report states without a successor (deadlock checking is on by default)
  --continue               exhaustive: go on after a violation and report every distinct one
                           (a violating state is not explored further; each gets its own trace file)
  --max-error N            exhaustive: stop after N distinct violations (implies --continue)
  --max-states N           stop after N distinct states (exit 152, partial statistics)
  --depth N                exhaustive: do not explore beyond N steps (exit 152 if states were left);
                           with --simulate: steps per run (default ${DEFAULT_SIMULATION_DEPTH})
  --symmetry               exhaustive: explore one state per orbit of interchangeable threads,
                           pagers and frames (symmetry reduction; distinct states count orbits)
  --workers N|auto         exhaustive: explore with N worker threads, 1..${MAX_WORKERS}, or one per CPU (default 1)
  --max-memory SIZE        exhaustive: stop cleanly before the search's arrays exceed SIZE
                           (e.g. 512M, 4G; exit 152, partial statistics), then explore the rest
                           of the state space by a seeded random simulation (--seed, --runs)
  --checkpoint DIR         exhaustive: write a checkpoint into DIR every --checkpoint-interval and when
                           interrupted (SIGINT, SIGTERM), to resume the search with --recover DIR
  --checkpoint-interval T  time between checkpoints: 90s, 10m, 1h, or minutes (default ${DEFAULT_CHECKPOINT_INTERVAL})
  --recover DIR            exhaustive: resume the search from the checkpoint in DIR (same configuration,
                           mutant and options; the final figures are an uninterrupted run's)
  --simulate               random simulation instead of exhaustive search
  --seed S                 simulation seed, 0..${MAX_SEED} (default: random; always printed)
  --runs N                 simulation runs (default ${DEFAULT_SIMULATION_RUNS})
  --itf PATH               where to write a counterexample ({id} is replaced by its id;
                           default: counterexample-{id}.itf.json); with several, PATH must contain {id}
${RUN_OUTPUT_USAGE}
  --quiet                  print only the verdict, the counterexample and the trace file
  --help                   show this help

exit codes: 0 no error, 11 deadlock, 12 invariant violated, 13 temporal property violated (lasso),
            152 budget reached, 130 interrupted by SIGINT (143 by SIGTERM: 128 + the signal),
            2 bad command line, 151 bad configuration file or checkpoint, or an output that cannot be written
            (with --continue: the code of the first counterexample listed, the shortest)`;

const OPTIONS = {
  config: { type: "string" },
  mutant: { type: "string" },
  inv: { type: "string", multiple: true },
  "no-inv": { type: "string", multiple: true },
  liveness: { type: "boolean" },
  temporal: { type: "string", multiple: true },
  "no-temporal": { type: "string", multiple: true },
  "list-configs": { type: "boolean" },
  "list-mutants": { type: "boolean" },
  "list-properties": { type: "boolean" },
  "no-deadlock": { type: "boolean" },
  continue: { type: "boolean" },
  "max-error": { type: "string" },
  "max-states": { type: "string" },
  depth: { type: "string" },
  simulate: { type: "boolean" },
  symmetry: { type: "boolean" },
  workers: { type: "string" },
  "max-memory": { type: "string" },
  seed: { type: "string" },
  runs: { type: "string" },
  itf: { type: "string" },
  checkpoint: { type: "string" },
  "checkpoint-interval": { type: "string" },
  recover: { type: "string" },
  ...RUN_OUTPUT_OPTIONS,
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
const allMutants = MUTANTS;

function listMutants(): string {
  const width = Math.max(...allMutants.map((m) => m.name.length));
  return allMutants.map((m) => `${m.name.padEnd(width)}  ${m.kind.padEnd(8)}  ${m.description}`).join("\n");
}

/** The names --inv and --temporal take, each with the sentence it encodes. */
function listProperties(machine: StateMachine<unknown>): string {
  const rows = [
    ...machine.invariants.map((i) => ["invariant", i.name, i.quote] as const),
    ...(machine.temporalProperties ?? []).map((p) => ["temporal", p.name, p.formula] as const),
  ];
  const width = Math.max(...rows.map((r) => r[1].length));
  return rows.map(([kind, name, text]) => `${kind.padEnd(9)}  ${name.padEnd(width)}  ${text}`).join("\n");
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

/** One violation found, as the trace file will say it. */
interface Found {
  readonly violation: Violation;
  readonly steps: readonly TraceStep[];
  readonly originalLength?: number;
  /** Lassos: where the cycle starts and the step that closes it (the formula and the failing instance are in the violation). */
  readonly lasso?: { loop: number; closing: ClosingStep };
}

/** What one run of a search engine gave: its violations (shortest first), its statistics in text, and its figures for the JSON report. */
interface Outcome {
  readonly found: readonly Found[];
  readonly report: string;
  readonly budgetHit: boolean;
  /** The signal that interrupted the run, if one did. */
  readonly interruption?: string;
  readonly seed: number | null;
  readonly section: Pick<ReportBody, "search" | "simulation" | "timing">;
  /** TLC's "Finished computing initial states" line, printed before the traces as TLC does (exhaustive and liveness runs). */
  readonly initialStates?: string;
}

export async function run(args: string[]): Promise<number> {
  const started = performance.now();
  const options = parse(args);
  const output = runOutput("check", options, { itf: options.itf });
  const write = output.write;
  if (options.help) {
    write(CHECK_USAGE);
    return ExitCode.Ok;
  }
  if (options["list-configs"]) {
    write(listConfigs());
    return ExitCode.Ok;
  }
  if (options["list-mutants"]) {
    write(listMutants());
    return ExitCode.Ok;
  }
  const simulation = options.simulate === true;
  if (!simulation && options["max-memory"] === undefined && (options.seed !== undefined || options.runs !== undefined)) {
    throw new InputError(`check: --${options.seed !== undefined ? "seed" : "runs"} needs --simulate (or --max-memory)`, "usage");
  }
  if (simulation && options["max-states"] !== undefined) throw new InputError("check: --max-states applies to exhaustive search, not --simulate", "usage");
  for (const exhaustiveOnly of ["symmetry", "workers", "max-memory", "continue", "max-error", "checkpoint", "checkpoint-interval", "recover"] as const) {
    if (simulation && options[exhaustiveOnly] !== undefined) throw new InputError(`check: --${exhaustiveOnly} applies to exhaustive search, not --simulate`, "usage");
  }
  const maxStates = integerOption("check", "max-states", options["max-states"], 1);
  const workers = workersOption("check", options.workers) ?? 1;
  const maxMemory = sizeOption(options["max-memory"]);
  const symmetry = options.symmetry === true;
  const depth = integerOption("check", "depth", options.depth, simulation ? 1 : 0);
  const runs = integerOption("check", "runs", options.runs, 1);
  const seed = integerOption("check", "seed", options.seed, 0, MAX_SEED) ?? (simulation ? freshSeed() : undefined);
  const maxErrors = integerOption("check", "max-error", options["max-error"], 1) ?? (options.continue === true ? Number.POSITIVE_INFINITY : 1);
  const checkDeadlock = options["no-deadlock"] !== true;
  const mutant = options.mutant ?? null;
  if (mutant !== null && !allMutants.some((m) => m.name === mutant)) {
    throw new InputError(`check: unknown mutant "${mutant}" (known: ${allMutants.map((m) => m.name).join(", ")})`, "usage");
  }
  const selection: PropertySelection = {
    ...(options.inv !== undefined ? { invariants: options.inv } : {}),
    ...(options["no-inv"] !== undefined ? { withoutInvariants: options["no-inv"] } : {}),
    ...(options.temporal !== undefined ? { temporal: options.temporal } : {}),
    ...(options["no-temporal"] !== undefined ? { withoutTemporal: options["no-temporal"] } : {}),
  };
  const livenessMutant = isLivenessMutant(mutant);
  const liveness = options.liveness === true || options.temporal !== undefined || livenessMutant;
  for (const unsupported of ["simulate", "symmetry", "workers", "max-memory", "continue", "max-error", "checkpoint", "recover"] as const) {
    if (liveness && options[unsupported] !== undefined) {
      const why = options.liveness === true ? "" : options.temporal !== undefined ? " (implied by --temporal)" : ` (implied by the liveness mutant ${mutant})`;
      throw new InputError(`check: --${unsupported} cannot be combined with --liveness${why}`, "usage");
    }
  }
  if (maxErrors > 1 && options.itf !== undefined && !options.itf.includes("{id}")) {
    throw new InputError(`check: with --continue or --max-error, --itf names several files: put {id} in it (e.g. --itf traces/{id}.itf.json), got "${options.itf}"`, "usage");
  }
  if (options["checkpoint-interval"] !== undefined && options.checkpoint === undefined) throw new InputError("check: --checkpoint-interval needs --checkpoint DIR", "usage");
  const checkpointInterval = durationOption("check", "checkpoint-interval", options["checkpoint-interval"] ?? DEFAULT_CHECKPOINT_INTERVAL);
  const configName = options.config ?? (mutant !== null ? mutantConfig(mutant) : undefined) ?? DEFAULT_CONFIG;
  const { name: config, config: configValue } = loadConfig(configName);
  const fullMachine = buildSpec(configValue, mutant ?? undefined) as StateMachine<unknown>;
  if (options["list-properties"]) {
    write(listProperties(fullMachine));
    return ExitCode.Ok;
  }
  const machine = selectedProperties(fullMachine, selection);
  const quiet = options.quiet === true;

  const mode = simulation
    ? `random simulation, ${runs ?? DEFAULT_SIMULATION_RUNS} runs of at most ${depth ?? DEFAULT_SIMULATION_DEPTH} steps`
    : liveness
      ? "exhaustive breadth-first search, then the temporal properties under fairness on the state graph"
      : "exhaustive breadth-first search";
  const invariantsChosen = machine.invariants.length !== fullMachine.invariants.length;
  const temporalChosen = (machine.temporalProperties ?? []).length !== (fullMachine.temporalProperties ?? []).length;
  const checked = `${invariantsChosen ? `; invariants ${names(machine.invariants)}` : ""}${liveness && temporalChosen ? `; temporal properties ${names(machine.temporalProperties ?? [])}` : ""}`;
  const errors = maxErrors === 1 ? "" : maxErrors === Number.POSITIVE_INFINITY ? "; every violation (--continue)" : `; up to ${maxErrors} violations`;
  write(`Checking ${machine.name}: configuration ${config}, ${mutant === null ? "no mutant" : `mutant ${mutant}`}; ${mode}; deadlock checking ${checkDeadlock ? "on" : "off"}${checked}${errors}.`);
  if (simulation) write(`Seed: ${seed}`);
  // What a checkpoint of this run is: resumed only by the same run.
  const identity = {
    machine: machine.name,
    configuration: configValue,
    mutant: mutant ?? "none",
    invariants: machine.invariants.map((i) => i.name),
    symmetry,
    "deadlock checking": checkDeadlock,
    "violation limit": maxErrors === Number.POSITIVE_INFINITY ? "all" : maxErrors,
    workers,
    "tool version": await version(),
    // Last: what changes with the others (another configuration is also another layout).
    "machine layout": machineSignature(machine),
  };
  const recovered = options.recover === undefined ? undefined : readCheckpoint(options.recover, identity);
  if (recovered !== undefined) write(resumingLine(options.recover!, recovered.summary));
  const checkpointer = options.checkpoint === undefined ? undefined : new Checkpointer(options.checkpoint, checkpointInterval, identity);

  const search = { checkDeadlock, maxStates, depth, seed, runs, progressIntervalMs: output.progressIntervalMs };
  // Liveness's analysis cannot pause: there a signal keeps its default effect (the process ends, 128 + the signal).
  const interrupts = liveness ? undefined : catchInterrupts();
  let outcome: Outcome;
  try {
    outcome = simulation
      ? await runSimulation(machine, search, output.progress, interrupts)
      : liveness
        ? runLiveness(machine, search, output.progress)
        : await runExhaustive(
            machine,
            { ...search, workers, symmetry, maxMemory, maxErrors, source: () => specSource(configValue, mutant ?? undefined), selection, checkpointer, restored: recovered?.snapshot },
            output.progress,
            write,
            interrupts,
          );
  } finally {
    interrupts?.dispose();
  }

  if (outcome.initialStates !== undefined && !quiet) write(outcome.initialStates);
  // The command that reproduces it: a drawn seed is added; output options and local paths are not kept.
  const drawnSeed: Record<string, string> = options.seed === undefined && outcome.seed !== null ? { "--seed": String(outcome.seed) } : {};
  const command = reproducingArgs("check", args, drawnSeed);
  const toolVersion = await version();
  const traces: Trace[] = outcome.found.map((found) => ({
    kind: "spec",
    machine: machine.name,
    // A configuration file is named as a reader can find it, never by a local absolute path.
    config: portablePath(config),
    configValue: configValue as unknown as TraceValue,
    mutant,
    violation: found.violation,
    command,
    toolVersion,
    vars: machine.variables,
    steps: found.steps,
    ...(found.originalLength !== undefined ? { originalLength: found.originalLength } : {}),
    ...(found.lasso !== undefined ? { loop: found.lasso.loop, closing: found.lasso.closing } : {}),
  }));
  const counterexamples: Counterexample[] = [];
  traces.forEach((trace, index) => {
    const found = outcome.found[index]!;
    if (traces.length > 1) write(`${index === 0 ? "" : "\n"}Counterexample ${index + 1} of ${traces.length}:`);
    write(formatTraceText(trace));
  });
  if (traces.length === 0) write(quiet ? verdictLine(outcome.report) : outcome.report);
  else if (!quiet) write(outcome.report);
  if (outcome.interruption !== undefined && !simulation) {
    write(
      checkpointer?.last !== undefined
        ? `Checkpoint written to ${checkpointer.dir} (${checkpointer.last.distinct} distinct states); resume with: ${resumeCommand("check", args, checkpointer.dir)}`
        : "No checkpoint was asked for (--checkpoint DIR): the figures above are all that is kept of this run.",
    );
  }
  for (const [index, trace] of traces.entries()) {
    const found = outcome.found[index]!;
    const id = traceId(trace);
    const path = (options.itf ?? "counterexample-{id}.itf.json").replaceAll("{id}", id);
    const written = writeEvidence("check", path, formatItf(trace), "the counterexample is printed above and the exit code is still the verdict's");
    const lasso = found.lasso;
    const shape = lasso === undefined ? "" : lasso.closing === "stutter" ? `, then State ${stateNumber(lasso.loop)} stutters forever` : `, then back to State ${stateNumber(lasso.loop)} forever`;
    const where = descriptorOf(path) === 1 ? "standard output" : path;
    write(`Counterexample ${id}: ${found.steps.length - 1} steps${shape}${found.originalLength !== undefined ? ` (shortened from ${found.originalLength})` : ""}, ${written ? `written to ${where}` : "not written (see the error above)"}`);
    counterexamples.push(counterexampleOf(trace, written ? path : null));
  }
  if (outcome.seed !== null && traces.length > 0) write(`Replay this run with: ${shellCommand(command)}`);

  const first = outcome.found[0]?.violation;
  // A violation found before the signal is the verdict; else the signal's code (128 + its number).
  const code = first === undefined
    ? outcome.interruption !== undefined ? signalExitCode(outcome.interruption) : outcome.budgetHit ? ExitCode.Budget : ExitCode.Ok
    : match(first.kind)
        .with("deadlock", () => ExitCode.Deadlock)
        .with("invariant", "refinement", () => ExitCode.Safety)
        .with("liveness", () => ExitCode.Liveness)
        .with("witness", () => ExitCode.Ok)
        .exhaustive();
  await writeRunReport("check", output, { args, code, started }, () => ({
    subject: { machine: machine.name, config, mutant },
    mode: simulation ? "simulation" : liveness ? "liveness" : "exhaustive",
    seed: outcome.seed,
    properties: { invariants: machine.invariants.map((i) => i.name), temporal: liveness ? (machine.temporalProperties ?? []).map((p) => p.name) : [], deadlock: checkDeadlock },
    ...outcome.section,
    counterexamples,
  }));
  return code;
}

/** The machine with the chosen properties; an unknown name is a usage error of this command. */
function selectedProperties(machine: StateMachine<unknown>, selection: PropertySelection): StateMachine<unknown> {
  try {
    return selectProperties(machine, selection);
  } catch (error) {
    if (error instanceof InputError) throw new InputError(`check: ${error.message}`, error.kind);
    throw error;
  }
}

const names = (properties: readonly { name: string }[]) => (properties.length === 0 ? "(none)" : properties.map((p) => p.name).join(", "));

interface SearchSettings {
  readonly checkDeadlock: boolean;
  readonly maxStates: number | undefined;
  readonly depth: number | undefined;
  readonly seed: number | undefined;
  readonly runs: number | undefined;
  readonly progressIntervalMs: number;
}


/** Pauses of a search or simulation: signals are seen there (and nothing else is done). */
const pausingOn = (interrupts: Interrupts | undefined) => ({ interrupted: () => interrupts?.received() });

async function runSimulation(machine: StateMachine<unknown>, settings: SearchSettings, progressOf: () => ProgressLine, interrupts: Interrupts | undefined): Promise<Outcome> {
  const progress = progressOf();
  try {
    const walks = randomWalks(machine, {
      seed: settings.seed!,
      checkDeadlock: settings.checkDeadlock,
      onProgress: progress.update,
      progressIntervalMs: settings.progressIntervalMs,
      ...(settings.runs !== undefined ? { runs: settings.runs } : {}),
      ...(settings.depth !== undefined ? { depth: settings.depth } : {}),
    });
    const result = await runPausing(walks, pausingOn(interrupts));
    const found: Found[] = [];
    if (result.violation !== undefined && result.trace !== undefined) {
      // A random walk wanders: keep only the steps the violation needs (trace/shorten.ts).
      const violates = finalStateViolates(machine, result.violation);
      const shortened = violates === undefined ? undefined : shortenTrace(machine, result.trace, violates);
      const shorter = shortened !== undefined && shortened.length < shortened.originalLength;
      found.push({ violation: result.violation, steps: shortened?.steps ?? result.trace, ...(shorter ? { originalLength: shortened.originalLength } : {}) });
    }
    return {
      found,
      report: formatSimulationStatistics(result),
      budgetHit: false,
      ...(result.interruption !== undefined ? { interruption: result.interruption } : {}),
      seed: settings.seed!,
      section: { simulation: simulationOf(result), timing: searchTiming(result.statistics) },
    };
  } finally {
    progress.finish();
  }
}

function runLiveness(machine: StateMachine<unknown>, settings: SearchSettings, progressOf: () => ProgressLine): Outcome {
  const progress = progressOf();
  try {
    const result = checkLiveness(machine as LiveMachine<unknown>, {
      checkDeadlock: settings.checkDeadlock,
      onProgress: progress.update,
      progressIntervalMs: settings.progressIntervalMs,
      ...(settings.maxStates !== undefined ? { maxStates: settings.maxStates } : {}),
      ...(settings.depth !== undefined ? { maxDepth: settings.depth } : {}),
    });
    // One "Finished in" line for the whole run: exploration and liveness analysis.
    const seconds = result.statistics.seconds + (result.liveness?.seconds ?? 0);
    const statistics = { ...result.statistics, seconds };
    const text = formatStatistics({ ...result, statistics });
    const report = result.liveness === undefined ? text : withLivenessStatistics(text, result.liveness, result.statistics.distinct);
    const found: Found[] = [];
    if (result.violation !== undefined && result.trace !== undefined) {
      const lasso = result.loop !== undefined && result.closing !== undefined ? { loop: result.loop, closing: result.closing } : undefined;
      found.push({ violation: result.violation, steps: result.trace, ...(lasso !== undefined ? { lasso } : {}) });
    }
    return {
      found,
      report,
      budgetHit: result.status === "budget",
      seed: null,
      section: { search: { ...searchOf({ ...result, statistics }), ...temporalOf(result.liveness) }, timing: searchTiming(statistics) },
      initialStates: formatInitialStates(result),
    };
  } finally {
    progress.finish();
  }
}

interface ExhaustiveSettings extends SearchSettings {
  readonly workers: number;
  readonly symmetry: boolean;
  readonly maxMemory: number | undefined;
  readonly maxErrors: number;
  readonly source: () => ReturnType<typeof specSource>;
  readonly selection: PropertySelection;
  readonly checkpointer: Checkpointer | undefined;
  /** The checkpoint's snapshot to resume from (--recover). */
  readonly restored: Snapshot | undefined;
}

async function runExhaustive(
  machine: StateMachine<unknown>,
  settings: ExhaustiveSettings,
  progressOf: () => ProgressLine,
  write: (text: string) => void,
  interrupts: Interrupts | undefined,
): Promise<Outcome> {
  const progress = progressOf();
  let result: CheckResult;
  try {
    const exhaustive = {
      checkDeadlock: settings.checkDeadlock,
      onProgress: progress.update,
      progressIntervalMs: settings.progressIntervalMs,
      symmetry: settings.symmetry,
      maxViolations: settings.maxErrors,
      ...(settings.maxStates !== undefined ? { maxStates: settings.maxStates } : {}),
      ...(settings.depth !== undefined ? { maxDepth: settings.depth } : {}),
      ...(settings.maxMemory !== undefined ? { maxMemory: settings.maxMemory } : {}),
    };
    const { checkpointer } = settings;
    const handling = {
      ...pausingOn(interrupts),
      atPause: (pause: SearchPause) => checkpointer?.atPause(pause, interrupts?.received() !== undefined),
      pauseWanted: () => checkpointer?.due() ?? false,
      snapshots: checkpointer !== undefined,
    };
    result = settings.workers > 1
      ? await checkParallel(settings.source(), { ...exhaustive, workers: settings.workers, properties: settings.selection }, handling, settings.restored)
      : await runPausing(explore(machine, exhaustive, settings.restored), handling);
  } finally {
    progress.finish();
  }
  const violations = result.violations ?? (result.violation !== undefined && result.trace !== undefined ? [{ violation: result.violation, trace: result.trace }] : []);
  const found: Found[] = violations.map((v) => ({ violation: v.violation, steps: v.trace }));
  const outcome: Outcome = {
    found,
    report: formatStatistics(result),
    budgetHit: result.status === "budget",
    ...(result.interruption !== undefined ? { interruption: result.interruption } : {}),
    seed: null,
    section: { search: searchOf(result), timing: searchTiming(result.statistics) },
    initialStates: formatInitialStates(result),
  };
  if (found.length > 0 || result.status !== "budget" || !result.budget?.startsWith("the memory budget")) return outcome;
  // The state space does not fit: explore the rest of it by seeded random walks.
  const fallbackSeed = settings.seed ?? freshSeed();
  write(outcome.initialStates!);
  write(outcome.report);
  write(`The state space does not fit in the memory budget: continuing with a random simulation, seed ${fallbackSeed}.`);
  const walked = await runSimulation(machine, { ...settings, seed: fallbackSeed, depth: undefined }, progressOf, interrupts);
  // A walk that finds nothing leaves the verdict of the partial search: its budget.
  return { ...walked, budgetHit: walked.found.length === 0, section: { ...outcome.section, simulation: walked.section.simulation } };
}
