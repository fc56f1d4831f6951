/**
 * Trusted. The actions of the design, one definition per paper-level event,
 * in the language of model/lang: parameters, the sentence of the paper it
 * encodes, the guard (conjuncts, first), then the effect. This is the one
 * statement of the transition relation: the checker's compiled fast path,
 * the Promela model and the SMT encoding are all derived from it.
 *
 * Decisions that can vary are read from the rules (rules.ts); a seeded bug is
 * a different rules record, never a test inside an action.
 */
import { type Expr, type Stmt, TRUE, assign, exclude, forall, forEach, include, ite, lit, make, none, some, when } from "../model/lang/ast.js";
import { type Action, action, paramExprs } from "../model/lang/spec.js";
import type { ActionParams } from "../model/machine.js";
import { Bool, enumType } from "../model/lang/types.js";
import { type DesignRules, type Fault, type Outcome, type Target, rightsAllow } from "./rules.js";
import {
  AccessKind,
  Address,
  Frame,
  Marker,
  Page,
  PageEntry,
  Pager,
  Region,
  RegionEntry,
  Rights,
  Seen,
  StopReason,
  Task,
  Thread,
  ThreadStatus,
  ownerOf,
  pageTable,
  pending,
  regionTable,
  taskOf,
  threads,
} from "./vocabulary.js";

const isRunning = (t: Expr): Expr => threads.at(t).is("running");
const RUNNING = make(ThreadStatus, {}, "running");
const stopped = (reason: string): Expr => make(ThreadStatus, { reason }, "stopped");
const notPresent = (marker: Expr): Expr => make(PageEntry, { marker }, false);
const entryOf = (task: Expr, region: Expr): Expr => regionTable.at(task, region);
const pteOf = (task: Expr, region: Expr, page: Expr): Expr => pageTable.at(task, region, page);

/** Is thread u of `task` blocked on a fault in `region` (at any pager)? */
const blockedOn = (rules: DesignRules, u: Expr, task: Expr, region: Expr): Expr => {
  const st = threads.at(u);
  const target = rules.target(st.get("address"));
  return st.is("blocked").and(taskOf(u).eq(task), target.valid, target.region.eq(region));
};

/** The fault message of a blocked thread is taken out of its pager's queue, and the thread's status set. */
const answer = (u: Expr, pager: Expr, status: Expr): Stmt[] => [exclude(pending.at(pager), u), assign(threads.at(u), status)];

/**
 * Decision D1: assigning (or clearing) the manager of a region flushes it.
 * Every page of the region becomes not present (marker 0), acceptance is
 * reset, and threads blocked on the old manager for this region lose their
 * fault message and run again, so they retry the access and fault to the new
 * manager: the old manager's memory and queue never leak to the new one.
 */
function reassign(rules: DesignRules, task: Expr, region: Expr, manager: Expr): Stmt[] {
  return [
    forEach(Page, () => TRUE, (p) => [assign(pteOf(task, region, p), notPresent(lit(0, Marker)))]),
    forEach(
      Thread,
      (u) => blockedOn(rules, u, task, region),
      (u) => answer(u, threads.at(u).get("pager"), RUNNING),
    ),
    assign(entryOf(task, region), make(RegionEntry, { manager, accepted: false })),
  ];
}

/**
 * "Memory user task provides this agreement by explicitly assigning the
 * specified pager task to a particular virtual address space region."
 * A running thread of the task names a pager thread as the region's manager.
 */
const assignManager = (rules: DesignRules): Action =>
  action(
    "AssignManager",
    {
      quote: "Memory user task provides this agreement by explicitly assigning the specified pager task to a particular virtual address space region.",
      params: { thread: Thread, region: Region, manager: Pager },
      actor: "thread",
    },
    ({ thread, region, manager }) => ({
      guard: [isRunning(thread!), entryOf(taskOf(thread!), region!).get("manager").ne(some(manager!))],
      effect: reassign(rules, taskOf(thread!), region!, some(manager!)),
    }),
  );

/**
 * "Threads running the context of virtual address space are responsible only
 * for assigning region managers for each particular region of its virtual
 * address space." Clearing leaves the region with no pager assigned.
 */
const clearManager = (rules: DesignRules): Action =>
  action(
    "ClearManager",
    {
      quote: "Threads running the context of virtual address space are responsible only for assigning region managers for each particular region of its virtual address space.",
      params: { thread: Thread, region: Region },
      actor: "thread",
    },
    ({ thread, region }) => ({
      guard: [isRunning(thread!), entryOf(taskOf(thread!), region!).get("manager").isNone().not()],
      effect: reassign(rules, taskOf(thread!), region!, none(Pager)),
    }),
  );

interface Mapping {
  readonly manager: Expr;
  readonly task: Expr;
  readonly region: Expr;
  readonly page: Expr;
  readonly frame: Expr;
  readonly rights: Expr;
}

const present = (m: Mapping): Expr => make(PageEntry, { frame: m.frame, rights: m.rights, mapper: m.manager }, true);

/** Map's guard: the region's manager maps a frame it owns, and the page changes. */
function mayMap(rules: DesignRules, m: Mapping): Expr[] {
  const entry = entryOf(m.task, m.region);
  return [
    isRunning(m.manager),
    rules.mayManage(m.manager, entry.get("manager"), taskOf(m.manager), m.task),
    entry.get("manager").eq(some(ownerOf(m.frame))),
    pteOf(m.task, m.region, m.page).ne(present(m)),
  ];
}

/** Map's effect: the page is present; the region's manager thereby accepts (its implicit agreement). */
function mapped(m: Mapping): Stmt[] {
  const entry = entryOf(m.task, m.region);
  return [
    assign(pteOf(m.task, m.region, m.page), present(m)),
    when(entry.get("manager").eq(some(m.manager)), [assign(entry.get("accepted"), true)]),
  ];
}

/**
 * "Region manager have rights to map and unmap resources owned by it into any
 * place in the managed region without any restrictions." and "Memory provider
 * task provides this agreement implicitly by taking memory management action
 * on the region assigned to it." Mapping is the manager's acceptance.
 */
const mapAction = (rules: DesignRules): Action =>
  action(
    "Map",
    {
      quote: "Region manager have rights to map and unmap resources owned by it into any place in the managed region without any restrictions.",
      params: { manager: rules.mappers, task: Task, region: Region, page: Page, frame: Frame, rights: Rights },
      actor: "manager",
    },
    (p) => {
      const m = p as unknown as Mapping;
      return { guard: mayMap(rules, m), effect: mapped(m) };
    },
  );

/**
 * "Furthermore pager can revoke its agreement by removing last piece of memory
 * from the particular region with REVOKE_AGREEMENT flag specified in the
 * system call." The page becomes not present holding the pager's marker; with
 * REVOKE_AGREEMENT and no present page left, acceptance is withdrawn and
 * (decision D2) faults of the region waiting at this pager become
 * general-protection faults. Decision D6 (rules.unmapAccepts): "Memory
 * provider task provides this agreement implicitly by taking memory
 * management action on the region assigned to it" — map and unmap are those
 * actions, so an unmap without REVOKE_AGREEMENT accepts, and may write the
 * marker of a page that is not present (a demand-paging pager marks a fresh
 * region's pages without committing a frame first).
 */
const unmapAction = (rules: DesignRules): Action =>
  action(
    "Unmap",
    {
      quote: "Furthermore pager can revoke its agreement by removing last piece of memory from the particular region with REVOKE_AGREEMENT flag specified in the system call.",
      params: { manager: Pager, task: Task, region: Region, page: Page, marker: Marker, revoke: { kind: "bool" } },
      actor: "manager",
    },
    ({ manager, task, region, page, marker, revoke }) => {
      const entry = entryOf(task!, region!);
      const pte = pteOf(task!, region!, page!);
      const lastPieceRemoved = forall(Page, (q) => pteOf(task!, region!, q).is(true).not());
      return {
        guard: [
          isRunning(manager!),
          entry.get("manager").eq(some(manager!)),
          // REVOKE_AGREEMENT removes memory; D6: without it, the marker of a page that is not present may be written too.
          rules.unmapAccepts ? pte.is(true).or(revoke!.not()) : pte.is(true),
        ],
        effect: [
          assign(pte, notPresent(marker!)),
          when(
            rules.revokes(revoke!, lastPieceRemoved),
            [
              assign(entry.get("accepted"), false),
              forEach(
                Thread,
                (u) => blockedOn(rules, u, task!, region!).and(threads.at(u).get("pager").eq(manager!)),
                (u) => answer(u, manager!, stopped("revoked")),
              ),
            ],
            // D6: an unmap without REVOKE_AGREEMENT is the manager's memory management action on the region: it accepts.
            rules.unmapAccepts ? [when(revoke!.not(), [assign(entry.get("accepted"), true)])] : [],
          ),
        ],
      };
    },
  );

const AccessResult = enumType("AccessResult", ["hit", "trap"]);

/**
 * "From the paging point of view, typical system can be split into two
 * domains ... relationships between which are mediated by CPU. This mediation
 * comes in two forms: present flag in page table entry and page fault
 * exception." A running thread touches an address of its task: a present page
 * with sufficient rights is a hit (the state does not change); anything else
 * traps into the kernel.
 */
const accessAction = (): Action =>
  action(
    "Access",
    {
      quote: "This mediation comes in two forms: present flag in page table entry and page fault exception.",
      params: { thread: Thread, address: Address, access: AccessKind },
      actor: "thread",
      label: ({ thread, address, access, result }) => {
        const a = address as Record<string, number | string>;
        const where: ActionParams = a["space"] === "user" ? { space: "user", region: a["region"]!, page: a["page"]! } : { space: "kernel", kernelAddress: a["index"]! };
        return { thread: thread as number, ...where, access: access as string, result: result as string };
      },
    },
    ({ thread, address, access }) => {
      const pte = pteOf(taskOf(thread!), address!.get("region"), address!.get("page"));
      const hit = address!.is("user").and(pte.is(true), rightsAllow(pte.get("rights"), access!));
      return {
        guard: [isRunning(thread!)],
        effect: [when(hit.not(), [assign(threads.at(thread!), make(ThreadStatus, { address: address!, access: access! }, "trapped"))])],
        reports: { result: ite(hit, lit("hit", AccessResult), lit("trap", AccessResult)) },
      };
    },
  );

const OutcomeKind = enumType("DispatchOutcome", ["general-protection", "resumed", "delivered", "dropped", "held"]);

/** The zero level's view of thread's trapped fault. */
function faultOf(rules: DesignRules, thread: Expr): Fault {
  const st = threads.at(thread);
  const task = taskOf(thread);
  const target: Target = rules.target(st.get("address"));
  const entry = entryOf(task, target.region);
  return {
    thread,
    task,
    access: st.get("access"),
    target,
    entry,
    pte: pteOf(task, target.region, target.page),
    pager: rules.routeTo({ thread, entry }),
  };
}

/** Delivery of a pure page fault: a message to the pager, carrying the entry read (its marker), and the thread blocks. */
function deliver(f: Fault): Stmt[] {
  const seen = ite(f.pte.is(true), make(Seen, { rights: f.pte.get("rights") }, true), make(Seen, { marker: f.pte.get("marker") }, false));
  const st = threads.at(f.thread);
  return [
    include(pending.at(f.pager.value()), f.thread),
    assign(threads.at(f.thread), make(ThreadStatus, { address: st.get("address"), access: f.access, pager: f.pager.value(), seen }, "blocked")),
  ];
}

function outcomeEffect(thread: Expr, o: Outcome): Stmt[] {
  switch (o.kind) {
    case "general-protection":
      return [assign(threads.at(thread), stopped(o.reason))];
    case "resumed":
      return [assign(threads.at(thread), RUNNING)];
    case "dropped":
    case "held":
      return [];
  }
}

/**
 * "For page faults kernel provides an additional zero level of handling" and
 * "The last check which can take place before invoking an appropriate pager is
 * checking of the actual not presence of the appropriate memory page."
 * The zero level's checks run in the rules' order (rules.ts ZERO_LEVEL); a
 * fault that passes them all is a pure page fault, sent to its region's
 * manager. A step of its own, so that other threads and pagers run between
 * the trap and the dispatch (Fig. 3, thread B).
 */
const dispatchAction = (rules: DesignRules): Action =>
  action(
    "Dispatch",
    {
      quote: "For page faults kernel provides an additional zero level of handling and skips all other levels of handling in the case of success on that zero level.",
      params: { thread: Thread },
      label: ({ thread, outcome, reason, pager }) => ({
        thread: thread as number,
        outcome: outcome as string,
        ...(outcome === "general-protection" ? { reason: reason as string } : {}),
        ...(outcome === "delivered" || outcome === "dropped" ? { pager: pager as number } : {}),
      }),
    },
    ({ thread }) => {
      const f = faultOf(rules, thread!);
      const checks = rules.zeroLevel;
      const cascade = (i: number): Stmt[] =>
        i === checks.length ? deliver(f) : [when(checks[i]!.applies(f), outcomeEffect(thread!, checks[i]!.outcome), cascade(i + 1))];
      /** The first check that applies decides: `pick` of it, or `last` for a delivered fault. */
      const decided = (pick: (o: Outcome) => Expr, last: Expr): Expr =>
        checks.reduceRight((rest, c) => ite(c.applies(f), pick(c.outcome), rest), last);
      const kind = (k: string) => lit(k, OutcomeKind);
      // A liveness bug may make the zero level wait instead of deciding: Dispatch is then not enabled.
      const holds = checks.some((c) => c.outcome.kind === "held");
      const notHeld = decided((o) => lit(o.kind !== "held", Bool), lit(true, Bool));
      const noReason = lit("refused", StopReason);
      return {
        guard: [threads.at(thread!).is("trapped"), ...(holds ? [notHeld] : [])],
        effect: cascade(0),
        reports: {
          outcome: decided((o) => kind(o.kind), kind("delivered")),
          reason: decided((o) => (o.kind === "general-protection" ? lit(o.reason, StopReason) : noReason), noReason),
          pager: f.pager,
        },
      };
    },
  );

/** The fault of `thread` that waits at `pager`: the pager runs and the message is in its queue. */
const pendingAt = (pager: Expr, thread: Expr): Expr[] => [isRunning(pager), pending.at(pager).has(thread), threads.at(thread).is("blocked")];

/**
 * "Then when pager got a CPU time it restored mapping of the page N and
 * unblocked thread A, allowing it future execution." The pager maps one of
 * its frames with rights enough for the faulting access and resumes the
 * thread: the guard and effect of that Map, then the reply.
 */
const resolveAction = (rules: DesignRules): Action =>
  action(
    "Resolve",
    {
      quote: "Then when pager got a CPU time it restored mapping of the page N and unblocked thread A, allowing it future execution.",
      params: { pager: Pager, thread: Thread, frame: Frame, rights: Rights },
      actor: "pager",
    },
    ({ pager, thread, frame, rights }) => {
      const st = threads.at(thread!);
      const target = rules.target(st.get("address"));
      const m: Mapping = { manager: pager!, task: taskOf(thread!), region: target.region, page: target.page, frame: frame!, rights: rights! };
      return {
        guard: [
          ...pendingAt(pager!, thread!),
          ownerOf(frame!).eq(pager!),
          target.valid,
          rightsAllow(rights!, st.get("access")),
          ...mayMap(rules, m),
        ],
        effect: [...mapped(m), ...answer(thread!, pager!, RUNNING)],
      };
    },
  );

/**
 * Decision D5 (two threads faulting on the same page): "After resolution of
 * the page fault, pager notifies the kernel about resolution results and by
 * this resumes faulted thread." When the page is already present with enough
 * rights (another fault's resolution mapped it), the pager replies without
 * mapping.
 */
const resumeAction = (rules: DesignRules): Action =>
  action(
    "Resume",
    {
      quote: "After resolution of the page fault, pager notifies the kernel about resolution results and by this resumes faulted thread.",
      params: { pager: Pager, thread: Thread },
      actor: "pager",
    },
    ({ pager, thread }) => {
      const st = threads.at(thread!);
      const target = rules.target(st.get("address"));
      const pte = pteOf(taskOf(thread!), target.region, target.page);
      return {
        guard: [...pendingAt(pager!, thread!), target.valid, pte.is(true), rightsAllow(pte.get("rights"), st.get("access"))],
        effect: answer(thread!, pager!, RUNNING),
      };
    },
  );

/**
 * "As a result pager task can protect itself from the malicious or
 * misbehaving memory user task". The pager declines the fault; the thread is
 * left to the ordinary exception handling as a general-protection fault.
 */
const refuseAction = (): Action =>
  action(
    "Refuse",
    {
      quote: "As a result pager task can protect itself from the malicious or misbehaving memory user task which too frequently generates page faults and by this performs DoS attack on the pager.",
      params: { pager: Pager, thread: Thread },
      actor: "pager",
    },
    ({ pager, thread }) => ({ guard: pendingAt(pager!, thread!), effect: answer(thread!, pager!, stopped("refused")) }),
  );

/**
 * "The kernel takes special handling only for the pure page faults and
 * consider the another page faults as a general protection faults which are
 * an example of the generic exceptions that must be handled in the ordinary
 * way." The ordinary exception handler (outside the design) lets the stopped
 * thread run again (decision D7).
 */
const handleExceptionAction = (): Action =>
  action(
    "HandleException",
    {
      quote: "The kernel takes special handling only for the pure page faults and consider the another page faults as a general protection faults which are an example of the generic exceptions that must be handled in the ordinary way.",
      params: { thread: Thread },
    },
    ({ thread }) => ({ guard: [threads.at(thread!).is("stopped")], effect: [assign(threads.at(thread!), RUNNING)] }),
  );

/** Every action, in the order of spec/README.md's table (the order successors are listed in). */
export function designActions(rules: DesignRules): Action[] {
  const actions = [
    assignManager(rules),
    clearManager(rules),
    mapAction(rules),
    unmapAction(rules),
    accessAction(),
    dispatchAction(rules),
    resolveAction(rules),
    resumeAction(rules),
    refuseAction(),
    handleExceptionAction(),
  ];
  // A rules record may restrict every step (liveness bugs: a thread or the kernel that cannot act).
  return actions.map((a) => {
    const params = paramExprs(a);
    const extra = rules.restrict({ action: a.name, params, actor: a.actor === undefined ? null : params[a.actor]! });
    return extra === TRUE ? a : { ...a, guard: [...a.guard, extra] };
  });
}
