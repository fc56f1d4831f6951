import { parseArgs, type ParseArgsConfig } from "node:util";
import { InputError } from "../model/input-error.js";

type OptionsConfig = NonNullable<ParseArgsConfig["options"]>;

/** node:util's parseArgs's first line, without its hint about positionals (our commands take none there). */
export function usageMessage(command: string, error: unknown): string {
  const message = error instanceof Error ? error.message.split("\n")[0]! : String(error);
  return `${command}: ${message.replace(/\. To specify a positional argument.*$/, "")} (see multipager ${command} --help)`;
}

/** Strict option parsing for a command without positional arguments; a bad option is a one-line usage error. */
export function parseOptions<const T extends OptionsConfig>(command: string, args: string[], options: T) {
  try {
    return parseArgs({ args, options, strict: true, allowPositionals: false }).values;
  } catch (error) {
    throw new InputError(usageMessage(command, error), "usage");
  }
}

/** Strict option parsing for a command with subcommands or files as positional arguments. */
export function parseCommandLine<const T extends OptionsConfig>(command: string, args: string[], options: T) {
  try {
    return parseArgs({ args, options, strict: true, allowPositionals: true });
  } catch (error) {
    throw new InputError(usageMessage(command, error), "usage");
  }
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
