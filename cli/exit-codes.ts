/**
 * Exit codes. Where a TLC user would expect one, it is TLC's
 * (tlc2.output.EC.ExitStatus): 11 deadlock, 12 safety, 13 liveness,
 * 150-153 for errors that are not findings.
 */
export const ExitCode = {
  /** No error found (or the command did what was asked). */
  Ok: 0,
  /** x86 differential run: the two sides disagree on some line. */
  Mismatch: 1,
  /** Bad command line: unknown command, option or option value. */
  Usage: 2,
  /** A deadlock: a reachable state with no enabled action. */
  Deadlock: 11,
  /** An invariant (or a refinement obligation) is violated. */
  Safety: 12,
  /** A temporal property is violated (a lasso). */
  Liveness: 13,
  /** trace replay: the trace no longer applies (an action is disabled at some step). */
  TraceDoesNotApply: 20,
  /** Bad input file: configuration, trace or case file unreadable or invalid. */
  BadInput: 151,
  /** A state or memory budget was hit before the search finished. */
  Budget: 152,
  /** An internal error in multipager itself (a bug: please report it). */
  Internal: 153,
  /** A required external program (QEMU, Spin, Chromium) is missing, hung or failed. */
  ExternalTool: 154,
  /** prove: no obligation fails, but the solver decided some of them neither way (unknown, or --timeout). */
  Undecided: 155,
} as const;

export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];
