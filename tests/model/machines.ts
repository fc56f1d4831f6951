/**
 * Small state machines with answers computed by others (published TLC runs,
 * puzzle solutions), used to test the checker. Each follows its TLA+ module
 * action by action, so successor counts match TLC's enumeration.
 */
import type { Invariant, StateMachine, Step, TraceValue } from "../../model/machine.js";

/** Die Hard water jugs (tlaplus/Examples specifications/DieHard/DieHard.tla): 3- and 5-gallon jugs. */
export interface Jugs {
  readonly small: number;
  readonly big: number;
}

export function dieHard(options: { withNotSolved: boolean }): StateMachine<Jugs> {
  const step = (action: string, state: Jugs): Step<Jugs> => ({ action, params: {}, state });
  const notSolved: Invariant<Jugs> = { name: "NotSolved", quote: "big # 4", holds: (s) => s.big !== 4 };
  const typeOk: Invariant<Jugs> = {
    name: "TypeOK",
    quote: "small \\in 0..3 /\\ big \\in 0..5",
    holds: (s) => s.small >= 0 && s.small <= 3 && s.big >= 0 && s.big <= 5,
  };
  return {
    name: "DieHard",
    actions: ["FillSmallJug", "FillBigJug", "EmptySmallJug", "EmptyBigJug", "SmallToBig", "BigToSmall"],
    variables: ["big", "small"],
    invariants: options.withNotSolved ? [typeOk, notSolved] : [typeOk],
    *initialStates() {
      yield { small: 0, big: 0 };
    },
    *successors(s) {
      yield step("FillSmallJug", { small: 3, big: s.big });
      yield step("FillBigJug", { small: s.small, big: 5 });
      yield step("EmptySmallJug", { small: 0, big: s.big });
      yield step("EmptyBigJug", { small: s.small, big: 0 });
      const intoBig = Math.min(s.small, 5 - s.big);
      yield step("SmallToBig", { small: s.small - intoBig, big: s.big + intoBig });
      const intoSmall = Math.min(s.big, 3 - s.small);
      yield step("BigToSmall", { small: s.small + intoSmall, big: s.big - intoSmall });
    },
    encode: (s) => Uint8Array.of(s.small, s.big),
    decode: (bytes) => ({ small: bytes[0]!, big: bytes[1]! }),
    view: (s) => ({ big: s.big, small: s.small }),
  };
}

const RM_STATES = ["working", "prepared", "committed", "aborted"] as const;
type RmState = (typeof RM_STATES)[number];
const TM_STATES = ["init", "committed", "aborted"] as const;
type TmState = (typeof TM_STATES)[number];

function rmNames(count: number): string[] {
  return Array.from({ length: count }, (_, index) => `r${index + 1}`);
}

function rmRecord(names: readonly string[], states: readonly RmState[]): Record<string, TraceValue> {
  return Object.fromEntries(names.map((name, index) => [name, states[index]!]));
}

function withRm(states: readonly RmState[], rm: number, value: RmState): RmState[] {
  const next = [...states];
  next[rm] = value;
  return next;
}

/** TCommit (tlaplus/Examples specifications/transaction_commit/TCommit.tla). */
export function tCommit(rmCount: number): StateMachine<readonly RmState[]> {
  const names = rmNames(rmCount);
  const canCommit = (s: readonly RmState[]) => s.every((r) => r === "prepared" || r === "committed");
  const notCommitted = (s: readonly RmState[]) => s.every((r) => r !== "committed");
  return {
    name: "TCommit",
    actions: ["Prepare", "Decide"],
    variables: ["rmState"],
    invariants: [
      {
        name: "TCConsistent",
        quote: "\\A rm1, rm2 \\in RM : ~ /\\ rmState[rm1] = \"aborted\" /\\ rmState[rm2] = \"committed\"",
        holds: (s) => !(s.includes("aborted") && s.includes("committed")),
      },
    ],
    *initialStates() {
      yield names.map((): RmState => "working");
    },
    *successors(s) {
      for (let rm = 0; rm < rmCount; rm++) {
        const params = { rm: names[rm]! };
        if (s[rm] === "working") yield { action: "Prepare", params, state: withRm(s, rm, "prepared") };
        // Decide(rm) is a disjunction: TLC enumerates each enabled disjunct.
        if (s[rm] === "prepared" && canCommit(s)) yield { action: "Decide", params, state: withRm(s, rm, "committed") };
        if ((s[rm] === "working" || s[rm] === "prepared") && notCommitted(s)) {
          yield { action: "Decide", params, state: withRm(s, rm, "aborted") };
        }
      }
    },
    encode: (s) => Uint8Array.from(s.map((r) => RM_STATES.indexOf(r))),
    decode: (bytes) => Array.from(bytes, (b) => RM_STATES[b]!),
    view: (s) => ({ rmState: rmRecord(names, s) }),
  };
}

export interface TwoPhaseState {
  readonly rmState: readonly RmState[];
  readonly tmState: TmState;
  readonly tmPrepared: readonly boolean[];
  /** Prepared messages per RM, then Commit, then Abort. */
  readonly prepared: readonly boolean[];
  readonly commit: boolean;
  readonly abort: boolean;
}

/** TwoPhase (tlaplus/Examples specifications/transaction_commit/TwoPhase.tla). */
export function twoPhase(rmCount: number): StateMachine<TwoPhaseState> {
  const names = rmNames(rmCount);
  const set = (flags: readonly boolean[], index: number): boolean[] => flags.map((flag, i) => flag || i === index);
  return {
    name: "TwoPhase",
    actions: ["TMRcvPrepared", "TMCommit", "TMAbort", "RMPrepare", "RMChooseToAbort", "RMRcvCommitMsg", "RMRcvAbortMsg"],
    variables: ["msgs", "rmState", "tmPrepared", "tmState"],
    invariants: [
      {
        name: "TPTypeOK",
        quote: "tmState \\in {\"init\", \"committed\", \"aborted\"}",
        holds: (s) => TM_STATES.includes(s.tmState) && s.rmState.every((r) => RM_STATES.includes(r)),
      },
    ],
    *initialStates() {
      const none = names.map(() => false);
      yield { rmState: names.map((): RmState => "working"), tmState: "init", tmPrepared: none, prepared: none, commit: false, abort: false };
    },
    *successors(s) {
      if (s.tmState === "init" && s.tmPrepared.every(Boolean)) {
        yield { action: "TMCommit", params: {}, state: { ...s, tmState: "committed", commit: true } };
      }
      if (s.tmState === "init") yield { action: "TMAbort", params: {}, state: { ...s, tmState: "aborted", abort: true } };
      for (let rm = 0; rm < rmCount; rm++) {
        const params = { rm: names[rm]! };
        if (s.tmState === "init" && s.prepared[rm]) {
          yield { action: "TMRcvPrepared", params, state: { ...s, tmPrepared: set(s.tmPrepared, rm) } };
        }
        if (s.rmState[rm] === "working") {
          yield { action: "RMPrepare", params, state: { ...s, rmState: withRm(s.rmState, rm, "prepared"), prepared: set(s.prepared, rm) } };
          yield { action: "RMChooseToAbort", params, state: { ...s, rmState: withRm(s.rmState, rm, "aborted") } };
        }
        if (s.commit) yield { action: "RMRcvCommitMsg", params, state: { ...s, rmState: withRm(s.rmState, rm, "committed") } };
        if (s.abort) yield { action: "RMRcvAbortMsg", params, state: { ...s, rmState: withRm(s.rmState, rm, "aborted") } };
      }
    },
    encode: (s) =>
      Uint8Array.from([
        ...s.rmState.map((r) => RM_STATES.indexOf(r)),
        TM_STATES.indexOf(s.tmState),
        ...s.tmPrepared.map(Number),
        ...s.prepared.map(Number),
        Number(s.commit),
        Number(s.abort),
      ]),
    decode: (bytes) => ({
      rmState: Array.from(bytes.subarray(0, rmCount), (b) => RM_STATES[b]!),
      tmState: TM_STATES[bytes[rmCount]!]!,
      tmPrepared: Array.from(bytes.subarray(rmCount + 1, 2 * rmCount + 1), Boolean),
      prepared: Array.from(bytes.subarray(2 * rmCount + 1, 3 * rmCount + 1), Boolean),
      commit: bytes[3 * rmCount + 1] === 1,
      abort: bytes[3 * rmCount + 2] === 1,
    }),
    view: (s) => ({
      msgs: {
        "#set": [
          ...names.filter((_, rm) => s.prepared[rm]).map((rm) => ({ type: "Prepared", rm })),
          ...(s.commit ? [{ type: "Commit" }] : []),
          ...(s.abort ? [{ type: "Abort" }] : []),
        ],
      },
      rmState: rmRecord(names, s.rmState),
      tmPrepared: { "#set": names.filter((_, rm) => s.tmPrepared[rm]) },
      tmState: s.tmState,
    }),
  };
}

/** HourClock (tlaplus/Examples specifications/SpecifyingSystems/HourClock/HourClock.tla): HCini == hr \in 1..12. */
export function hourClock(): StateMachine<number> {
  return {
    name: "HourClock",
    actions: ["HCnxt"],
    variables: ["hr"],
    invariants: [{ name: "HCini", quote: "hr \\in (1 .. 12)", holds: (hr) => hr >= 1 && hr <= 12 }],
    *initialStates() {
      for (let hr = 1; hr <= 12; hr++) yield hr;
    },
    *successors(hr) {
      yield { action: "HCnxt", params: {}, state: hr !== 12 ? hr + 1 : 1 };
    },
    encode: (hr) => Uint8Array.of(hr),
    decode: (bytes) => bytes[0]!,
    view: (hr) => ({ hr }),
  };
}
