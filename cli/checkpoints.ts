/**
 * `--checkpoint DIR` and `--recover DIR` for an exhaustive search
 * (model/checkpoint.ts holds the file format): a checkpoint is written when
 * the interval has passed since the last one (or since the start), and when
 * the run is interrupted; a recovered run is refused unless it is the same
 * run (machine, configuration, mutant, options that change what is
 * explored, tool version).
 */
import { writeCheckpoint, type CheckpointSummary, type Identity, type Snapshot } from "../model/checkpoint.js";
import { WriteError } from "../model/atomic-write.js";
import { InputError } from "../model/input-error.js";
import type { Progress } from "../model/statistics.js";

/** TLC's default interval between checkpoints. */
export const DEFAULT_CHECKPOINT_INTERVAL = "30m";

/** "90s", "10m", "1h" (or a plain number of minutes, as TLC's -checkpoint) in milliseconds. */
export function durationOption(command: string, name: string, text: string): number {
  const found = /^(\d+(?:\.\d+)?)(s|m|h)?$/.exec(text.trim());
  const unit = { s: 1000, m: 60_000, h: 3_600_000 }[(found?.[2] ?? "m") as "s" | "m" | "h"];
  const ms = found ? Math.round(Number(found[1]) * unit) : Number.NaN;
  if (!Number.isSafeInteger(ms) || ms < 1000) throw new InputError(`${command}: --${name} must be a duration of at least 1s (e.g. 90s, 10m, 1h), got "${text}"`, "usage");
  return ms;
}

const summaryOf = (figures: Progress): CheckpointSummary => ({
  distinct: figures.distinct,
  generated: figures.generated,
  queue: figures.queue,
  depth: figures.depth,
  seconds: figures.seconds,
});

/** What a pause of a search offers: its figures and a snapshot. */
export interface Pause {
  readonly figures: () => Progress;
  readonly snapshot: () => Snapshot;
}

export class Checkpointer {
  private dueAt: number;
  /** The figures of the last checkpoint written, if any. */
  last: CheckpointSummary | undefined;

  constructor(
    readonly dir: string,
    private readonly intervalMs: number,
    private readonly identity: Identity,
  ) {
    this.dueAt = performance.now() + intervalMs;
  }

  /** Is the next checkpoint due (the interval has passed since the last one, or since the start)? */
  due(): boolean {
    return performance.now() >= this.dueAt;
  }

  /** At a pause: writes a checkpoint when it is due or the run is being interrupted. */
  atPause(pause: Pause, interrupting: boolean): void {
    if (!interrupting && !this.due()) return;
    this.write(pause, interrupting);
    this.dueAt = performance.now() + this.intervalMs;
  }

  private write(pause: Pause, interrupting: boolean): void {
    const summary = summaryOf(pause.figures());
    try {
      writeCheckpoint(this.dir, this.identity, summary, pause.snapshot());
      this.last = summary;
      if (!interrupting) process.stderr.write(`Checkpoint written to ${this.dir}: ${summary.distinct} distinct states, depth ${summary.depth}, ${summary.seconds.toFixed(0)} s\n`);
    } catch (error) {
      if (!(error instanceof WriteError)) throw error;
      process.stderr.write(`multipager: ${error.message}; ${this.last === undefined ? "no checkpoint is kept" : "the previous checkpoint is kept"}${interrupting ? "" : ", the search goes on"}\n`);
    }
  }
}

/** The line a recovered run prints after its header. */
export const resumingLine = (dir: string, summary: CheckpointSummary): string =>
  `Resuming from the checkpoint in ${dir}: ${summary.generated} states generated, ${summary.distinct} distinct states found, ${summary.queue} states left on queue, depth ${summary.depth}, after ${summary.seconds.toFixed(1)} s.`;

/** The command that resumes a run: its own arguments with --recover DIR (replacing any --recover). */
export function resumeCommand(command: string, args: readonly string[], dir: string): string {
  const kept: string[] = [];
  for (let i = 0; i < args.length; i++) {
    if (args[i] === "--recover") i++;
    else if (!args[i]!.startsWith("--recover=")) kept.push(args[i]!);
  }
  return ["multipager", command, ...kept, "--recover", dir].map((word) => (/^[\w./:=@%+-]+$/.test(word) ? word : `'${word.replace(/'/g, "'\\''")}'`)).join(" ");
}
