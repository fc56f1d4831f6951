/**
 * Trusted. The claims of the paper as named state predicates, in the language
 * of model/lang, each with the sentence it encodes. Where a claim is about
 * history rather than the present state, the state carries a ghost field that
 * records it (a present page's `mapper`: who mapped it; a blocked thread's
 * `seen`: the page-table entry the zero level read when it sent the message).
 * Every back end checks these same predicates; the checking order is the
 * order below (the first that fails names the violation).
 */
import { type Expr, forall, some } from "../model/lang/ast.js";
import type { Invariant } from "../model/lang/spec.js";
import { rightsAllow, userTarget } from "./rules.js";
import { Page, Pager, Region, Task, Thread, ownerOf, pageTable, pending, regionTable, taskOf, threads } from "./vocabulary.js";

/** \A t \in Thread : threads[t] is blocked => body(status, t). */
const everyBlockedThread = (body: (st: Expr, t: Expr) => Expr): Expr =>
  forall(Thread, (t) => threads.at(t).is("blocked").implies(body(threads.at(t), t)));

/** \A task, region, page : the entry is present => body(entry, region's entry, task). */
const everyPresentPage = (body: (pte: Expr, entry: Expr, task: Expr) => Expr): Expr =>
  forall(Task, (k) =>
    forall(Region, (r) => forall(Page, (p) => pageTable.at(k, r, p).is(true).implies(body(pageTable.at(k, r, p), regionTable.at(k, r), k)))),
  );

/** The region-table entry of the region a blocked thread's fault is in (its address is a user address). */
const entryOfFault = (st: Expr, t: Expr): Expr => regionTable.at(taskOf(t), userTarget(st.get("address")).region);

const define = (name: string, quote: string, holds: Expr): Invariant => ({ name, quote, holds });

export const SPEC_INVARIANTS: readonly Invariant[] = [
  /**
   * "The kernel takes special handling only for the pure page faults and
   * consider the another page faults as a general protection faults" together
   * with the two exceptional cases: no fault message concerns a kernel-space
   * address, a region with no manager, or a region whose manager has not
   * accepted.
   */
  define(
    "GeneralProtectionClassification",
    "The kernel takes special handling only for the pure page faults and consider the another page faults as a general protection faults which are an example of the generic exceptions that must be handled in the ordinary way.",
    everyBlockedThread((st, t) =>
      st.get("address").is("user").and(entryOfFault(st, t).get("manager").isNone().not(), entryOfFault(st, t).get("accepted")),
    ),
  ),
  /**
   * "To establish this relationships agreements of both sides must be
   * received by the kernel." A fault waits at pager p for region r of task t
   * only if t assigned p to r (p is r's current manager) and p accepted and
   * has not revoked.
   */
  define(
    "TwoSidedContract",
    "The relationships between memory provider task (pager) and memory user task are based on the contract. To establish this relationships agreements of both sides must be received by the kernel.",
    everyBlockedThread((st, t) =>
      st.get("address").is("user").and(entryOfFault(st, t).get("manager").eq(some(st.get("pager"))), entryOfFault(st, t).get("accepted")),
    ),
  ),
  /**
   * "As a result, kernel can simply and safely return control back to the
   * thread B without its blocking/unblocking and additional pager involving."
   * No message was sent for a page that was present, with rights enough for
   * the access, when the zero level read its entry.
   */
  define(
    "NoNeedlessPagerInvocation",
    "As a result, kernel can simply and safely return control back to the thread B without its blocking/unblocking and additional pager involving.",
    everyBlockedThread((st) => st.get("seen").is(true).and(rightsAllow(st.get("seen").get("rights"), st.get("access"))).not()),
  ),
  /**
   * "By assigning the manager for the region thread provides to it trust of
   * this region management and is unable to control particular mappings and
   * unmapping operation." Every present page was mapped by its region's
   * manager, never by another thread of the task.
   */
  define(
    "RegionIsolation",
    "By assigning the manager for the region thread provides to it trust of this region management and is unable to control particular mappings and unmapping operation.",
    everyPresentPage((pte, entry, task) => entry.get("manager").ne(some(pte.get("mapper"))).and(taskOf(pte.get("mapper")).eq(task)).not()),
  ),
  /**
   * "User space region is a fundamental unit of virtual address space
   * management granularity. Each user space region can be managed by
   * independent manager." All present pages of a region were mapped by one
   * manager, the region's current one (decision D1 flushes a region when it
   * changes hands).
   */
  define(
    "OneManagerPerRegion",
    "User space region is a fundamental unit of virtual address space management granularity. Each user space region can be managed by independent manager.",
    everyPresentPage((pte, entry) => entry.get("manager").eq(some(pte.get("mapper")))),
  ),
  /**
   * "When multiple memory managers can coexist in the system concurrently,
   * each of them must manage its own resources, and each resource unit in the
   * system must be managed by exactly one memory manager." Every present frame
   * was mapped by the pager that owns it.
   */
  define(
    "OneManagerPerFrame",
    "When multiple memory managers can coexist in the system concurrently, each of them must manage its own resources, and each resource unit in the system must be managed by exactly one memory manager.",
    everyPresentPage((pte) => ownerOf(pte.get("frame")).eq(pte.get("mapper"))),
  ),
  /**
   * "Furthermore pager can revoke its agreement by removing last piece of
   * memory from the particular region with REVOKE_AGREEMENT flag specified in
   * the system call." Acceptance is withdrawn only with the last piece of
   * memory: a region holding a page mapped by its manager is accepted.
   */
  define(
    "AgreementHeldWhileMapped",
    "Furthermore pager can revoke its agreement by removing last piece of memory from the particular region with REVOKE_AGREEMENT flag specified in the system call.",
    everyPresentPage((pte, entry) => entry.get("manager").eq(some(pte.get("mapper"))).implies(entry.get("accepted"))),
  ),
  /**
   * "Kernel notified pager that thread A triggered page fault on page N via
   * message and blocks thread A execution until pager will have page N
   * restored." No lost or duplicated wake-up: every blocked thread has
   * exactly one outstanding message, in the queue of the pager it waits for;
   * every queued message belongs to a thread blocked on that pager; and
   * (decision D4) no thread waits for itself.
   */
  define(
    "NoLostOrDuplicatedWakeups",
    "Kernel notified pager that thread A triggered page fault on page N via message and blocks thread A execution until pager will have page N restored.",
    forall(Thread, (t) => {
      const st = threads.at(t);
      const waitsAtItsPager = st.get("pager").ne(t).and(pending.at(st.get("pager")).has(t));
      const queuedOnlyThere = forall(Pager, (p) => pending.at(p).has(t).implies(st.is("blocked").and(st.get("pager").eq(p))));
      return st.is("blocked").implies(waitsAtItsPager).and(queuedOnlyThere);
    }),
  ),
];

export const INVARIANT_NAMES = SPEC_INVARIANTS.map((i) => i.name);
