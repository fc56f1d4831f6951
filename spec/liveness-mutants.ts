/**
 * Seeded design bugs that break only liveness: every invariant still holds
 * in every reachable state (nothing wrong is ever visible in a state), but
 * some faulted thread can be left suspended forever. Each is caught by
 * `check --liveness` with a lasso on its configuration and exits 13.
 *
 * They are written as changes to the next-state relation of the unmodified
 * design (a filter or rewrite of its steps), so the design's actions stay
 * exactly as the spec states them.
 */
import { match } from "ts-pattern";
import { InputError } from "../model/input-error.js";
import type { StateMachine, Step } from "../model/machine.js";
import type { SpecContext } from "./context.js";
import type { SpecState, ThreadId } from "./state.js";
import { entryOf, pageOf, statusOf } from "./update.js";

export type LivenessMutantName = "hold-unaccepted-faults" | "drop-second-fault-message" | "pager-code-in-managed-region";

export interface LivenessMutant {
  readonly name: LivenessMutantName;
  readonly description: string;
  /** The temporal property expected to catch it, and a configuration on which it does. */
  readonly caughtBy: string;
  readonly config: string;
}

export const livenessMutants: ReadonlyArray<LivenessMutant> = [
  {
    name: "hold-unaccepted-faults",
    description:
      "Dispatch holds a fault on a region whose manager has not accepted (or revoked with REVOKE_AGREEMENT) until the manager accepts, instead of raising a general-protection fault: a pager that revoked leaves the thread suspended forever",
    caughtBy: "PagersReceiveTheirFaults",
    config: "tiny",
  },
  {
    name: "drop-second-fault-message",
    description:
      "Dispatch drops a fault message when the pager already has one waiting (a one-slot mailbox) and leaves the faulted thread suspended in the trap",
    caughtBy: "PagersReceiveTheirFaults",
    config: "default",
  },
  {
    name: "pager-code-in-managed-region",
    description:
      "A pager's own code lives in page 0 of region 0 of its task; once the pager manages that region and the page is not present, the pager can only fault on its code (the situation that forces L4Re's region mapper into unswappable memory)",
    caughtBy: "FaultedThreadsResume",
    config: "two-pagers",
  },
];

export function livenessMutantNamed(name: string | undefined): LivenessMutantName | null {
  return livenessMutants.find((m) => m.name === name)?.name ?? null;
}

/** Throws InputError naming the known liveness mutants. */
export function requireLivenessMutant(name: string): LivenessMutantName {
  const found = livenessMutantNamed(name);
  if (found === null) {
    throw new InputError(`unknown liveness mutant "${name}" (known: ${livenessMutants.map((m) => m.name).join(", ")})`, "usage");
  }
  return found;
}

type StepRule = (s: SpecState, step: Step<SpecState>) => Step<SpecState> | null;

/**
 * The region's manager is running and could still accept: instead of the
 * general-protection fault of exceptional case 2, the zero level waits for it.
 */
function holdUnacceptedFaults(ctx: SpecContext): StepRule {
  return (s, step) => {
    if (step.action !== "Dispatch" || step.params["reason"] !== "not-accepted") return step;
    const st = statusOf(s, step.params["thread"] as ThreadId);
    if (st.tag !== "trapped" || st.address.space !== "user") return step;
    const manager = entryOf(s, ctx.taskOf[step.params["thread"] as ThreadId]!, st.address.region).manager;
    return manager !== null && statusOf(s, manager).tag === "running" ? null : step;
  };
}

/** A delivery to a pager whose queue is not empty loses the message; the thread stays trapped. */
function dropSecondFaultMessage(): StepRule {
  return (s, step) => {
    if (step.action !== "Dispatch" || step.params["outcome"] !== "delivered") return step;
    const pager = step.params["pager"] as ThreadId;
    if (s.pending[pager]!.length === 0) return step;
    return { action: "Dispatch", params: { ...step.params, outcome: "dropped" }, state: s };
  };
}

/** The thread a step is the work of, when it is a thread's own code running (not the kernel's). */
function actorOf(step: Step<SpecState>): ThreadId | null {
  const p = step.params;
  switch (step.action) {
    case "Map":
    case "Unmap":
      return p["manager"] as ThreadId;
    case "Resolve":
    case "Resume":
    case "Refuse":
      return p["pager"] as ThreadId;
    case "AssignManager":
    case "ClearManager":
    case "Access":
      return p["thread"] as ThreadId;
    default:
      return null;
  }
}

const CODE_REGION = 0;
const CODE_PAGE = 0;

/** While a pager manages its own code region and its code page is not present, all it can do is fault on that page. */
function pagerCodeInManagedRegion(ctx: SpecContext): StepRule {
  return (s, step) => {
    const actor = actorOf(step);
    if (actor === null || !ctx.isPager[actor]) return step;
    const task = ctx.taskOf[actor]!;
    if (entryOf(s, task, CODE_REGION).manager !== actor || pageOf(s, task, CODE_REGION, CODE_PAGE).present) return step;
    const p = step.params;
    const fetchesCode = step.action === "Access" && p["space"] === "user" && p["region"] === CODE_REGION && p["page"] === CODE_PAGE;
    return fetchesCode ? step : null;
  };
}

/**
 * The machine with the mutant's rule applied to every step of the unmodified
 * design. The design's fast paths (expand, brokenInvariant) and its symmetry
 * reduction are dropped: they know nothing of the rule.
 */
export function applyLivenessMutant(ctx: SpecContext, machine: StateMachine<SpecState>, mutant: LivenessMutantName): StateMachine<SpecState> {
  const rule = match<LivenessMutantName, StepRule>(mutant)
    .with("hold-unaccepted-faults", () => holdUnacceptedFaults(ctx))
    .with("drop-second-fault-message", () => dropSecondFaultMessage())
    .with("pager-code-in-managed-region", () => pagerCodeInManagedRegion(ctx))
    .exhaustive();
  const { expand: _expand, brokenInvariant: _brokenInvariant, canonicalize: _canonicalize, ...design } = machine;
  return {
    ...design,
    *successors(s: SpecState) {
      for (const step of machine.successors(s)) {
        const kept = rule(s, step);
        if (kept !== null) yield kept;
      }
    },
  };
}
