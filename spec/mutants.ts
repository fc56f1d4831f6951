/**
 * Seeded design bugs, as data: each is a record naming the rules it replaces
 * (rules.ts), with what it breaks and where it is caught. A new mutant is a
 * new record; the design's actions never test for one, and every back end
 * (interpreter, compiled fast path, Promela, SMT) runs it.
 *
 * Safety bugs break an invariant; liveness bugs keep every invariant but
 * leave some faulted thread suspended forever (caught by `check --liveness`).
 */
import { type Expr, TRUE, exists, lit, make, some } from "../model/lang/ast.js";
import { InputError } from "../model/input-error.js";
import { DESIGN, type DesignRules, ZERO_LEVEL, type ZeroLevelCheck, withoutCheck, wrappingTarget } from "./rules.js";
import { Address, Page, Pager, Region, Thread, l4Pager, pageTable, pending, regionTable, taskOf, threads } from "./vocabulary.js";

export interface Mutant {
  readonly name: string;
  readonly kind: "safety" | "liveness";
  readonly description: string;
  /** The invariant (safety) or temporal property (liveness) expected to catch it, and a configuration on which it does. */
  readonly caughtBy: string;
  readonly config: string;
  /** The rules it replaces. */
  readonly rules: Partial<DesignRules>;
}

/** A check inserted into the zero level just before `before` (or before delivery). */
function insertCheck(check: ZeroLevelCheck, before: string | null): readonly ZeroLevelCheck[] {
  const at = before === null ? ZERO_LEVEL.length : ZERO_LEVEL.findIndex((c) => c.name === before);
  return [...ZERO_LEVEL.slice(0, at), check, ...ZERO_LEVEL.slice(at)];
}

const CODE_REGION = 0;
const CODE_PAGE = 0;

/** While a pager manages its own code region and its code page is not present, all it can do is fault on that page. */
function pagerRunsOnlyItsCode({ action, params, actor }: { action: string; params: Readonly<Record<string, Expr>>; actor: Expr | null }): Expr {
  if (actor === null) return TRUE;
  const task = taskOf(actor);
  const codeRegion = lit(CODE_REGION, Region);
  const stuck = actor
    .in(Pager)
    .and(regionTable.at(task, codeRegion).get("manager").eq(some(actor)), pageTable.at(task, codeRegion, lit(CODE_PAGE, Page)).is(true).not());
  const fetchesCode = action === "Access" ? params["address"]!.eq(make(Address, { region: codeRegion, page: lit(CODE_PAGE, Page) }, "user")) : null;
  return fetchesCode === null ? stuck.not() : stuck.not().or(fetchesCode);
}

export const MUTANTS: readonly Mutant[] = [
  {
    name: "no-present-recheck",
    kind: "safety",
    description: "Dispatch skips the last check (PAGE_PRESENT): a fault on a page restored meanwhile still goes to the pager",
    caughtBy: "NoNeedlessPagerInvocation",
    config: "tiny",
    rules: { zeroLevel: withoutCheck(ZERO_LEVEL, "present") },
  },
  {
    name: "no-acceptance-check",
    kind: "safety",
    description: "Dispatch skips exceptional case 2: a fault reaches a pager that never accepted the region",
    caughtBy: "GeneralProtectionClassification",
    config: "tiny",
    rules: { zeroLevel: withoutCheck(ZERO_LEVEL, "not-accepted") },
  },
  {
    name: "kernel-fault-to-pager",
    kind: "safety",
    description: "Dispatch skips the user-part check: formula (1) aliases a kernel-space address onto a region and its pager gets the fault",
    caughtBy: "GeneralProtectionClassification",
    config: "tiny",
    rules: { target: wrappingTarget, zeroLevel: withoutCheck(ZERO_LEVEL, "kernel-space") },
  },
  {
    name: "revoke-on-any-unmap",
    kind: "safety",
    description: "Every unmap revokes the agreement, with or without REVOKE_AGREEMENT and whether or not it removes the last page",
    caughtBy: "AgreementHeldWhileMapped",
    config: "tiny",
    rules: { revokes: () => TRUE },
  },
  {
    name: "task-maps-own-region",
    kind: "safety",
    description: "Any running thread of the task may map its manager's frames into its own region",
    caughtBy: "RegionIsolation",
    config: "tiny",
    rules: {
      mappers: Thread,
      mayManage: (actor, manager, actorTask, task) => manager.isNone().not().and(manager.eq(some(actor)).or(actorTask.eq(task))),
    },
  },
  {
    name: "per-thread-pager",
    kind: "safety",
    description: "Dispatch routes the fault to the thread's single L4-style pager (the lowest-numbered pager) instead of the region's manager",
    caughtBy: "GeneralProtectionClassification",
    config: "tiny",
    rules: { routeTo: () => l4Pager(), zeroLevel: withoutCheck(ZERO_LEVEL, "not-accepted") },
  },
  {
    name: "hold-unaccepted-faults",
    kind: "liveness",
    description:
      "Dispatch holds a fault on a region whose manager has not accepted (or revoked with REVOKE_AGREEMENT) until the manager accepts, instead of raising a general-protection fault: a pager that revoked leaves the thread suspended forever",
    caughtBy: "PagersReceiveTheirFaults",
    config: "tiny",
    rules: {
      zeroLevel: insertCheck(
        { name: "hold-unaccepted", applies: (f) => f.entry.get("accepted").not().and(threads.at(f.pager.value()).is("running")), outcome: { kind: "held" } },
        "not-accepted",
      ),
    },
  },
  {
    name: "drop-second-fault-message",
    kind: "liveness",
    description: "Dispatch drops a fault message when the pager already has one waiting (a one-slot mailbox) and leaves the faulted thread suspended in the trap",
    caughtBy: "PagersReceiveTheirFaults",
    config: "default",
    rules: {
      zeroLevel: insertCheck({ name: "mailbox-full", applies: (f) => exists(Thread, (u) => pending.at(f.pager.value()).has(u)), outcome: { kind: "dropped" } }, null),
    },
  },
  {
    name: "pager-code-in-managed-region",
    kind: "liveness",
    description:
      "A pager's own code lives in page 0 of region 0 of its task; once the pager manages that region and the page is not present, the pager can only fault on its code (the situation that forces L4Re's region mapper into unswappable memory)",
    caughtBy: "FaultedThreadsResume",
    config: "two-pagers",
    rules: { restrict: pagerRunsOnlyItsCode },
  },
];

export const specMutants: readonly Mutant[] = MUTANTS.filter((m) => m.kind === "safety");
export const livenessMutants: readonly Mutant[] = MUTANTS.filter((m) => m.kind === "liveness");
export type SpecMutant = Mutant;
export type LivenessMutant = Mutant;
export type MutantName = string;

/** The design's rules with a mutant's replaced (the design itself for null). */
export function rulesFor(mutant: string | null): DesignRules {
  if (mutant === null) return DESIGN;
  const found = MUTANTS.find((m) => m.name === mutant);
  if (found === undefined) throw new InputError(`unknown mutant "${mutant}" (known: ${MUTANTS.map((m) => m.name).join(", ")})`, "usage");
  return { ...DESIGN, ...found.rules };
}

/** The mutant's name if it is one, else an InputError listing the known ones (usage). */
export function mutantNamed(name: string | undefined): string | null {
  if (name === undefined) return null;
  rulesFor(name);
  return name;
}

export const isLivenessMutant = (name: string | null | undefined): boolean => livenessMutants.some((m) => m.name === name);
