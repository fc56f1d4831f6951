/**
 * Long computations (the exhaustive search, the simulation) are generators
 * that pause about every PAUSE_INTERVAL_MS at a point where nothing is half
 * done. Run to the end at once (runToEnd), or with the event loop let in at
 * each pause (runPausing), so that a signal is seen while the search runs:
 * then it can end with its partial figures, and a checkpoint can be written
 * at a pause.
 */

import type { Progress } from "./statistics.js";

/** What every pause offers: the figures so far (for a progress line). */
export interface Paused {
  readonly figures: () => Progress;
}

/** How often a computation pauses: often enough that a signal is answered at once, rarely enough to cost nothing. */
export const PAUSE_INTERVAL_MS = 50;

/** Sent to a paused computation: end now with the partial figures, naming why (e.g. "SIGINT"). */
export interface PauseCommand {
  readonly interrupt: string;
}

export type Pausing<P, R> = Generator<P, R, PauseCommand | undefined>;

/** Runs to the end without pausing. */
export function runToEnd<R>(computation: Pausing<unknown, R>): R {
  for (;;) {
    const step = computation.next();
    if (step.done === true) return step.value;
  }
}

export interface PauseHandling<P> {
  /** Called at each pause, with what the computation offers there (figures, a snapshot). */
  readonly atPause?: (pause: P) => void;
  /** Asked at each pause, after atPause: why to stop now (e.g. "SIGINT"), or undefined to go on. */
  readonly interrupted: () => string | undefined;
  /**
   * For a search that must stop its threads to offer a pause (the parallel
   * search): asked every PAUSE_INTERVAL_MS whether to stop them now (for a
   * checkpoint); an interruption always does.
   */
  readonly pauseWanted?: () => boolean;
  /** Whether atPause may take the pause's snapshot (the parallel search gathers its workers' links for one only then). */
  readonly snapshots?: boolean;
}

/** Runs to the end, letting the event loop run at each pause (signals, stream errors, timers). */
export async function runPausing<P, R>(computation: Pausing<P, R>, handling: PauseHandling<P>): Promise<R> {
  let step = computation.next();
  while (step.done !== true) {
    await new Promise((resolve) => setImmediate(resolve));
    handling.atPause?.(step.value);
    const reason = handling.interrupted();
    step = computation.next(reason === undefined ? undefined : { interrupt: reason });
  }
  return step.value;
}
