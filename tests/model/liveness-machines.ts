/**
 * Small machines whose liveness answers are known by hand, for testing the
 * liveness engine: a counter that may stop, a lock that starves a waiter
 * under weak but not strong fairness, and Peterson's algorithm (starvation
 * free when both processes are weakly fair).
 */
import type { StateMachine, Step } from "../../model/machine.js";
import type { LiveMachine } from "../../model/liveness/check.js";
import type { Fairness, TemporalProperty } from "../../model/liveness/temporal.js";

/** x counts 0, 1, 2 and then stays at 2 (Done). Property: eventually x = 2. */
export function counter(fairness: readonly Fairness[]): LiveMachine<number> {
  const reachesTwo: TemporalProperty<number> = {
    name: "EventuallyTwo",
    quote: "x eventually reaches 2",
    formula: "TRUE ~> x = 2",
    premise: () => true,
    response: (x) => x === 2,
  };
  return {
    name: "Counter",
    actions: ["Inc", "Done"],
    variables: ["x"],
    invariants: [],
    *initialStates() {
      yield 0;
    },
    *successors(x): Iterable<Step<number>> {
      if (x < 2) yield { action: "Inc", params: {}, state: x + 1 };
      else yield { action: "Done", params: {}, state: x };
    },
    encode: (x) => Uint8Array.of(x),
    decode: (bytes) => bytes[0]!,
    view: (x) => ({ x }),
    fairness,
    temporalProperties: [reachesTwo],
  };
}

type Pc = "idle" | "waiting" | "cs";
const PCS: readonly Pc[] = ["idle", "waiting", "cs"];
export interface LockState {
  readonly pc: readonly Pc[];
}

/**
 * Two processes and one lock: Try (an unfair choice), Enter when the lock is
 * free, Exit. The lock keeps no queue, so a waiter can lose every race.
 */
export function lock(fairness: readonly Fairness[]): LiveMachine<LockState> {
  const procs = [0, 1];
  const set = (s: LockState, p: number, value: Pc): LockState => ({ pc: s.pc.map((old, q) => (q === p ? value : old)) });
  const entersEventually: TemporalProperty<LockState> = {
    name: "WaiterEnters",
    quote: "a waiting process eventually enters its critical section",
    formula: "\\A p : pc[p] = \"waiting\" ~> pc[p] = \"cs\"",
    instances: procs.map((p) => ({ p })),
    premise: (s, { p }) => s.pc[p as number] === "waiting",
    response: (s, { p }) => s.pc[p as number] === "cs",
  };
  return {
    name: "Lock",
    actions: ["Try", "Enter", "Exit"],
    variables: ["pc"],
    invariants: [{ name: "Mutex", quote: "at most one process in cs", holds: (s) => s.pc.filter((pc) => pc === "cs").length <= 1 }],
    *initialStates() {
      yield { pc: ["idle", "idle"] };
    },
    *successors(s): Iterable<Step<LockState>> {
      const free = !s.pc.includes("cs");
      for (const p of procs) {
        if (s.pc[p] === "idle") yield { action: "Try", params: { p }, state: set(s, p, "waiting") };
        if (s.pc[p] === "waiting" && free) yield { action: "Enter", params: { p }, state: set(s, p, "cs") };
        if (s.pc[p] === "cs") yield { action: "Exit", params: { p }, state: set(s, p, "idle") };
      }
    },
    encode: (s) => Uint8Array.from(s.pc.map((pc) => PCS.indexOf(pc))),
    decode: (bytes) => ({ pc: Array.from(bytes, (b) => PCS[b]!) }),
    view: (s) => ({ pc: [...s.pc] }),
    fairness,
    temporalProperties: [entersEventually],
  };
}

const PETERSON_PCS = ["ncs", "a1", "a2", "a3", "cs", "a4"] as const;
type PetersonPc = (typeof PETERSON_PCS)[number];
export interface PetersonState {
  readonly pc: readonly PetersonPc[];
  readonly flag: readonly boolean[];
  readonly turn: number;
}

/** Peterson's algorithm (as in the PlusCal version of tlaplus/Examples), one action per label. */
export function peterson(fairness: readonly Fairness[]): LiveMachine<PetersonState> {
  const procs = [0, 1];
  const withPc = (s: PetersonState, p: number, pc: PetersonPc, extra: Partial<PetersonState> = {}): PetersonState => ({
    ...s,
    ...extra,
    pc: s.pc.map((old, q) => (q === p ? pc : old)),
  });
  const withFlag = (s: PetersonState, p: number, value: boolean): readonly boolean[] => s.flag.map((old, q) => (q === p ? value : old));
  const starvationFree: TemporalProperty<PetersonState> = {
    name: "StarvationFree",
    quote: "a process that wants to enter eventually does",
    formula: "\\A p : pc[p] = \"a1\" ~> pc[p] = \"cs\"",
    instances: procs.map((p) => ({ p })),
    premise: (s, { p }) => s.pc[p as number] === "a1",
    response: (s, { p }) => s.pc[p as number] === "cs",
  };
  const machine: StateMachine<PetersonState> = {
    name: "Peterson",
    actions: ["Want", "SetFlag", "SetTurn", "Enter", "Leave", "ClearFlag"],
    variables: ["flag", "pc", "turn"],
    invariants: [{ name: "Mutex", quote: "not both in cs", holds: (s) => !(s.pc[0] === "cs" && s.pc[1] === "cs") }],
    *initialStates() {
      yield { pc: ["ncs", "ncs"], flag: [false, false], turn: 0 };
    },
    *successors(s) {
      for (const p of procs) {
        const other = 1 - p;
        const params = { p };
        switch (s.pc[p]) {
          case "ncs":
            yield { action: "Want", params, state: withPc(s, p, "a1") };
            break;
          case "a1":
            yield { action: "SetFlag", params, state: withPc(s, p, "a2", { flag: withFlag(s, p, true) }) };
            break;
          case "a2":
            yield { action: "SetTurn", params, state: withPc(s, p, "a3", { turn: other }) };
            break;
          case "a3":
            if (!s.flag[other] || s.turn === p) yield { action: "Enter", params, state: withPc(s, p, "cs") };
            break;
          case "cs":
            yield { action: "Leave", params, state: withPc(s, p, "a4") };
            break;
          case "a4":
            yield { action: "ClearFlag", params, state: withPc(s, p, "ncs", { flag: withFlag(s, p, false) }) };
            break;
        }
      }
    },
    encode: (s) => Uint8Array.from([...s.pc.map((pc) => PETERSON_PCS.indexOf(pc)), ...s.flag.map(Number), s.turn]),
    decode: (b) => ({ pc: [PETERSON_PCS[b[0]!]!, PETERSON_PCS[b[1]!]!], flag: [b[2] === 1, b[3] === 1], turn: b[4]! }),
    view: (s) => ({ flag: [...s.flag], pc: [...s.pc], turn: s.turn }),
  };
  return { ...machine, fairness, temporalProperties: [starvationFree] };
}

/** Weak fairness per process for each listed action. */
export function weakPerProcess(actions: readonly string[], per = "p"): Fairness[] {
  return actions.map((action) => ({ action, kind: "weak", per: [per] }));
}
