/**
 * `multipager refine`: check that the concrete kernel (impl/) refines the
 * abstract spec (spec/), by property-based testing (default) or exhaustively
 * (--exhaustive, model/'s breadth-first checker over the product machine).
 * Output, statistics and exit codes are those of `check`; a counterexample
 * is printed with each concrete step beside the abstract image of its state
 * and written as an ITF refinement trace. With --liveness the spec's temporal
 * properties, through the abstraction function, are checked on the kernel's
 * state graph under the kernel's fairness: a violation is a lasso (exit 13).
 */
import { ExitCode } from "../exit-codes.js";
import { version } from "../main.js";
import { ARCH_NAMES } from "../../impl/arch/index.js";
import { kernelMutants } from "../../impl/mutants.js";
import { explore } from "../../model/check.js";
import { runPausing } from "../../model/pausing.js";
import { InputError } from "../../model/input-error.js";
import { formatItf } from "../../model/itf.js";
import type { TraceValue } from "../../model/machine.js";
import { freshSeed, MAX_SEED } from "../../model/random.js";
import { formatInitialStates, formatStatistics } from "../../model/report.js";
import { descriptorOf } from "../../model/atomic-write.js";
import { reproducingArgs, shellCommand } from "../../trace/command.js";
import { SHORTEST_SEARCH_STATES, shortestRefinementTrace } from "../../trace/refinement.js";
import { stateNumber, traceId, type ClosingStep, type Trace, type TraceStep, type Violation } from "../../model/trace.js";
import { withLivenessStatistics } from "../../model/liveness/report.js";
import { DEFAULT_REFINEMENT_CONFIG, refinementConfigNamed, refinementConfigs } from "../../refinement/configs.js";
import { checkRefinementLiveness } from "../../refinement/liveness.js";
import { DEFAULT_MAX_COMMANDS, DEFAULT_RUNS, propertyCheck } from "../../refinement/pbt.js";
import { buildRefinement, kernelConfigFor, refinementSteps, violationOf } from "../../refinement/product.js";
import { formatRefinementTrace } from "../../refinement/render.js";
import { formatMissing, missingBehaviours } from "../../refinement/unsupported.js";
import { integerOption, parseOptions } from "../options.js";
import { writeEvidence } from "../evidence.js";
import { catchInterrupts, signalExitCode } from "../interrupt.js";
import { counterexampleOf, searchOf, searchTiming, temporalOf, type RunReport } from "../json-report.js";
import { RUN_OUTPUT_OPTIONS, RUN_OUTPUT_USAGE, runOutput, writeRunReport, type ReportBody } from "../run-output.js";

export const REFINE_USAGE = `usage: multipager refine [options]

Check that the concrete kernel refines the abstract spec: every concrete step maps
to an abstract action (or a stutter) and commutes with the abstraction function,
and the kernel's representation invariants hold in every state.

options:
  --exhaustive             explore every reachable state (model checker) instead of
                           property-based testing
  --liveness               exhaustive, then the spec's temporal properties on the abstract
                           image of every fair behaviour of the kernel (impl/fairness.ts):
                           a violation is a lasso (exit 13); implied by a liveness mutant
  --config NAME            refinement configuration (--list-configs; default "${DEFAULT_REFINEMENT_CONFIG}";
                           with --mutant, the configuration listed for that mutant)
  --arch NAME              architecture: ${ARCH_NAMES.join(", ")} (default proposed)
  --mutant NAME            plant a seeded implementation bug (--list-mutants); without --arch,
                           the architecture it is a bug of
  --list-configs           list the refinement configurations and exit
  --list-mutants           list the seeded implementation bugs and exit
  --runs N                 property-based: command sequences to try (default ${DEFAULT_RUNS})
  --seed S                 property-based: fast-check seed, 0..${MAX_SEED} (default random; always printed)
  --path P                 property-based: replay the failure at fast-check path P (with its --seed)
  --max-states N           exhaustive: stop after N distinct states (exit 152)
  --completeness           exhaustive: also report abstract behaviours with no concrete counterpart
  --itf PATH               where to write a counterexample ({id} is replaced by its id;
                           default: refinement-{id}.itf.json)
${RUN_OUTPUT_USAGE}
  --quiet                  print only the verdict, the counterexample and the trace file
  --help                   show this help

exit codes: 0 refines, 12 a refinement obligation or representation invariant fails
            (or, with --completeness, an abstract behaviour has no concrete counterpart),
            13 a temporal property fails on a fair behaviour (--liveness: a lasso),
            152 budget reached, 130 (143) --exhaustive interrupted by SIGINT (SIGTERM), 2 bad command line`;

const OPTIONS = {
  exhaustive: { type: "boolean" },
  liveness: { type: "boolean" },
  config: { type: "string" },
  arch: { type: "string" },
  mutant: { type: "string" },
  "list-configs": { type: "boolean" },
  "list-mutants": { type: "boolean" },
  runs: { type: "string" },
  seed: { type: "string" },
  path: { type: "string" },
  "max-states": { type: "string" },
  completeness: { type: "boolean" },
  itf: { type: "string" },
  ...RUN_OUTPUT_OPTIONS,
  quiet: { type: "boolean" },
  help: { type: "boolean", short: "h" },
} as const;

function parse(args: string[]) {
  return parseOptions("refine", args, OPTIONS);
}

function listConfigs(): string {
  const width = Math.max(...refinementConfigs.map((c) => c.name.length));
  return refinementConfigs
    .map((c) => `${c.name.padEnd(width)}  ${c.description} (from spec "${c.from}", ${c.cpus} CPU${c.cpus === 1 ? "" : "s"})${c.name === DEFAULT_REFINEMENT_CONFIG ? " (default)" : ""}`)
    .join("\n");
}

function listMutants(): string {
  const width = Math.max(...kernelMutants.map((m) => m.name.length));
  return kernelMutants
    .map((m) => `${m.name.padEnd(width)}  ${m.kind.padEnd(8)}  ${m.description} (config ${m.config}${m.arch === undefined ? "" : `, arch ${m.arch}`})`)
    .join("\n");
}

export async function run(args: string[]): Promise<number> {
  const started = performance.now();
  const options = parse(args);
  const output = runOutput("refine", options, { itf: options.itf });
  const write = output.write;
  if (options.help) {
    write(REFINE_USAGE);
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
  const planted = kernelMutants.find((m) => m.name === options.mutant);
  if (options.mutant !== undefined && planted === undefined) {
    throw new InputError(`refine: unknown mutant "${options.mutant}" (known: ${kernelMutants.map((m) => m.name).join(", ")})`, "usage");
  }
  const liveness = options.liveness === true || planted?.kind === "liveness";
  const exhaustive = options.exhaustive === true || liveness;
  for (const name of ["runs", "seed", "path"] as const) {
    if (exhaustive && options[name] !== undefined) {
      throw new InputError(`refine: --${name} applies to property-based testing, not --${liveness ? "liveness" : "exhaustive"}`, "usage");
    }
  }
  for (const name of ["max-states", "completeness"] as const) {
    if (!exhaustive && options[name] !== undefined) throw new InputError(`refine: --${name} needs --exhaustive`, "usage");
  }
  if (options.path !== undefined && options.seed === undefined) throw new InputError("refine: --path needs the --seed it was printed with", "usage");
  if (options.path !== undefined && !/^\d+(:\d+)*$/.test(options.path)) throw new InputError(`refine: --path must look like 3:0:1, got "${options.path}"`, "usage");
  const runs = integerOption("refine", "runs", options.runs, 1) ?? DEFAULT_RUNS;
  const seed = integerOption("refine", "seed", options.seed, 0, MAX_SEED) ?? freshSeed();
  const maxStates = integerOption("refine", "max-states", options["max-states"], 1);
  const arch = options.arch ?? planted?.arch ?? "proposed";
  if (!(ARCH_NAMES as string[]).includes(arch)) throw new InputError(`refine: unknown architecture "${arch}" (known: ${ARCH_NAMES.join(", ")})`, "usage");
  const mutant = planted?.name;
  const configName = options.config ?? planted?.config ?? DEFAULT_REFINEMENT_CONFIG;
  const config = refinementConfigNamed(configName);
  const refinement = buildRefinement({ spec: config.spec, kernel: kernelConfigFor(config.spec, config.cpus), arch, mutant });
  const quiet = options.quiet === true;

  const mode = liveness
    ? "exhaustive breadth-first search, then the spec's temporal properties on the abstract images under the kernel's fairness"
    : exhaustive
      ? "exhaustive breadth-first search"
      : `property-based, ${runs} runs`;
  write(`Refining ${refinement.concrete.name} (${arch}) against ${refinement.spec.name}: configuration ${config.name} (${config.cpus} CPU${config.cpus === 1 ? "" : "s"}), ${mutant === undefined ? "no mutant" : `mutant ${mutant}`}; ${mode}.`);
  if (!exhaustive) write(`Seed: ${seed}`);

  let violation: Violation | undefined;
  let steps: readonly TraceStep[] | undefined;
  let report = "";
  let budgetHit = false;
  let originalLength: number | undefined;
  /** What a property-based run drew for itself, recorded in the trace's command. */
  const drawn: Record<string, string> = {};
  let interruption: string | undefined;
  let section: Pick<ReportBody, "search" | "propertyBased" | "timing"> = {};
  let loop: number | undefined;
  let closing: ClosingStep | undefined;
  if (liveness) {
    const progress = output.progress();
    try {
      const { result, counterexample } = checkRefinementLiveness(refinement, {
        onProgress: progress.update,
        progressIntervalMs: output.progressIntervalMs,
        ...(maxStates !== undefined ? { maxStates } : {}),
      });
      budgetHit = result.status === "budget";
      // One "Finished in" line for the whole run: exploration and liveness analysis.
      const statistics = { ...result.statistics, seconds: result.statistics.seconds + (result.liveness?.seconds ?? 0) };
      const text = formatStatistics({ ...result, statistics });
      report = result.liveness === undefined ? text : withLivenessStatistics(text, result.liveness, result.statistics.distinct);
      section = { search: { ...searchOf({ ...result, statistics }), ...temporalOf(result.liveness) }, timing: searchTiming(statistics) };
      if (counterexample !== undefined) {
        steps = counterexample.steps;
        violation = counterexample.violation;
        loop = counterexample.loop;
        closing = counterexample.closing;
      }
    } finally {
      progress.finish();
    }
  } else if (exhaustive) {
    const progress = output.progress();
    const interrupts = catchInterrupts();
    try {
      const search = explore(refinement.product, {
        checkDeadlock: false,
        onProgress: progress.update,
        progressIntervalMs: output.progressIntervalMs,
        ...(maxStates !== undefined ? { maxStates } : {}),
      });
      const result = await runPausing(search, { interrupted: interrupts.received });
      interruption = result.interruption;
      budgetHit = result.status === "budget";
      const s = result.statistics;
      section = { search: searchOf(result), timing: searchTiming(s) };
      // TLC's first line, before any counterexample.
      if (!quiet) write(formatInitialStates(result));
      report = formatStatistics(result);
      if (result.violation !== undefined && result.trace !== undefined) {
        const replayed = refinementSteps(refinement, result.trace);
        steps = replayed.steps;
        violation = violationOf(refinement, replayed.last, result.violation.name);
      }
    } finally {
      interrupts.dispose();
      progress.finish();
    }
  } else {
    const searchStarted = performance.now();
    const result = propertyCheck(refinement, mutant, { seed, runs, path: options.path });
    section = {
      propertyBased: { runs: result.runs, commands: result.commands, path: result.failure?.path ?? null, shrinks: result.failure?.shrinks ?? null },
      timing: { searchSeconds: (performance.now() - searchStarted) / 1000 },
    };
    report = `Property-based refinement ${result.failure === undefined ? "passed" : "failed"}: ${result.runs} run${result.runs === 1 ? "" : "s"} of at most ${DEFAULT_MAX_COMMANDS} commands, ${result.commands} commands.`;
    if (result.failure !== undefined) {
      const found = result.failure.steps.length - 1;
      drawn["--seed"] = String(seed);
      drawn["--path"] = result.failure.path;
      report += `\nfast-check shrank the failing run ${result.failure.shrinks} times, then single steps were dropped: ${found} steps (fast-check path ${result.failure.path}).`;
      // The same bug, the same trace: the shortest one, as exhaustive checking finds it, when the configuration is small enough.
      const shortest = shortestRefinementTrace(refinement, found);
      if (shortest === undefined) {
        violation = result.failure.violation;
        steps = result.failure.steps;
        report += `\nNo shorter trace: a breadth-first search of at most ${SHORTEST_SEARCH_STATES.toLocaleString("en-US")} states found none within ${found} steps; the trace is the property-based run's.`;
      } else {
        violation = violationOf(refinement, shortest.last, shortest.violation);
        steps = shortest.steps;
        if (shortest.steps.length - 1 < found) originalLength = found;
        const other = violation.name === result.failure.violation.name ? "" : ` (the same bug shows sooner as ${violation.name}; the run had found ${result.failure.violation.name})`;
        report += `\nShortest trace by breadth-first search on ${config.name} (${shortest.distinct} distinct states): ${shortest.steps.length - 1} steps${other}.`;
      }
    }
  }

  // The other direction, whatever the safety check found: abstract behaviours with no concrete counterpart (not after an interruption).
  const completeness = options.completeness === true && interruption === undefined ? missingBehaviours(refinement, maxStates) : null;
  const completenessText = completeness === null ? "" : formatMissing(completeness, arch);

  const toolVersion = await version();
  const finish = async (code: number, counterexamples: RunReport["counterexamples"]): Promise<number> => {
    await writeRunReport("refine", output, { args, code, started }, () => ({
      subject: { machine: refinement.product.name, config: config.name, mutant: mutant ?? null, arch, cpus: config.cpus },
      mode: liveness ? "liveness" : exhaustive ? "exhaustive" : "property-based",
      seed: exhaustive ? null : seed,
      ...section,
      counterexamples,
    }));
    return code;
  };
  if (violation === undefined || steps === undefined) {
    write(quiet ? report.split("\n").find((l) => /^(Model checking|Property-based)/.test(l)) ?? report : report);
    if (completeness !== null) write(completenessText);
    if (interruption !== undefined) return await finish(signalExitCode(interruption), []);
    if (completeness !== null && completeness.missing.length > 0) return await finish(ExitCode.Safety, []);
    return await finish(budgetHit ? ExitCode.Budget : ExitCode.Ok, []);
  }
  const trace: Trace = {
    kind: "refinement",
    machine: refinement.product.name,
    config: config.name,
    configValue: { spec: config.spec, cpus: config.cpus } as unknown as TraceValue,
    mutant: mutant ?? null,
    arch,
    violation,
    // The command that reproduces this very run: the drawn seed and fast-check path, no output options, no local paths.
    command: reproducingArgs("refine", args, drawn),
    toolVersion,
    vars: refinement.product.variables,
    steps,
    ...(loop !== undefined ? { loop } : {}),
    ...(closing !== undefined ? { closing } : {}),
    ...(originalLength !== undefined ? { originalLength } : {}),
  };
  const id = traceId(trace);
  const path = (options.itf ?? "refinement-{id}.itf.json").replaceAll("{id}", id);
  write(formatRefinementTrace(trace));
  if (!quiet) write(report);
  const written = writeEvidence("refine", path, formatItf(trace), "the counterexample is printed above and the exit code is still the verdict's");
  const where = descriptorOf(path) === 1 ? "standard output" : path;
  const shape = loop === undefined ? "" : closing === "stutter" ? `, then State ${stateNumber(loop)} stutters forever` : `, then back to State ${stateNumber(loop)} forever`;
  write(`Counterexample ${id}: ${steps.length - 1} steps${shape}${originalLength !== undefined ? ` (shortened from ${originalLength})` : ""}, ${written ? `written to ${where}` : "not written (see the error above)"}`);
  if (!exhaustive && !liveness) write(`Replay this failure with: ${shellCommand(trace.command)}`);
  if (completeness !== null) write(completenessText);
  return await finish(violation.kind === "liveness" ? ExitCode.Liveness : ExitCode.Safety, [counterexampleOf(trace, written ? path : null)]);
}
