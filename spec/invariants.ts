/**
 * The claims of the paper as named state predicates. Each doc comment (and
 * each `quote`) is the sentence the predicate encodes. Where a claim is about
 * history rather than the present state, the state carries a ghost field that
 * records it (Page.mapper: who mapped a present page; ThreadStatus.blocked.seen:
 * the page-table entry the zero level read when it sent the message).
 */
import type { Invariant } from "../model/machine.js";
import { userPageOf } from "./actions.js";
import { type SpecContext, range } from "./context.js";
import { type SpecState, type ThreadId, rightsAllow } from "./state.js";
import { entryOf } from "./update.js";

type Holds = (ctx: SpecContext, s: SpecState) => boolean;

/** Every (task, region, page) with its page-table entry. */
function* pagesOf(s: SpecState) {
  for (const [task, regions] of s.pageTable.entries())
    for (const [region, pages] of regions.entries())
      for (const [page, value] of pages.entries()) yield { task, region, page, value };
}

/** Every blocked thread with its fault. */
function* blockedThreads(s: SpecState) {
  for (const [thread, st] of s.threads.entries()) if (st.tag === "blocked") yield { thread, st };
}

/**
 * "The kernel takes special handling only for the pure page faults and
 * consider the another page faults as a general protection faults" together
 * with the two exceptional cases ("Faulted virtual address belongs to the
 * virtual address space region which has not pager assigned." / "... which has
 * pager assigned but the assigned pager didn't accept the servicing of that
 * region."): no fault message concerns a kernel-space address, a region with
 * no manager, or a region whose manager has not accepted.
 */
const generalProtectionClassification: Holds = (ctx, s) => {
  for (const { thread, st } of blockedThreads(s)) {
    if (st.address.space !== "user") return false;
    const entry = entryOf(s, ctx.taskOf[thread]!, st.address.region);
    if (entry.manager === null || !entry.accepted) return false;
  }
  return true;
};

/**
 * "To establish this relationships agreements of both sides must be received
 * by the kernel." A fault waits at pager p for region r of task t only if t
 * assigned p to r (p is r's current manager) and p accepted and has not
 * revoked.
 */
const twoSidedContract: Holds = (ctx, s) => {
  for (const { thread, st } of blockedThreads(s)) {
    const target = userPageOf(ctx, st.address);
    if (target === null) return false;
    const entry = entryOf(s, ctx.taskOf[thread]!, target.region);
    if (entry.manager !== st.pager || !entry.accepted) return false;
  }
  return true;
};

/**
 * "As a result, kernel can simply and safely return control back to the
 * thread B without its blocking/unblocking and additional pager involving."
 * No message was sent for a page that was present, with rights enough for the
 * access, when the zero level read its entry.
 */
const noNeedlessPagerInvocation: Holds = (_ctx, s) => {
  for (const { st } of blockedThreads(s)) if (st.seen.present && rightsAllow(st.seen.rights, st.access)) return false;
  return true;
};

/**
 * "By assigning the manager for the region thread provides to it trust of this
 * region management and is unable to control particular mappings and
 * unmapping operation." Every present page was mapped by its region's manager,
 * never by another thread of the task.
 */
const regionIsolation: Holds = (ctx, s) => {
  for (const { task, region, value } of pagesOf(s)) {
    if (!value.present) continue;
    const manager = entryOf(s, task, region).manager;
    if (value.mapper !== manager && ctx.taskOf[value.mapper] === task) return false;
  }
  return true;
};

/**
 * "Each user space region can be managed by independent manager." and "each
 * resource unit in the system must be managed by exactly one memory manager":
 * all present pages of a region were mapped by one manager, the region's
 * current one (decision D1 flushes a region when it changes hands).
 */
const oneManagerPerRegion: Holds = (_ctx, s) => {
  for (const { task, region, value } of pagesOf(s))
    if (value.present && value.mapper !== entryOf(s, task, region).manager) return false;
  return true;
};

/**
 * "When multiple memory managers can coexist in the system concurrently, each
 * of them must manage its own resources, and each resource unit in the system
 * must be managed by exactly one memory manager." Every present frame was
 * mapped by the pager that owns it.
 */
const oneManagerPerFrame: Holds = (ctx, s) => {
  for (const { value } of pagesOf(s)) if (value.present && ctx.frameOwner[value.frame] !== value.mapper) return false;
  return true;
};

/**
 * "Furthermore pager can revoke its agreement by removing last piece of memory
 * from the particular region with REVOKE_AGREEMENT flag specified in the
 * system call." Acceptance is withdrawn only with the last piece of memory: a
 * region holding a page mapped by its manager is accepted.
 */
const agreementHeldWhileMapped: Holds = (_ctx, s) => {
  for (const { task, region, value } of pagesOf(s)) {
    const entry = entryOf(s, task, region);
    if (value.present && value.mapper === entry.manager && !entry.accepted) return false;
  }
  return true;
};

/**
 * "Kernel notified pager that thread A triggered page fault on page N via
 * message and blocks thread A execution until pager will have page N
 * restored." No lost or duplicated wake-up: every blocked thread has exactly
 * one outstanding message, in the queue of the pager it waits for; every
 * queued message belongs to a thread blocked on that pager; and (decision D4)
 * no thread waits for itself.
 */
const noLostOrDuplicatedWakeups: Holds = (ctx, s) => {
  const queuedAt = new Map<ThreadId, ThreadId[]>();
  for (const pager of range(ctx.threadCount))
    for (const t of s.pending[pager]!) queuedAt.set(t, [...(queuedAt.get(t) ?? []), pager]);
  for (const [thread, st] of s.threads.entries()) {
    const queues = queuedAt.get(thread) ?? [];
    if (st.tag === "blocked") {
      if (queues.length !== 1 || queues[0] !== st.pager || st.pager === thread) return false;
    } else if (queues.length !== 0) return false;
  }
  return true;
};

const define = (name: string, quote: string, holds: Holds) => ({ name, quote, holds });

/** In checking order: the first that fails names the violation. */
export const SPEC_INVARIANTS = [
  define(
    "GeneralProtectionClassification",
    "The kernel takes special handling only for the pure page faults and consider the another page faults as a general protection faults which are an example of the generic exceptions that must be handled in the ordinary way.",
    generalProtectionClassification,
  ),
  define(
    "TwoSidedContract",
    "The relationships between memory provider task (pager) and memory user task are based on the contract. To establish this relationships agreements of both sides must be received by the kernel.",
    twoSidedContract,
  ),
  define(
    "NoNeedlessPagerInvocation",
    "As a result, kernel can simply and safely return control back to the thread B without its blocking/unblocking and additional pager involving.",
    noNeedlessPagerInvocation,
  ),
  define(
    "RegionIsolation",
    "By assigning the manager for the region thread provides to it trust of this region management and is unable to control particular mappings and unmapping operation.",
    regionIsolation,
  ),
  define(
    "OneManagerPerRegion",
    "User space region is a fundamental unit of virtual address space management granularity. Each user space region can be managed by independent manager.",
    oneManagerPerRegion,
  ),
  define(
    "OneManagerPerFrame",
    "When multiple memory managers can coexist in the system concurrently, each of them must manage its own resources, and each resource unit in the system must be managed by exactly one memory manager.",
    oneManagerPerFrame,
  ),
  define(
    "AgreementHeldWhileMapped",
    "Furthermore pager can revoke its agreement by removing last piece of memory from the particular region with REVOKE_AGREEMENT flag specified in the system call.",
    agreementHeldWhileMapped,
  ),
  define(
    "NoLostOrDuplicatedWakeups",
    "Kernel notified pager that thread A triggered page fault on page N via message and blocks thread A execution until pager will have page N restored.",
    noLostOrDuplicatedWakeups,
  ),
] as const;

export const INVARIANT_NAMES = SPEC_INVARIANTS.map((i) => i.name);

export function invariantsFor(ctx: SpecContext): Invariant<SpecState>[] {
  return SPEC_INVARIANTS.map((i) => ({ name: i.name, quote: i.quote, holds: (s: SpecState) => i.holds(ctx, s) }));
}
