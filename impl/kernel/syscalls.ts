/**
 * The system calls. A call arrives as registers (a call number and up to five
 * 32-bit arguments); decodeSyscall turns them into a typed call or an error.
 * executeSyscall validates every argument before it changes anything, so a
 * call that returns an error leaves the state exactly as it was (only the
 * CPU's counters saw the kernel entry and the return).
 */
import { match } from "ts-pattern";
import { PTE_P, PTE_RW, entryAddress, isMarker, isPresent, markerOf, pageBase } from "../hw/bits.js";
import type { Trap } from "./architecture.js";
import { SyscallError } from "./errors.js";
import { Kernel } from "./kernel.js";
import { receive } from "./ipc.js";
import { isUserAddress, regionOf, userPageAddress } from "./layout.js";
import { STOP_REASONS, SYSCALL_NAMES, type Message, type StopReason, type Syscall, type TaskId, type ThreadId } from "./types.js";
import { mapPage, rightsOf, unmapPage, type Rights } from "./vm.js";

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

// --- effects ------------------------------------------------------------------------

/**
 * Install a mapping (xv6 mappages + the INVLPG the x86 needs when a present
 * entry changes). An identical mapping is left alone (its A/D bits too).
 */
export function installMapping(k: Kernel, task: TaskId, linear: number, frame: number, rights: Rights, cpu: number): void {
  const old = k.pte(task, linear);
  const physical = k.placement.userFrame(frame);
  if (isPresent(old) && entryAddress(old) === physical && rightsOf(old) === rights) return;
  mapPage(k.memory, k.placement, k.layout, task, linear, physical, rights);
  if (isPresent(old)) k.shootdown(task, linear, cpu);
}

/** Decision D1: a new (or no) manager starts from an empty, unaccepted region; faults waiting there run again. */
function reassign(k: Kernel, task: TaskId, region: number, manager: ThreadId | null, cpu: number): void {
  if (k.mutant !== "no-flush-on-reassign") k.flushRegion(task, region, cpu);
  for (const t of k.blockedIn(task, region)) {
    const s = k.status(t);
    // A fault at L4Re's region mapper is not decided yet: it will be, on the new table.
    if (s.tag !== "blocked" || s.handler === k.regionMapperOf(task)) continue;
    k.withdraw(s.handler, t);
    k.makeReady(t);
  }
  k.setRegionEntry(task, region, { manager, accepted: manager !== null && k.mutant === "acceptance-without-map" });
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
  const caller = k.requireUserThread(cpu);
  k.cpu(cpu).enterKernel("syscall");
  const decoded = decodeSyscall(raw);
  if (typeof decoded === "number") return fail(k, cpu, decoded, null);
  if (!k.arch.syscalls.has(decoded.call)) return fail(k, cpu, SyscallError.NotSupported, decoded);
  const error = validate(k, caller, decoded);
  if (error !== SyscallError.Ok) return fail(k, cpu, error, decoded);
  perform(k, cpu, caller, decoded);
  return { error: SyscallError.Ok, call: decoded };
}

function fail(k: Kernel, cpu: number, error: SyscallError, call: Syscall | null): SyscallResult {
  k.cpu(cpu).returnToUser();
  return { error, call };
}

/** Every check, before any effect. */
function validate(k: Kernel, caller: ThreadId, call: Syscall): SyscallError {
  const task = k.taskOf(caller);
  const threads = k.config.threads.length;
  return match(call)
    .with({ call: "AssignManager" }, (c) => {
      if (c.region >= k.layout.regions) return SyscallError.BadRegion;
      if (!k.hasRegionTable(task) || k.isRegionMapper(caller)) return SyscallError.NotSupported;
      if (c.manager >= threads) return SyscallError.BadThread;
      if (!k.isPager(c.manager)) return SyscallError.NotAPager;
      return k.regionEntry(task, c.region).manager === c.manager ? SyscallError.AlreadyManager : SyscallError.Ok;
    })
    .with({ call: "ClearManager" }, (c) => {
      if (c.region >= k.layout.regions) return SyscallError.BadRegion;
      // L4Re: the region mapper serves its task's attach requests; it makes none of its own.
      if (!k.hasRegionTable(task) || k.isRegionMapper(caller)) return SyscallError.NotSupported;
      return k.regionEntry(task, c.region).manager === null ? SyscallError.NoManager : SyscallError.Ok;
    })
    .with({ call: "Map" }, (c) => {
      const bad = checkUserPage(k, c.task, c.region, c.page);
      if (bad !== SyscallError.Ok) return bad;
      if (c.frame >= k.config.frames.length) return SyscallError.BadFrame;
      return checkManager(k, caller, c.task, c.region, c.frame);
    })
    .with({ call: "Unmap" }, (c) => {
      const bad = checkUserPage(k, c.task, c.region, c.page);
      if (bad !== SyscallError.Ok) return bad;
      if (!isMarker(c.marker)) return SyscallError.BadMarker;
      const manages = checkManager(k, caller, c.task, c.region, null);
      if (manages !== SyscallError.Ok) return manages;
      // REVOKE_AGREEMENT removes a piece of memory; without it (decision D6) the marker of a page that is not present may be written.
      return c.revoke && !isPresent(k.pte(c.task, userPageAddress(k.layout, c.region, c.page))) ? SyscallError.NotMapped : SyscallError.Ok;
    })
    .with({ call: "Receive" }, { call: "Yield" }, () => SyscallError.Ok)
    .with({ call: "Resolve" }, (c) => {
      const trap = faultRepliedBy(k, caller, c.thread);
      if (trap === null) return c.thread >= threads ? SyscallError.BadThread : SyscallError.NoSuchFault;
      if (awaitsForwarding(k, c.thread) || undecided(k, caller, c.thread) !== null) return SyscallError.NotTheDecision;
      if (!rightsAllow(c.rights, trap.access)) return SyscallError.BadRights;
      if (c.frame >= k.config.frames.length) return SyscallError.BadFrame;
      return k.arch.replyMapCheck(k, caller, trap, c.frame);
    })
    .with({ call: "Resume" }, (c) => {
      const trap = faultRepliedBy(k, caller, c.thread);
      if (trap === null) return c.thread >= threads ? SyscallError.BadThread : SyscallError.NoSuchFault;
      // The region mapper passes the real pager's answer on (reply through the region mapper).
      if (awaitsForwarding(k, c.thread)) return SyscallError.Ok;
      const decision = undecided(k, caller, c.thread);
      if (decision !== null) return decision.call === "Resume" ? SyscallError.Ok : SyscallError.NotTheDecision;
      return Kernel.allows(k.pte(k.taskOf(c.thread), trap.address), trap.access) ? SyscallError.Ok : SyscallError.NotMapped;
    })
    .with({ call: "Refuse" }, (c) => {
      if (faultRepliedBy(k, caller, c.thread) === null) return c.thread >= threads ? SyscallError.BadThread : SyscallError.NoSuchFault;
      if (awaitsForwarding(k, c.thread)) return SyscallError.NotTheDecision;
      const decision = undecided(k, caller, c.thread);
      if (decision !== null) return decision.call === "Refuse" && decision.reason === c.reason ? SyscallError.Ok : SyscallError.NotTheDecision;
      // Only the zero level (here: L4Re's region mapper running it) names a reason of its own.
      return c.reason === undefined ? SyscallError.Ok : SyscallError.NotSupported;
    })
    .with({ call: "Reflect" }, (c) => {
      if (faultRepliedBy(k, caller, c.thread) === null) return c.thread >= threads ? SyscallError.BadThread : SyscallError.NoSuchFault;
      if (c.to >= threads) return SyscallError.BadThread;
      if (!k.isPager(c.to) || c.to === caller) return SyscallError.NotAPager;
      if (k.arch.mayReflect?.(k, caller, c.thread) !== true) return SyscallError.NotSupported;
      if (awaitsForwarding(k, c.thread)) return SyscallError.NotTheDecision;
      const decision = undecided(k, caller, c.thread);
      if (decision === null) return SyscallError.Ok;
      return decision.call === "Reflect" && decision.to === c.to ? SyscallError.Ok : SyscallError.NotTheDecision;
    })
    .exhaustive();
}

/** The effects of a validated call, then the return to user or the switch away. */
function perform(k: Kernel, cpu: number, caller: ThreadId, call: Syscall): void {
  const task = k.taskOf(caller);
  match(call)
    .with({ call: "AssignManager" }, (c) => {
      reassign(k, task, c.region, c.manager, cpu);
      k.cpu(cpu).returnToUser();
    })
    .with({ call: "ClearManager" }, (c) => {
      reassign(k, task, c.region, null, cpu);
      k.cpu(cpu).returnToUser();
    })
    .with({ call: "Map" }, (c) => {
      installMapping(k, c.task, userPageAddress(k.layout, c.region, c.page), c.frame, c.rights, cpu);
      // "Memory provider task provides this agreement implicitly by taking memory management action on the region assigned to it."
      k.setRegionEntry(c.task, c.region, { manager: caller, accepted: true });
      k.cpu(cpu).returnToUser();
    })
    .with({ call: "Unmap" }, (c) => {
      const linear = userPageAddress(k.layout, c.region, c.page);
      const old = unmapPage(k.memory, k.placement, k.layout, c.task, linear, k.mutant === "marker-lost" ? 0 : c.marker);
      if (isPresent(old)) k.shootdown(c.task, linear, cpu);
      if (c.revoke && k.presentPages(c.task, c.region) === 0) revoke(k, caller, c.task, c.region);
      // D6: "Memory provider task provides this agreement implicitly by taking memory management action on the region assigned to it."
      else if (!c.revoke) k.setRegionEntry(c.task, c.region, { manager: caller, accepted: true });
      k.cpu(cpu).returnToUser();
    })
    .with({ call: "Receive" }, () => receive(k, cpu, caller))
    .with({ call: "Yield" }, () => {
      k.makeReady(caller);
      k.release(cpu);
    })
    .with({ call: "Resolve" }, (c) => {
      const s = k.status(c.thread);
      if (s.tag !== "blocked") return;
      const target = k.taskOf(c.thread);
      installMapping(k, target, pageBase(s.address), c.frame, c.rights, cpu);
      if (k.hasRegionTable(target)) acceptIfManager(k, caller, target, s.address);
      reply(k, cpu, caller, c.thread, c.wait);
    })
    .with({ call: "Resume" }, (c) => reply(k, cpu, caller, c.thread, c.wait))
    .with({ call: "Refuse" }, (c) => {
      k.withdraw(caller, c.thread);
      k.setStatus(c.thread, { tag: "stopped", reason: c.reason ?? "refused" });
      finishReply(k, cpu, caller, c.wait, undefined);
    })
    .with({ call: "Reflect" }, (c) => {
      const s = k.status(c.thread);
      if (s.tag !== "blocked") return;
      k.withdraw(caller, c.thread);
      // The region mapper's re-check read the entry now: the message it forwards carries what it read.
      const seen = isUserAddress(k.layout, s.address) ? k.pte(k.taskOf(c.thread), s.address) : s.seen;
      k.setStatus(c.thread, { ...s, handler: c.to, seen });
      k.send(c.to, faultMessage(c.thread, s.address, s.access, seen));
      finishReply(k, cpu, caller, true, c.to);
    })
    .exhaustive();
}

function acceptIfManager(k: Kernel, caller: ThreadId, task: TaskId, address: number): void {
  const region = regionOf(k.layout, address);
  const entry = k.regionEntry(task, region);
  if (entry.manager === caller && !entry.accepted) k.setRegionEntry(task, region, { manager: caller, accepted: true });
}

/** A fault message carrying the entry read for it (its marker when not present). */
function faultMessage(thread: ThreadId, address: number, access: "read" | "write", seen: number): Message {
  const present = isPresent(seen);
  return { kind: "fault", thread, address, access, marker: present ? 0 : markerOf(seen), present };
}

/** L4Re's region mapper's decision when `caller` is the region mapper holding `thread`'s undecided fault. */
function undecided(k: Kernel, caller: ThreadId, thread: ThreadId): Syscall | null {
  return k.arch.regionMapperDecision?.(k, caller, thread) ?? null;
}

/** Reply through the region mapper: the real pager's answer waits at the region mapper. */
function awaitsForwarding(k: Kernel, thread: ThreadId): boolean {
  const s = k.status(thread);
  return s.tag === "blocked" && s.replied === true;
}

/** A fault reply: resume the thread, or (reply through the region mapper) tell the region mapper. */
function reply(k: Kernel, cpu: number, caller: ThreadId, thread: ThreadId, wait: boolean): void {
  k.withdraw(caller, thread);
  const route = k.arch.replyRoute(k, caller, thread);
  if (route.resume) {
    k.makeReady(thread);
    finishReply(k, cpu, caller, wait, thread);
  } else {
    const s = k.status(thread);
    if (s.tag === "blocked") k.setStatus(thread, { ...s, handler: route.to, replied: true });
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
