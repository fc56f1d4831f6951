/**
 * The paper's promises about progress, as temporal properties checked by
 * `check --liveness` under the fairness below (TLA+'s WF / SF). Safety (the
 * invariants) says nothing wrong happens; these say that the good thing
 * does happen: a faulted thread is not left suspended forever.
 *
 * Each property is parameterised by thread: `\A t \in Threads : P(t) ~> Q(t)`,
 * and a counterexample names the thread.
 */
import type { ActionParams } from "../model/machine.js";
import type { Fairness, TemporalProperty } from "../model/liveness/temporal.js";
import { type SpecContext, range } from "./context.js";
import { type Address, type SpecState, type ThreadId, rightsAllow } from "./state.js";
import { entryOf, pageOf, statusOf } from "./read.js";

/**
 * Who is assumed to make progress. The tasks' own choices (AssignManager,
 * ClearManager, Access) and the pagers' own memory management (Map, Unmap)
 * carry no fairness: a behaviour may never take them.
 */
export const SPEC_FAIRNESS: readonly Fairness[] = [
  {
    action: "Dispatch",
    kind: "weak",
    per: ["thread"],
    reason: "the kernel's zero level eventually handles every fault the CPU traps (WF per thread: a trapped fault stays dispatchable until dispatched)",
  },
  {
    action: ["Resolve", "Resume", "Refuse"],
    kind: "strong",
    per: ["pager", "thread"],
    reason:
      "a pager eventually answers a fault message it can answer again and again (SF per message: a pager also runs its own code and may itself fault between answers, so its answer is not continuously enabled)",
  },
  {
    action: "HandleException",
    kind: "weak",
    per: ["thread"],
    reason: "the ordinary exception handling, outside the design, eventually deals with a general-protection fault",
  },
];

const thread = (instance: ActionParams): ThreadId => instance["thread"] as ThreadId;
const isTrapped = (s: SpecState, t: ThreadId) => statusOf(s, t).tag === "trapped";
const isBlocked = (s: SpecState, t: ThreadId) => statusOf(s, t).tag === "blocked";
const runsOrStopped = (s: SpecState, t: ThreadId) => {
  const tag = statusOf(s, t).tag;
  return tag === "running" || tag === "stopped";
};

/** The user page an address names (formula (1)); none for a kernel-space address. */
const userPageOf = (address: Address): { region: number; page: number } | null =>
  address.space === "user" ? { region: address.region, page: address.page } : null;

/** The region of its task that a trapped or blocked thread waits on, if its fault is in the user part. */
function waitedRegion(ctx: SpecContext, s: SpecState, t: ThreadId): { task: number; region: number; page: number } | null {
  const st = statusOf(s, t);
  if (st.tag !== "trapped" && st.tag !== "blocked") return null;
  const target = userPageOf(st.address);
  return target === null ? null : { task: ctx.taskOf[t]!, ...target };
}

/** The pager the zero level must send t's trapped fault to: the region's accepted manager, page missing, t not the manager. */
function routedTo(ctx: SpecContext, s: SpecState, t: ThreadId): ThreadId | null {
  const st = statusOf(s, t);
  if (st.tag !== "trapped") return null;
  const where = waitedRegion(ctx, s, t);
  if (where === null) return null;
  const entry = entryOf(s, where.task, where.region);
  if (entry.manager === null || !entry.accepted || entry.manager === t) return null;
  const page = pageOf(s, where.task, where.region, where.page);
  if (page.present && rightsAllow(page.rights, st.access)) return null;
  return entry.manager;
}

export function temporalPropertiesFor(ctx: SpecContext): TemporalProperty<SpecState>[] {
  const instances = range(ctx.threadCount).map((t) => ({ thread: t }));
  return [
    /**
     * "Then similar to other exception handling it suspends the faulted
     * thread and sends page fault description message to the pager
     * identified." A pager that keeps answering is never starved of the
     * faults sent to it: a fault the zero level must route to a pager
     * reaches that pager's queue (or stops needing it).
     */
    {
      name: "PagersReceiveTheirFaults",
      quote:
        "Then similar to other exception handling it suspends the faulted thread and sends page fault description message to the pager identified.",
      formula: "\\A t \\in Threads : RoutedTo(t) = p ~> (t \\in pending[p] \\/ ~Trapped(t))",
      instances,
      premise: (s, i) => routedTo(ctx, s, thread(i)) !== null,
      response: (s, i) => !isTrapped(s, thread(i)),
    },
    /**
     * "Page fault triggered by the thread causes transition from the user
     * mode to kernel mode where kernel at the final step of its dispatching
     * identifies the pager thread assigned to the region of address space
     * which the faulted address belongs to." Every trapped fault is
     * eventually dispatched: sent to a pager, resumed, or turned into a
     * general-protection fault.
     */
    {
      name: "FaultsAreDispatched",
      quote:
        "Page fault triggered by the thread causes transition from the user mode to kernel mode where kernel at the final step of its dispatching identifies the pager thread assigned to the region of address space which the faulted address belongs to.",
      formula: "\\A t \\in Threads : Trapped(t) ~> ~Trapped(t)",
      instances,
      premise: (s, i) => isTrapped(s, thread(i)),
      response: (s, i) => !isTrapped(s, thread(i)),
    },
    /**
     * "After resolution of the page fault, pager notifies the kernel about
     * resolution results and by this resumes faulted thread." Every thread
     * blocked on a fault is eventually resumed, or stopped with a
     * general-protection fault (refused, or its pager revoked).
     */
    {
      name: "FaultedThreadsResume",
      quote: "After resolution of the page fault, pager notifies the kernel about resolution results and by this resumes faulted thread.",
      formula: "\\A t \\in Threads : Blocked(t) ~> (Running(t) \\/ Stopped(t))",
      instances,
      premise: (s, i) => isBlocked(s, thread(i)),
      response: (s, i) => runsOrStopped(s, thread(i)),
    },
    /**
     * "But from the other hand this feature introduces the second exceptional
     * case on which the page fault is generated on the region which isn't
     * accepted by the pager. This case is also considered by the kernel as a
     * general protection page fault." No thread stays suspended on a region
     * whose agreement was revoked (REVOKE_AGREEMENT) or whose manager was
     * reassigned or cleared (which withdraws the acceptance).
     */
    {
      name: "NoWaitOnWithdrawnAgreement",
      quote:
        "But from the other hand this feature introduces the second exceptional case on which the page fault is generated on the region which isn't accepted by the pager. This case is also considered by the kernel as a general protection page fault.",
      formula: "\\A t \\in Threads : WaitsOnUnacceptedRegion(t) ~> (Running(t) \\/ Stopped(t))",
      instances,
      premise: (s, i) => {
        const where = waitedRegion(ctx, s, thread(i));
        if (where === null) return false;
        const entry = entryOf(s, where.task, where.region);
        return entry.manager === null || !entry.accepted;
      },
      response: (s, i) => runsOrStopped(s, thread(i)),
    },
  ];
}

export const TEMPORAL_PROPERTY_NAMES = ["PagersReceiveTheirFaults", "FaultsAreDispatched", "FaultedThreadsResume", "NoWaitOnWithdrawnAgreement"] as const;
