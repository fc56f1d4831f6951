/**
 * The options every checking command shares for CI (check, refine, table1;
 * prove can take them too): `--json FILE|-` for the machine-readable report
 * (cli/json-report.ts) and `--progress` / `--no-progress` /
 * `--progress-interval S` for progress on stderr (model/progress.ts). With
 * `--json -` the report is standard output and what the command prints for
 * people goes to stderr, so `--json - | jq` reads JSON only; the same with
 * `--itf -`, the trace file.
 */
import { descriptorOf } from "../model/atomic-write.js";
import { InputError } from "../model/input-error.js";
import { DEFAULT_PROGRESS_INTERVAL_MS, progressReporter, type ProgressLine } from "../model/progress.js";
import { writeEvidence } from "./evidence.js";
import { formatReport, REPORT_FORMAT, REPORT_VERSION, verdictOf, type RunReport } from "./json-report.js";
import { version } from "./main.js";
import { exclusive, integerOption } from "./options.js";

export const RUN_OUTPUT_OPTIONS = {
  json: { type: "string" },
  progress: { type: "boolean" },
  "no-progress": { type: "boolean" },
  "progress-interval": { type: "string" },
} as const;

export const RUN_OUTPUT_USAGE = `  --json FILE|-            also write a JSON report (verdict, counts, coverage, timing, seed,
                           counterexamples; docs/json-report.md); - is standard output,
                           and the text report then goes to stderr
  --progress               progress on stderr (the default): on a terminal one line redrawn,
                           elsewhere a line every --progress-interval seconds
  --no-progress            no progress at all
  --progress-interval S    seconds between progress lines when stderr is not a terminal
                           (default ${DEFAULT_PROGRESS_INTERVAL_MS / 1000}, TLC's; 0: at every report of the search, about every 1024 states)`;

export interface RunOutput {
  /** Where the report for people goes: stdout, or stderr when the JSON report is stdout. */
  readonly write: (text: string) => void;
  readonly json: string | undefined;
  /** A fresh progress reporter for one phase of the run. */
  readonly progress: () => ProgressLine;
  /** How often the search should report progress (ms): as often as the lines are printed, at most once a second. */
  readonly progressIntervalMs: number;
}

type Values = { readonly json?: string | undefined; readonly progress?: boolean | undefined; readonly "no-progress"?: boolean | undefined; readonly "progress-interval"?: string | undefined };

/** `standardOutputs`: the command's other options that may name standard output (e.g. itf), of which only one may. */
export function runOutput(command: string, values: Values, standardOutputs: Readonly<Record<string, string | undefined>> = {}): RunOutput {
  exclusive(command, values, "progress", "no-progress");
  const toStandardOutput = Object.entries({ json: values.json, ...standardOutputs }).filter(([, target]) => target !== undefined && descriptorOf(target) === 1);
  if (toStandardOutput.length > 1) throw new InputError(`${command}: --${toStandardOutput[0]![0]} and --${toStandardOutput[1]![0]} cannot both be standard output (-)`, "usage");
  const interval = integerOption(command, "progress-interval", values["progress-interval"], 0, 86_400);
  const intervalMs = interval === undefined ? DEFAULT_PROGRESS_INTERVAL_MS : interval * 1000;
  const enabled = values["no-progress"] !== true;
  // The report or the trace file on standard output (-, /dev/stdout): the text for people goes to standard error.
  const toStderr = toStandardOutput.length > 0;
  const stream = toStderr ? process.stderr : process.stdout;
  return {
    write: (text) => {
      stream.write(text.endsWith("\n") ? text : `${text}\n`);
    },
    json: values.json,
    progress: () => progressReporter(process.stderr, { enabled, intervalMs }),
    progressIntervalMs: Math.min(intervalMs, 1000),
  };
}

/** What a command says in its report; the header (tool, command, verdict, exit code) and the total time are added here. */
export type ReportBody = Omit<RunReport, "format" | "version" | "tool" | "command" | "argv" | "verdict" | "exitCode" | "timing"> & {
  readonly timing?: Omit<RunReport["timing"], "seconds">;
};

/**
 * Writes the JSON report when one was asked for: `args` as the command got
 * them, `code` its exit code, `started` its performance.now() at the start.
 * A report that cannot be written is one line on stderr; the verdict's exit
 * code stands.
 */
export async function writeRunReport(command: string, output: RunOutput, run: { args: readonly string[]; code: number; started: number }, body: () => ReportBody): Promise<void> {
  if (output.json === undefined) return;
  const { timing, ...rest } = body();
  const report: RunReport = {
    format: REPORT_FORMAT,
    version: REPORT_VERSION,
    tool: { name: "multipager", version: await version() },
    command,
    argv: [command, ...run.args],
    verdict: verdictOf(run.code),
    exitCode: run.code,
    ...rest,
    timing: { ...timing, seconds: (performance.now() - run.started) / 1000 },
  };
  writeEvidence(command, output.json, formatReport(report), "the verdict is printed above and the exit code is still the verdict's");
}
