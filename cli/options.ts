/**
 * The one option parser of the command line. node:util's parseArgs does the
 * parsing; every mistake becomes our own one-line usage error (exit 2) that
 * names the option, never Node's wording: an unknown option (with the nearest
 * known one), a missing value, a value given to a flag, a stray argument, and
 * every number that is not a whole number in its range (`--seed -1`,
 * `--runs 1e3`, `--workers -2`).
 */
import { availableParallelism } from "node:os";
import { parseArgs, type ParseArgsConfig } from "node:util";
import { InputError } from "../model/input-error.js";

type OptionsConfig = NonNullable<ParseArgsConfig["options"]>;

/** The hint after a usage error: where the options are listed. */
const helpHint = (command: string) => `see multipager ${command} --help`;
const usageError = (command: string, message: string, hint: string) => new InputError(`${command}: ${message} (${hint})`, "usage");

function optionNames(options: OptionsConfig): Map<string, string> {
  const names = new Map<string, string>();
  for (const [long, config] of Object.entries(options)) {
    names.set(`--${long}`, long);
    if (config.short !== undefined) names.set(`-${config.short}`, long);
  }
  return names;
}

/**
 * `--seed -1`: parseArgs refuses a value that starts with a dash as
 * ambiguous. A string option followed by a word that is not one of the
 * command's options takes it as its value, so the number check below names
 * what is wrong with it.
 */
function joinDashedValues(args: readonly string[], options: OptionsConfig): string[] {
  const names = optionNames(options);
  const joined: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    const long = names.get(arg);
    const next = args[i + 1];
    if (long !== undefined && options[long]!.type === "string" && next !== undefined && next.startsWith("-") && next !== "-" && next !== "--" && !names.has(next.split("=", 1)[0]!)) {
      joined.push(`--${long}=${next}`);
      i++;
    } else joined.push(arg);
  }
  return joined;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) row.push(Math.min(previous[j]! + 1, row[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1)));
    previous = row;
  }
  return previous[b.length]!;
}

/** The known option nearest to an unknown one, when it is near enough to be a slip (or a prefix of it). */
function nearest(unknown: string, options: OptionsConfig): string | undefined {
  const bare = unknown.replace(/^-+/, "").split("=", 1)[0]!;
  let best: { name: string; distance: number } | undefined;
  for (const name of Object.keys(options)) {
    const distance = name.startsWith(bare) || bare.startsWith(name) ? 1 : editDistance(bare, name);
    if (best === undefined || distance < best.distance) best = { name, distance };
  }
  return best !== undefined && best.distance <= Math.max(1, Math.floor(bare.length / 3)) ? `--${best.name}` : undefined;
}

/** parseArgs's error as our own sentence. */
function ownMessage(error: unknown, options: OptionsConfig): string {
  const message = error instanceof Error ? error.message.split("\n")[0]! : String(error);
  const option = /^Option '(?:-\w, )?(--[\w-]+)/.exec(message)?.[1];
  const unknown = /^Unknown option '([^']+)'/.exec(message)?.[1];
  if (unknown !== undefined) {
    const suggestion = nearest(unknown, options);
    return `unknown option '${unknown}'${suggestion === undefined ? "" : ` (did you mean ${suggestion}?)`}`;
  }
  if (option !== undefined && /does not take an argument/.test(message)) return `${option} takes no value`;
  if (option !== undefined) return `${option} needs a value`;
  const stray = /^Unexpected argument '([^']*)'/.exec(message)?.[1];
  if (stray !== undefined) return `unexpected argument '${stray}'`;
  return message.replace(/\. To specify a positional argument.*$/, "");
}

function parse<const T extends OptionsConfig>(command: string, args: string[], options: T, allowPositionals: boolean, hint: string) {
  try {
    return parseArgs({ args: joinDashedValues(args, options), options, strict: true, allowPositionals });
  } catch (error) {
    throw usageError(command, ownMessage(error, options), hint);
  }
}

/** Strict option parsing for a command without positional arguments; a bad option is a one-line usage error (`hint` says where the options are listed). */
export function parseOptions<const T extends OptionsConfig>(command: string, args: string[], options: T, hint = helpHint(command)) {
  return parse(command, args, options, false, hint).values;
}

/** Strict option parsing for a command with subcommands or files as positional arguments. */
export function parseCommandLine<const T extends OptionsConfig>(command: string, args: string[], options: T) {
  return parse(command, args, options, true, helpHint(command));
}

/** An optional whole-number option in min..max; anything else is a one-line usage error naming the option. */
export function integerOption(command: string, name: string, text: string | undefined, min: number, max = Number.MAX_SAFE_INTEGER): number | undefined {
  if (text === undefined) return undefined;
  const value = /^\d+$/.test(text) ? Number(text) : Number.NaN;
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    throw new InputError(`${command}: --${name} must be an integer in ${min}..${max}, got "${text}"`, "usage");
  }
  return value;
}

/** The most worker threads a search may start. */
export const MAX_WORKERS = 64;

/** `--workers N|auto`: auto is the number of CPUs this process may use (at most MAX_WORKERS). */
export function workersOption(command: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  if (text === "auto") return Math.min(availableParallelism(), MAX_WORKERS);
  const value = /^\d+$/.test(text) ? Number(text) : Number.NaN;
  if (!(value >= 1 && value <= MAX_WORKERS)) throw new InputError(`${command}: --workers must be an integer in 1..${MAX_WORKERS} or "auto", got "${text}"`, "usage");
  return value;
}

/** Options that exclude each other (e.g. --progress and --no-progress): a usage error naming both when both are given. */
export function exclusive(command: string, values: Readonly<Record<string, unknown>>, ...names: string[]): void {
  const given = names.filter((name) => values[name] !== undefined && values[name] !== false);
  if (given.length > 1) throw new InputError(`${command}: --${given[0]} and --${given[1]} exclude each other`, "usage");
}
