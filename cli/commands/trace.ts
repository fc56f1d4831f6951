/**
 * `multipager trace`: show a counterexample trace (text, Markdown, SVG, ITF),
 * replay it against the spec to see whether it still reproduces, and
 * regenerate the regression corpus.
 */
import { mkdirSync } from "node:fs";
import { match } from "ts-pattern";
import { ExitCode } from "../exit-codes.js";
import { version } from "../main.js";
import { STANDARD_OUTPUT, writeFileAtomic } from "../../model/atomic-write.js";
import { InputError } from "../../model/input-error.js";
import { formatItf } from "../../model/itf.js";
import { formatTraceText } from "../../model/trace-text.js";
import { stateNumber, traceNoun, type Trace } from "../../model/trace.js";
import { formatRefinementTrace } from "../../refinement/render.js";
import { DEFAULT_CORPUS_DIR, writeCorpus } from "../../trace/corpus.js";
import { idNote, loadTrace } from "../../trace/load.js";
import { formatTraceMarkdown } from "../../trace/markdown.js";
import { replayTrace, validateTrace } from "../../trace/reproduce.js";
import type { ReplayVerdict } from "../../trace/replay.js";
import { formatTraceSvg } from "../../trace/svg.js";
import { parseCommandLine } from "../options.js";

export const TRACE_USAGE = `usage: multipager trace show FILE [--format text|md|svg|itf] [-o OUT]
       multipager trace replay FILE [--mutant NAME|none]
       multipager trace corpus [--out DIR]

  show     render a trace: text (TLC's layout: first state whole, then per step
           the action and what changed), md (a review comment: header, step
           table, Mermaid chart), svg (a message sequence chart, one lifeline
           per thread, the kernel and each pager), itf (the trace file itself,
           normalised, with its id)
  replay   re-execute the trace on the machine rebuilt from its metadata
           (--mutant NAME|none: against another variant, e.g. none = the
           design without the seeded bug) and say whether it still reproduces
  corpus   regenerate the regression corpus (default dir: ${DEFAULT_CORPUS_DIR})

exit codes (replay): 12 the invariant violation reproduces (11 a deadlock,
  13 a lasso), 0 fixed (every step applies, the violation is gone),
  20 no longer applies (a step's action is not enabled: the step is named);
  2 bad command line, 151 bad trace file`;

const FORMATS = ["text", "md", "svg", "itf"] as const;
type Format = (typeof FORMATS)[number];

const OPTIONS = {
  format: { type: "string" },
  out: { type: "string", short: "o" },
  mutant: { type: "string" },
  help: { type: "boolean", short: "h" },
} as const;

function parse(args: string[]) {
  return parseCommandLine("trace", args, OPTIONS);
}

const write = (text: string) => process.stdout.write(text.endsWith("\n") ? text : `${text}\n`);

function only(subcommand: string, given: Record<string, unknown>, allowed: readonly string[]): void {
  const extra = Object.keys(given).find((name) => given[name] !== undefined && name !== "help" && !allowed.includes(name));
  if (extra !== undefined) throw new InputError(`trace ${subcommand}: --${extra} does not apply here (see multipager trace --help)`, "usage");
}

function oneFile(subcommand: string, positionals: string[]): string {
  if (positionals.length !== 1) {
    throw new InputError(`trace ${subcommand}: expected one trace FILE, got ${positionals.length === 0 ? "none" : positionals.length}`, "usage");
  }
  return positionals[0]!;
}

export function render(trace: Trace, id: string, format: Format, file: string): string {
  return match(format)
    // A refinement trace puts each concrete step beside its abstract image, as `refine` prints it.
    .with("text", () => `${traceNoun(trace)} ${id}\n${trace.kind === "refinement" ? formatRefinementTrace(trace) : formatTraceText(trace)}`)
    .with("md", () => formatTraceMarkdown(trace, id, { file }))
    .with("svg", () => formatTraceSvg(trace, id))
    .with("itf", () => formatItf(trace))
    .exhaustive();
}

function show(positionals: string[], values: { format?: string; out?: string }): number {
  const file = oneFile("show", positionals);
  const format = values.format ?? "text";
  if (!(FORMATS as readonly string[]).includes(format)) throw new InputError(`trace show: --format must be one of ${FORMATS.join(", ")}, got "${format}"`, "usage");
  const loaded = loadTrace(file);
  validateTrace(loaded.trace, file);
  const note = idNote(loaded, file);
  if (note !== undefined) process.stderr.write(`${note}\n`);
  const text = render(loaded.trace, loaded.id, format as Format, file);
  if (values.out === undefined) {
    process.stdout.write(text);
    return ExitCode.Ok;
  }
  writeFileAtomic(values.out, text);
  if (values.out !== STANDARD_OUTPUT) process.stderr.write(`wrote ${values.out}\n`);
  return ExitCode.Ok;
}

/** The exit code of a replay that reproduces (a witness that still shows its decision: 0). */
function reproducedCode(trace: Trace): number {
  return match(trace.violation.kind)
    .with("deadlock", () => ExitCode.Deadlock)
    .with("invariant", "refinement", () => ExitCode.Safety)
    .with("liveness", () => ExitCode.Liveness)
    .with("witness", () => ExitCode.Ok)
    .exhaustive();
}

function violationWords(trace: Trace): string {
  return match(trace.violation.kind)
    .with("invariant", () => `invariant ${trace.violation.name} is violated on the last state`)
    .with("deadlock", () => "the last state is a deadlock")
    .with("liveness", () => `temporal property ${trace.violation.name} fails on the lasso`)
    .with("refinement", () => `refinement obligation ${trace.violation.name} fails`)
    .with("witness", () => `decision ${trace.violation.name} acts at the last step`)
    .exhaustive();
}

async function replay(positionals: string[], values: { mutant?: string }): Promise<number> {
  const file = oneFile("replay", positionals);
  const loaded = loadTrace(file);
  const { trace, id } = loaded;
  const choice = values.mutant === undefined ? {} : { mutant: values.mutant === "none" ? null : values.mutant };
  // Every problem with the file is reported before any verdict output.
  validateTrace(trace, file, choice);
  const note = idNote(loaded, file);
  if (note !== undefined) process.stderr.write(`${note}\n`);
  const against = choice.mutant === undefined ? trace.mutant : choice.mutant;
  const steps = trace.steps.length - 1;
  write(
    `Replaying ${traceNoun(trace).toLowerCase()} ${id} (${trace.violation.kind} ${trace.violation.name}, ${steps} steps) on ${trace.machine}, configuration ${trace.config}, ${against === null ? "no mutant" : `mutant ${against}`}${trace.arch !== undefined ? `, architecture ${trace.arch}` : ""}.`,
  );
  const verdict: ReplayVerdict = await replayTrace(trace, file, choice);
  if (verdict.kind !== "does-not-apply" && verdict.divergence !== undefined) {
    const { step, variables } = verdict.divergence;
    write(`note: from State ${stateNumber(step)} on, the states differ from the recorded ones (first in ${variables.join(", ")})`);
  }
  return match(verdict)
    .with({ kind: "reproduces" }, () => {
      write(`Reproduces: all ${steps} steps apply and ${violationWords(trace)}.`);
      return reproducedCode(trace);
    })
    .with({ kind: "fixed" }, (v) => {
      write(`Fixed: all ${steps} steps apply, but ${v.detail}.`);
      return ExitCode.Ok;
    })
    .with({ kind: "does-not-apply" }, (v) => {
      write(`No longer applies at State ${stateNumber(v.step)}: ${v.reason}.`);
      return ExitCode.TraceDoesNotApply;
    })
    .exhaustive();
}

async function corpus(positionals: string[], values: { out?: string }): Promise<number> {
  if (positionals.length > 0) throw new InputError(`trace corpus: unexpected argument "${positionals[0]}"`, "usage");
  const dir = values.out ?? DEFAULT_CORPUS_DIR;
  try {
    mkdirSync(dir, { recursive: true });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new InputError(`trace corpus: cannot create ${dir}${code ? ` (${code})` : ""}`);
  }
  const entries = await writeCorpus(dir, await version());
  for (const entry of entries) write(`${entry.file}: ${entry.trace.violation.kind} ${entry.trace.violation.name}, ${entry.trace.steps.length - 1} steps`);
  write(`${entries.length} traces written to ${dir}`);
  return ExitCode.Ok;
}

export async function run(args: string[]): Promise<number> {
  const { values, positionals } = parse(args);
  const [subcommand, ...rest] = positionals;
  if (values.help || subcommand === undefined || subcommand === "help") {
    write(TRACE_USAGE);
    return subcommand === undefined && !values.help ? ExitCode.Usage : ExitCode.Ok;
  }
  return match(subcommand)
    .with("show", () => {
      only("show", values, ["format", "out"]);
      return show(rest, values);
    })
    .with("replay", () => {
      only("replay", values, ["mutant"]);
      return replay(rest, values);
    })
    .with("corpus", () => {
      only("corpus", values, ["out"]);
      return corpus(rest, values);
    })
    .otherwise(() => {
      throw new InputError(`trace: unknown subcommand "${subcommand}" (show, replay, corpus)`, "usage");
    });
}
