/**
 * Replaying a counterexample to induction (`prove`'s CTI files): the trace
 * starts not from the initial state but from any state of IndInv, so its
 * first state is taken as recorded, after checking that it is one: every
 * invariant and lemma holds there (the interpreter decides) and TypeOK does
 * (the SMT encoding's own definition of it, evaluated: model/lang/smt-eval.ts).
 * Then the steps are followed as in every replay, and the verdict is whether
 * the property the CTI breaks (an invariant, a lemma or TypeOK) is still
 * broken at the end: reproduces (exit 12), fixed (0), or no longer applies
 * (20: the first state is not in IndInv, or a step is not enabled).
 */
import { InputError } from "../model/input-error.js";
import type { ObjectState } from "../model/lang/interpret.js";
import type { LanguageMachine } from "../model/lang/machine.js";
import { SmtEncoding, TYPE_OK } from "../model/lang/smt.js";
import { SmtEvaluator, stateArguments } from "../model/lang/smt-eval.js";
import type { StateMachine, TraceValue } from "../model/machine.js";
import { canonicalJson, type Trace } from "../model/trace.js";
import { makeContext, type SpecContext } from "../spec/context.js";
import { SPEC_MACHINE_NAME, validateConfig, type SpecState } from "../spec/index.js";
import { LEMMAS } from "../spec/lemmas.js";
import type { Address, Page, PteSnapshot, RegionEntry, ThreadStatus } from "../spec/state.js";
import { view } from "../spec/view.js";
import { replaySafety, type ReplayVerdict } from "./replay.js";

type Rec = Readonly<Record<string, TraceValue>>;
const rec = (v: TraceValue | undefined): Rec => {
  if (v === null || typeof v !== "object" || Array.isArray(v)) throw new Error(`expected a record, got ${JSON.stringify(v)}`);
  return v as Rec;
};
const list = (v: TraceValue | undefined): readonly TraceValue[] => {
  if (!Array.isArray(v)) throw new Error(`expected a list, got ${JSON.stringify(v)}`);
  return v;
};

const addressOf = (v: TraceValue | undefined): Address => {
  const a = rec(v);
  return a["space"] === "user" ? { space: "user", region: a["region"] as number, page: a["page"] as number } : { space: "kernel", index: a["index"] as number };
};

const pageOf = (v: TraceValue | undefined): Page => {
  const p = rec(v);
  return p["present"] === true
    ? { present: true, frame: p["frame"] as number, rights: p["rights"] as "ro" | "rw", mapper: p["mapper"] as number }
    : { present: false, marker: p["marker"] as number };
};

const seenOf = (v: TraceValue | undefined): PteSnapshot => {
  const p = rec(v);
  return p["present"] === true ? { present: true, rights: p["rights"] as "ro" | "rw" } : { present: false, marker: p["marker"] as number };
};

const statusOf = (v: TraceValue | undefined): ThreadStatus => {
  const st = rec(v);
  switch (st["status"]) {
    case "running":
      return { tag: "running" };
    case "trapped":
      return { tag: "trapped", address: addressOf(st["address"]), access: st["access"] as "read" | "write" };
    case "blocked":
      return { tag: "blocked", address: addressOf(st["address"]), access: st["access"] as "read" | "write", pager: st["pager"] as number, seen: seenOf(st["seen"]) };
    case "stopped":
      return { tag: "stopped", reason: st["reason"] as never };
    default:
      throw new Error(`unknown thread status ${JSON.stringify(st["status"])}`);
  }
};

/** The spec state a recorded view stands for (spec/view.ts read backwards); the caller checks the round trip. */
function stateOfView(ctx: SpecContext, recorded: Rec): SpecState {
  const pending: number[][] = Array.from({ length: ctx.threadCount }, () => []);
  for (const entry of list(rec(recorded["pending"])["#map"])) {
    const [pager, set] = list(entry);
    pending[pager as number] = [...list(rec(set)["#set"])] as number[];
  }
  return {
    regionTable: list(recorded["regionTable"]).map((regions) =>
      list(regions).map((e): RegionEntry => {
        const entry = rec(e);
        return { manager: entry["assigned"] === true ? (entry["manager"] as number) : null, accepted: entry["accepted"] === true };
      }),
    ),
    pageTable: list(recorded["pageTable"]).map((regions) => list(regions).map((pages) => list(pages).map(pageOf))),
    threads: list(recorded["threads"]).map(statusOf),
    pending,
  };
}

/**
 * The CTI's first state as a state of the trace's configuration: read back
 * from its view, and checked to be exactly that view again after a trip
 * through the canonical bytes (every value in its range).
 */
function firstState(machine: LanguageMachine<SpecState>, trace: Trace, source: string): SpecState {
  const ctx = makeContext(validateConfig(trace.configValue, "configuration"));
  const recorded = trace.steps[0]!.state;
  const bad = (why: string) => new InputError(`${source}: states[0]: not a state of the trace's configuration: ${why}`);
  let state: SpecState;
  try {
    state = machine.decode(machine.encode(stateOfView(ctx, recorded)));
  } catch (error) {
    throw bad(error instanceof Error ? error.message : String(error));
  }
  if (canonicalJson(view(ctx, state)) !== canonicalJson(recorded)) throw bad("a value is out of its range or of the wrong shape");
  return state;
}

/** The conjuncts of IndInv, each with its verdict on a state in object form. */
function indInvChecks(machine: LanguageMachine<SpecState>): { name: string; holds: (s: SpecState) => boolean }[] {
  const enc = new SmtEncoding(machine.spec, { sizes: machine.instance.sizes, instance: machine.instance });
  const ev = new SmtEvaluator(enc.text);
  return [
    { name: TYPE_OK, holds: (s) => ev.call(TYPE_OK, stateArguments(enc, ev, s as unknown as ObjectState)) === true },
    ...machine.invariants,
    ...LEMMAS.map((l) => ({ name: l.name, holds: (s: SpecState) => machine.interpreter.holds(l, s as unknown as ObjectState) })),
  ];
}

/** Replays a counterexample to induction of the spec (see the head of this file). */
export function replayInduction(machine: StateMachine<unknown>, trace: Trace, source: string): ReplayVerdict {
  if (trace.machine !== SPEC_MACHINE_NAME) throw new InputError(`${source}: states[0].#meta.action: only a trace of ${SPEC_MACHINE_NAME} may start from IndInv`);
  const spec = machine as unknown as LanguageMachine<SpecState>;
  const start = firstState(spec, trace, source);
  const checks = indInvChecks(spec);
  const failing = checks.filter((c) => !c.holds(start)).map((c) => c.name);
  if (failing.length > 0) return { kind: "does-not-apply", step: 0, reason: `the first state is not a state of IndInv: ${failing.join(", ")} fails there` };
  // From the recorded state, with every conjunct of IndInv as a property the last state may break.
  const fromIndInv: StateMachine<SpecState> = { ...spec, initialStates: () => [start], invariants: checks.map((c) => ({ name: c.name, quote: "", holds: c.holds })) };
  return replaySafety(fromIndInv, trace.steps, trace.violation);
}
