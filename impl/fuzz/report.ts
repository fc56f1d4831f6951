/**
 * What a fuzz run reports: counts kept by the run itself (calls, steps,
 * episodes, the calls of each source and path, the errors returned) and its
 * breaches, each with what replays it.
 */
import type { ArchName } from "../arch/index.js";
import { CALL_SOURCES, type CallSource } from "./calls.js";
import { PATH_NAMES, type PathName } from "./paths.js";

export interface Breach {
  readonly arch: ArchName;
  readonly seed: number;
  readonly episode: number;
  /** Kernel steps into the episode. */
  readonly step: number;
  readonly message: string;
  /** The steps before it, oldest first. */
  readonly lastSteps: readonly string[];
}

export interface FuzzReport {
  readonly arch: ArchName;
  readonly seed: number;
  calls: number;
  steps: number;
  episodes: number;
  stuckEpisodes: number;
  readonly paths: Record<PathName, number>;
  /** Calls and successful calls per source of the call. */
  readonly sources: Record<CallSource, { calls: number; ok: number }>;
  /** Errors returned, by name. */
  readonly errors: Map<string, number>;
  /** Successful calls, by call name. */
  readonly successes: Map<string, number>;
  readonly breaches: Breach[];
  seconds: number;
}

/** A report with every count at zero. */
export function emptyReport(arch: ArchName, seed: number): FuzzReport {
  return {
    arch,
    seed,
    calls: 0,
    steps: 0,
    episodes: 0,
    stuckEpisodes: 0,
    paths: Object.fromEntries(PATH_NAMES.map((p) => [p, 0])) as Record<PathName, number>,
    sources: Object.fromEntries(CALL_SOURCES.map((s) => [s, { calls: 0, ok: 0 }])) as Record<CallSource, { calls: number; ok: number }>,
    errors: new Map(),
    successes: new Map(),
    breaches: [],
    seconds: 0,
  };
}

export const bump = (map: Map<string, number>, key: string): void => {
  map.set(key, (map.get(key) ?? 0) + 1);
};

/** The share of all calls that took each path, and of all the paths together. */
export function pathShares(report: FuzzReport): { readonly perPath: Record<PathName, number>; readonly interesting: number } {
  const share = (n: number): number => (report.calls === 0 ? 0 : n / report.calls);
  const perPath = Object.fromEntries(PATH_NAMES.map((p) => [p, share(report.paths[p])])) as Record<PathName, number>;
  return { perPath, interesting: share(PATH_NAMES.reduce((sum, p) => sum + report.paths[p], 0)) };
}
