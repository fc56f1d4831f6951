/**
 * A single updating progress line on a terminal. Short runs print nothing
 * (the line appears only after `delayMs`), and nothing is written when the
 * stream is not a terminal, so logs and pipes stay clean.
 */
import { formatProgress } from "./report.js";
import type { Progress } from "./statistics.js";

export interface ProgressLine {
  readonly update: (progress: Progress) => void;
  /** Erases the line (if one was drawn) before the final report. */
  readonly finish: () => void;
}

export function terminalProgress(stream: NodeJS.WriteStream = process.stderr, delayMs = 2000): ProgressLine {
  if (!stream.isTTY) return { update: () => {}, finish: () => {} };
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
