/**
 * Exhaustive breadth-first model checking over any StateMachine<S>.
 *
 * The search goes level by level. The visited set holds only 64-bit
 * fingerprints (model/fingerprint-set.ts, as TLC does); the encodings live
 * only while their level is the frontier; each state keeps just a compact
 * parent link (parent number, which successor), from which a shortest trace
 * is replayed at the end. With the machine's `expand` and `brokenInvariant`
 * fast paths no state object is built on the hot path, and with `symmetry`
 * one state per orbit of the machine's `canonicalize` is explored.
 *
 * Each new state is checked against every invariant when it is discovered,
 * and each state with no successor is a deadlock (unless deadlock checking is
 * off): both are reported with a shortest trace. With `maxViolations` above
 * one the search records a violation, leaves its state unexpanded and goes
 * on until it has that many or nothing is left.
 */
import type { Invariant, StateMachine } from "./machine.js";
import { collisionProbability, fingerprint } from "./fingerprint.js";
import { FingerprintSet } from "./fingerprint-set.js";
import { Frontier, ParentLinks, ROOT, SuccessorBatch } from "./search-arrays.js";
import { InputError } from "./input-error.js";
import { pairs, snapshotReader, type Snapshot, type SnapshotArray } from "./snapshot.js";
import { PAUSE_INTERVAL_MS, runToEnd, type Paused, type Pausing } from "./pausing.js";
import type { TraceStep, Violation } from "./trace.js";
import { type ActionCoverage, type CheckResult, type CheckStatistics, OUTDEGREE_BUCKETS, outdegreeOf, type Progress, type RunStatus } from "./statistics.js";

export interface CheckOptions {
  /** Report a reachable state with no successor (TLC's default: on). */
  readonly checkDeadlock?: boolean;
  /** Stop cleanly after this many distinct states (status "budget"). */
  readonly maxStates?: number;
  /** Do not expand states this many steps from an initial state (status "budget" if any were left). */
  readonly maxDepth?: number;
  /** Called about every `progressIntervalMs` with a snapshot. */
  readonly onProgress?: (progress: Progress) => void;
  readonly progressIntervalMs?: number;
  /** Explore one state per orbit of the machine's `canonicalize` (symmetry reduction). */
  readonly symmetry?: boolean;
  /** Stop cleanly (status "budget") before the search's own arrays would exceed this many bytes. */
  readonly maxMemory?: number;
  /** How often explore() pauses (default PAUSE_INTERVAL_MS); 0: at every chance, every 1024 expanded states, which tests use to pause at the same states on every run. */
  readonly pauseIntervalMs?: number;
  /**
   * Stop after this many violations (default 1; Infinity: explore
   * everything). Past the first, the search goes on without expanding a
   * violating state: each violation is a distinct state (a distinct orbit
   * under symmetry) that breaks an invariant (the first one it breaks, in
   * the machine's order) or has no successor, with its own shortest trace.
   */
  readonly maxViolations?: number;
}

/**
 * Check the clock once per this many expanded states, at most: fewer when
 * states are slow to expand (large configurations under symmetry take
 * milliseconds each), so that a pause, and so a signal's answer, never waits
 * much longer than PAUSE_INTERVAL_MS.
 */
const CLOCK_STRIDE = 1024;

/** Successors built (canonicalised under symmetry) between two lookups (see collect); far above a usual state's outdegree. */
const SUCCESSOR_CHUNK = 1024;
const SYMMETRY_CHUNK = 64;

/** Where a search paused: its figures so far, and a snapshot to resume from (for a checkpoint). */
export interface SearchPause extends Paused {
  readonly snapshot: () => Snapshot;
}

/** The arrays of `saved` under `prefix.name`. */
const prefixed = (prefix: string, saved: Record<string, SnapshotArray>): Record<string, SnapshotArray> =>
  Object.fromEntries(Object.entries(saved).map(([name, array]) => [`${prefix}.${name}`, array]));

/** A sequential search's snapshot as its arrays again; a snapshot of another shape is refused with one line. */
function sequentialSnapshot(snapshot: Snapshot, actionCount: number) {
  const names = ["position", "generated", "initialStates", "deepest", "levelStart", "expanded", "depth", "maxOutdegree", "distinct", "seconds"] as const;
  const { scalars, array, bad } = snapshotReader(snapshot, "sequential", "resume it with the --workers it was written with", names);
  const visited = FingerprintSet.restore(array("visited", Uint32Array), scalars.distinct) ?? bad("its visited set disagrees with its counts");
  const links = ParentLinks.restore(array("links.parents", Int32Array), array("links.ordinals", Uint16Array), array("links.bigOrdinals", Uint32Array));
  const current = Frontier.restore(array("current.arena", Uint8Array), array("current.ends", Uint32Array));
  const next = Frontier.restore(array("next.arena", Uint8Array), array("next.ends", Uint32Array));
  if (links.count !== scalars.distinct || scalars.position > current.count) bad("its sections disagree with its counts");
  return {
    scalars,
    visited,
    links,
    current,
    next,
    firings: array("firings", Float64Array, actionCount),
    newStates: array("newStates", Float64Array, actionCount),
    outdegrees: array("outdegrees", Float64Array, OUTDEGREE_BUCKETS),
    found: pairs(array("found", Int32Array)),
  };
}


export const DEADLOCK: Violation = {
  kind: "deadlock",
  name: "Deadlock",
  quote: "A reachable state has no successor (no action is enabled).",
};

export function invariantViolation<S>(invariant: Invariant<S>): Violation {
  return { kind: "invariant", name: invariant.name, quote: invariant.quote };
}

/** Index of each action name in machine.actions; an undeclared action is a bug in the machine. */
export function actionIndexer(machine: StateMachine<unknown>): (action: string) => number {
  const indexes = new Map(machine.actions.map((action, index) => [action, index]));
  return (action) => {
    const index = indexes.get(action);
    if (index === undefined) {
      throw new Error(`machine ${machine.name} fired action '${action}', which is not in its actions list`);
    }
    return index;
  };
}

/** Exhaustive search to the end (see explore for one that can pause). */
export function check<S>(machine: StateMachine<S>, options: CheckOptions = {}): CheckResult {
  return runToEnd(explore(machine, options));
}

/**
 * The search as a computation that pauses about every PAUSE_INTERVAL_MS at
 * a point where nothing is half done (between two expanded states, see
 * model/pausing.ts): there the caller may let the event loop run (signals),
 * take a snapshot for a checkpoint, or send "interrupt" to end the search
 * with its partial figures (status "interrupted"). `restored` resumes from a
 * snapshot of the same machine and options: the search goes on exactly as
 * if it had never stopped, so the final figures are an uninterrupted run's.
 */
export function* explore<S>(machine: StateMachine<S>, options: CheckOptions = {}, restored?: Snapshot): Pausing<SearchPause, CheckResult> {
  const checkDeadlock = options.checkDeadlock ?? true;
  const maxStates = options.maxStates ?? Number.POSITIVE_INFINITY;
  const maxDepth = options.maxDepth ?? Number.POSITIVE_INFINITY;
  const maxMemory = options.maxMemory ?? Number.POSITIVE_INFINITY;
  const maxViolations = options.maxViolations ?? 1;
  const progressInterval = options.progressIntervalMs ?? 1000;
  const pauseInterval = options.pauseIntervalMs ?? PAUSE_INTERVAL_MS;
  const onProgress = options.onProgress;
  const canonicalize = symmetryOf(machine, options.symmetry === true);
  const invariants = machine.invariants;
  const indexOf = actionIndexer(machine as StateMachine<unknown>);
  const actionCount = machine.actions.length;
  const firings = new Float64Array(actionCount);
  const newStates = new Float64Array(actionCount);
  const outdegrees = new Float64Array(OUTDEGREE_BUCKETS);
  let maxOutdegree = 0;

  const saved = restored === undefined ? undefined : sequentialSnapshot(restored, actionCount);
  const visited = saved?.visited ?? new FingerprintSet();
  const links = saved?.links ?? new ParentLinks();
  let current = saved?.current ?? new Frontier();
  let next = saved?.next ?? new Frontier();
  const print = new Uint32Array(2);
  /** When the run started, counting the time before its checkpoint. */
  const started = performance.now() - 1000 * (saved?.scalars.seconds ?? 0);
  let lastProgress = started;
  let lastPause = performance.now();
  let lastClock = lastPause;
  let stride = CLOCK_STRIDE;
  let untilClock = stride;
  let generated = saved?.scalars.generated ?? 0;
  let initialStates = saved?.scalars.initialStates ?? 0;
  let deepest = saved?.scalars.deepest ?? 0;
  /** Number of the first state of the current level; states before it are expanded. */
  let levelStart = saved?.scalars.levelStart ?? 0;
  let expanded = saved?.scalars.expanded ?? 0;
  let budget: string | undefined;
  let interruption: string | undefined;
  /** Set when the search must stop for its violations (the limit reached). */
  let violation: Violation | undefined;
  const found: { violation: Violation; at: number }[] = [];
  /** Numbers of violating states, which are not expanded. */
  const violators = new Set<number>();
  for (const [invariant, at] of saved?.found ?? []) {
    found.push({ violation: invariant < 0 ? DEADLOCK : invariantViolation(invariants[invariant]!), at });
    violators.add(at);
  }

  // The state being expanded, and how many successors it has emitted so far.
  let parent = ROOT;
  let ordinal = 0;
  let depth = saved?.scalars.depth ?? 0;
  if (saved !== undefined) {
    firings.set(saved.firings);
    newStates.set(saved.newStates);
    outdegrees.set(saved.outdegrees);
    maxOutdegree = saved.scalars.maxOutdegree;
  }

  const heldBytes = () => visited.bytes + links.bytes + current.bytes + next.bytes;
  const stopped = () => violation !== undefined || budget !== undefined;

  /** Records a successor (or initial state) `key` (canonical encoding); returns its number when new, else -1. */
  const discover = (key: Uint8Array, action: number): number => {
    fingerprint(key, print);
    if (!visited.add(print[0]!, print[1]!)) return -1;
    const index = links.push(parent, ordinal - 1);
    next.push(key);
    if (action >= 0) newStates[action]!++;
    if (depth + 1 > deepest && parent !== ROOT) deepest = depth + 1;
    return index;
  };
  const record = (broken: Violation, at: number) => {
    found.push({ violation: broken, at });
    violators.add(at);
    if (found.length >= maxViolations) violation = found[0]!.violation;
  };
  const afterNew = (index: number, broken: number) => {
    if (broken >= 0) record(invariantViolation(invariants[broken]!), index);
    if (violation === undefined && visited.size >= maxStates) budget = `the state budget of ${maxStates} distinct states`;
  };

  // Fast path: encodings only, one expanded state's successors at a time.
  const fastInvariant = machine.brokenInvariant;
  const batch = new SuccessorBatch();
  /** Successors held before they are looked up: a state at the schema's bounds has thousands, each costly under symmetry. */
  const flushAt = canonicalize === undefined ? SUCCESSOR_CHUNK : SYMMETRY_CHUNK;
  const collect = (action: number, successor: Uint8Array): boolean => {
    batch.add(action, canonicalize === undefined ? successor : canonicalize(successor));
    if (batch.count < flushAt) return true;
    // Canonical forms are costly: a budget or a violation met in one chunk spares the rest of the state's successors.
    discoverBatch();
    return !stopped();
  };
  const discoverBatch = () => {
    const count = batch.count;
    const prints = batch.prints;
    visited.prefetch(prints, count);
    for (let k = 0; k < count && !stopped(); k++) {
      ordinal++;
      generated++;
      const action = batch.actions[k]!;
      firings[action]!++;
      if (!visited.add(prints[2 * k]!, prints[2 * k + 1]!)) continue;
      const key = batch.state(k);
      const index = links.push(parent, ordinal - 1);
      next.push(key);
      newStates[action]!++;
      if (depth + 1 > deepest) deepest = depth + 1;
      afterNew(index, fastInvariant !== undefined ? fastInvariant(key) : brokenIndex(invariants, machine.decode(key)));
    }
    batch.count = 0;
  };
  // Generic path: state objects.
  const expandObjects = (bytes: Uint8Array) => {
    for (const step of machine.successors(machine.decode(bytes))) {
      ordinal++;
      generated++;
      const action = indexOf(step.action);
      firings[action]!++;
      const encoded = machine.encode(step.state);
      const index = discover(canonicalize === undefined ? encoded : canonicalize(encoded), action);
      if (index < 0) continue;
      afterNew(index, brokenIndex(invariants, step.state));
      if (stopped()) return;
    }
  };
  const expandFast = machine.expand;

  const finish = (status: RunStatus): CheckResult => {
    const seconds = (performance.now() - started) / 1000;
    const coverage: ActionCoverage[] = machine.actions.map((action, index) => ({
      action,
      firings: firings[index]!,
      distinct: newStates[index]!,
    }));
    const statistics: CheckStatistics = {
      initialStates,
      generated,
      distinct: visited.size,
      queue: visited.size - expanded,
      depth: visited.size === 0 ? 0 : deepest + 1,
      seconds,
      statesPerSecond: seconds > 0 ? Math.round(generated / seconds) : generated,
      coverage,
      collisionProbability: collisionProbability(visited.size, generated),
      fingerprintCollisions: 0,
      storeBytes: heldBytes(),
      visitedBytes: visited.bytes,
      peakMemoryBytes: process.resourceUsage().maxRSS * 1024,
      ...(canonicalize !== undefined ? { symmetry: true } : {}),
      ...outdegreeOf(outdegrees, maxOutdegree),
    };
    const stops = { ...(budget ? { budget } : {}), ...(interruption ? { interruption } : {}) };
    if (found.length === 0) return { status, statistics, ...stops };
    return withViolations({ status, statistics, ...stops }, found, maxViolations, (at) => replayTrace(machine, links, at, canonicalize));
  };
  /** Everything needed to go on from state `position` of the current level (see sequentialSnapshot). */
  const snapshot = (position: number): Snapshot => ({
    search: "sequential",
    scalars: {
      position,
      generated,
      initialStates,
      deepest,
      levelStart,
      expanded,
      depth,
      maxOutdegree,
      distinct: visited.size,
      seconds: (performance.now() - started) / 1000,
    },
    arrays: {
      visited: visited.words,
      ...prefixed("links", links.saved()),
      ...prefixed("current", current.saved()),
      ...prefixed("next", next.saved()),
      firings,
      newStates,
      outdegrees,
      // The violations found so far (with --continue): the broken invariant's index (-1: a deadlock) and the state's number.
      found: Int32Array.from(found.flatMap((f) => [f.violation === DEADLOCK ? -1 : invariants.findIndex((i) => i.name === f.violation.name), f.at])),
    },
  });
  const figures = (): Progress => ({ generated, distinct: visited.size, queue: visited.size - expanded, depth: deepest + 1, seconds: (performance.now() - started) / 1000 });

  // Initial states: parent ROOT, ordinal = place among the initial states; "next" is level 0.
  if (saved === undefined) {
    for (const state of machine.initialStates()) {
      ordinal++;
      generated++;
      const encoded = machine.encode(state);
      const index = discover(canonicalize === undefined ? encoded : canonicalize(encoded), -1);
      if (index < 0) continue;
      initialStates++;
      afterNew(index, brokenIndex(invariants, state));
      if (violation !== undefined) return finish("violation");
      if (budget !== undefined) return finish(found.length > 0 ? "violation" : "budget");
    }
    [current, next] = [next, current];
  }

  /** Where the first level this call expands starts (a restored search resumes inside its level). */
  let start = saved?.scalars.position ?? 0;
  while (current.count > 0) {
    if (depth >= maxDepth) {
      budget = `the depth budget of ${maxDepth} steps`;
      break;
    }
    for (let k = start; k < current.count; k++) {
      parent = levelStart + k;
      ordinal = 0;
      if (violators.size > 0 && violators.has(parent)) {
        expanded++;
        continue;
      }
      const bytes = current.get(k);
      if (expandFast !== undefined) {
        expandFast(bytes, collect);
        discoverBatch();
      }
      else expandObjects(bytes);
      // Off the queue once its expansion started (as in TLC, and the parallel search), even when a violation cut it short.
      expanded++;
      if (violation !== undefined) return finish("violation");
      if (budget !== undefined) return finish(found.length > 0 ? "violation" : "budget");
      const successors = ordinal;
      outdegrees[Math.min(successors, OUTDEGREE_BUCKETS - 1)]!++;
      if (successors > maxOutdegree) maxOutdegree = successors;
      if (successors === 0 && checkDeadlock) {
        record(DEADLOCK, parent);
        if (violation !== undefined) return finish("violation");
      }
      // Stop while the next growth of any array (the set by half, the links and the frontier by double) still fits.
      if (maxMemory !== Number.POSITIVE_INFINITY && visited.bytesAfterGrowth + links.bytesAfterGrowth + current.bytes + 2 * next.bytes > maxMemory) {
        budget = `the memory budget of ${formatBytes(maxMemory)}`;
        return finish(found.length > 0 ? "violation" : "budget");
      }
      if (--untilClock === 0) {
        const now = performance.now();
        // Fewer states between looks at the clock when they took long, more (up to the stride) when not; a fixed stride when pausing at every chance.
        const took = now - lastClock;
        if (pauseInterval > 0) stride = took > pauseInterval ? Math.max(1, Math.floor((stride * pauseInterval) / took)) : Math.min(CLOCK_STRIDE, stride << 1);
        untilClock = stride;
        lastClock = now;
        if (onProgress !== undefined && now - lastProgress >= progressInterval) {
          lastProgress = now;
          onProgress(figures());
        }
        if (now - lastPause >= pauseInterval) {
          const position = k + 1;
          const command = yield { figures, snapshot: () => snapshot(position) };
          lastPause = performance.now();
          if (command !== undefined) {
            interruption = command.interrupt;
            return finish(found.length > 0 ? "violation" : "interrupted");
          }
        }
      }
    }
    start = 0;
    levelStart += current.count;
    [current, next] = [next, current];
    next.clear();
    next.shrink();
    depth++;
  }
  return finish(found.length > 0 ? "violation" : budget === undefined ? "ok" : "budget");
}

/**
 * The result's violations with their traces, shortest first (ties in the
 * order found); the first is also the result's `violation` and `trace`, the
 * one a search stopping at the first violation reports.
 */
export function withViolations(
  result: Omit<CheckResult, "violation" | "trace" | "violations">,
  found: readonly { violation: Violation; at: number }[],
  limit: number,
  traceTo: (at: number) => TraceStep[],
): CheckResult {
  const violations = found
    .map((entry) => ({ violation: entry.violation, trace: traceTo(entry.at) }))
    .sort((a, b) => a.trace.length - b.trace.length);
  const first = violations[0]!;
  return { ...result, violation: first.violation, trace: first.trace, ...(limit > 1 ? { violations, violationLimit: limit } : {}) };
}

function brokenIndex<S>(invariants: readonly Invariant<S>[], state: S): number {
  for (let i = 0; i < invariants.length; i++) if (!invariants[i]!.holds(state)) return i;
  return -1;
}

/** The machine's canonicalize when symmetry is asked for; a usage error when the machine has none. */
export function symmetryOf<S>(machine: StateMachine<S>, wanted: boolean): ((state: Uint8Array) => Uint8Array) | undefined {
  if (!wanted) return undefined;
  if (machine.canonicalize === undefined) throw new InputError(`machine ${machine.name} declares no symmetry (canonicalize)`, "usage");
  return machine.canonicalize;
}

export function formatBytes(bytes: number): string {
  return bytes >= 2 ** 30 ? `${(bytes / 2 ** 30).toFixed(1)} GiB` : `${(bytes / 2 ** 20).toFixed(1)} MiB`;
}

/** Successor number `ordinal` of an encoded state, in the order the search enumerated them. */
function nthSuccessor<S>(machine: StateMachine<S>, state: Uint8Array, ordinal: number): Uint8Array {
  let seen = 0;
  let found: Uint8Array | undefined;
  if (machine.expand !== undefined) {
    machine.expand(state, (_action, successor) => {
      if (seen++ === ordinal) found = successor.slice();
    });
  } else {
    for (const step of machine.successors(machine.decode(state))) {
      if (seen++ === ordinal) {
        found = machine.encode(step.state);
        break;
      }
    }
  }
  if (found === undefined) throw new Error(`machine ${machine.name}: successor ${ordinal} vanished on replay (successors must be deterministic)`);
  return found;
}

const sameBytes = (a: Uint8Array, b: Uint8Array): boolean => a.length === b.length && a.every((byte, i) => byte === b[i]);

/**
 * Replays the parent links of `last` into trace steps. The links name, per
 * state, which successor of its parent it was; under symmetry they name a
 * path of orbit representatives, which is turned into a real path by taking,
 * from each real state, a successor in the next representative's orbit.
 */
export function replayTrace<S>(
  machine: StateMachine<S>,
  links: { pathTo(last: number): number[]; ordinal(index: number): number },
  last: number,
  canonicalize: ((state: Uint8Array) => Uint8Array) | undefined,
): TraceStep[] {
  const canonical = (bytes: Uint8Array) => (canonicalize === undefined ? bytes : canonicalize(bytes));
  const path = links.pathTo(last);
  const initials = [...machine.initialStates()];
  let actual = initials[links.ordinal(path[0]!)] as S;
  let representative = canonical(machine.encode(actual));
  const steps: TraceStep[] = [{ action: "Init", params: {}, state: machine.view(actual) }];
  for (const index of path.slice(1)) {
    representative = canonical(nthSuccessor(machine, representative, links.ordinal(index)));
    let taken = false;
    for (const step of machine.successors(actual)) {
      if (!sameBytes(canonical(machine.encode(step.state)), representative)) continue;
      steps.push({ action: step.action, params: step.params, state: machine.view(step.state) });
      actual = step.state;
      taken = true;
      break;
    }
    if (!taken) throw new Error(`machine ${machine.name}: no successor matches the search's path on replay (is canonicalize a symmetry?)`);
  }
  return steps;
}

