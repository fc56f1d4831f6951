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
  if (machine.expand !== undefined && machine.expandSkips === true && machine.brokenInvariant !== undefined) return simulateBytes(machine, options, { random, firings, depth, runs, checkDeadlock, progressInterval, started, finish, initialStates, onRun: (n, longest, total) => {
    runsDone = n;
    longestRun = longest;
    generated = total;
  } });
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

interface ByteWalk<S> {
  readonly random: Random;
  readonly firings: Float64Array;
  readonly depth: number;
  readonly runs: number;
  readonly checkDeadlock: boolean;
  readonly progressInterval: number;
  readonly started: number;
  readonly initialStates: readonly S[];
  readonly finish: (violation?: Violation, path?: Step<S>[]) => SimulationResult;
  readonly onRun: (runsDone: number, longestRun: number, generated: number) => void;
}

/**
 * The same walks over the machine's fast path: successors as encodings, no
 * state objects on the way, and only the chosen successor built. Its successors come in the order successors()
 * lists them (a machine's fast path promises the same list), so the seed
 * picks the same walk; only a walk that breaks something is turned back into
 * labelled steps, by picking the same successor again.
 */
function simulateBytes<S>(machine: StateMachine<S>, options: SimulateOptions, walk: ByteWalk<S>): SimulationResult {
  const expand = machine.expand!;
  const broken = machine.brokenInvariant!;
  const { random, firings, depth, runs } = walk;
  let generated = 0;
  let longestRun = 0;
  let lastProgress = walk.started;
  // Two passes per step: one counts (nothing built), one builds only the chosen successor.
  let chosen: Uint8Array = new Uint8Array(0);
  let chosenAction = -1;
  const keep = (action: number, successor: Uint8Array): boolean => {
    chosen = successor.slice();
    chosenAction = action;
    return false;
  };
  const none = (): boolean => false;
  /** The labelled steps of a walk given by the successor chosen at each step. */
  const labelled = (initial: S, choices: readonly number[]): Step<S>[] => {
    const path: Step<S>[] = [{ action: "Init", params: {}, state: initial }];
    for (const k of choices) {
      const next = [...machine.successors(path[path.length - 1]!.state)][k];
      if (next === undefined) throw new Error(`${machine.name}: its fast path lists more successors than successors() does`);
      path.push(next);
    }
    return path;
  };
  for (let run = 0; run < runs; run++) {
    const initial = walk.initialStates[random.below(walk.initialStates.length)] as S;
    let state = machine.encode(initial);
    const choices: number[] = [];
    generated++;
    const atInit = broken(state);
    if (atInit >= 0) {
      walk.onRun(run + 1, longestRun, generated);
      return walk.finish(invariantViolation(machine.invariants[atInit]!), labelled(initial, choices));
    }
    for (let step = 0; step < depth; step++) {
      const count = expand(state, none, Number.POSITIVE_INFINITY) as number;
      if (count === 0) {
        if (walk.checkDeadlock) {
          walk.onRun(run + 1, longestRun, generated);
          return walk.finish(DEADLOCK, labelled(initial, choices));
        }
        break;
      }
      const k = random.below(count);
      expand(state, keep, k);
      firings[chosenAction]!++;
      generated++;
      choices.push(k);
      state = chosen;
      const violated = broken(state);
      if (violated >= 0) {
        walk.onRun(run + 1, longestRun, generated);
        return walk.finish(invariantViolation(machine.invariants[violated]!), labelled(initial, choices));
      }
    }
    if (choices.length > longestRun) longestRun = choices.length;
    walk.onRun(run + 1, longestRun, generated);
    if (options.onProgress !== undefined) {
      const now = performance.now();
      if (now - lastProgress >= walk.progressInterval) {
        lastProgress = now;
        options.onProgress({ generated, distinct: 0, queue: 0, depth: longestRun, seconds: (now - walk.started) / 1000, runs: run + 1 });
      }
    }
  }
  return walk.finish();
}
