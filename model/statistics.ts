import type { TraceStep, Violation } from "./trace.js";

/** How often each action fired and how many new distinct states it found. */
export interface ActionCoverage {
  readonly action: string;
  /** Successor states this action generated (duplicates included). */
  readonly firings: number;
  /** Of those, how many were new distinct states. */
  readonly distinct: number;
}

/**
 * "ok": every reachable state explored (or every simulation run finished)
 * without a violation; "violation": a trace is attached; "budget": a state or
 * depth budget stopped the search first (the statistics are partial).
 */
export type RunStatus = "ok" | "violation" | "budget" | "interrupted";

export interface CheckStatistics {
  readonly initialStates: number;
  /** Initial states plus every successor computed, duplicates included (TLC's "states generated"). */
  readonly generated: number;
  readonly distinct: number;
  /** Distinct states found but not yet expanded when the search stopped. */
  readonly queue: number;
  /** States on the longest shortest path, the initial state counting 1 (TLC's "depth"). */
  readonly depth: number;
  readonly seconds: number;
  readonly statesPerSecond: number;
  readonly coverage: readonly ActionCoverage[];
  /** TLC's optimistic estimate (see fingerprint.ts). */
  readonly collisionProbability: number;
  /** Fingerprint matches between different states, resolved by comparing bytes. */
  readonly fingerprintCollisions: number;
  /** Memory held by the visited-state store. */
  readonly storeBytes: number;
  /** Of which the visited set of fingerprints (check only: bytes per distinct state = visitedBytes / distinct). */
  readonly visitedBytes?: number;
  /** Peak resident set of the process (maxRSS), bytes. */
  readonly peakMemoryBytes?: number;
  /** One state per symmetry orbit was explored (distinct counts orbits). */
  readonly symmetry?: boolean;
  /** Worker threads that explored (parallel search). */
  readonly workers?: number;
  /** Successors per expanded state (TLC's "outdegree"); undefined when no state was expanded. */
  readonly outdegree?: Outdegree;
}

export interface Outdegree {
  readonly average: number;
  readonly minimum: number;
  readonly maximum: number;
  readonly percentile95: number;
}

export interface CheckResult {
  readonly status: RunStatus;
  readonly statistics: CheckStatistics;
  readonly violation?: Violation;
  /** A shortest trace from an initial state to the violation ("Init" first). */
  readonly trace?: readonly TraceStep[];
  /** What stopped the search when status is "budget" (or, with several violations, before their limit). */
  readonly budget?: string;
  /** The signal that interrupted the search when status is "interrupted" (e.g. "SIGINT"). */
  readonly interruption?: string;
  /** With a limit of more than one violation: every violation found, shortest trace first (the first is `violation`). */
  readonly violations?: readonly FoundViolation[];
  /** That limit (Infinity: no limit). */
  readonly violationLimit?: number;
}

export interface FoundViolation {
  readonly violation: Violation;
  readonly trace: readonly TraceStep[];
}

export interface SimulationStatistics {
  readonly seed: number;
  readonly runs: number;
  /** Every state visited by a run, initial states included. */
  readonly generated: number;
  /** Steps of the longest run. */
  readonly longestRun: number;
  readonly seconds: number;
  readonly statesPerSecond: number;
  readonly coverage: readonly ActionCoverage[];
}

export interface SimulationResult {
  readonly status: Exclude<RunStatus, "budget">;
  /** The signal that interrupted the simulation when status is "interrupted". */
  readonly interruption?: string;
  readonly statistics: SimulationStatistics;
  readonly violation?: Violation;
  /** The run that found the violation, from its initial state ("Init" first). */
  readonly trace?: readonly TraceStep[];
}

/** A snapshot passed to progress callbacks. */
export interface Progress {
  readonly generated: number;
  readonly distinct: number;
  readonly queue: number;
  readonly depth: number;
  readonly seconds: number;
  /** Simulation only: runs finished so far. */
  readonly runs?: number;
}

export function actionsNeverFired(coverage: readonly ActionCoverage[]): string[] {
  return coverage.filter((entry) => entry.firings === 0).map((entry) => entry.action);
}

/** Outdegrees at or above this share the histogram's last bucket. */
export const OUTDEGREE_BUCKETS = 4096;

/** The outdegree figures from a histogram of successors per expanded state (bucket = successor count). */
export function outdegreeOf(histogram: Float64Array, maximum: number): { outdegree?: Outdegree } {
  let expanded = 0;
  let total = 0;
  let minimum = -1;
  histogram.forEach((count, degree) => {
    if (count === 0) return;
    expanded += count;
    total += count * degree;
    if (minimum < 0) minimum = degree;
  });
  if (expanded === 0) return {};
  let seen = 0;
  let percentile95 = maximum;
  for (let degree = 0; degree < histogram.length; degree++) {
    seen += histogram[degree]!;
    if (seen >= 0.95 * expanded) {
      percentile95 = Math.min(degree, maximum);
      break;
    }
  }
  return { outdegree: { average: total / expanded, minimum, maximum, percentile95 } };
}
