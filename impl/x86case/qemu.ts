/**
 * Runs a case on QEMU's software x86 (TCG, qemu32): boots the test kernel
 * (tests/x86/kernel/pagetest.bin) with the case as its multiboot module,
 * reads COM1 from stdout, kills QEMU if it hangs.
 */
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { X86Case } from "./format.js";
import { toModule } from "./module.js";
import { KernelOutputError, parseKernelOutput, type RunReport } from "./output.js";

export const QEMU_BINARY = "qemu-system-i386";
/** isa-debug-exit turns the kernel's exit value v into QEMU's status (v << 1) | 1: 0 -> 1 after "end", 1 -> 3 after "error". */
const QEMU_STATUS_CASE_DONE = 1;
const DEFAULT_TIMEOUT_MS = 60_000;

/** QEMU (or the test kernel binary) is not installed: the differential run cannot happen here. */
export class QemuUnavailableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "QemuUnavailableError";
  }
}

/** QEMU ran but did not produce a full report (hang, crash, kernel error, garbled output). */
export class QemuRunError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "QemuRunError";
  }
}

/** The qemu-system-i386 to use: $MULTIPAGER_QEMU, else the first on $PATH, else null. */
export function findQemu(): string | null {
  const override = process.env["MULTIPAGER_QEMU"];
  if (override) return existsSync(override) ? override : null;
  for (const directory of (process.env["PATH"] ?? "").split(delimiter)) {
    if (directory === "") continue;
    const candidate = join(directory, QEMU_BINARY);
    if (existsSync(candidate)) return candidate;
  }
  return null;
}

/** The committed test kernel, found from the sources (impl/x86case/) or the build (dist/impl/x86case/). */
export function kernelPath(): string {
  for (const relative of ["../../tests/x86/kernel/pagetest.bin", "../../../tests/x86/kernel/pagetest.bin"]) {
    const path = fileURLToPath(new URL(relative, import.meta.url));
    if (existsSync(path)) return path;
  }
  throw new QemuUnavailableError("the test kernel tests/x86/kernel/pagetest.bin is missing (rebuild it with nasm, see tests/x86/kernel/pagetest.asm)");
}

export function qemuArguments(kernel: string, module: string): string[] {
  return [
    "-M", "pc", "-accel", "tcg", "-cpu", "qemu32", "-m", "128M",
    "-nodefaults", "-no-reboot", "-display", "none", "-monitor", "none", "-serial", "stdio",
    "-device", "isa-debug-exit,iobase=0xf4,iosize=0x04",
    "-kernel", kernel, "-initrd", module,
  ];
}

export interface QemuOptions {
  readonly qemu?: string;
  readonly kernel?: string;
  readonly timeoutMs?: number;
}

/** Boots QEMU on the case; resolves to the kernel's report or rejects with QemuUnavailableError / QemuRunError. */
export async function runOnQemu(c: X86Case, options: QemuOptions = {}): Promise<RunReport> {
  const qemu = options.qemu ?? findQemu();
  if (qemu === null) throw new QemuUnavailableError(`${QEMU_BINARY} not found on PATH (install the Debian package qemu-system-x86, or set MULTIPAGER_QEMU)`);
  const kernel = options.kernel ?? kernelPath();
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const directory = mkdtempSync(join(tmpdir(), "multipager-x86-"));
  try {
    const module = join(directory, "case.module");
    writeFileSync(module, toModule(c));
    const { status, stdout, stderr, timedOut } = await spawnCollect(qemu, qemuArguments(kernel, module), timeoutMs);
    if (timedOut) {
      const last = lastLine(stdout);
      throw new QemuRunError(`QEMU did not finish within ${timeoutMs} ms and was killed (${last === "" ? "no output yet" : `last output: ${last}`})`);
    }
    try {
      const report = parseKernelOutput(c, stdout);
      if (status !== QEMU_STATUS_CASE_DONE) throw new QemuRunError(`QEMU exited with status ${status} after a complete report`);
      return report;
    } catch (error) {
      if (error instanceof KernelOutputError) {
        const detail = stderr.trim() === "" ? "" : `; qemu said: ${lastLine(stderr)}`;
        throw new QemuRunError(`${error.message} (QEMU exit status ${status}${detail})`);
      }
      throw error;
    }
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
}

function lastLine(text: string): string {
  const lines = text.trim().split(/\r?\n/);
  return lines[lines.length - 1] ?? "";
}

interface Collected {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly timedOut: boolean;
}

function spawnCollect(command: string, args: string[], timeoutMs: number): Promise<Collected> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ["ignore", "pipe", "pipe"] });
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill("SIGKILL");
    }, timeoutMs);
    child.stdout.on("data", (chunk: Buffer) => stdout.push(chunk));
    child.stderr.on("data", (chunk: Buffer) => stderr.push(chunk));
    child.on("error", (error) => {
      clearTimeout(timer);
      reject(new QemuUnavailableError(`cannot start ${command}: ${error.message}`));
    });
    child.on("close", (status) => {
      clearTimeout(timer);
      resolve({ status, stdout: Buffer.concat(stdout).toString("latin1"), stderr: Buffer.concat(stderr).toString("utf8"), timedOut });
    });
  });
}

/** Runs `jobs` at a time, keeping the order of `items` in the results. */
export async function mapConcurrently<T, R>(items: readonly T[], jobs: number, run: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const index = next++;
      results[index] = await run(items[index]!, index);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(jobs, items.length)) }, worker));
  return results;
}
