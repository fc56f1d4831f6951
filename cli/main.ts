import { ExitCode } from "./exit-codes.js";
import { InputError } from "../model/input-error.js";
export { guardStandardStreams } from "./streams.js";

/**
 * Each command lives in cli/commands/<name>.ts and exports
 * `run(args: string[]): Promise<number>` (the exit code).
 */
interface CommandModule {
  run(args: string[]): Promise<number>;
}

interface Command {
  readonly summary: string;
  /** A static import per command, so bundlers and vitest can resolve it and only the chosen command loads. */
  readonly load: () => Promise<CommandModule>;
}

const commands: Record<string, Command> = {
  check: { summary: "model-check the abstract spec (exhaustive, simulation, liveness)", load: () => import("./commands/check.js") },
  table1: { summary: "measure Table I: mode and context switches per fault, per architecture", load: () => import("./commands/table1.js") },
  x86: { summary: "run an x86 paging case file on the TS hardware model (and QEMU)", load: () => import("./commands/x86.js") },
  refine: { summary: "check the concrete kernel refines the spec", load: () => import("./commands/refine.js") },
  trace: { summary: "show or replay a counterexample trace", load: () => import("./commands/trace.js") },
  prove: { summary: "prove the invariants inductive for every size with z3", load: () => import("./commands/prove.js") },
};

/** The commands' names, in the order `--help` lists them (each has its page docs/<name>.md). */
export function commandNames(): string[] {
  return Object.keys(commands);
}

export function usage(): string {
  const width = Math.max(...Object.keys(commands).map((name) => name.length));
  const lines = Object.entries(commands).map(([name, command]) => `  ${name.padEnd(width)}  ${command.summary}`);
  return [
    "usage: multipager <command> [options]   (multipager <command> --help for its options)",
    "       multipager -V | --version",
    "",
    "commands:",
    ...lines,
  ].join("\n");
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === "--help" || name === "-h" || name === "help") {
    process.stdout.write(usage() + "\n");
    return name === undefined ? ExitCode.Usage : ExitCode.Ok;
  }
  if (name === "--version" || name === "-V") {
    process.stdout.write(`${await version()}\n`);
    return ExitCode.Ok;
  }
  const command = commands[name];
  if (command === undefined) {
    process.stderr.write(`multipager: unknown command '${name}' (commands: ${Object.keys(commands).join(", ")})\n`);
    return ExitCode.Usage;
  }
  try {
    const module = await command.load();
    return await module.run(rest);
  } catch (error) {
    return reportError(error);
  }
}

export function reportError(error: unknown): number {
  if (error instanceof InputError) {
    process.stderr.write(`multipager: ${error.message}\n`);
    return error.kind === "usage" ? ExitCode.Usage : ExitCode.BadInput;
  }
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(`multipager: internal error: ${message} (set MULTIPAGER_DEBUG=1 for the stack)\n`);
  if (process.env["MULTIPAGER_DEBUG"] && error instanceof Error && error.stack) process.stderr.write(error.stack + "\n");
  return ExitCode.Internal;
}

export async function version(): Promise<string> {
  const { readFileSync, existsSync } = await import("node:fs");
  const { fileURLToPath } = await import("node:url");
  // From dist/cli/ the manifest is two levels up; from cli/ (tests run the sources) one.
  for (const relative of ["../../package.json", "../package.json"]) {
    const path = fileURLToPath(new URL(relative, import.meta.url));
    if (!existsSync(path)) continue;
    const manifest = JSON.parse(readFileSync(path, "utf8")) as { name?: string; version?: string };
    if (manifest.name === "multipager" && manifest.version) return manifest.version;
  }
  return "unknown";
}
