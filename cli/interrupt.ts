/**
 * SIGINT (Ctrl-C) and SIGTERM during a long run: the first one asks the
 * running search to stop at its next pause (within about 50 ms) and print
 * that it was interrupted, with its partial figures (and write a checkpoint
 * when one was asked for); a second one stops the process at once. Either
 * way the exit code is the shell's for that signal: 128 + its number (130
 * for SIGINT, 143 for SIGTERM).
 */
import { constants } from "node:os";

const SIGNALS = ["SIGINT", "SIGTERM"] as const;
type HandledSignal = (typeof SIGNALS)[number];

/** The exit code after `signal`: 128 + its number, as shells report it. */
export const signalExitCode = (signal: string): number => 128 + (constants.signals[signal as NodeJS.Signals] ?? 0);

export interface Interrupts {
  /** The first signal received so far, if any. */
  readonly received: () => HandledSignal | undefined;
  /** Puts the default handling back (the run is over). */
  readonly dispose: () => void;
}

/** Catches SIGINT and SIGTERM until dispose(). */
export function catchInterrupts(): Interrupts {
  let received: HandledSignal | undefined;
  const handler = (signal: HandledSignal) => {
    if (received !== undefined) {
      process.stderr.write(`multipager: ${signal} again: stopping at once\n`);
      process.exit(signalExitCode(signal));
    }
    received = signal;
    process.stderr.write(`multipager: ${signal} received: stopping at the next safe point (send it again to stop at once)\n`);
  };
  for (const signal of SIGNALS) process.on(signal, handler);
  return {
    received: () => received,
    dispose: () => {
      for (const signal of SIGNALS) process.off(signal, handler);
    },
  };
}
