/**
 * The system calls. A call arrives as registers (a call number and up to five
 * 32-bit arguments); decodeSyscall turns them into a typed call or an error.
 * executeSyscall validates every argument before it changes anything, so a
 * call that returns an error leaves the state exactly as it was (only the
 * CPU's counters saw the kernel entry and the return).
 */
import { match } from "ts-pattern";
import { PTE_P, PTE_RW, isMarker, isPresent, markerOf, pageBase } from "../hw/bits.js";
import type { Trap } from "./architecture.js";
import { SyscallError } from "./errors.js";
import type { Kernel } from "./kernel.js";
import { blockedOn, receive } from "./ipc.js";
import { isUserAddress, regionOf, userPageAddress } from "./layout.js";
import { allows } from "./rules.js";
import { STOP_REASONS, SYSCALL_NAMES, type Message, type StopReason, type Syscall, type TaskId, type ThreadId } from "./types.js";
import { unmapPage, type Rights } from "./vm.js";

/** Register-level rights encoding: the PTE bits a mapping gets. */
export const RIGHTS_RO = PTE_P;
export const RIGHTS_RW = PTE_P | PTE_RW;

export interface RawSyscall {
  /** EAX: index into SYSCALL_NAMES. */
  readonly number: number;
  /** EBX, ECX, EDX, ESI, EDI. */
  readonly args: readonly number[];
}

export type SyscallResult = { readonly error: SyscallError; readonly call: Syscall | null };

const ARGUMENT_COUNT: Record<Syscall["call"], number> = {
  AssignManager: 2,
  ClearManager: 1,
  Map: 5,
  Unmap: 5,
  Receive: 0,
  Resolve: 4,
  Resume: 2,
  Refuse: 2,
  Reflect: 2,
  Yield: 0,
};

const isWord = (v: unknown): v is number => typeof v === "number" && Number.isInteger(v) && v >= 0 && v < 2 ** 32;

function decodeRights(value: number): Rights | null {
  if (value === RIGHTS_RO) return "ro";
  if (value === RIGHTS_RW) return "rw";
  return null;
}

function decodeFlag(value: number): boolean | null {
  return value === 0 ? false : value === 1 ? true : null;
}

/** Refuse's optional third argument: absent or 0 for a plain refusal, 1 + the index of a zero-level reason (the L4Re region mapper's). */
const NO_REASON = 0;

function decodeReason(value: number | undefined): StopReason | undefined | null {
  if (value === undefined || value === NO_REASON) return undefined;
  if (!isWord(value)) return null;
  return STOP_REASONS[value - 1] ?? null;
}

/** Registers to a typed call, or the error the kernel returns for them. */
export function decodeSyscall(raw: RawSyscall): Syscall | SyscallError {
  const name = isWord(raw.number) ? SYSCALL_NAMES[raw.number] : undefined;
  if (name === undefined) return SyscallError.BadCall;
  const count = ARGUMENT_COUNT[name];
  const a = raw.args;
  for (let i = 0; i < count; i++) if (!isWord(a[i])) return SyscallError.BadCall;
  const at = (i: number): number => a[i]!;
  return match(name)
    .returnType<Syscall | SyscallError>()
    .with("AssignManager", (call) => ({ call, region: at(0), manager: at(1) }))
    .with("ClearManager", (call) => ({ call, region: at(0) }))
    .with("Map", (call) => {
      const rights = decodeRights(at(4));
      return rights === null ? SyscallError.BadRights : { call, task: at(0), region: at(1), page: at(2), frame: at(3), rights };
    })
    .with("Unmap", (call) => {
      const revoke = decodeFlag(at(4));
      return revoke === null ? SyscallError.BadCall : { call, task: at(0), region: at(1), page: at(2), marker: at(3), revoke };
    })
    .with("Receive", (call) => ({ call }))
    .with("Resolve", (call) => {
      const rights = decodeRights(at(2));
      const wait = decodeFlag(at(3));
      if (rights === null) return SyscallError.BadRights;
      return wait === null ? SyscallError.BadCall : { call, thread: at(0), frame: at(1), rights, wait };
    })
    .with("Resume", (call) => {
      const wait = decodeFlag(at(1));
      return wait === null ? SyscallError.BadCall : { call, thread: at(0), wait };
    })
    .with("Refuse", (call) => {
      const wait = decodeFlag(at(1));
      const reason = decodeReason(a[2]);
      if (wait === null || reason === null) return SyscallError.BadCall;
      return reason === undefined ? { call, thread: at(0), wait } : { call, thread: at(0), wait, reason };
    })
    .with("Reflect", (call) => ({ call, thread: at(0), to: at(1) }))
    .with("Yield", (call) => ({ call }))
    .exhaustive();
}

/** A typed call back to registers (for workloads and fuzzers). */
export function encodeSyscall(call: Syscall): RawSyscall {
  const number = SYSCALL_NAMES.indexOf(call.call);
  const rights = (r: Rights): number => (r === "rw" ? RIGHTS_RW : RIGHTS_RO);
  const flag = (b: boolean): number => (b ? 1 : 0);
  const args = match(call)
    .with({ call: "AssignManager" }, (c) => [c.region, c.manager])
    .with({ call: "ClearManager" }, (c) => [c.region])
    .with({ call: "Map" }, (c) => [c.task, c.region, c.page, c.frame, rights(c.rights)])
    .with({ call: "Unmap" }, (c) => [c.task, c.region, c.page, c.marker, flag(c.revoke)])
    .with({ call: "Receive" }, { call: "Yield" }, () => [])
    .with({ call: "Resolve" }, (c) => [c.thread, c.frame, rights(c.rights), flag(c.wait)])
    .with({ call: "Resume" }, (c) => [c.thread, flag(c.wait)])
    .with({ call: "Refuse" }, (c) => (c.reason === undefined ? [c.thread, flag(c.wait)] : [c.thread, flag(c.wait), 1 + STOP_REASONS.indexOf(c.reason)]))
    .with({ call: "Reflect" }, (c) => [c.thread, c.to])
    .exhaustive();
  return { number, args };
}

// --- validation helpers (each returns Ok or the error; none changes anything) ------

function checkUserPage(k: Kernel, task: number, region: number, page: number): SyscallError {
  if (task >= k.config.tasks) return SyscallError.BadTask;
  if (region >= k.layout.regions) return SyscallError.BadRegion;
  if (page >= k.layout.pagesPerRegion) return SyscallError.BadPage;
  return SyscallError.Ok;
}

/** May `caller` manage (task, region)? "Region manager have rights to map and unmap resources owned by it into any place in the managed region." */
export function checkManager(k: Kernel, caller: ThreadId, task: TaskId, region: number, frame: number | null): SyscallError {
  if (!k.hasRegionTable(task)) return SyscallError.NotSupported;
  const entry = k.regionEntry(task, region);
  if (entry.manager !== caller) return SyscallError.NotManager;
  if (frame !== null) {
    if (frame >= k.config.frames.length) return SyscallError.BadFrame;
    if (k.config.frames[frame] !== caller) return SyscallError.NotOwner;
  }
  return SyscallError.Ok;
}

/** The fault `thread` is blocked on, if `caller` holds its reply. */
function faultRepliedBy(k: Kernel, caller: ThreadId, thread: number): Trap | null {
  if (thread >= k.config.threads.length) return null;
  const s = k.status(thread);
  if (s.tag !== "blocked" || s.handler !== caller) return null;
  return { thread, address: s.address, access: s.access };
}

const rightsAllow = (rights: Rights, access: "read" | "write"): boolean => rights === "rw" || access === "read";

/**
 * The one answer `caller` may give to `thread`'s fault it holds, or null when
 * any valid answer goes: an answer travelling back (replyRoute) is only
 * passed on, and an undecided fault at an architecture's runtime gets the
 * runtime's decision.
 */
export function prescribedAnswer(k: Kernel, caller: ThreadId, thread: ThreadId): Syscall | null {
  const s = k.status(thread);
  if (s.tag !== "blocked" || s.handler !== caller) return null;
  if (s.replied === true) return { call: "Resume", thread, wait: true };
  return k.arch.decisionOf(k, caller, thread);
}

/** Is `call` the prescribed answer (the reply-and-wait flag aside)? */
function isAnswer(call: Syscall, prescribed: Syscall): boolean {
  return match(prescribed)
    .returnType<boolean>()
    .with({ call: "Resume" }, (p) => call.call === "Resume" && call.thread === p.thread)
    .with({ call: "Refuse" }, (p) => call.call === "Refuse" && call.thread === p.thread && call.reason === p.reason)
    .with({ call: "Reflect" }, (p) => call.call === "Reflect" && call.thread === p.thread && call.to === p.to)
    .otherwise(() => false);
}

// --- effects ------------------------------------------------------------------------

/** Decision D1: a new (or no) manager starts from an empty, unaccepted region; faults waiting there at the old manager run again. */
function reassign(k: Kernel, task: TaskId, region: number, manager: ThreadId | null, cpu: number): void {
  const old = k.regionEntry(task, region).manager;
  if (k.rules.flushesOnReassign()) k.flushRegion(task, region, cpu);
  for (const t of k.blockedIn(task, region)) {
    const s = k.status(t);
    // A fault not (yet) at the old manager (an architecture's runtime holds it undecided, or passes an answer on) stays.
    if (s.tag !== "blocked" || s.handler !== old) continue;
    k.withdraw(s.handler, t);
    k.makeReady(t);
  }
  k.setRegionEntry(task, region, manager === null ? { manager: null, accepted: false } : k.rules.assignedEntry(manager));
}

/** "pager can revoke its agreement by removing last piece of memory from the particular region with REVOKE_AGREEMENT" (and D2). */
function revoke(k: Kernel, manager: ThreadId, task: TaskId, region: number): void {
  k.setRegionEntry(task, region, { manager, accepted: false });
  for (const t of k.blockedIn(task, region)) {
    const s = k.status(t);
    if (s.tag !== "blocked" || s.handler !== manager) continue;
    k.withdraw(manager, t);
    k.setStatus(t, { tag: "stopped", reason: "revoked" });
  }
}

/**
 * Execute a system call of the thread running on `cpu`: the CPU enters the
 * kernel, the call is validated and done, and the CPU returns to the caller
 * or, when the caller blocks in Receive, switches to the next thread.
 */
export function executeSyscall(k: Kernel, cpu: number, raw: RawSyscall): SyscallResult {
  const decoded = decodeSyscall(raw);
  if (typeof decoded !== "number") return { error: executeCall(k, cpu, decoded), call: decoded };
  k.requireUserThread(cpu);
  k.cpu(cpu).enterKernel("syscall");
  return fail(k, cpu, decoded, null);
}

/** A decoded call of the thread running on `cpu` (what executeSyscall does once the registers are decoded). */
export function executeCall(k: Kernel, cpu: number, call: Syscall): SyscallError {
  const caller = k.requireUserThread(cpu);
  k.cpu(cpu).enterKernel("syscall");
  const error = callError(k, caller, call);
  if (error !== SyscallError.Ok) return fail(k, cpu, error, call).error;
  perform(k, cpu, caller, call);
  return SyscallError.Ok;
}

/** The error the kernel would return for `caller`'s call, or Ok; changes nothing. */
export function callError(k: Kernel, caller: ThreadId, call: Syscall): SyscallError {
  if (!k.arch.syscalls.has(call.call)) return SyscallError.NotSupported;
  return validate(k, caller, call);
}

function fail(k: Kernel, cpu: number, error: SyscallError, call: Syscall | null): SyscallResult {
  k.cpu(cpu).returnToUser();
  return { error, call };
}

/** A fault answer by `caller`: the fault must be held by it, and be the prescribed answer when there is one. */
function validateAnswer(k: Kernel, caller: ThreadId, call: Extract<Syscall, { thread: number }>, unprescribed: (trap: Trap) => SyscallError): SyscallError {
  const trap = faultRepliedBy(k, caller, call.thread);
  if (trap === null) return call.thread >= k.config.threads.length ? SyscallError.BadThread : SyscallError.NoSuchFault;
  const prescribed = prescribedAnswer(k, caller, call.thread);
  if (prescribed !== null) return isAnswer(call, prescribed) ? SyscallError.Ok : SyscallError.NotTheDecision;
  return unprescribed(trap);
}

/**
 * Every check, before any effect. (validate and perform run for every call
 * the model checker tries: plain switches, exhaustive by `never`, rather
 * than ts-pattern's matcher objects.)
 */
function validate(k: Kernel, caller: ThreadId, call: Syscall): SyscallError {
  const task = k.taskOf(caller);
  const threads = k.config.threads.length;
  // An architecture's runtime serves its task's requests; it makes none of its own.
  const regionCalls = (): SyscallError => (!k.hasRegionTable(task) || k.roleOf(caller) === "runtime" ? SyscallError.NotSupported : SyscallError.Ok);
  switch (call.call) {
    case "AssignManager": {
      if (call.region >= k.layout.regions) return SyscallError.BadRegion;
      const refused = regionCalls();
      if (refused !== SyscallError.Ok) return refused;
      if (call.manager >= threads) return SyscallError.BadThread;
      if (!k.isPager(call.manager)) return SyscallError.NotAPager;
      return k.regionEntry(task, call.region).manager === call.manager ? SyscallError.AlreadyManager : SyscallError.Ok;
    }
    case "ClearManager": {
      if (call.region >= k.layout.regions) return SyscallError.BadRegion;
      const refused = regionCalls();
      if (refused !== SyscallError.Ok) return refused;
      return k.regionEntry(task, call.region).manager === null ? SyscallError.NoManager : SyscallError.Ok;
    }
    case "Map": {
      const bad = checkUserPage(k, call.task, call.region, call.page);
      if (bad !== SyscallError.Ok) return bad;
      if (call.frame >= k.config.frames.length) return SyscallError.BadFrame;
      return checkManager(k, caller, call.task, call.region, call.frame);
    }
    case "Unmap": {
      const bad = checkUserPage(k, call.task, call.region, call.page);
      if (bad !== SyscallError.Ok) return bad;
      if (!isMarker(call.marker)) return SyscallError.BadMarker;
      const manages = checkManager(k, caller, call.task, call.region, null);
      if (manages !== SyscallError.Ok) return manages;
      // REVOKE_AGREEMENT removes a piece of memory; without it (decision D6) the marker of a page that is not present may be written.
      return call.revoke && !isPresent(k.pte(call.task, userPageAddress(k.layout, call.region, call.page))) ? SyscallError.NotMapped : SyscallError.Ok;
    }
    case "Receive":
    case "Yield":
      return SyscallError.Ok;
    case "Resolve":
      return validateAnswer(k, caller, call, (trap) => {
        if (!rightsAllow(call.rights, trap.access)) return SyscallError.BadRights;
        if (call.frame >= k.config.frames.length) return SyscallError.BadFrame;
        return k.arch.replyMapCheck(k, caller, trap, call.frame);
      });
    case "Resume":
      return validateAnswer(k, caller, call, (trap) => (allows(k.pte(k.taskOf(call.thread), trap.address), trap.access) ? SyscallError.Ok : SyscallError.NotMapped));
    case "Refuse":
      // Only the zero level (an architecture's runtime running it) names a reason of its own.
      return validateAnswer(k, caller, call, () => (call.reason === undefined ? SyscallError.Ok : SyscallError.NotSupported));
    case "Reflect":
      if (faultRepliedBy(k, caller, call.thread) !== null) {
        if (call.to >= threads) return SyscallError.BadThread;
        if (!k.isPager(call.to) || call.to === caller) return SyscallError.NotAPager;
      }
      // Forwarding a fault is a runtime's decision, never a pager's own answer.
      return validateAnswer(k, caller, call, () => SyscallError.NotSupported);
    default:
      return call satisfies never;
  }
}

/** The effects of a validated call, then the return to user or the switch away. */
function perform(k: Kernel, cpu: number, caller: ThreadId, call: Syscall): void {
  const task = k.taskOf(caller);
  switch (call.call) {
    case "AssignManager":
      reassign(k, task, call.region, call.manager, cpu);
      k.cpu(cpu).returnToUser();
      return;
    case "ClearManager":
      reassign(k, task, call.region, null, cpu);
      k.cpu(cpu).returnToUser();
      return;
    case "Map":
      k.installMapping(call.task, userPageAddress(k.layout, call.region, call.page), call.frame, call.rights, cpu);
      // "Memory provider task provides this agreement implicitly by taking memory management action on the region assigned to it."
      k.setRegionEntry(call.task, call.region, { manager: caller, accepted: true });
      k.cpu(cpu).returnToUser();
      return;
    case "Unmap": {
      const linear = userPageAddress(k.layout, call.region, call.page);
      const old = unmapPage(k.memory, k.placement, k.layout, call.task, linear, k.rules.storedMarker(call.marker));
      if (isPresent(old)) k.shootdown(call.task, linear, cpu);
      if (call.revoke && k.presentPages(call.task, call.region) === 0) revoke(k, caller, call.task, call.region);
      // D6: "Memory provider task provides this agreement implicitly by taking memory management action on the region assigned to it."
      else if (!call.revoke) k.setRegionEntry(call.task, call.region, { manager: caller, accepted: true });
      k.cpu(cpu).returnToUser();
      return;
    }
    case "Receive":
      receive(k, cpu, caller);
      return;
    case "Yield":
      k.makeReady(caller);
      k.release(cpu);
      return;
    case "Resolve": {
      const s = k.status(call.thread);
      if (s.tag !== "blocked") return;
      const target = k.taskOf(call.thread);
      k.installMapping(target, pageBase(s.address), call.frame, call.rights, cpu);
      if (k.hasRegionTable(target)) acceptIfManager(k, caller, target, s.address);
      reply(k, cpu, caller, call.thread, call.wait);
      return;
    }
    case "Resume":
      reply(k, cpu, caller, call.thread, call.wait);
      return;
    case "Refuse":
      k.withdraw(caller, call.thread);
      k.setStatus(call.thread, { tag: "stopped", reason: call.reason ?? "refused" });
      finishReply(k, cpu, caller, call.wait, undefined);
      return;
    case "Reflect": {
      const s = k.status(call.thread);
      if (s.tag !== "blocked") return;
      k.withdraw(caller, call.thread);
      // The runtime's re-check read the entry now: the message it forwards carries what it read.
      const seen = isUserAddress(k.layout, s.address) ? k.pte(k.taskOf(call.thread), s.address) : s.seen;
      k.setStatus(call.thread, blockedOn(s, call.to, { seen }));
      k.send(call.to, faultMessage(call.thread, s.address, s.access, seen));
      finishReply(k, cpu, caller, true, call.to);
      return;
    }
    default:
      call satisfies never;
  }
}

function acceptIfManager(k: Kernel, caller: ThreadId, task: TaskId, address: number): void {
  const region = regionOf(k.layout, address);
  const entry = k.regionEntry(task, region);
  if (entry.manager === caller && !entry.accepted) k.setRegionEntry(task, region, { manager: caller, accepted: true });
}

/** A fault message carrying the entry read for it (its marker when not present). */
export function faultMessage(thread: ThreadId, address: number, access: "read" | "write", seen: number): Message {
  const present = isPresent(seen);
  return { kind: "fault", thread, address, access, marker: present ? 0 : markerOf(seen), present };
}

/** A fault answer: resume the thread, or pass the answer on through the thread the architecture routes it to. */
function reply(k: Kernel, cpu: number, caller: ThreadId, thread: ThreadId, wait: boolean): void {
  k.withdraw(caller, thread);
  const s = k.status(thread);
  const route = s.tag === "blocked" && s.replied === true ? ({ resume: true } as const) : k.arch.replyRoute(k, caller, thread);
  if (route.resume) {
    k.makeReady(thread);
    finishReply(k, cpu, caller, wait, thread);
  } else {
    if (s.tag === "blocked") k.setStatus(thread, blockedOn(s, route.to, { replied: true }));
    k.send(route.to, { kind: "resolved", thread });
    finishReply(k, cpu, caller, wait, route.to);
  }
}

/** After a reply: back to the caller, or (reply-and-wait) Receive, handing the CPU to `handoff` if the caller blocks. */
function finishReply(k: Kernel, cpu: number, caller: ThreadId, wait: boolean, handoff: ThreadId | undefined): void {
  if (!wait) {
    k.cpu(cpu).returnToUser();
    return;
  }
  receive(k, cpu, caller, handoff);
}
