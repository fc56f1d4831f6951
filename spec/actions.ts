/**
 * The actions of the design, one function per paper-level event. Each takes
 * the action's parameters, checks its guard first (returning null when the
 * action is disabled) and then builds the successor state. Every function is
 * deterministic: (action, params) names one transition from a state.
 */
import { match } from "ts-pattern";
import { type SpecContext, range } from "./context.js";
import {
  type AccessKind,
  type Address,
  type FrameId,
  type Page,
  type PteSnapshot,
  type Rights,
  RUNNING,
  type SpecState,
  type StopReason,
  type TaskId,
  type ThreadId,
  rightsAllow,
} from "./state.js";
import {
  entryOf,
  pageOf,
  statusOf,
  withEntry,
  withMessage,
  withoutMessage,
  withPage,
  withRegionPages,
  withThread,
} from "./update.js";

const isRunning = (s: SpecState, thread: ThreadId): boolean => statusOf(s, thread).tag === "running";

const NOT_PRESENT_ZERO: Page = { present: false, marker: 0 };

/** The user page an address names; a kernel-space address names none (except through the aliasing mutant). */
export function userPageOf(ctx: SpecContext, address: Address): { region: number; page: number } | null {
  if (address.space === "user") return { region: address.region, page: address.page };
  if (ctx.mutant !== "kernel-fault-to-pager") return null;
  // Formula (1) without its bounds check: RID = (A_v - B_us) / RS wraps a kernel address onto a region.
  return { region: address.index % ctx.config.regionsPerTask, page: address.index % ctx.config.pagesPerRegion };
}

/** Threads whose fault on (task, region) waits at some pager. */
function blockedOn(ctx: SpecContext, s: SpecState, task: TaskId, region: number): ThreadId[] {
  return range(ctx.threadCount).filter((t) => {
    const st = statusOf(s, t);
    if (st.tag !== "blocked" || ctx.taskOf[t] !== task) return false;
    return userPageOf(ctx, st.address)?.region === region;
  });
}

/**
 * Decision D1: assigning (or clearing) the manager of a region flushes it.
 * Every page of the region becomes not present (marker 0), acceptance is
 * reset, and threads blocked on the old manager for this region lose their
 * fault message and run again, so they retry the access and fault to the new
 * manager: the old manager's memory and queue never leak to the new one.
 */
function reassign(ctx: SpecContext, s: SpecState, task: TaskId, region: number, manager: ThreadId | null): SpecState {
  let next = withRegionPages(s, task, region, range(ctx.config.pagesPerRegion).map(() => NOT_PRESENT_ZERO));
  for (const t of blockedOn(ctx, s, task, region)) {
    const st = statusOf(s, t);
    if (st.tag === "blocked") next = withThread(withoutMessage(next, st.pager, t), t, RUNNING);
  }
  return withEntry(next, task, region, { manager, accepted: false });
}

// --- AssignManager / ClearManager ------------------------------------------------

export interface AssignParams {
  readonly thread: ThreadId;
  readonly region: number;
  readonly manager: ThreadId;
}

/**
 * "Memory user task provides this agreement by explicitly assigning the
 * specified pager task to a particular virtual address space region."
 * A running thread of the task names a pager thread as the region's manager.
 */
export function assignManager(ctx: SpecContext, s: SpecState, p: AssignParams): SpecState | null {
  const task = ctx.taskOf[p.thread]!;
  if (!isRunning(s, p.thread) || !ctx.isPager[p.manager]) return null;
  if (entryOf(s, task, p.region).manager === p.manager) return null;
  return reassign(ctx, s, task, p.region, p.manager);
}

export interface ClearParams {
  readonly thread: ThreadId;
  readonly region: number;
}

/**
 * "Threads running the context of virtual address space are responsible only
 * for assigning region managers for each particular region of its virtual
 * address space." Clearing leaves the region with no pager assigned.
 */
export function clearManager(ctx: SpecContext, s: SpecState, p: ClearParams): SpecState | null {
  const task = ctx.taskOf[p.thread]!;
  if (!isRunning(s, p.thread)) return null;
  if (entryOf(s, task, p.region).manager === null) return null;
  return reassign(ctx, s, task, p.region, null);
}

// --- Map / Unmap -------------------------------------------------------------------

export interface MapParams {
  readonly manager: ThreadId;
  readonly task: TaskId;
  readonly region: number;
  readonly page: number;
  readonly frame: FrameId;
  readonly rights: Rights;
}

/** May `actor` map or unmap in (task, region)? Only its manager ("Region manager have rights to map and unmap"). */
function mayManage(ctx: SpecContext, s: SpecState, actor: ThreadId, task: TaskId, region: number): boolean {
  const manager = entryOf(s, task, region).manager;
  if (manager === actor) return true;
  // Mutant: the task itself maps into its own region, bypassing its manager.
  return ctx.mutant === "task-maps-own-region" && manager !== null && ctx.taskOf[actor] === task;
}

/**
 * "Region manager have rights to map and unmap resources owned by it into any
 * place in the managed region without any restrictions." and "Memory provider
 * task provides this agreement implicitly by taking memory management action
 * on the region assigned to it." Mapping is the manager's acceptance.
 */
export function map(ctx: SpecContext, s: SpecState, p: MapParams): SpecState | null {
  if (!isRunning(s, p.manager) || !mayManage(ctx, s, p.manager, p.task, p.region)) return null;
  const entry = entryOf(s, p.task, p.region);
  if (entry.manager === null || ctx.frameOwner[p.frame] !== entry.manager) return null;
  const old = pageOf(s, p.task, p.region, p.page);
  if (old.present && old.frame === p.frame && old.rights === p.rights && old.mapper === p.manager) return null;
  const mapped = withPage(s, p.task, p.region, p.page, {
    present: true,
    frame: p.frame,
    rights: p.rights,
    mapper: p.manager,
  });
  return entry.manager === p.manager ? withEntry(mapped, p.task, p.region, { ...entry, accepted: true }) : mapped;
}

export interface UnmapParams {
  readonly manager: ThreadId;
  readonly task: TaskId;
  readonly region: number;
  readonly page: number;
  readonly marker: number;
  readonly revoke: boolean;
}

/**
 * "Furthermore pager can revoke its agreement by removing last piece of memory
 * from the particular region with REVOKE_AGREEMENT flag specified in the
 * system call." The page becomes not present holding the pager's marker; with
 * REVOKE_AGREEMENT and no present page left, acceptance is withdrawn and
 * (decision D2) faults of the region waiting at this pager become
 * general-protection faults.
 */
export function unmap(ctx: SpecContext, s: SpecState, p: UnmapParams): SpecState | null {
  if (!isRunning(s, p.manager) || entryOf(s, p.task, p.region).manager !== p.manager) return null;
  if (!pageOf(s, p.task, p.region, p.page).present) return null;
  const next = withPage(s, p.task, p.region, p.page, { present: false, marker: p.marker });
  const lastGone = next.pageTable[p.task]![p.region]!.every((pg) => !pg.present);
  const revokes = ctx.mutant === "revoke-on-any-unmap" || (p.revoke && lastGone);
  return revokes ? revoke(ctx, next, p.manager, p.task, p.region) : next;
}

function revoke(ctx: SpecContext, s: SpecState, manager: ThreadId, task: TaskId, region: number): SpecState {
  let next = withEntry(s, task, region, { manager, accepted: false });
  for (const t of blockedOn(ctx, s, task, region)) {
    const st = statusOf(s, t);
    if (st.tag === "blocked" && st.pager === manager) next = stop(withoutMessage(next, manager, t), t, "revoked");
  }
  return next;
}

const stop = (s: SpecState, thread: ThreadId, reason: StopReason): SpecState =>
  withThread(s, thread, { tag: "stopped", reason });

// --- Access ------------------------------------------------------------------------

export interface AccessParams {
  readonly thread: ThreadId;
  readonly address: Address;
  readonly access: AccessKind;
}

/**
 * "From the paging point of view, typical system can be split into two
 * domains ... relationships between which are mediated by CPU. This mediation
 * comes in two forms: present flag in page table entry and page fault
 * exception." A running thread touches an address of its task: a present page
 * with sufficient rights is a hit (the state does not change); anything else
 * traps into the kernel.
 */
export function access(ctx: SpecContext, s: SpecState, p: AccessParams): { hit: boolean; state: SpecState } | null {
  if (!isRunning(s, p.thread)) return null;
  if (p.address.space === "user") {
    const page = pageOf(s, ctx.taskOf[p.thread]!, p.address.region, p.address.page);
    if (page.present && rightsAllow(page.rights, p.access)) return { hit: true, state: s };
  }
  return { hit: false, state: withThread(s, p.thread, { tag: "trapped", address: p.address, access: p.access }) };
}

// --- Dispatch (zero level) ---------------------------------------------------------

export type DispatchOutcome =
  | { readonly kind: "general-protection"; readonly reason: StopReason }
  | { readonly kind: "resumed" }
  | { readonly kind: "delivered"; readonly pager: ThreadId };

const snapshot = (page: Page): PteSnapshot =>
  page.present ? { present: true, rights: page.rights } : { present: false, marker: page.marker };

/** The zero-level classification of a trapped fault, in the paper's order of checks. */
export function classify(ctx: SpecContext, s: SpecState, thread: ThreadId, address: Address, kind: AccessKind): DispatchOutcome {
  const task = ctx.taskOf[thread]!;
  const target = userPageOf(ctx, address);
  if (target === null) return { kind: "general-protection", reason: "kernel-space" };
  const entry = entryOf(s, task, target.region);
  let pager: ThreadId;
  if (ctx.mutant === "per-thread-pager") {
    // L4 style: one pager per thread, whatever region faulted.
    const own = ctx.pagers[0];
    if (own === undefined) return { kind: "general-protection", reason: "no-manager" };
    pager = own;
  } else {
    if (entry.manager === null) return { kind: "general-protection", reason: "no-manager" };
    if (!entry.accepted && ctx.mutant !== "no-acceptance-check") {
      return { kind: "general-protection", reason: "not-accepted" };
    }
    pager = entry.manager;
  }
  const page = pageOf(s, task, target.region, target.page);
  if (page.present && rightsAllow(page.rights, kind) && ctx.mutant !== "no-present-recheck") return { kind: "resumed" };
  if (pager === thread) return { kind: "general-protection", reason: "self-managed" };
  if (waitsFor(s, pager, thread)) return { kind: "general-protection", reason: "wait-cycle" };
  return { kind: "delivered", pager };
}

/**
 * Decision D4: does `pager`, through the chain of pagers each blocked on the
 * next, wait for `thread`? Delivering the fault would then close a cycle of
 * threads waiting for each other, none of which could ever reply.
 */
function waitsFor(s: SpecState, pager: ThreadId, thread: ThreadId): boolean {
  let current = pager;
  for (let hops = 0; hops < s.threads.length; hops++) {
    const st = statusOf(s, current);
    if (st.tag !== "blocked") return false;
    if (st.pager === thread) return true;
    current = st.pager;
  }
  return false;
}

export interface DispatchParams {
  readonly thread: ThreadId;
}

/**
 * "For page faults kernel provides an additional zero level of handling" and
 * "The last check which can take place before invoking an appropriate pager is
 * checking of the actual not presence of the appropriate memory page."
 * A step of its own, so that other threads and pagers run between the trap
 * and the dispatch (Fig. 3, thread B).
 */
export function dispatch(ctx: SpecContext, s: SpecState, p: DispatchParams): { outcome: DispatchOutcome; state: SpecState } | null {
  const st = statusOf(s, p.thread);
  if (st.tag !== "trapped") return null;
  const outcome = classify(ctx, s, p.thread, st.address, st.access);
  const state = match(outcome)
    .with({ kind: "general-protection" }, (o) => stop(s, p.thread, o.reason))
    .with({ kind: "resumed" }, () => withThread(s, p.thread, RUNNING))
    .with({ kind: "delivered" }, (o) => {
      const target = userPageOf(ctx, st.address)!;
      const seen = snapshot(pageOf(s, ctx.taskOf[p.thread]!, target.region, target.page));
      const blocked = withThread(s, p.thread, {
        tag: "blocked",
        address: st.address,
        access: st.access,
        pager: o.pager,
        seen,
      });
      return withMessage(blocked, o.pager, p.thread);
    })
    .exhaustive();
  return { outcome, state };
}

// --- Resolve / Resume / Refuse (the pager's reply) --------------------------------

export interface ReplyParams {
  readonly pager: ThreadId;
  readonly thread: ThreadId;
}

/** The blocked fault whose message waits at `pager`, or null. */
function pendingFault(ctx: SpecContext, s: SpecState, p: ReplyParams) {
  if (!isRunning(s, p.pager) || !s.pending[p.pager]!.includes(p.thread)) return null;
  const st = statusOf(s, p.thread);
  if (st.tag !== "blocked") return null;
  return { status: st, task: ctx.taskOf[p.thread]!, target: userPageOf(ctx, st.address) };
}

export interface ResolveParams extends ReplyParams {
  readonly frame: FrameId;
  readonly rights: Rights;
}

/**
 * "Then when pager got a CPU time it restored mapping of the page N and
 * unblocked thread A, allowing it future execution." The pager maps one of
 * its frames with rights enough for the faulting access and resumes the thread.
 */
export function resolve(ctx: SpecContext, s: SpecState, p: ResolveParams): SpecState | null {
  const fault = pendingFault(ctx, s, p);
  if (fault === null || fault.target === null) return null;
  if (!rightsAllow(p.rights, fault.status.access)) return null;
  const mapped = map(ctx, s, {
    manager: p.pager,
    task: fault.task,
    region: fault.target.region,
    page: fault.target.page,
    frame: p.frame,
    rights: p.rights,
  });
  if (mapped === null) return null;
  return withThread(withoutMessage(mapped, p.pager, p.thread), p.thread, RUNNING);
}

/**
 * Decision D5 (two threads faulting on the same page): "After resolution of
 * the page fault, pager notifies the kernel about resolution results and by
 * this resumes faulted thread." When the page is already present with enough
 * rights (another fault's resolution mapped it), the pager replies without
 * mapping.
 */
export function resume(ctx: SpecContext, s: SpecState, p: ReplyParams): SpecState | null {
  const fault = pendingFault(ctx, s, p);
  if (fault === null || fault.target === null) return null;
  const page = pageOf(s, fault.task, fault.target.region, fault.target.page);
  if (!page.present || !rightsAllow(page.rights, fault.status.access)) return null;
  return withThread(withoutMessage(s, p.pager, p.thread), p.thread, RUNNING);
}

/**
 * "As a result pager task can protect itself from the malicious or
 * misbehaving memory user task". The pager declines the fault; the thread is
 * left to the ordinary exception handling as a general-protection fault.
 */
export function refuse(ctx: SpecContext, s: SpecState, p: ReplyParams): SpecState | null {
  if (pendingFault(ctx, s, p) === null) return null;
  return stop(withoutMessage(s, p.pager, p.thread), p.thread, "refused");
}

// --- HandleException ---------------------------------------------------------------

export interface HandleExceptionParams {
  readonly thread: ThreadId;
}

/**
 * "The kernel takes special handling only for the pure page faults and
 * consider the another page faults as a general protection faults which are
 * an example of the generic exceptions that must be handled in the ordinary
 * way." The ordinary exception handler (outside the design) lets the stopped
 * thread run again.
 */
export function handleException(_ctx: SpecContext, s: SpecState, p: HandleExceptionParams): SpecState | null {
  if (statusOf(s, p.thread).tag !== "stopped") return null;
  return withThread(s, p.thread, RUNNING);
}
