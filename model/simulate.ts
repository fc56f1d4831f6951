/**
 * Random simulation for configurations too large to exhaust: `runs` random
 * walks of at most `depth` steps each, from a random initial state, checking
 * every invariant on every state visited and (unless switched off) that
 * every state has a successor. The walk is a pure function of the seed.
 */
import type { StateMachine, Step } from "./machine.js";
import { DEADLOCK, actionIndexer, invariantViolation } from "./check.js";
import { PAUSE_INTERVAL_MS, runToEnd, type Paused, type Pausing } from "./pausing.js";
import { Random } from "./random.js";
import type { TraceStep, Violation } from "./trace.js";
import type { ActionCoverage, Progress, SimulationResult, SimulationStatistics } from "./statistics.js";

export interface SimulateOptions {
  readonly seed: number;
  readonly runs?: number;
  /** Steps per run. */
  readonly depth?: number;
  readonly checkDeadlock?: boolean;
  readonly onProgress?: (progress: Progress) => void;
  readonly progressIntervalMs?: number;
}

export const DEFAULT_SIMULATION_RUNS = 1000;
export const DEFAULT_SIMULATION_DEPTH = 100;

export function simulate<S>(machine: StateMachine<S>, options: SimulateOptions): SimulationResult {
  return runToEnd(randomWalks(machine, options));
}

/** The simulation as a computation that pauses between runs (model/pausing.ts); "interrupt" ends it with the runs so far. */
export function* randomWalks<S>(machine: StateMachine<S>, options: SimulateOptions): Pausing<Paused, SimulationResult> {
  const runs = options.runs ?? DEFAULT_SIMULATION_RUNS;
  const depth = options.depth ?? DEFAULT_SIMULATION_DEPTH;
  const checkDeadlock = options.checkDeadlock ?? true;
  const progressInterval = options.progressIntervalMs ?? 1000;
  const random = new Random(options.seed);
  const indexOf = actionIndexer(machine as StateMachine<unknown>);
  const firings = new Float64Array(machine.actions.length);
  const started = performance.now();
  let lastProgress = started;
  let generated = 0;
  let longestRun = 0;
  let runsDone = 0;
  let lastPause = started;

  const initialStates = [...machine.initialStates()];
  const brokenInvariant = (state: S): Violation | undefined => {
    for (const invariant of machine.invariants) if (!invariant.holds(state)) return invariantViolation(invariant);
    return undefined;
  };
  const figures = (): Progress => ({ generated, distinct: 0, queue: 0, depth: longestRun, seconds: (performance.now() - started) / 1000, runs: runsDone });
  const finish = (violation?: Violation, path?: Step<S>[], interruption?: string): SimulationResult => {
    const seconds = (performance.now() - started) / 1000;
    const coverage: ActionCoverage[] = machine.actions.map((action, index) => ({
      action,
      firings: firings[index]!,
      distinct: 0,
    }));
    const statistics: SimulationStatistics = {
      seed: options.seed,
      runs: runsDone,
      generated,
      longestRun,
      seconds,
      statesPerSecond: seconds > 0 ? Math.round(generated / seconds) : generated,
      coverage,
    };
    if (interruption !== undefined) return { status: "interrupted", statistics, interruption };
    if (violation === undefined || path === undefined) return { status: "ok", statistics };
    const trace: TraceStep[] = path.map((step) => ({ action: step.action, params: step.params, state: machine.view(step.state) }));
    return { status: "violation", statistics, violation, trace };
  };

  if (initialStates.length === 0) return finish();
  for (let run = 0; run < runs; run++) {
    runsDone = run + 1;
    let state = initialStates[random.below(initialStates.length)] as S;
    const path: Step<S>[] = [{ action: "Init", params: {}, state }];
    generated++;
    const atInit = brokenInvariant(state);
    if (atInit) return finish(atInit, path);
    for (let step = 0; step < depth; step++) {
      const successors = [...machine.successors(state)];
      if (successors.length === 0) {
        if (checkDeadlock) return finish(DEADLOCK, path);
        break;
      }
      const next = successors[random.below(successors.length)]!;
      firings[indexOf(next.action)]!++;
      generated++;
      path.push(next);
      state = next.state;
      const violation = brokenInvariant(state);
      if (violation) return finish(violation, path);
    }
    if (path.length - 1 > longestRun) longestRun = path.length - 1;
    const now = performance.now();
    if (options.onProgress !== undefined && now - lastProgress >= progressInterval) {
      lastProgress = now;
      options.onProgress(figures());
    }
    if (now - lastPause >= PAUSE_INTERVAL_MS) {
      const command = yield { figures };
      lastPause = performance.now();
      if (command !== undefined) return finish(undefined, undefined, command.interrupt);
    }
  }
  return finish();
}
