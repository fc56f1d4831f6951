/**
 * The options every checking command shares for CI (check, refine, table1;
 * prove can take them too): `--json FILE|-` for the machine-readable report
 * (cli/json-report.ts) and `--progress` / `--no-progress` /
 * `--progress-interval S` for progress on stderr (model/progress.ts). With
 * `--json -` the report is standard output and what the command prints for
 * people goes to stderr, so `--json - | jq` reads JSON only.
 */
import { STANDARD_OUTPUT } from "../model/atomic-write.js";
import { DEFAULT_PROGRESS_INTERVAL_MS, progressReporter, type ProgressLine } from "../model/progress.js";
import { writeEvidence } from "./evidence.js";
import { formatReport, type RunReport } from "./json-report.js";
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

export function runOutput(command: string, values: Values): RunOutput {
  exclusive(command, values, "progress", "no-progress");
  const interval = integerOption(command, "progress-interval", values["progress-interval"], 0, 86_400);
  const intervalMs = interval === undefined ? DEFAULT_PROGRESS_INTERVAL_MS : interval * 1000;
  const enabled = values["no-progress"] !== true;
  const toStderr = values.json === STANDARD_OUTPUT;
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

/** Writes the JSON report when one was asked for; a report that cannot be written is one line on stderr and the verdict's exit code stands. */
export function writeRunReport(command: string, output: RunOutput, report: () => RunReport): void {
  if (output.json === undefined) return;
  writeEvidence(command, output.json, formatReport(report()), "the verdict is printed above and the exit code is still the verdict's");
}
