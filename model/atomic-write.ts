/**
 * The one way multipager writes an output file (traces, case files, SVG,
 * checkpoints, JSON reports).
 *
 * - `-` is standard output, and so are /dev/stdout, /dev/fd/1 and
 *   /proc/self/fd/1 (and likewise for the other descriptors): the bytes go
 *   to the descriptor the process already holds, so `-o /dev/stdout` works
 *   for an ordinary user (no temporary file in /dev) and is not a truncation
 *   of a redirected file.
 * - A regular file (or a name that does not exist yet) is written whole to a
 *   temporary sibling `<F>.tmp-<pid>-<time>`, then renamed over F: a reader
 *   never sees half a file. With `durable` (checkpoints) it is flushed to
 *   disk before the rename, so a crash of the machine cannot leave half of
 *   it either. An existing file keeps its permissions.
 * - A symbolic link is followed: its target is written (atomically when it is
 *   a regular file) and the link stays a link.
 * - A device, FIFO or socket is written through, as `cat > F` would; so is
 *   an existing regular file in a directory where no temporary file can be
 *   made (permission denied).
 *
 * Before writing F, temporary siblings of F left by processes that no longer
 * run (a killed write) are removed.
 *
 * Every failure is a WriteError: one line naming the target (never the
 * temporary file) and the reason.
 */
import {
  closeSync,
  constants,
  fchmodSync,
  fsyncSync,
  lstatSync,
  openSync,
  readdirSync,
  readlinkSync,
  renameSync,
  statSync,
  unlinkSync,
  writeSync,
  type Stats,
} from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { InputError } from "./input-error.js";

/** The target name meaning standard output. */
export const STANDARD_OUTPUT = "-";

/** What can be written: text, bytes, or a list of byte arrays written one after the other (no copy). */
export type OutputContents = string | Uint8Array | readonly Uint8Array[];

/** An output that could not be written; the message names the target as the user gave it. */
export class WriteError extends InputError {
  constructor(
    readonly target: string,
    readonly code: string | undefined,
  ) {
    super(`cannot write ${target === STANDARD_OUTPUT ? "standard output" : target}: ${reasonOf(code)}`);
    this.name = "WriteError";
  }
}

const REASONS: Record<string, string> = {
  ENOENT: "no such directory",
  ENOTDIR: "a part of the path is not a directory",
  EACCES: "permission denied",
  EPERM: "operation not permitted",
  EISDIR: "it is a directory",
  EROFS: "read-only file system",
  ENOSPC: "no space left on device",
  EDQUOT: "disk quota exceeded",
  EFBIG: "file too large",
  EIO: "input/output error",
  ENXIO: "no reader on the other end (a socket or a FIFO without reader)",
  ELOOP: "too many levels of symbolic links",
  ENAMETOOLONG: "file name too long",
  EPIPE: "the reader closed the pipe",
  EBADF: "the descriptor is not open for writing",
};

function reasonOf(code: string | undefined): string {
  if (code === undefined) return "unknown error";
  const reason = REASONS[code];
  return reason === undefined ? code : `${reason} (${code})`;
}

const codeOf = (error: unknown): string | undefined => (error as NodeJS.ErrnoException | undefined)?.code;

export interface WriteOptions {
  /** Flush a regular file to disk before it replaces the old one (fsync): for files whose loss costs hours, such as checkpoints. */
  readonly durable?: boolean;
}

/** Writes `contents` to `target` (see the file comment); throws WriteError. */
export function writeFileAtomic(target: string, contents: OutputContents, options: WriteOptions = {}): void {
  try {
    writeResolved(target, contents, options.durable === true);
  } catch (error) {
    if (error instanceof WriteError) throw error;
    throw new WriteError(target, codeOf(error));
  }
}

/** The open descriptor a path such as /dev/stdout or /proc/self/fd/3 stands for, if it is one. */
export function descriptorOf(path: string): number | undefined {
  if (path === STANDARD_OUTPUT || path === "/dev/stdout") return 1;
  if (path === "/dev/stderr") return 2;
  const found = /^\/(?:dev\/fd|proc\/(?:self|thread-self|(\d+))\/fd)\/(\d+)$/.exec(path);
  if (found === null) return undefined;
  if (found[1] !== undefined && Number(found[1]) !== process.pid) return undefined;
  return Number(found[2]);
}

function writeResolved(target: string, contents: OutputContents, durable: boolean): void {
  const descriptor = descriptorOf(target);
  if (descriptor !== undefined) return writeToDescriptor(descriptor, contents);
  const path = followLinks(target);
  const stats = statOrUndefined(path);
  if (stats?.isDirectory() === true) throw new WriteError(target, "EISDIR");
  if (stats === undefined || stats.isFile()) {
    try {
      return replaceAtomically(path, contents, stats, durable);
    } catch (error) {
      // A writable file in a directory we may not create files in: write it in place, as the user asked.
      const denied = codeOf(error) === "EACCES" || codeOf(error) === "EPERM";
      if (!(denied && stats !== undefined)) throw error;
      return writeThrough(path, contents, constants.O_WRONLY | constants.O_TRUNC);
    }
  }
  // A device, FIFO or socket.
  writeThrough(path, contents, constants.O_WRONLY);
}

function writeThrough(path: string, contents: OutputContents, flags: number): void {
  const fd = openSync(path, flags);
  try {
    writeAll(fd, contents);
  } finally {
    closeSync(fd);
  }
}

/** The path a chain of symbolic links ends at (which may not exist yet). */
function followLinks(path: string): string {
  let current = resolve(path);
  for (let hops = 0; hops < 40; hops++) {
    let stats: Stats;
    try {
      stats = lstatSync(current);
    } catch (error) {
      if (codeOf(error) === "ENOENT") return current;
      throw error;
    }
    if (!stats.isSymbolicLink()) return current;
    current = resolve(dirname(current), readlinkSync(current));
    const descriptor = descriptorOf(current);
    if (descriptor !== undefined) return current;
  }
  throw Object.assign(new Error("too many symbolic links"), { code: "ELOOP" });
}

function statOrUndefined(path: string): Stats | undefined {
  try {
    return statSync(path);
  } catch (error) {
    if (codeOf(error) === "ENOENT") return undefined;
    throw error;
  }
}

function writeToDescriptor(fd: number, contents: OutputContents): void {
  // Standard output and error go through Node's streams, so they stay in order with everything else printed.
  const stream = fd === 1 ? process.stdout : fd === 2 ? process.stderr : undefined;
  if (stream === undefined) return writeAll(fd, contents);
  for (const piece of pieces(contents)) stream.write(piece);
}

const pieces = (contents: OutputContents): readonly (string | Uint8Array)[] =>
  typeof contents === "string" || contents instanceof Uint8Array ? [contents] : contents;

function writeAll(fd: number, contents: OutputContents): void {
  for (const piece of pieces(contents)) {
    const bytes = typeof piece === "string" ? Buffer.from(piece, "utf8") : piece;
    for (let at = 0; at < bytes.length; ) at += writeSync(fd, bytes, at, bytes.length - at);
  }
}

function replaceAtomically(path: string, contents: OutputContents, existing: Stats | undefined, durable: boolean): void {
  removeStaleTemporaries(path);
  const temporary = `${path}.tmp-${process.pid}-${Date.now()}`;
  let fd: number | undefined;
  try {
    fd = openSync(temporary, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o666);
    if (existing !== undefined) fchmodSync(fd, existing.mode & 0o7777);
    writeAll(fd, contents);
    if (durable) fsyncSync(fd);
    closeSync(fd);
    fd = undefined;
    renameSync(temporary, path);
  } catch (error) {
    if (fd !== undefined) closeSync(fd);
    try {
      unlinkSync(temporary);
    } catch {
      // The temporary file may never have been created.
    }
    throw error;
  }
}

/** `<F>.tmp-<pid>-<time>`: the name of a temporary sibling of F. */
const temporaryPattern = (name: string): RegExp => new RegExp(`^${name.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}\\.tmp-(\\d+)-(\\d+)$`);

/**
 * Removes temporary siblings of `path` whose process is gone: a pid that no
 * longer runs, or this process's own pid (it has no write in progress to
 * this target: writes are synchronous, and a left-over with its pid is from
 * an earlier process that had the same pid, as in a container). A pid that
 * runs, even as another user, keeps its file.
 */
export function removeStaleTemporaries(path: string): void {
  const pattern = temporaryPattern(basename(path));
  let names: string[];
  try {
    names = readdirSync(dirname(path));
  } catch {
    return;
  }
  for (const name of names) {
    const found = pattern.exec(name);
    if (found === null) continue;
    const pid = Number(found[1]);
    if (pid !== process.pid && isRunning(pid)) continue;
    try {
      unlinkSync(join(dirname(path), name));
    } catch {
      // Another cleaner got there first, or the directory is not ours to change.
    }
  }
}

function isRunning(pid: number): boolean {
  if (!Number.isSafeInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return codeOf(error) === "EPERM";
  }
}
