/**
 * The one way multipager reads an input file (configuration, trace, case
 * and checkpoint files), so that no file or stream can make it hang, eat
 * memory or crash:
 *
 * - a regular file is read whole if it is at most INPUT_FILE_LIMIT bytes,
 *   and refused with one line (before reading) if it is larger;
 * - a FIFO or pipe (`--config <(jq ... )`, /dev/stdin from a pipe) is read up
 *   to the same limit, and refused once it passes it;
 * - anything else (a directory, a character or block device such as
 *   /dev/zero or a terminal, a socket) is refused with one line saying what
 *   it is.
 *
 * JSON read from outside goes through parseJsonInput, which refuses a
 * document nested deeper than JSON_NESTING_LIMIT before anything recursive
 * (the schema library's decoder and formatter) sees it.
 */
import { closeSync, constants, fstatSync, openSync, readSync, statSync, type Stats } from "node:fs";
import { InputError } from "./input-error.js";

/** The largest input file multipager reads: 64 MiB (a trace of thousands of states takes a few MiB). */
export const INPUT_FILE_LIMIT = 64 * 2 ** 20;

/** The deepest nesting of arrays and objects accepted in a JSON input (multipager's own files nest at most 11 deep). */
export const JSON_NESTING_LIMIT = 64;

const codeOf = (error: unknown): string | undefined => (error as NodeJS.ErrnoException | undefined)?.code;

/** What a non-regular file is, in words. */
function kindOf(stats: Stats): string | undefined {
  if (stats.isFile() || stats.isFIFO()) return undefined;
  if (stats.isDirectory()) return "a directory";
  if (stats.isCharacterDevice()) return "a character device";
  if (stats.isBlockDevice()) return "a block device";
  if (stats.isSocket()) return "a socket";
  return "not a regular file";
}

const mebibytes = (bytes: number): string =>
  bytes < 2 ** 20 ? `${bytes} bytes` : `${(bytes / 2 ** 20).toFixed(bytes % 2 ** 20 === 0 ? 0 : 1)} MiB`;

/**
 * Opens the input file `path` for reading, with the same refusals as
 * readInputBytes but no size limit (for checkpoints, read piece by piece).
 * Only a regular file: the caller needs its size. Close the descriptor.
 */
export function openRegularInput(path: string, what: string): { fd: number; size: number } {
  const fail = (why: string): never => {
    throw new InputError(`cannot read ${what} ${path}: ${why}`);
  };
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (error) {
    return fail(reasonOf(error));
  }
  const stats = fstatSync(fd);
  if (!stats.isFile()) {
    closeSync(fd);
    fail(`it is ${kindOf(stats) ?? "a FIFO"}, not a regular file`);
  }
  return { fd, size: stats.size };
}

/** Reads exactly `into.length` bytes at `position`; false when the file ends first. */
export function readFully(fd: number, into: Uint8Array, position: number): boolean {
  for (let at = 0; at < into.length; ) {
    const read = readSync(fd, into, at, into.length - at, position + at);
    if (read === 0) return false;
    at += read;
  }
  return true;
}

/**
 * The contents of the input file `path` as bytes. `what` names the kind of
 * file in messages ("configuration file", "trace file", "case file").
 * @throws InputError (bad-input) with one line naming the file.
 */
export function readInputBytes(path: string, what: string, limit = INPUT_FILE_LIMIT): Buffer {
  const fail = (why: string): never => {
    throw new InputError(`cannot read ${what} ${path}: ${why}`);
  };
  let stats: Stats;
  try {
    stats = statSync(path);
  } catch (error) {
    return fail(reasonOf(error));
  }
  const kind = kindOf(stats);
  if (kind !== undefined) fail(`it is ${kind}, not a regular file`);
  if (stats.isFile() && stats.size > limit) fail(`${mebibytes(stats.size)}, more than the ${mebibytes(limit)} an input file may have`);
  let fd: number;
  try {
    // A FIFO waits here for its writer, as `cat` does.
    fd = openSync(path, constants.O_RDONLY);
  } catch (error) {
    return fail(reasonOf(error));
  }
  try {
    // The file may have been replaced between the two looks: check what was opened.
    const opened = fstatSync(fd);
    const openedKind = kindOf(opened);
    if (openedKind !== undefined) fail(`it is ${openedKind}, not a regular file`);
    const chunks: Buffer[] = [];
    let total = 0;
    for (;;) {
      const chunk = Buffer.allocUnsafe(Math.min(1 << 20, limit + 1 - total));
      let read: number;
      try {
        read = readSync(fd, chunk, 0, chunk.length, null);
      } catch (error) {
        if (codeOf(error) === "EAGAIN") {
          // A non-blocking pipe with nothing in it yet.
          Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 5);
          continue;
        }
        return fail(reasonOf(error));
      }
      if (read === 0) break;
      chunks.push(chunk.subarray(0, read));
      total += read;
      if (total > limit) fail(`more than the ${mebibytes(limit)} an input file may have`);
    }
    return Buffer.concat(chunks, total);
  } finally {
    closeSync(fd);
  }
}

/** The input file as UTF-8 text (see readInputBytes). */
export function readInputText(path: string, what: string, limit = INPUT_FILE_LIMIT): string {
  return readInputBytes(path, what, limit).toString("utf8");
}

const REASONS: Record<string, string> = {
  ENOENT: "no such file",
  EACCES: "permission denied",
  ENOTDIR: "a part of the path is not a directory",
  ELOOP: "too many levels of symbolic links",
  EISDIR: "it is a directory, not a regular file",
  ENAMETOOLONG: "file name too long",
  EIO: "input/output error",
};

function reasonOf(error: unknown): string {
  const code = codeOf(error);
  if (code === undefined) return error instanceof Error ? error.message : String(error);
  const reason = REASONS[code];
  return reason === undefined ? code : `${reason} (${code})`;
}

/**
 * How deep arrays and objects nest in JSON text, looking no further than
 * `limit + 1` levels: a scan of the characters (strings skipped), so that no
 * recursion and no parse tree is needed to refuse a hostile document.
 * Returns the depth and the offset where it first passes `limit`.
 */
export function jsonNesting(text: string, limit: number): { depth: number; at: number } {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
      continue;
    }
    if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) {
      if (++depth > deepest) {
        deepest = depth;
        if (deepest > limit) return { depth: deepest, at: i };
      }
    } else if (c === 0x5d || c === 0x7d) depth--;
  }
  return { depth: deepest, at: -1 };
}

/**
 * Parses JSON from outside: `source` names it in messages.
 * @throws InputError (bad-input): not JSON, or nested deeper than `limit`.
 */
export function parseJsonInput(text: string, source: string, limit = JSON_NESTING_LIMIT): unknown {
  const nesting = jsonNesting(text, limit);
  if (nesting.at >= 0) {
    throw new InputError(`${source}: JSON nested more than ${limit} levels deep (at character ${nesting.at}); multipager's files nest far less`);
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new InputError(`${source}: not valid JSON (${(error instanceof Error ? error.message : String(error)).split("\n")[0]})`);
  }
}
