/**
 * Statistics as TLC users read them: the same wording and order, so a TLC
 * user finds each figure where they expect it. Every line except the last
 * ("Finished in ...") depends only on the model, so runs diff cleanly.
 */
import { match } from "ts-pattern";
import { actionsNeverFired, type ActionCoverage, type CheckResult, type Progress, type SimulationResult } from "./statistics.js";

function coverageTable(coverage: readonly ActionCoverage[], withDistinct: boolean): string[] {
  const header = withDistinct ? ["action", "firings", "distinct"] : ["action", "firings"];
  const rows = coverage.map((entry) =>
    withDistinct ? [entry.action, String(entry.firings), String(entry.distinct)] : [entry.action, String(entry.firings)],
  );
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column]!.length)));
  const render = (row: readonly string[]) =>
    `  ${row.map((cell, column) => (column === 0 ? cell.padEnd(widths[column]!) : cell.padStart(widths[column]!))).join("  ")}`.trimEnd();
  return [render(header), ...rows.map(render)];
}

function neverFiredWarnings(coverage: readonly ActionCoverage[]): string[] {
  return actionsNeverFired(coverage).map((action) => `Warning: action ${action} never fired (it is never enabled in the states explored).`);
}

function rate(perSecond: number): string {
  return perSecond.toLocaleString("en-US");
}

/**
 * TLC's first line, which it prints before any counterexample: callers print
 * it right after their header, then the trace, then formatStatistics.
 */
export function formatInitialStates(result: CheckResult): string {
  const n = result.statistics.initialStates;
  return `Finished computing initial states: ${n} distinct state${n === 1 ? "" : "s"} generated.`;
}

/**
 * The statistics after the trace. An action that never fired is a warning
 * only after a complete search: a search stopped at a counterexample or a
 * budget has not seen enough to say a guard can never hold.
 */
export function formatStatistics(result: CheckResult): string {
  const s = result.statistics;
  const headline = match(result.status)
    .with("ok", () => "Model checking completed. No error has been found.")
    .with("violation", () => (result.violations === undefined ? "Model checking stopped at the first violation (see the trace above)." : severalViolations(result)))
    .with("budget", () => `Model checking stopped: ${result.budget ?? "a budget"} was reached before the search finished; the figures below are partial.`)
    .with("interrupted", () => `Model checking interrupted (${result.interruption ?? "a signal"}) before the search finished; the figures below are partial.`)
    .exhaustive();
  const depthLine = result.status === "ok"
    ? `The depth of the complete state graph search is ${s.depth}.`
    : `The depth of the state graph search so far is ${s.depth}.`;
  const lines = [
    headline,
    `  Estimated probability of a fingerprint collision (TLC's calculated (optimistic)): val = ${s.collisionProbability.toExponential(1).toUpperCase()}`,
    s.visitedBytes !== undefined
      ? `  (the visited set keeps 64-bit fingerprints, as TLC does: ${(s.visitedBytes / 2 ** 20).toFixed(1)} MiB, ${s.distinct > 0 ? (s.visitedBytes / s.distinct).toFixed(1) : "0"} bytes per distinct state)`
      : `  (fingerprint matches between different states: ${s.fingerprintCollisions}; each was resolved by comparing the states' bytes)`,
    ...(s.symmetry === true ? ["  (symmetry reduction: one state per orbit; distinct states count orbits)"] : []),
    ...(s.workers !== undefined && s.workers > 1 ? [`  (${s.workers} worker threads)`] : []),
    `${s.generated} states generated, ${s.distinct} distinct states found, ${s.queue} states left on queue.`,
    depthLine,
    ...(s.outdegree === undefined ? [] : [
      `The average outdegree of the ${result.status === "ok" ? "complete " : ""}state graph is ${Math.round(s.outdegree.average)} (minimum is ${s.outdegree.minimum}, the maximum ${s.outdegree.maximum} and the 95th percentile is ${s.outdegree.percentile95}).`,
    ]),
    "Coverage (firings: successors generated; distinct: new distinct states found):",
    ...coverageTable(s.coverage, true),
    ...(searchedEverything(result) ? neverFiredWarnings(s.coverage) : []),
    `Finished in ${s.seconds.toFixed(2)} s (${rate(s.statesPerSecond)} states generated per second; visited-state store ${(s.storeBytes / 2 ** 20).toFixed(1)} MiB).`,
  ];
  return `${lines.join("\n")}\n`;
}

/** Whether the search saw every reachable state (with --continue, violations and all). */
function searchedEverything(result: CheckResult): boolean {
  if (result.status === "ok") return true;
  return result.violations !== undefined && result.violations.length < result.violationLimit! && result.budget === undefined;
}

/** The headline of a search that went on past its first violation. */
function severalViolations(result: CheckResult): string {
  const count = result.violations!.length;
  const violations = `${count} violation${count === 1 ? "" : "s"}`;
  const found = `${violations} (see the traces above; a violating state is not explored further)`;
  if (count >= result.violationLimit!) return `Model checking stopped at its limit of ${found}.`;
  if (result.budget !== undefined) return `Model checking stopped: ${result.budget} was reached before the search finished; it found ${found}; the figures below are partial.`;
  return `Model checking completed: ${found}.`;
}


/** A simulation's statistics. Its seed is printed once, by the caller, before the run; a simulation never warns that an action never fired (random walks cover no state space). */
export function formatSimulationStatistics(result: SimulationResult): string {
  const s = result.statistics;
  const headline = match(result.status)
    .with("ok", () => `Simulation completed: ${s.runs} runs, no error has been found.`)
    .with("violation", () => `Simulation stopped at the first violation, in run ${s.runs} (see the trace above).`)
    .with("interrupted", () => `Simulation interrupted (${result.interruption ?? "a signal"}) in run ${s.runs}; the figures below are partial, no error has been found so far.`)
    .exhaustive();
  const lines = [
    headline,
    `${s.generated} states checked in ${s.runs} runs; the longest run took ${s.longestRun} steps.`,
    "Coverage (firings: steps taken by the action):",
    ...coverageTable(s.coverage, false),
    `Finished in ${s.seconds.toFixed(2)} s (${rate(s.statesPerSecond)} states per second).`,
  ];
  return `${lines.join("\n")}\n`;
}

/** The live progress line's text. */
export function formatProgress(progress: Progress): string {
  const seconds = Math.max(progress.seconds, 1e-9);
  const perSecond = rate(Math.round(progress.generated / seconds));
  if (progress.runs !== undefined) {
    return `Progress (${progress.seconds.toFixed(0)} s): ${progress.runs} runs, ${progress.generated} states checked (${perSecond} s/s)`;
  }
  return `Progress (${progress.seconds.toFixed(0)} s): depth ${progress.depth}, ${progress.generated} states generated (${perSecond} s/s), ${progress.distinct} distinct, ${progress.queue} on queue`;
}
