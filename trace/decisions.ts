/**
 * A witness for each decision the spec takes where the paper is silent
 * (D1-D8 of spec/README.md) and for the order of the zero level's checks:
 * the shortest behaviour of the spec, on the configuration named, whose last
 * step is one where the decision acts. Written to tests/traces/ by `trace
 * corpus` as decision-<name>.itf.json, replayed by `trace replay` (exit 0
 * while the decision still acts at the last step) and by the tests.
 *
 * A witness is observed along the behaviour by a small automaton: most
 * decisions act in one step; D5 (two faults on one page each get their own
 * message, the second answered by Resume) needs two, and remembers the
 * second thread in between.
 */
import { check } from "../model/check.js";
import type { ActionParams, StateMachine, Step, TraceValue } from "../model/machine.js";
import type { Trace, TraceStep } from "../model/trace.js";
import { buildSpec, loadConfig, type SpecConfig, type SpecState, type ThreadId } from "../spec/index.js";

/** The automaton's memory between steps ("" at the start); DONE once the decision has acted. */
export const DONE = "done";

export interface DecisionWitness {
  /** The decision's name in spec/README.md ("D2"; "D4 (wait-cycle)" where one decision has two witnesses), or "zero-level order". */
  readonly decision: string;
  /** The trace's file name in the corpus, without .itf.json. */
  readonly file: string;
  /** What the decision says, in one sentence (the witness's quote). */
  readonly statement: string;
  /** The spec configuration searched (the smallest that shows it). */
  readonly config: string;
  /** The automaton: the memory after `step` from `pre`, or DONE when the decision acted in it. */
  readonly observe: (memory: string, pre: SpecState, step: Step<SpecState>, config: SpecConfig) => string;
}

const thread = (params: ActionParams): ThreadId => params["thread"] as ThreadId;
const userPage = (s: SpecState, t: ThreadId): string | null => {
  const st = s.threads[t]!;
  return (st.tag === "blocked" || st.tag === "trapped") && st.address.space === "user" ? `${st.address.region}/${st.address.page}` : null;
};
const blockedOnRegion = (s: SpecState, config: SpecConfig, task: number, region: number): ThreadId[] =>
  s.threads.flatMap((st, t) => (st.tag === "blocked" && config.threads[t]!.task === task && st.address.space === "user" && st.address.region === region ? [t] : []));

/** A decision that acts in a single step. */
const oneStep =
  (acted: (pre: SpecState, step: Step<SpecState>, config: SpecConfig) => boolean): DecisionWitness["observe"] =>
  (memory, pre, step, config) =>
    acted(pre, step, config) ? DONE : memory;

/** Does the region's manager `pager`, following threads each blocked on the next, wait for `t`? */
function waitsFor(s: SpecState, pager: ThreadId, t: ThreadId): boolean {
  let current = pager;
  for (let hops = 0; hops < s.threads.length; hops++) {
    const st = s.threads[current]!;
    if (st.tag !== "blocked") return false;
    if (st.pager === t) return true;
    current = st.pager;
  }
  return false;
}

export const DECISION_WITNESSES: readonly DecisionWitness[] = [
  {
    decision: "D1",
    file: "decision-d1-reassign-flushes-region",
    statement: "Reassigning (or clearing) a region flushes it: its pages become not present with marker 0 and a thread blocked there on the old manager loses its message and runs again.",
    config: "default",
    observe: oneStep((pre, step, config) => {
      if (step.action !== "AssignManager" && step.action !== "ClearManager") return false;
      const task = config.threads[thread(step.params)]!.task;
      return blockedOnRegion(pre, config, task, step.params["region"] as number).some((t) => step.state.threads[t]!.tag === "running");
    }),
  },
  {
    decision: "D2",
    file: "decision-d2-revoke-with-blocked-threads",
    statement: "Revoking (Unmap of the last present page with REVOKE_AGREEMENT) turns the faults waiting at the revoking pager in that region into general-protection faults.",
    config: "default",
    observe: oneStep(
      (pre, step) =>
        step.action === "Unmap" &&
        step.state.threads.some((st, t) => st.tag === "stopped" && st.reason === "revoked" && pre.threads[t]!.tag === "blocked"),
    ),
  },
  {
    decision: "D3",
    file: "decision-d3-write-fault-on-read-only-page",
    statement: "A write fault on a present read-only page is a pure page fault: it goes to the region's manager, whose message shows the page present.",
    config: "default",
    observe: oneStep((_pre, step) => {
      if (step.action !== "Dispatch" || step.params["outcome"] !== "delivered") return false;
      const st = step.state.threads[thread(step.params)]!;
      return st.tag === "blocked" && st.seen.present;
    }),
  },
  {
    decision: "D4 (self-managed)",
    file: "decision-d4-pager-faults-in-own-region",
    statement: "A pager faulting on a region it manages itself gets a general-protection fault (self-managed): it would wait for its own reply.",
    config: "default",
    observe: oneStep((_pre, step) => step.action === "Dispatch" && step.params["reason"] === "self-managed"),
  },
  {
    decision: "D4 (wait-cycle)",
    file: "decision-d4-wait-cycle",
    statement: "A fault whose delivery would close a cycle of pagers each blocked on the next gets a general-protection fault (wait-cycle).",
    config: "two-pagers",
    observe: oneStep((_pre, step) => step.action === "Dispatch" && step.params["reason"] === "wait-cycle"),
  },
  {
    decision: "D5",
    file: "decision-d5-two-faults-on-one-page",
    statement:
      "Two faults on the same page each get their own message: the manager resolves one by mapping, and the other thread, still waiting with its own message, is answered by Resume.",
    config: "default",
    observe: (memory, _pre, step) => {
      if (memory === "" && step.action === "Resolve") {
        const resolved = thread(step.params);
        const page = userPage(_pre, resolved);
        const other = step.state.threads.findIndex((st, t) => t !== resolved && st.tag === "blocked" && userPage(step.state, t) === page);
        return other < 0 ? memory : String(other);
      }
      if (memory !== "" && step.action === "Resume" && String(thread(step.params)) === memory) return DONE;
      return memory;
    },
  },
  {
    decision: "D6",
    file: "decision-d6-unmap-accepts",
    statement:
      "An Unmap without REVOKE_AGREEMENT is a memory management action, so it accepts: on a page that is not present it writes the pager's marker and takes the region on without committing a frame.",
    config: "default",
    observe: oneStep((pre, step) => {
      if (step.action !== "Unmap" || step.params["revoke"] !== false) return false;
      const task = step.params["task"] as number;
      const region = step.params["region"] as number;
      const page = pre.pageTable[task]![region]![step.params["page"] as number]!;
      return !page.present && !pre.regionTable[task]![region]!.accepted && step.state.regionTable[task]![region]!.accepted;
    }),
  },
  {
    decision: "D7",
    file: "decision-d7-general-protection-handled-outside",
    statement: "A general-protection fault stops the thread; the ordinary exception handling, outside the design, lets it run again (HandleException).",
    config: "default",
    observe: oneStep((_pre, step) => step.action === "HandleException"),
  },
  {
    decision: "D8",
    file: "decision-d8-marker-reaches-pager",
    statement: "Only Unmap writes the marker (the pager chooses it) and the zero level copies it into the fault message: a later fault on that page brings the marker to the manager.",
    config: "default",
    observe: oneStep((_pre, step) => {
      if (step.action !== "Dispatch" || step.params["outcome"] !== "delivered") return false;
      const st = step.state.threads[thread(step.params)]!;
      return st.tag === "blocked" && !st.seen.present && st.seen.marker > 0;
    }),
  },
  {
    decision: "zero-level order",
    file: "decision-zero-level-present-recheck-first",
    statement:
      "The zero level re-checks PAGE_PRESENT before the self-managed and wait-cycle checks: a page restored in the meantime resumes the thread even where delivering its fault would have closed a cycle.",
    config: "two-pagers",
    observe: oneStep((pre, step, config) => {
      if (step.action !== "Dispatch" || step.params["outcome"] !== "resumed") return false;
      const t = thread(step.params);
      const st = pre.threads[t]!;
      if (st.tag !== "trapped" || st.address.space !== "user") return false;
      const manager = pre.regionTable[config.threads[t]!.task]![st.address.region]!.manager;
      return manager !== null && (manager === t || waitsFor(pre, manager, t));
    }),
  },
];

export function decisionWitnessNamed(decision: string): DecisionWitness | undefined {
  return DECISION_WITNESSES.find((w) => w.decision === decision);
}

interface Observed {
  readonly state: SpecState;
  readonly memory: string;
}

const textEncoder = new TextEncoder();
const textDecoder = new TextDecoder();

/** The spec with the witness's automaton beside it; the "invariant" fails exactly when the decision has acted. */
function observedSpec(spec: StateMachine<SpecState>, witness: DecisionWitness, config: SpecConfig): StateMachine<Observed> {
  return {
    name: spec.name,
    actions: spec.actions,
    variables: spec.variables,
    invariants: [{ name: witness.decision, quote: witness.statement, holds: (s) => s.memory !== DONE }],
    initialStates: () => [...spec.initialStates()].map((state) => ({ state, memory: "" })),
    *successors(s) {
      if (s.memory === DONE) return;
      for (const step of spec.successors(s.state)) {
        yield { action: step.action, params: step.params, state: { state: step.state, memory: witness.observe(s.memory, s.state, step, config) } };
      }
    },
    encode: (s) => {
      const state = spec.encode(s.state);
      const memory = textEncoder.encode(s.memory);
      const out = new Uint8Array(4 + state.length + memory.length);
      new DataView(out.buffer).setUint32(0, state.length, true);
      out.set(state, 4);
      out.set(memory, 4 + state.length);
      return out;
    },
    decode: (bytes) => {
      const length = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(0, true);
      return { state: spec.decode(bytes.subarray(4, 4 + length)), memory: textDecoder.decode(bytes.subarray(4 + length)) };
    },
    view: (s) => spec.view(s.state),
  };
}

/** The shortest behaviour of the spec whose last step is one where the decision acts, as a trace. */
export function findWitness(witness: DecisionWitness, toolVersion: string): Trace {
  const { name, config } = loadConfig(witness.config);
  const spec = buildSpec(config);
  const result = check(observedSpec(spec, witness, config), { checkDeadlock: false });
  if (result.trace === undefined) throw new Error(`decision ${witness.decision}: no behaviour of ${name} shows it (${witness.file})`);
  return {
    kind: "spec",
    machine: spec.name,
    config: name,
    configValue: config as unknown as TraceValue,
    mutant: null,
    violation: { kind: "witness", name: witness.decision, quote: witness.statement },
    command: ["trace", "corpus"],
    toolVersion,
    vars: spec.variables,
    steps: result.trace,
  };
}

/**
 * Does the decision act at the last step of `states` (the behaviour the
 * trace's labels lead to), and not before? Null when it does; otherwise why not.
 */
export function witnessShows(witness: DecisionWitness, config: SpecConfig, states: readonly SpecState[], steps: readonly TraceStep[]): string | null {
  let memory = "";
  for (let i = 1; i < states.length; i++) {
    const step: Step<SpecState> = { action: steps[i]!.action, params: steps[i]!.params, state: states[i]! };
    memory = witness.observe(memory, states[i - 1]!, step, config);
    if (memory === DONE) return i === states.length - 1 ? null : `the decision acts already at step ${i}`;
  }
  return "the decision does not act at the last step";
}
