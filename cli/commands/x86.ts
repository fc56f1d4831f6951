/**
 * `multipager x86`: differential testing of our x86 page walk (impl/hw)
 * against QEMU's x86. `run` runs one case file, `gen` writes a seeded random
 * case, `fuzz` generates and compares many; `bugs` and `deviations` list the
 * planted walker bugs and the differences the comparison allows.
 */
import { mkdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { availableParallelism } from "node:os";
import { ExitCode } from "../exit-codes.js";
import { InputError } from "../../model/input-error.js";
import { readInputText } from "../../model/input-file.js";
import { STANDARD_OUTPUT, writeFileAtomic } from "../../model/atomic-write.js";
import type { WalkRules } from "../../impl/hw/walk.js";
import { formatDifferences, formatExplained, type Comparison } from "../../impl/x86case/compare.js";
import { DEVIATIONS, DEVIATION_KINDS } from "../../impl/x86case/deviations.js";
import { SEED_LIMIT, caseSeed, freshSeed, fuzz, runDifferential } from "../../impl/x86case/differential.js";
import { formatCase, parseCase } from "../../impl/x86case/format.js";
import { generateCase } from "../../impl/x86case/generate.js";
import { runOnModel } from "../../impl/x86case/model-run.js";
import { formatReport } from "../../impl/x86case/output.js";
import { QemuRunError, QemuUnavailableError } from "../../impl/x86case/qemu.js";
import { RULE_SETS, RULE_SET_NAMES, isRuleSetName } from "../../impl/x86case/rule-sets.js";
import { WALKER_BUGS, walkerBug } from "../../impl/x86case/walker-bugs.js";
import { integerOption, parseCommandLine } from "../options.js";
import { writeEvidence } from "../evidence.js";

export const X86_USAGE = `usage: multipager x86 <subcommand> [options]

Differential testing of the x86 page walk against QEMU's x86 (TCG, qemu32).

subcommands:
  run CASE [--qemu] [--walker-bug NAME] [--show model|qemu|none]
        run a case file on the TypeScript hardware model and print its lines;
        with --qemu, also boot it under QEMU and compare line by line
  gen --seed S --ops N -o CASE
        write the random case of seed S with N operations (-o -: standard output)
  fuzz [--seed S] [--cases N] [--ops N] [--walker-bug NAME] [--jobs J] [--save DIR]
        generate N cases (case i from seed S+i), run each on both, compare
        (defaults: fresh seed, printed; 20 cases; 500 operations)
  bugs         list the planted walker bugs (--walker-bug)
  deviations   list the differences from QEMU the comparison allows, and why

options:
  --rules sdm|qemu-tcg   the model's walk rules: the SDM's (X86_RULES, default) or impl/hw's
                 QEMU_TCG_RULES (PSE-36, QEMU's A bit and error code), which need no allowance;
                 --walker-bug NAME plants its bug in the rules it names (multipager x86 bugs)
  --timeout MS   kill a QEMU run after MS milliseconds (default 60000)
  --help         show this help

exit codes: 0 agree, 1 the model and QEMU disagree on some line, 2 bad command line,
            151 bad case file, 154 QEMU missing or its run failed`;

const OPTIONS = {
  qemu: { type: "boolean" },
  "walker-bug": { type: "string" },
  rules: { type: "string" },
  show: { type: "string" },
  seed: { type: "string" },
  ops: { type: "string" },
  cases: { type: "string" },
  jobs: { type: "string" },
  save: { type: "string" },
  output: { type: "string", short: "o" },
  timeout: { type: "string" },
  help: { type: "boolean", short: "h" },
} as const;

type Options = ReturnType<typeof parse>["values"];

function parse(args: string[]) {
  return parseCommandLine("x86", args, OPTIONS);
}

function numberOption(name: string, text: string | undefined, min: number, max: number, fallback: number): number {
  return integerOption("x86", name, text, min, max) ?? fallback;
}

/** Rejects options that do not belong to the subcommand, naming the first one. */
function allowOnly(subcommand: string, options: Options, allowed: readonly (keyof Options)[]): void {
  for (const [name, value] of Object.entries(options)) {
    if (value !== undefined && name !== "help" && !allowed.includes(name as keyof Options)) {
      throw new InputError(`x86 ${subcommand}: option --${name} does not apply (see multipager x86 --help)`, "usage");
    }
  }
}

const write = (text: string): void => {
  process.stdout.write(text.endsWith("\n") ? text : `${text}\n`);
};

function rulesFor(options: Options): { rules: WalkRules; label: string } {
  const name = options["walker-bug"];
  const base = options.rules;
  if (base !== undefined && !isRuleSetName(base)) throw new InputError(`x86: --rules must be ${RULE_SET_NAMES.join(" or ")}, got "${base}"`, "usage");
  if (name === undefined) return RULE_SETS[base ?? "sdm"];
  const bug = walkerBug(name);
  if (base !== undefined && base !== bug.base) {
    throw new InputError(`x86: --walker-bug plants its bug in the ${bug.base} rules (${bug.name} is a bug of ${RULE_SETS[bug.base].label}); drop --rules ${base}`, "usage");
  }
  return { rules: bug.rules, label: `planted walker bug ${bug.name} (in ${RULE_SETS[bug.base].label})` };
}

function readCase(path: string) {
  return parseCase(readInputText(path, "case file"), path);
}

function qemuOptions(options: Options): { timeoutMs: number } {
  return { timeoutMs: numberOption("timeout", options.timeout, 1, 3_600_000, 60_000) };
}

function reportComparison(what: string, comparison: Comparison): void {
  if (comparison.matches) {
    write(`${what}: the model and QEMU agree on every line (${formatExplained(comparison)})`);
  } else {
    write(`${what}: ${comparison.differences.length} unexplained difference(s) between the model and QEMU; first ones:`);
    write(formatDifferences(comparison).join("\n"));
  }
}

async function runCommand(positionals: string[], options: Options): Promise<number> {
  allowOnly("run", options, ["qemu", "walker-bug", "rules", "show", "timeout"]);
  const [path, ...extra] = positionals;
  if (path === undefined || extra.length > 0) throw new InputError("x86 run: expected exactly one CASE file", "usage");
  const show = options.show ?? (options.qemu ? "none" : "model");
  if (!["model", "qemu", "none"].includes(show)) throw new InputError(`x86 run: --show must be model, qemu or none, got "${show}"`, "usage");
  if (show === "qemu" && !options.qemu) throw new InputError("x86 run: --show qemu needs --qemu", "usage");
  const c = readCase(path);
  const { rules, label } = rulesFor(options);
  if (!options.qemu) {
    write(formatReport(c, runOnModel(c, rules).report).join("\n"));
    return ExitCode.Ok;
  }
  const result = await runDifferential(c, rules, qemuOptions(options));
  if (show === "model") write(formatReport(c, result.model.report).join("\n"));
  if (show === "qemu") write(formatReport(c, result.qemu).join("\n"));
  reportComparison(`${path} (${c.operations.length} operations, ${label})`, result.comparison);
  return result.comparison.matches ? ExitCode.Ok : ExitCode.Mismatch;
}

function genCommand(positionals: string[], options: Options): number {
  allowOnly("gen", options, ["seed", "ops", "output"]);
  if (positionals.length > 0) throw new InputError(`x86 gen: unexpected argument '${positionals[0]}' (the case goes to -o CASE)`, "usage");
  if (options.seed === undefined) throw new InputError("x86 gen: --seed S is required (the seed names the case)", "usage");
  if (options.output === undefined) throw new InputError("x86 gen: -o CASE is required", "usage");
  const seed = numberOption("seed", options.seed, 0, SEED_LIMIT - 1, 0);
  const ops = numberOption("ops", options.ops, 1, 100_000, 500);
  const c = generateCase(seed, ops);
  writeFileAtomic(options.output, formatCase(c));
  // With -o - the case itself is standard output: the summary goes to stderr.
  const summary = `wrote ${options.output === STANDARD_OUTPUT ? "standard output" : options.output}: seed ${seed}, ${c.operations.length} operations, ${c.image.length} image words\n`;
  (options.output === STANDARD_OUTPUT ? process.stderr : process.stdout).write(summary);
  return ExitCode.Ok;
}

/** Saves a disagreeing case into --save's directory (made if missing); on failure one line, and the case stays reproducible from its seed. */
function saveCase(file: string, text: string): boolean {
  try {
    mkdirSync(dirname(file), { recursive: true });
  } catch (error) {
    process.stderr.write(`multipager: x86 fuzz: cannot create ${dirname(file)} (${(error as NodeJS.ErrnoException).code ?? "unknown error"}); the case is not saved, the verdict stands\n`);
    return false;
  }
  return writeEvidence("x86 fuzz", file, text, "the case is not saved, the verdict stands");
}

async function fuzzCommand(positionals: string[], options: Options): Promise<number> {
  allowOnly("fuzz", options, ["seed", "ops", "cases", "walker-bug", "rules", "jobs", "save", "timeout"]);
  if (positionals.length > 0) throw new InputError(`x86 fuzz: unexpected argument '${positionals[0]}'`, "usage");
  const seed = numberOption("seed", options.seed, 0, SEED_LIMIT - 1, freshSeed());
  const cases = numberOption("cases", options.cases, 1, 100_000, 20);
  const ops = numberOption("ops", options.ops, 1, 100_000, 500);
  const jobs = numberOption("jobs", options.jobs, 1, 256, availableParallelism());
  const { rules, label } = rulesFor(options);
  write(`x86 fuzz: seed ${seed}, ${cases} cases x ${ops} operations, ${label} (case i is: multipager x86 gen --seed ${seed}+i --ops ${ops})`);
  const results = await fuzz(seed, cases, ops, rules, jobs, qemuOptions(options));
  let failed = 0;
  let total = 0;
  const explained = new Map<string, number>();
  for (const { index, seed: s, case: c, result } of results) {
    total += c.operations.length;
    for (const kind of DEVIATION_KINDS) explained.set(kind, (explained.get(kind) ?? 0) + result.comparison.explained[kind]);
    if (result.comparison.matches) continue;
    failed++;
    reportComparison(`case ${index} (seed ${s})`, result.comparison);
    const file = options.save === undefined ? undefined : join(options.save, `x86-seed-${s}.case`);
    const rulesFlags = `${options["walker-bug"] ? ` --walker-bug ${options["walker-bug"]}` : ""}${options.rules ? ` --rules ${options.rules}` : ""}`;
    if (file !== undefined && saveCase(file, formatCase(c))) {
      write(`  saved ${file}; rerun: multipager x86 run ${file} --qemu${rulesFlags}`);
    } else {
      write(`  reproduce: multipager x86 gen --seed ${s} --ops ${ops} -o case.txt && multipager x86 run case.txt --qemu${rulesFlags}`);
    }
  }
  const used = [...explained].filter(([, n]) => n > 0).map(([kind, n]) => `${kind} ${n}`);
  write(
    `x86 fuzz: ${results.length - failed} of ${results.length} cases agree, ${total} operations compared; ` +
      (used.length === 0 ? "no documented deviation used" : `documented deviations used: ${used.join(", ")}`) +
      ` (seed ${seed}, last case seed ${caseSeed(seed, cases - 1)})`,
  );
  return failed === 0 ? ExitCode.Ok : ExitCode.Mismatch;
}

function listBugs(): string {
  const width = Math.max(...WALKER_BUGS.map((bug) => bug.name.length));
  return WALKER_BUGS.map((bug) => `${bug.name.padEnd(width)}  ${bug.description}${bug.base === "sdm" ? "" : ` (in ${RULE_SETS[bug.base].label})`}`).join("\n");
}

function listDeviations(): string {
  return DEVIATION_KINDS.map((kind) => `${kind}\n  allows: ${DEVIATIONS[kind].allows}\n  why:    ${DEVIATIONS[kind].why}`).join("\n");
}

export async function run(args: string[]): Promise<number> {
  const { values: options, positionals } = parse(args);
  const [subcommand, ...rest] = positionals;
  if (options.help || subcommand === undefined || subcommand === "help") {
    write(X86_USAGE);
    return subcommand === undefined && !options.help ? ExitCode.Usage : ExitCode.Ok;
  }
  try {
    switch (subcommand) {
      case "run":
        return await runCommand(rest, options);
      case "gen":
        return genCommand(rest, options);
      case "fuzz":
        return await fuzzCommand(rest, options);
      case "bugs":
        allowOnly("bugs", options, []);
        write(listBugs());
        return ExitCode.Ok;
      case "deviations":
        allowOnly("deviations", options, []);
        write(listDeviations());
        return ExitCode.Ok;
      default:
        throw new InputError(`x86: unknown subcommand '${subcommand}' (run, gen, fuzz, bugs, deviations)`, "usage");
    }
  } catch (error) {
    if (error instanceof QemuUnavailableError || error instanceof QemuRunError) {
      process.stderr.write(`multipager: x86: ${error.message}\n`);
      return ExitCode.ExternalTool;
    }
    throw error;
  }
}
