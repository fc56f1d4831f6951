/**
 * Trusted. The decisions of the design that a reader may want to vary, as a
 * record of rules (like impl/hw/walk.ts's WalkRules): the zero level's
 * checks in their order, whom a pure page fault goes to, who may map, when an
 * unmap revokes, what accepts (D6). DESIGN is the design as spec/README.md
 * states it; a seeded bug (mutants.ts) or a variant decision is DESIGN with
 * some rules replaced, and every back end (the interpreter, the compiled
 * fast path, Promela, SMT) follows, because they all read actions.ts, which
 * reads these rules.
 */
import { type Expr, TRUE, ite, none, reach, some, wrap } from "../model/lang/ast.js";
import type { Sort } from "../model/lang/types.js";
import { Page, Pager, Region, Thread, pageTable, regionTable, threads } from "./vocabulary.js";

/** A user page of a task's address space, as formula (1) finds it: `valid` is false outside the user part. */
export interface Target {
  readonly valid: Expr;
  readonly region: Expr;
  readonly page: Expr;
}

/** A trapped fault as the zero level sees it. */
export interface Fault {
  readonly thread: Expr;
  readonly task: Expr;
  readonly access: Expr;
  readonly target: Target;
  /** The region-table entry of the target's region. */
  readonly entry: Expr;
  /** The page-table entry of the target page. */
  readonly pte: Expr;
  /** Whom the fault would be sent to (Option(Pager)): the routing rule's answer. */
  readonly pager: Expr;
}

export type Outcome =
  | { readonly kind: "general-protection"; readonly reason: string }
  | { readonly kind: "resumed" }
  /** A liveness bug: the message is lost and the thread stays trapped. */
  | { readonly kind: "dropped" }
  /** A liveness bug: the zero level waits (Dispatch is not enabled). */
  | { readonly kind: "held" };

/** One check of the zero level (Fig. 2): when it applies, the fault ends with its outcome; else the next check runs. */
export interface ZeroLevelCheck {
  readonly name: string;
  readonly applies: (f: Fault) => Expr;
  readonly outcome: Outcome;
}

export interface StepContext {
  readonly action: string;
  readonly params: Readonly<Record<string, Expr>>;
  /** The thread whose own code takes the step, or null for the kernel's steps. */
  readonly actor: Expr | null;
}

export interface DesignRules {
  /** Formula (1): the user page an address names. */
  readonly target: (address: Expr) => Target;
  /** The zero level's checks in order; a fault that passes them all is a pure page fault, delivered to Fault.pager. */
  readonly zeroLevel: readonly ZeroLevelCheck[];
  /** Whom a pure page fault goes to (Option(Pager)). */
  readonly routeTo: (f: { thread: Expr; entry: Expr }) => Expr;
  /** Who may map and unmap in a region: Map's actor ranges over `mappers`, and must satisfy `may`. */
  readonly mappers: Sort;
  readonly mayManage: (actor: Expr, manager: Expr, actorTask: Expr, task: Expr) => Expr;
  /** Does an unmap withdraw the agreement (REVOKE_AGREEMENT and the last piece of memory removed)? */
  readonly revokes: (revokeFlag: Expr, lastPieceRemoved: Expr) => Expr;
  /** D6: is an unmap without REVOKE_AGREEMENT an acceptance, which may write the marker of a page that is not present (true), or does only mapping accept (false)? */
  readonly unmapAccepts: boolean;
  /** An extra condition on every step (none in the design; liveness bugs restrict when threads or the kernel act). */
  readonly restrict: (step: StepContext) => Expr;
}

export const rightsAllow = (rights: Expr, access: Expr): Expr => rights.eq("rw").or(access.eq("read"));

/** The paper's formula (1) with its bounds check: a kernel-space address names no user page. */
export const userTarget = (address: Expr): Target => ({
  valid: address.is("user"),
  region: address.get("region"),
  page: address.get("page"),
});

/** Formula (1) without its bounds check: RID = (A_v - B_us) / RS wraps a kernel-space address onto a region. */
export const wrappingTarget = (address: Expr): Target => ({
  valid: TRUE,
  region: ite(address.is("user"), address.get("region"), wrap(address.get("index"), Region)),
  page: ite(address.is("user"), address.get("page"), wrap(address.get("index"), Page)),
});

/**
 * Decision D4: does the fault's pager, through the chain of pagers each
 * blocked on the next, wait for the faulting thread? Delivering the fault
 * would close a cycle of threads waiting for each other.
 */
export const waitsFor = (pager: Expr, thread: Expr): Expr =>
  reach(Thread, pager, thread, (u) => {
    const st = threads.at(u);
    return ite(st.is("blocked"), some(st.get("pager")), none(Pager));
  });

/** The zero level's checks in the paper's order (Section III.B, Fig. 2), then decision D4's. */
export const ZERO_LEVEL: readonly ZeroLevelCheck[] = [
  {
    name: "kernel-space",
    // "The second ones are an faults for addresses outside of the user part of virtual address space."
    applies: (f) => f.target.valid.not(),
    outcome: { kind: "general-protection", reason: "kernel-space" },
  },
  {
    name: "no-manager",
    // "Faulted virtual address belongs to the virtual address space region which has not pager assigned."
    applies: (f) => f.pager.isNone(),
    outcome: { kind: "general-protection", reason: "no-manager" },
  },
  {
    name: "not-accepted",
    // "... which has pager assigned but the assigned pager didn't accept the servicing of that region."
    applies: (f) => f.entry.get("accepted").not(),
    outcome: { kind: "general-protection", reason: "not-accepted" },
  },
  {
    name: "present",
    // "The last check which can take place before invoking an appropriate pager is checking of the actual not presence of the appropriate memory page."
    applies: (f) => f.pte.is(true).and(rightsAllow(f.pte.get("rights"), f.access)),
    outcome: { kind: "resumed" },
  },
  {
    name: "self-managed",
    // Decision D4: the pager would wait for its own reply.
    applies: (f) => f.pager.eq(some(f.thread)),
    outcome: { kind: "general-protection", reason: "self-managed" },
  },
  {
    name: "wait-cycle",
    // Decision D4: a cycle of threads each blocked on the next.
    applies: (f) => waitsFor(f.pager.value(), f.thread),
    outcome: { kind: "general-protection", reason: "wait-cycle" },
  },
];

export const DESIGN: DesignRules = {
  target: userTarget,
  zeroLevel: ZERO_LEVEL,
  routeTo: (f) => f.entry.get("manager"),
  mappers: Pager,
  mayManage: (actor, manager) => manager.eq(some(actor)),
  revokes: (revokeFlag, lastPieceRemoved) => revokeFlag.and(lastPieceRemoved),
  unmapAccepts: true,
  restrict: () => TRUE,
};

/** The zero level without the named check. */
export const withoutCheck = (checks: readonly ZeroLevelCheck[], name: string): readonly ZeroLevelCheck[] => {
  if (!checks.some((c) => c.name === name)) throw new Error(`no zero-level check ${name}`);
  return checks.filter((c) => c.name !== name);
};

/** The entry of the region a fault's target names, in the faulting thread's task. */
export const entryAt = (task: Expr, target: Target): Expr => regionTable.at(task, target.region);
export const pteAt = (task: Expr, target: Target): Expr => pageTable.at(task, target.region, target.page);
