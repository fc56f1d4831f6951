/**
 * `multipager prove`: the spec's invariants, strengthened by the lemmas of
 * spec/lemmas.ts, proved inductive by z3 for every size (model/lang/
 * induction.ts over the SMT back end), with a table of proof obligations,
 * the sizes covered, and one verdict line. A failed obligation prints its
 * counterexample to induction as a trace, writes it as ITF, and says
 * whether its first state is reachable (the explicit checker on the CTI's
 * configuration): a bug in the design, or a missing lemma.
 */
import { match } from "ts-pattern";
import { formatItf } from "../../model/itf.js";
import { InputError } from "../../model/input-error.js";
import { obligationsOf, proveInduction, TYPE_OK, type Obligation, type Outcome } from "../../model/lang/induction.js";
import { z3Version } from "../../model/lang/z3.js";
import { formatTraceText } from "../../model/trace-text.js";
import { traceId, type Trace, type Violation } from "../../model/trace.js";
import { formatTraceMarkdown } from "../../trace/markdown.js";
import { MUTANTS, SPEC_INVARIANTS, SPEC_MACHINE_NAME, specMutants } from "../../spec/index.js";
import { LEMMAS } from "../../spec/lemmas.js";
import { ExitCode } from "../exit-codes.js";
import { writeEvidence } from "../evidence.js";
import { counterexampleOf, type Counterexample } from "../json-report.js";
import { version } from "../main.js";
import { integerOption, parseOptions } from "../options.js";
import { ctiTrace, reachability, type Reachability } from "../prove/cti.js";
import { designProblem } from "../prove/problem.js";
import { BMC_SIZES, DEPTH_HEADER, depthLine, depthResult, MAX_BMC_DEPTH, renumbering, runBmc } from "../prove/bmc.js";
import type { DepthResult } from "../../model/lang/bmc.js";
import { formatObligationTable, IMPLIES_ROW, type Decided, type TableFormat } from "../prove/table.js";
import { runOutput, writeRunReport } from "../run-output.js";

export const DEFAULT_TIMEOUT_S = 60;

export const PROVE_USAGE = `usage: multipager prove [options]

Prove the spec's eight invariants for every size: IndInv (TypeOK, the
invariants and the lemmas of spec/lemmas.ts) holds initially, every action
keeps each of its conjuncts, and IndInv implies each invariant. z3 decides
each obligation (docs/prove.md says what is proved and under which
assumptions).

options:
  --mutant NAME     prove a seeded design bug instead (check --list-mutants): a failed
                    obligation prints its counterexample to induction (CTI)
  --timeout S       seconds per obligation, 1..86400 (default ${DEFAULT_TIMEOUT_S})
  --format text|md  the report as text (default) or GitHub Markdown
  --cti PATH        where to write each CTI ({id}: its id; default cti-{id}.itf.json);
                    a reachable CTI's trace from the initial state goes to
                    counterexample-{id}.itf.json beside it
  --no-reachability do not run the explicit checker on a CTI's first state
  --bmc K           instead: search every state within K steps (1..64) of the initial
                    state at the paper's scale for an invariant violation (bounded
                    model checking); --timeout is then per query (a depth asks
                    one query per action of its last step)
  --itf PATH        with --bmc: where to write a violation's trace ({id}: its id;
                    default counterexample-{id}.itf.json)
  --json FILE|-     also write a JSON report (docs/json-report.md); - is standard
                    output, and the text report then goes to stderr
  --help            show this help

exit codes: 0 every obligation proved (--bmc: no violation within K steps),
            12 an obligation fails (a counterexample to induction; --bmc: a violation, with its trace),
            155 no obligation fails but some are unknown (the solver gave up or hit --timeout;
                --bmc: a depth undecided),
            2 bad command line`;

const OPTIONS = {
  mutant: { type: "string" },
  timeout: { type: "string" },
  format: { type: "string" },
  cti: { type: "string" },
  "no-reachability": { type: "boolean" },
  bmc: { type: "string" },
  itf: { type: "string" },
  json: { type: "string" },
  help: { type: "boolean", short: "h" },
} as const;

const FORMATS = ["text", "md"] as const;

const quoteOf = (name: string): string =>
  name === TYPE_OK ? "Every state variable holds values of its declared types (generated from the types)." : [...SPEC_INVARIANTS, ...LEMMAS].find((p) => p.name === name)?.quote ?? "";

export const SIZES_COVERED =
  "every size: any number (at least one) of threads, any of them pagers, of tasks, of regions per task, of pages per region, of frames (each owned by a pager), of markers and of kernel-space addresses, with any assignment of threads to tasks and of frames to pagers; this includes the paper's scale (16 tasks, 64 threads, 1020 regions of 1024 pages, 256 frames, 2^31 markers) and every configuration of `check`. D4's wait-cycle check is over-approximated (either outcome allowed); sizes 0 of kernel addresses, frames or pagers by the embedding in docs/prove.md";

/**
 * z3's WebAssembly build answers on a thread of its own; should that thread
 * end without answering, nothing is left to wait for and Node would exit 13
 * ("unsettled top-level await") without a word. Said instead, as undecided.
 */
function whenZ3StopsAnswering(): void {
  process.stderr.write("multipager: prove: z3 stopped answering (its thread ended without a result); nothing was decided\n");
  process.exit(ExitCode.Undecided);
}

export async function run(args: string[]): Promise<number> {
  process.once("beforeExit", whenZ3StopsAnswering);
  try {
    return await prove(args);
  } finally {
    process.off("beforeExit", whenZ3StopsAnswering);
  }
}

async function prove(args: string[]): Promise<number> {
  const started = performance.now();
  const options = parseOptions("prove", args, OPTIONS);
  const output = runOutput("prove", options, { cti: options.cti, itf: options.itf });
  const write = output.write;
  if (options.help) {
    write(PROVE_USAGE);
    return ExitCode.Ok;
  }
  const format = (options.format ?? "text") as TableFormat;
  if (!(FORMATS as readonly string[]).includes(format)) throw new InputError(`prove: --format must be one of ${FORMATS.join(", ")}, got "${options.format}"`, "usage");
  const timeoutS = integerOption("prove", "timeout", options.timeout, 1, 86_400) ?? DEFAULT_TIMEOUT_S;
  const mutant = options.mutant ?? null;
  if (mutant !== null && !specMutants.some((m) => m.name === mutant)) {
    const known = MUTANTS.find((m) => m.name === mutant);
    throw new InputError(
      known === undefined
        ? `prove: unknown mutant "${mutant}" (safety mutants: ${specMutants.map((m) => m.name).join(", ")})`
        : `prove: ${mutant} is a liveness mutant; prove checks safety invariants (check --mutant ${mutant} finds its lasso)`,
      "usage",
    );
  }
  if (options.cti !== undefined && !options.cti.includes("{id}")) {
    // Several obligations may fail, each with its own CTI.
    throw new InputError(`prove: --cti names one file per CTI: put {id} in it (e.g. --cti ctis/{id}.itf.json), got "${options.cti}"`, "usage");
  }

  const depth = integerOption("prove", "bmc", options.bmc, 1, MAX_BMC_DEPTH);
  if (depth === undefined && options.itf !== undefined) throw new InputError("prove: --itf names the trace of --bmc; without --bmc a failed obligation's CTI goes to --cti", "usage");
  if (depth !== undefined) {
    for (const o of ["cti", "no-reachability"] as const) if (options[o] !== undefined) throw new InputError(`prove: --${o} is for the proof by induction, not --bmc`, "usage");
    return bmcCommand(args, options, output, { mutant, depth, timeoutS, format, started });
  }

  const problem = designProblem(mutant);
  const solver = `z3 ${await z3Version()}`;
  const toolVersion = await version();
  write(
    `Proving ${SPEC_MACHINE_NAME}, ${mutant === null ? "no mutant" : `mutant ${mutant}`}: IndInv = ${TYPE_OK} /\\ ${problem.invariants.length} invariants /\\ ${problem.lemmas.length} lemmas, for every size (${solver}, uninterpreted sorts; --timeout ${timeoutS} s per obligation).`,
  );
  const decided: Decided[] = (await proveInduction(problem, { timeoutMs: timeoutS * 1000 })).map((r) => ({ obligation: r.obligation, outcome: r.outcome }));
  const columns = [TYPE_OK, ...problem.invariants.map((p) => p.name), ...problem.lemmas.map((p) => p.name)];
  write("");
  write(format === "md" ? "#### Proof obligations\n" : "Proof obligations:");
  write(
    formatObligationTable(decided, {
      rows: ["Init", ...problem.spec.actions.map((a) => a.name), IMPLIES_ROW],
      columns,
      lemmas: new Set(problem.lemmas.map((p) => p.name)),
      invariants: new Set(problem.invariants.map((p) => p.name)),
    }, format),
  );

  const counterexamples: Counterexample[] = [];
  for (const d of decided) {
    if (d.outcome.status !== "failed") continue;
    const violation: Violation = { kind: "invariant", name: d.obligation.property, quote: quoteOf(d.obligation.property) };
    const { trace, config } = ctiTrace(d.outcome.cti, d.obligation, violation, mutant, ["prove", ...args], toolVersion);
    const id = traceId(trace);
    const path = (options.cti ?? "cti-{id}.itf.json").replaceAll("{id}", id);
    write("");
    write(format === "md" ? formatTraceMarkdown(trace, id, { file: path }) : `Counterexample to induction ${id}: ${obligationWords(d.obligation)}\n${formatTraceText(trace)}`);
    const written = writeEvidence("prove", path, formatItf(trace), "the counterexample to induction is printed above and the exit code is still the verdict's");
    write(`Counterexample to induction ${id}: written to ${written ? path : "nowhere (see the error above)"}; \`multipager trace show ${path}\` renders it.`);
    counterexamples.push(counterexampleOf(trace, written ? path : null));
    if (options["no-reachability"] === true) continue;
    const reach = reachability(config, mutant, d.outcome.cti.before);
    write(reachabilityWords(reach, trace, config.threads.length));
    if (reach.kind === "reachable" && SPEC_INVARIANTS.some((i) => i.name === d.obligation.property)) {
      const full: Trace = { ...trace, steps: [...reach.steps, ...trace.steps.slice(1)] };
      const fullId = traceId(full);
      const fullPath = path.replace(id, fullId).replace(/cti-/, "counterexample-");
      const ok = writeEvidence("prove", fullPath, formatItf(full), "the verdict stands");
      write(`The trace from the initial state (${full.steps.length - 1} steps): ${ok ? `written to ${fullPath}; \`multipager trace replay ${fullPath}\` reproduces it` : "not written (see the error above)"}.`);
      counterexamples.push(counterexampleOf(full, ok ? fullPath : null));
    }
  }

  write("");
  write(`Sizes: the obligations are stated for ${SIZES_COVERED}.`);
  const failed = decided.filter((d) => d.outcome.status === "failed").length;
  const unknown = decided.filter((d) => d.outcome.status === "unknown").length;
  const total = decided.length;
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  const code = failed > 0 ? ExitCode.Safety : unknown > 0 ? ExitCode.Undecided : ExitCode.Ok;
  write(
    match(code)
      .with(ExitCode.Ok, () => `Proved: all ${total} obligations hold; IndInv is inductive and implies the ${problem.invariants.length} invariants, for every size (${seconds} s).`)
      .with(ExitCode.Safety, () => `Failed: ${failed} of ${total} obligations have a counterexample to induction${unknown > 0 ? `, ${unknown} unknown` : ""} (${seconds} s).`)
      .otherwise(() => `Unknown: ${unknown} of ${total} obligations undecided (the solver gave up or hit --timeout ${timeoutS}); none fails (${seconds} s).`),
  );
  await writeRunReport("prove", output, { args, code, started }, () => ({
    subject: { machine: SPEC_MACHINE_NAME, mutant },
    mode: "induction",
    seed: null,
    proof: {
      solver,
      sizes: SIZES_COVERED,
      invariants: problem.invariants.map((p) => p.name),
      lemmas: problem.lemmas.map((p) => p.name),
      obligations: decided.map((d) => ({
        kind: d.obligation.kind,
        action: d.obligation.action,
        property: d.obligation.property,
        status: d.outcome.status,
        seconds: d.outcome.seconds,
        unchanged: d.outcome.status === "proved" && d.outcome.by === "unchanged",
      })),
    },
    counterexamples,
  }));
  return code;
}

const steps = (n: number): string => `${n} step${n === 1 ? "" : "s"}`;

async function bmcCommand(
  args: string[],
  options: { itf?: string | undefined },
  output: ReturnType<typeof runOutput>,
  run: { mutant: string | null; depth: number; timeoutS: number; format: TableFormat; started: number },
): Promise<number> {
  const write = output.write;
  const solver = `z3 ${await z3Version()}`;
  write(
    `Bounded model checking ${SPEC_MACHINE_NAME}, ${run.mutant === null ? "no mutant" : `mutant ${run.mutant}`}: the ${SPEC_INVARIANTS.length} invariants in every state within ${steps(run.depth)} of the initial state, at ${BMC_SIZES} (${solver}; --timeout ${run.timeoutS} s per query, one query per depth and action of the last step).`,
  );
  write("");
  write(run.format === "md" ? `| depth | seconds | result |\n| ---: | ---: | --- |` : DEPTH_HEADER);
  const line = (d: DepthResult) => (run.format === "md" ? `| ${d.depth} | ${d.seconds.toFixed(2)} | ${depthResult(d)} |` : depthLine(d));
  const found = await runBmc(run.mutant, run.depth, run.timeoutS, ["prove", ...args], await version(), (d) => write(line(d)));
  const { result } = found;
  const last = result.depths[result.depths.length - 1]!;
  const counterexamples: Counterexample[] = [];
  const seconds = () => ((performance.now() - run.started) / 1000).toFixed(1);
  let code: number;
  write("");
  if (result.violation !== null) {
    code = ExitCode.Safety;
    const v = result.violation;
    if (found.trace !== null && !("failure" in v.concrete)) {
      const trace = found.trace;
      const id = traceId(trace);
      const path = (options.itf ?? "counterexample-{id}.itf.json").replaceAll("{id}", id);
      write(run.format === "md" ? formatTraceMarkdown(trace, id, { file: path }) : `Counterexample ${id}: ${trace.violation.name} is violated after ${steps(trace.steps.length - 1)}\n${formatTraceText(trace)}`);
      write(`The trace's configuration holds exactly the elements the path uses, renumbered from the paper's scale (small=scale): ${renumbering(v.concrete)}.`);
      const written = writeEvidence("prove", path, formatItf(trace), "the trace is printed above and the exit code is still the verdict's");
      counterexamples.push(counterexampleOf(trace, written ? path : null));
      write(
        `Counterexample ${id}: ${written ? `written to ${path}` : "written nowhere (see the error above)"}; ${found.replayable ? `\`multipager trace replay ${path}\` reproduces it` : "its configuration exceeds the schema's bounds, so `trace replay` cannot rebuild it"}.`,
      );
      write(`Violation: ${trace.violation.name} breaks after ${steps(v.depth)} at the paper's scale (${seconds()} s).`);
    } else {
      const path = v.path.map((s) => `${s.action}(${Object.entries(s.params).map(([k, x]) => `${k} = ${JSON.stringify(x)}`).join(", ")})`).join("; ");
      write(`The path at the paper's scale: ${path}.`);
      write(`Violation: ${v.broken.join(", ") || "an invariant"} breaks after ${steps(v.depth)} at the paper's scale, by z3's model; not confirmed on a small configuration: ${"failure" in v.concrete ? v.concrete.failure : "no trace"} (${seconds()} s).`);
    }
  } else if (last.verdict === "unknown") {
    code = ExitCode.Undecided;
    write(`Unknown: depth ${last.depth} undecided (${last.reason ?? "unknown"}; --timeout ${run.timeoutS} s per query)${last.depth > 0 ? `; no violation within ${steps(last.depth - 1)}` : ""} (${seconds()} s).`);
  } else {
    code = ExitCode.Ok;
    write(`No violation: every state within ${steps(run.depth)} of the initial state keeps the ${SPEC_INVARIANTS.length} invariants, at the paper's scale (${seconds()} s).`);
  }
  await writeRunReport("prove", output, { args, code, started: run.started }, () => ({
    subject: { machine: SPEC_MACHINE_NAME, mutant: run.mutant },
    mode: "bounded",
    seed: null,
    bounded: {
      solver,
      sizes: BMC_SIZES,
      maxDepth: run.depth,
      depths: result.depths.map((d) => ({ depth: d.depth, result: d.verdict === "sat" ? "violation" : d.verdict === "unsat" ? "none" : "unknown", seconds: d.seconds })),
    },
    counterexamples,
  }));
  return code;
}

export function obligationWords(o: Obligation): string {
  return match(o.kind)
    .with("init", () => `Init => ${o.property} fails`)
    .with("step", () => `IndInv /\\ ${o.action} => ${o.property}' fails`)
    .with("implies", () => `IndInv => ${o.property} fails`)
    .exhaustive();
}

function reachabilityWords(r: Reachability, trace: Trace, threads: number): string {
  const where = `its configuration (${threads} threads; the smallest that holds it)`;
  return match(r)
    .with({ kind: "reachable" }, (x) => `The state before the step is reachable in ${where}: ${x.steps.length - 1} steps from the initial state (${x.states} states explored). The ${trace.mutant === null ? "design" : "seeded bug"} breaks ${trace.violation.name}: a bug, not a missing lemma.`)
    .with({ kind: "unreachable" }, (x) => `The state before the step is not reachable in ${where} (all ${x.states} states explored): ${trace.violation.name} may still hold on every reachable state; IndInv lacks a lemma that excludes this state.`)
    .with({ kind: "unknown" }, (x) => `Whether the state before the step is reachable is unknown: ${x.why} (${x.states} states explored).`)
    .exhaustive();
}

export type { Outcome };
