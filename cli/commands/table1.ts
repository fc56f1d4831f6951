/**
 * `multipager table1`: run the same fault workload on each architecture of
 * Table I on the simulated x86 and print the measured mode and context
 * switches per handled fault beside the paper's figures, for a plain fault,
 * a raced fault (Fig. 3, thread B) and a general-protection fault, and the
 * measured per-address-space memory of the region table.
 *
 * Exit 0 when every measured figure of the paper's rows equals the paper's,
 * 1 when one differs (the table is printed either way), 2 on a bad option.
 */
import { ExitCode } from "../exit-codes.js";
import { InputError } from "../../model/input-error.js";
import { ARCH_NAMES } from "../../impl/arch/index.js";
import type { ArchName } from "../../impl/arch/index.js";
import { buildTable1, formatTable1, table1Json, TABLE_ORDER, type Table1Format } from "../../impl/table1.js";
import { integerOption, parseOptions } from "../options.js";
import { RUN_OUTPUT_OPTIONS, runOutput, writeRunReport } from "../run-output.js";

export const TABLE1_USAGE = `usage: multipager table1 [options]

Measure Table I: mode and context switches per handled page fault, per
architecture, counted by the simulated CPUs, beside the paper's figures.

options:
  --format text|md|json   output format (default: text)
  --arch NAME[,NAME...]   architectures to run (default: all: ${TABLE_ORDER.join(", ")})
  --faults N              plain faults to measure per architecture, 1..64 (default: 4)
  --json FILE|-           also write the JSON report (docs/json-report.md); - is standard output,
                          and the table then goes to stderr
  --help                  show this help

exit codes: 0 every measured figure of the paper's rows matches the paper,
            1 some measured figure differs (the table is still printed),
            2 bad command line`;

const OPTIONS = {
  format: { type: "string" },
  arch: { type: "string" },
  faults: { type: "string" },
  json: RUN_OUTPUT_OPTIONS.json,
  help: { type: "boolean", short: "h" },
} as const;

function parse(args: string[]) {
  return parseOptions("table1", args, OPTIONS);
}

function parseFormat(text: string | undefined): Table1Format {
  const format = text ?? "text";
  if (format === "text" || format === "md" || format === "json") return format;
  throw new InputError(`table1: --format must be text, md or json, got "${format}"`, "usage");
}

function parseArchs(text: string | undefined): ArchName[] {
  if (text === undefined) return [...TABLE_ORDER];
  const names = text.split(",").map((n) => n.trim());
  for (const name of names) {
    if (!(ARCH_NAMES as string[]).includes(name)) throw new InputError(`table1: unknown architecture "${name}" for --arch (known: ${ARCH_NAMES.join(", ")})`, "usage");
  }
  return TABLE_ORDER.filter((a) => names.includes(a));
}

function parseFaults(text: string | undefined): number {
  return integerOption("table1", "faults", text, 1, 64) ?? 4;
}

export async function run(args: string[]): Promise<number> {
  const started = performance.now();
  const options = parse(args);
  const output = runOutput("table1", options);
  if (options.help) {
    output.write(TABLE1_USAGE);
    return ExitCode.Ok;
  }
  const format = parseFormat(options.format);
  const archs = parseArchs(options.arch);
  const faults = parseFaults(options.faults);
  const report = buildTable1(archs, { faults });
  output.write(formatTable1(report, format));
  const code = report.matchesPaper ? ExitCode.Ok : ExitCode.Mismatch;
  await writeRunReport("table1", output, { args, code, started }, () => ({
    subject: { machine: "multipager-kernel", arch: archs.join(",") },
    mode: "measurement",
    seed: null,
    table1: table1Json(report),
    counterexamples: [],
  }));
  return code;
}
