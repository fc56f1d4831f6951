/**
 * Progress of a long search on stderr, never on stdout (the report).
 *
 * - On a terminal: one line redrawn in place, from `delayMs` on (short runs
 *   print nothing), erased before the report.
 * - Elsewhere (a CI log, a file, a pipe): a whole line every `intervalMs`, as
 *   TLC prints its progress every minute whatever the output; a run shorter
 *   than the interval prints none.
 * - Off: nothing.
 */
import { formatProgress } from "./report.js";
import type { Progress } from "./statistics.js";

export interface ProgressLine {
  readonly update: (progress: Progress) => void;
  /** Erases the line (if one was drawn) before the final report. */
  readonly finish: () => void;
}

/** TLC's: a progress line a minute. */
export const DEFAULT_PROGRESS_INTERVAL_MS = 60_000;

export interface ProgressOptions {
  /** False: no progress at all. */
  readonly enabled?: boolean;
  /** Between two lines when the stream is not a terminal. */
  readonly intervalMs?: number;
  /** Before the first in-place line on a terminal. */
  readonly delayMs?: number;
}

const NO_PROGRESS: ProgressLine = { update: () => {}, finish: () => {} };

export function progressReporter(stream: NodeJS.WriteStream = process.stderr, options: ProgressOptions = {}): ProgressLine {
  if (options.enabled === false) return NO_PROGRESS;
  return stream.isTTY ? terminalProgress(stream, options.delayMs) : progressLines(stream, options.intervalMs ?? DEFAULT_PROGRESS_INTERVAL_MS);
}

/** Whole lines, one per interval of the run's own clock. */
export function progressLines(stream: NodeJS.WritableStream, intervalMs: number): ProgressLine {
  let next = intervalMs;
  return {
    update: (progress) => {
      const elapsed = progress.seconds * 1000;
      if (elapsed < next) return;
      stream.write(`${formatProgress(progress)}\n`);
      // The next line one interval after this one, however late this one came.
      next = intervalMs === 0 ? 0 : (Math.floor(elapsed / intervalMs) + 1) * intervalMs;
    },
    finish: () => {},
  };
}

export function terminalProgress(stream: NodeJS.WriteStream = process.stderr, delayMs = 2000): ProgressLine {
  if (!stream.isTTY) return NO_PROGRESS;
  let drawn = false;
  return {
    update: (progress) => {
      if (progress.seconds * 1000 < delayMs) return;
      const width = Math.max((stream.columns ?? 80) - 1, 20);
      stream.write(`\r${formatProgress(progress).slice(0, width)}\x1b[K`);
      drawn = true;
    },
    finish: () => {
      if (drawn) stream.write("\r\x1b[K");
      drawn = false;
    },
  };
}
