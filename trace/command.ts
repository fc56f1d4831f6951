/**
 * The command that reproduces a trace, as every trace file records it
 * (#meta.command) and every rendering prints it: the options that chose the
 * behaviour, with the values a run drew for itself (a random --seed, the
 * property-based --path), without the options that only say where output
 * goes, and without local absolute paths, so that `npx multipager ...` works
 * as written from a checkout and from an installed package, on anyone's
 * machine.
 */
import { basename, isAbsolute, relative, sep } from "node:path";

/** Options that only say where output goes (and their short forms). */
const OUTPUT_OPTIONS = new Set(["--itf", "--out", "-o", "--quiet"]);
const OPTIONS_WITH_VALUE = new Set(["--itf", "--out", "-o"]);
/** Options whose value may be a file path. */
const PATH_OPTIONS = new Set(["--config"]);

/**
 * A path as it may appear in a shared command: relative to the working
 * directory when it lies under it, otherwise its file name (the trace keeps
 * the configuration's value, so the file is a convenience, not a need).
 */
export function portablePath(path: string, cwd = process.cwd()): string {
  if (!isAbsolute(path)) return path;
  const inside = relative(cwd, path);
  return inside !== "" && !inside.startsWith("..") && !isAbsolute(inside) ? inside.split(sep).join("/") : basename(path);
}

/**
 * The argv to record: `command`, then `args` without output options (`--itf X`,
 * `--itf=X`, `-o X`, `--quiet`), paths made portable, then each drawn option
 * the user did not give.
 */
export function reproducingArgs(command: string, args: readonly string[], drawn: Readonly<Record<string, string>> = {}): string[] {
  const words: string[] = [command];
  const given = new Set<string>();
  for (let i = 0; i < args.length; i++) {
    const word = args[i]!;
    const [name, inline] = word.startsWith("--") && word.includes("=") ? [word.slice(0, word.indexOf("=")), word.slice(word.indexOf("=") + 1)] : [word, undefined];
    given.add(name);
    if (OUTPUT_OPTIONS.has(name)) {
      if (inline === undefined && OPTIONS_WITH_VALUE.has(name)) i++;
      continue;
    }
    if (PATH_OPTIONS.has(name)) {
      const value = inline ?? args[++i];
      words.push(name);
      if (value !== undefined) words.push(portablePath(value));
      continue;
    }
    words.push(word);
  }
  for (const [option, value] of Object.entries(drawn)) if (!given.has(option)) words.push(option, value);
  return words;
}

export function shellWord(word: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

/** `npx multipager WORDS...`, quoted for a POSIX shell. */
export function shellCommand(words: readonly string[]): string {
  return ["npx", "multipager", ...words].map(shellWord).join(" ");
}

/** The command that reproduces a trace (older files may still carry output options or absolute paths: they are dropped here too). */
export function reproduceCommand(trace: { readonly command: readonly string[] }): string {
  const [command, ...args] = trace.command;
  return command === undefined ? "npx multipager" : shellCommand(reproducingArgs(command, args));
}
