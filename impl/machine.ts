/**
 * The concrete kernel as a model/ StateMachine: states are KernelStates
 * (simulated memory, CPUs with their TLBs, kernel objects), transitions are
 * what the CPUs can do next, labelled with the spec's action names where the
 * step is one of the design's events, and with internal names otherwise.
 *
 * The user programs are nondeterministic, as in the spec: the thread running
 * on a CPU may touch any page of any region of its task or any of the
 * configuration's kernel addresses, read or write, or make any system call
 * with any argument from the configuration's domains.
 *
 * Labels (params carry what the refinement mapping needs):
 *   design events  AssignManager {thread, region, manager}
 *                  ClearManager {thread, region}
 *                  Map {manager, task, region, page, frame, rights}
 *                  Unmap {manager, task, region, page, marker, revoke}
 *                  Access {thread, space, region, page | kernelAddress, access, result}
 *                  Dispatch {thread, outcome, reason | pager, marker}
 *                  Resolve {pager, thread, frame, rights}
 *                  Resume {pager, thread}
 *                  Refuse {pager, thread}
 *                  HandleException {thread}
 *   internal       Schedule {cpu, thread} (an idle CPU takes `thread`),
 *                  Preempt {cpu, thread, from} (the timer interrupt: `thread`
 *                  replaces `from`, which was running in user mode),
 *                  Receive {thread}, Yield {thread},
 *                  Reflect {thread, from, to} (a forwarding outside a
 *                  runtime's decision: raw system calls only),
 *                  DeliverFault {thread, to} (the kernel hands a fault to
 *                  the task's runtime, L4Re's region mapper; the design's
 *                  zero level has not run yet), ForwardReply {thread, from}
 *                  (the runtime passes a pager's answer on)
 * A thread runs according to its role (Architecture.roleOf): a user thread
 * may do anything above; a runtime thread (L4Re's region mapper) runs only
 * the runtime's program (impl/arch/runtime.ts): for each message it holds,
 * the architecture's prescribed answer (its decision on a fault, labelled
 * Dispatch as the kernel's zero level is, or the pass-on of an answer,
 * ForwardReply), and Receive when it holds none; an in-kernel module never
 * runs. A pager answers only faults whose message it has received, and
 * waits for the next message (Receive) only when it holds none, as a pager
 * loop does.
 * Every step also carries `cpu` (except HandleException). A step whose
 * successor equals its source (a system call refused with an error, a
 * mapping identical to the one present) is not emitted: it changes nothing.
 */
import { match } from "ts-pattern";
import type { ActionParams, Invariant, StateMachine, Step, TraceValue } from "../model/machine.js";
import { PTE_RW, entryAddress, isPresent, markerOf } from "./hw/bits.js";
import { proposed } from "./arch/proposed.js";
import { runtimeCalls } from "./arch/runtime.js";
import { markerIn, rightsOf } from "./kernel/vm.js";
import type { Architecture } from "./kernel/architecture.js";
import { fromSpecConfig, validateKernelConfig, type KernelConfig, type SpecShapedConfig } from "./kernel/config.js";
import { SyscallError } from "./kernel/errors.js";
import { heldFaults } from "./kernel/ipc.js";
import { Kernel } from "./kernel/kernel.js";
import { isUserAddress, kernelAddresses, pageInRegion, regionOf, userPageAddress } from "./kernel/layout.js";
import { frameOf } from "./kernel/physical.js";
import { REGION_NEVER_PRESENT, regionEntryOffset } from "./kernel/region-table.js";
import { decodeState, encodeState, type KernelState } from "./kernel/state.js";
import { callError, executeCall } from "./kernel/syscalls.js";
import type { AccessKind, Syscall, ThreadId } from "./kernel/types.js";
import { KERNEL_FAIRNESS } from "./fairness.js";
import { kernelVariant } from "./mutants.js";
import type { Rights } from "./kernel/vm.js";

export const KERNEL_MACHINE_NAME = "multipager-kernel";

export const KERNEL_ACTIONS = [
  "AssignManager",
  "ClearManager",
  "Map",
  "Unmap",
  "Access",
  "Dispatch",
  "Resolve",
  "Resume",
  "Refuse",
  "HandleException",
  "Schedule",
  "Preempt",
  "Receive",
  "Yield",
  "Reflect",
  "DeliverFault",
  "ForwardReply",
] as const;

/** Actions that are the kernel's own bookkeeping: the refinement maps them to stutters. */
export const INTERNAL_ACTIONS: ReadonlySet<string> = new Set(["Schedule", "Preempt", "Receive", "Yield", "Reflect", "DeliverFault", "ForwardReply"]);

export const KERNEL_VARIABLES = ["regionTable", "pageTable", "threads", "queues", "ready", "cpus", "memory"] as const;

const ACCESS_KINDS: readonly AccessKind[] = ["read", "write"];
const RIGHTS: readonly Rights[] = ["ro", "rw"];

const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i);

export interface KernelMachineOptions {
  /** CPUs when the configuration is spec-shaped (default 1). */
  readonly cpus?: number;
}

function isKernelConfig(config: KernelConfig | SpecShapedConfig): config is KernelConfig {
  return typeof config === "object" && config !== null && "layout" in config;
}

/** The machine, plus what the refinement check needs to read its states. */
export interface KernelMachine extends StateMachine<KernelState> {
  /** The concrete configuration (converted from the spec's shape when given one, with the architecture's own threads). */
  readonly config: KernelConfig;
  /** A read-only kernel over a state (its layout, placement, region tables, PTEs, roles). */
  readonly kernelOver: (state: KernelState) => Kernel;
}

/** A concrete machine: `config` in the kernel's shape or the spec's (converted by fromSpecConfig), on `arch` with `mutant` planted. */
export function buildKernelMachine(
  config: KernelConfig | SpecShapedConfig,
  arch: Architecture | string = proposed,
  mutant?: string | null,
  options: KernelMachineOptions = {},
): KernelMachine {
  const variant = kernelVariant(arch, mutant);
  const kernelConfig = variant.arch.withOwnThreads(isKernelConfig(config) ? validateKernelConfig(config) : fromSpecConfig(config, { cpus: options.cpus ?? 1 }));
  const boot = Kernel.boot(kernelConfig, variant.arch, variant.rules);
  const initial = boot.state;
  const template = boot;
  return {
    name: KERNEL_MACHINE_NAME,
    actions: KERNEL_ACTIONS,
    variables: KERNEL_VARIABLES,
    invariants: kernelInvariants(template),
    initialStates: () => [initial],
    successors: (s) => successors(template, s),
    encode: encodeState,
    decode: decodeState,
    view: (s) => viewState(template.over(s)),
    fairness: KERNEL_FAIRNESS,
    config: kernelConfig,
    kernelOver: (s) => template.over(s),
  };
}

// --- successors ----------------------------------------------------------------------

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

function* successors(template: Kernel, s: KernelState): Generator<Step<KernelState>> {
  let before: Uint8Array | null = null;
  const steps: Step<KernelState>[] = [];
  /** `mayBeUnchanged`: the step can leave the state as it was (an identical Map), which is no transition at all. */
  const emit = (action: string, params: ActionParams, k: Kernel, mayBeUnchanged = false): void => {
    if (mayBeUnchanged) {
      before ??= encodeState(s);
      if (sameBytes(encodeState(k.state), before)) return;
    }
    steps.push({ action, params, state: k.state });
  };
  const probe = template.over(s);
  const { config, layout } = template;

  for (let cpu = 0; cpu < config.cpus; cpu++) {
    const thread = probe.threadOn(cpu);
    if (thread === null) {
      if (probe.state.ready.some((t) => probe.runnable(t))) {
        const k = template.fork(s);
        const next = k.schedule(cpu);
        if (next !== null) emit("Schedule", { cpu, thread: next }, k);
      }
      continue;
    }
    const status = probe.status(thread);
    if (status.tag === "trapped") {
      const k = template.fork(s);
      const { outcome } = k.dispatch(cpu);
      if (outcome.kind === "delivered" && probe.roleOf(outcome.to) === "runtime") {
        emit("DeliverFault", { thread, cpu, to: outcome.to }, k);
        continue;
      }
      const detail: ActionParams = match(outcome)
        .with({ kind: "general-protection" }, (o) => ({ outcome: o.kind, reason: o.reason }))
        .with({ kind: "resumed" }, (o) => ({ outcome: o.kind }))
        .with({ kind: "delivered" }, (o) => ({ outcome: o.kind, pager: o.to, marker: o.marker }))
        .with({ kind: "resolved-in-kernel" }, (o) => ({ outcome: o.kind, frame: o.frame }))
        .exhaustive();
      emit("Dispatch", { thread, cpu, ...detail }, k);
      continue;
    }
    if (status.tag !== "running") continue;
    const preempted = template.fork(s);
    const next = preempted.preempt(cpu);
    if (next !== null) emit("Preempt", { cpu, thread: next, from: thread }, preempted);
    if (probe.roleOf(thread) === "runtime") {
      runtimeSteps(template, s, cpu, thread, emit);
      continue;
    }
    userAccesses(template, s, cpu, thread, emit);
    userSyscalls(template, s, cpu, thread, emit);
  }

  s.threads.forEach((status, thread) => {
    if (status.tag !== "stopped") return;
    const k = template.fork(s);
    k.handleException(thread);
    emit("HandleException", { thread }, k);
  });
  yield* steps;

  function userAccesses(t: Kernel, state: KernelState, cpu: number, thread: ThreadId, out: typeof emit): void {
    const targets: { linear: number; where: ActionParams }[] = [];
    for (const region of range(layout.regions))
      for (const page of range(layout.pagesPerRegion))
        targets.push({ linear: userPageAddress(layout, region, page), where: { space: "user", region, page } });
    kernelAddresses(layout, config.kernelAddresses).forEach((linear, index) => targets.push({ linear, where: { space: "kernel", kernelAddress: index } }));
    for (const { linear, where } of targets)
      for (const access of ACCESS_KINDS) {
        const k = t.fork(state);
        const result = k.access(cpu, linear, access);
        out("Access", { thread, cpu, ...where, access, result: result.hit ? "hit" : "trap" }, k);
      }
  }
}

/** Every system call the running thread might make, with arguments from the configuration's domains. */
function candidateCalls(k: Kernel, caller: ThreadId): Syscall[] {
  const { config, layout } = k;
  const calls: Syscall[] = [];
  const regions = range(layout.regions);
  const pagers = range(config.threads.length).filter((t) => k.isPager(t));
  const has = (name: Syscall["call"]): boolean => k.arch.syscalls.has(name);
  if (has("AssignManager")) for (const region of regions) for (const manager of pagers) calls.push({ call: "AssignManager", region, manager });
  if (has("ClearManager")) for (const region of regions) calls.push({ call: "ClearManager", region });
  if (k.isPager(caller) && has("Map"))
    for (const task of range(config.tasks))
      for (const region of regions)
        for (const page of range(layout.pagesPerRegion))
          for (const frame of range(config.frames.length))
            for (const rights of RIGHTS) calls.push({ call: "Map", task, region, page, frame, rights });
  if (k.isPager(caller) && has("Unmap"))
    for (const task of range(config.tasks))
      for (const region of regions)
        for (const page of range(layout.pagesPerRegion))
          for (const marker of range(config.markers))
            for (const revoke of [false, true]) calls.push({ call: "Unmap", task, region, page, marker, revoke });
  // A pager answers the faults whose message it holds; when it holds none it may wait for the next (with an empty queue it blocks).
  const held = heldFaults(k, caller);
  for (const thread of held) {
    if (has("Resolve")) for (const frame of range(config.frames.length)) for (const rights of RIGHTS) calls.push({ call: "Resolve", thread, frame, rights, wait: false });
    if (has("Resume")) calls.push({ call: "Resume", thread, wait: false });
    if (has("Refuse")) calls.push({ call: "Refuse", thread, wait: false });
  }
  if (has("Receive") && k.isPager(caller) && held.length === 0) calls.push({ call: "Receive" });
  if (has("Yield") && k.state.ready.length > 0) calls.push({ call: "Yield" });
  return calls;
}

function userSyscalls(
  template: Kernel,
  s: KernelState,
  cpu: number,
  caller: ThreadId,
  emit: (action: string, params: ActionParams, k: Kernel, mayBeUnchanged?: boolean) => void,
): void {
  // A refused call changes nothing (the fuzz tests check it): only the accepted ones are done, each on a copy.
  const probe = template.over(s);
  for (const call of candidateCalls(probe, caller)) {
    if (callError(probe, caller, call) !== SyscallError.Ok) continue;
    const k = template.fork(s);
    const resolvesToSamePage = call.call === "Resolve" && alreadyMapped(k, call.thread, call.frame, call.rights);
    executeCall(k, cpu, call);
    const [action, params] = label(call, caller, resolvesToSamePage);
    emit(action, { ...params, cpu }, k, call.call === "Map" || call.call === "Unmap" || call.call === "Yield");
  }
}

/**
 * A runtime thread's steps: the calls of its program (impl/arch/runtime.ts),
 * each labelled with what it is for the design: a decision on a fault is
 * the zero level's Dispatch, the pass-on of an answer is ForwardReply, and
 * Receive is Receive.
 */
function runtimeSteps(
  template: Kernel,
  s: KernelState,
  cpu: number,
  runtime: ThreadId,
  emit: (action: string, params: ActionParams, k: Kernel) => void,
): void {
  const probe = template.over(s);
  for (const call of runtimeCalls(probe, runtime)) {
    const k = template.fork(s);
    const [action, params] = runtimeLabel(probe, runtime, call);
    if (executeCall(k, cpu, call) === SyscallError.Ok) emit(action, { ...params, cpu }, k);
  }
}

function runtimeLabel(k: Kernel, runtime: ThreadId, call: Syscall): [string, ActionParams] {
  if (call.call === "Receive") return ["Receive", { thread: runtime }];
  const thread = "thread" in call ? call.thread : -1;
  const st = k.status(thread);
  if (st.tag === "blocked" && st.replied === true) return ["ForwardReply", { thread, from: runtime }];
  const marker = st.tag === "blocked" && isUserAddress(k.layout, st.address) ? markerIn(k.pte(k.taskOf(thread), st.address)) : 0;
  return match(call)
    .returnType<[string, ActionParams]>()
    .with({ call: "Refuse" }, (d) => ["Dispatch", { thread, outcome: "general-protection", reason: d.reason ?? "refused" }])
    .with({ call: "Resume" }, () => ["Dispatch", { thread, outcome: "resumed" }])
    .with({ call: "Reflect" }, (d) => ["Dispatch", { thread, outcome: "delivered", pager: d.to, marker }])
    .otherwise((d) => ["Dispatch", { thread, outcome: d.call }]);
}

/** A Resolve whose mapping is already there is, for the design, a Resume (the spec's map would be disabled). */
function alreadyMapped(k: Kernel, thread: ThreadId, frame: number, rights: Rights): boolean {
  const s = k.status(thread);
  if (s.tag !== "blocked" || !isUserAddress(k.layout, s.address)) return false;
  const pte = k.pte(k.taskOf(thread), s.address);
  return isPresent(pte) && entryAddress(pte) === k.placement.userFrame(frame) && ((pte & PTE_RW) !== 0) === (rights === "rw");
}

function label(call: Syscall, caller: ThreadId, resolveIsResume: boolean): [string, ActionParams] {
  return match(call)
    .returnType<[string, ActionParams]>()
    .with({ call: "AssignManager" }, (c) => ["AssignManager", { thread: caller, region: c.region, manager: c.manager }])
    .with({ call: "ClearManager" }, (c) => ["ClearManager", { thread: caller, region: c.region }])
    .with({ call: "Map" }, (c) => ["Map", { manager: caller, task: c.task, region: c.region, page: c.page, frame: c.frame, rights: c.rights }])
    .with({ call: "Unmap" }, (c) => [
      "Unmap",
      { manager: caller, task: c.task, region: c.region, page: c.page, marker: c.marker, revoke: c.revoke },
    ])
    .with({ call: "Resolve" }, (c) =>
      resolveIsResume ? ["Resume", { pager: caller, thread: c.thread }] : ["Resolve", { pager: caller, thread: c.thread, frame: c.frame, rights: c.rights }],
    )
    .with({ call: "Resume" }, (c) => ["Resume", { pager: caller, thread: c.thread }])
    .with({ call: "Refuse" }, (c) => ["Refuse", { pager: caller, thread: c.thread }])
    .with({ call: "Reflect" }, (c) => ["Reflect", { thread: c.thread, from: caller, to: c.to }])
    .with({ call: "Receive" }, () => ["Receive", { thread: caller }])
    .with({ call: "Yield" }, () => ["Yield", { thread: caller }])
    .exhaustive();
}

// --- invariants of the concrete structures ---------------------------------------------

function forEachUserPte(k: Kernel, visit: (task: number, region: number, page: number, pte: number) => void): void {
  for (let task = 0; task < k.config.tasks; task++)
    for (let region = 0; region < k.layout.regions; region++)
      for (let page = 0; page < k.layout.pagesPerRegion; page++) visit(task, region, page, k.pte(task, userPageAddress(k.layout, region, page)));
}

function kernelInvariants(template: Kernel): Invariant<KernelState>[] {
  const invariants: Invariant<KernelState>[] = [
    {
      name: "PresentPagesBelongToManager",
      quote: "Region manager have rights to map and unmap resources owned by it into any place in the managed region without any restrictions.",
      holds: (s) => {
        const k = template.over(s);
        let ok = true;
        forEachUserPte(k, (task, region, _page, pte) => {
          if (!ok || !isPresent(pte)) return;
          const owner = k.config.frames[frameOf(pte)];
          // Without a region table (the L4 baselines) a page may come from any pager that answered a fault.
          const manager = k.hasRegionTable(task) ? k.regionEntry(task, region).manager : owner;
          if (owner === undefined || manager === null || owner !== manager) ok = false;
        });
        return ok;
      },
    },
    {
      name: "TlbAgreesWithPageTables",
      quote: "The paging is one of the major features of the virtual memory ... Transparent changing of mappings between hardware memory and memory layout observed by applications.",
      holds: (s) => {
        const k = template.over(s);
        for (const cpu of s.cpus) {
          const task = range(k.config.tasks).find((t) => k.pageDirectory(t) === cpu.cr3);
          if (task === undefined) continue;
          for (const entry of cpu.tlb.entries()) {
            if (!isUserAddress(k.layout, entry.linearBase)) continue;
            const pte = k.pte(task, entry.linearBase);
            if (!isPresent(pte) || entryAddress(pte) !== entry.physicalBase) return false;
            if (entry.writable && (pte & PTE_RW) === 0) return false;
          }
        }
        return true;
      },
    },
  ];
  if (range(template.config.tasks).every((task) => template.regionTablePlace(task).kind === "kernel")) {
    invariants.push(
      {
        name: "RegionTableNeverPresent",
        quote: "Region table is implemented as a memory page which contains an array of thread ids of region managers.",
        holds: (s) => {
          const k = template.over(s);
          for (let task = 0; task < k.config.tasks; task++) {
            for (let region = 0; region < k.layout.regions; region++) {
              if ((k.memory.read32(k.placement.regionTable(task) + regionEntryOffset(region)) & REGION_NEVER_PRESENT) !== 0) return false;
            }
          }
          return true;
        },
      },
      {
        name: "AcceptedOnlyAfterMap",
        quote: "Memory provider task provides this agreement implicitly by taking memory management action on the region assigned to it.",
        holds: (s) => {
          // An accepted region whose pages were never touched (no page table) was accepted without a map.
          const k = template.over(s);
          for (let task = 0; task < k.config.tasks; task++)
            for (let region = 0; region < k.layout.regions; region++) {
              const entry = k.regionEntry(task, region);
              if (entry.accepted && k.pteAddress(task, userPageAddress(k.layout, region, 0)) === null) return false;
            }
          return true;
        },
      },
    );
  }
  return invariants;
}

// --- view --------------------------------------------------------------------------------

const hex = (n: number): string => `0x${(n >>> 0).toString(16).padStart(8, "0")}`;

function viewState(k: Kernel): Readonly<Record<string, TraceValue>> {
  const { layout, config } = k;
  const regionTable = range(config.tasks).map((task) =>
    k.hasRegionTable(task)
      ? range(layout.regions).map((region): TraceValue => {
          const e = k.regionEntry(task, region);
          // The spec's encoding (spec/view.ts): a manager only when one is assigned, never -1.
          return e.manager === null ? { assigned: false, accepted: e.accepted } : { assigned: true, manager: e.manager, accepted: e.accepted };
        })
      : [],
  );
  const pageTable = range(config.tasks).map((task) =>
    range(layout.regions).map((region) =>
      range(layout.pagesPerRegion).map((page): TraceValue => {
        const pte = k.pte(task, userPageAddress(layout, region, page));
        return isPresent(pte)
          ? { present: true, frame: frameOf(pte), rights: rightsOf(pte), pte: hex(pte) }
          : { present: false, marker: markerOf(pte) };
      }),
    ),
  );
  const threads = k.state.threads.map((s): TraceValue =>
    match(s)
      .returnType<TraceValue>()
      .with({ tag: "ready" }, { tag: "receiving" }, (x) => ({ tag: x.tag }))
      .with({ tag: "running" }, (x) => ({ tag: x.tag, cpu: x.cpu }))
      .with({ tag: "trapped" }, (x) => ({ tag: x.tag, cpu: x.cpu, address: hex(x.address), errorCode: x.errorCode, access: x.access }))
      .with({ tag: "blocked" }, (x) => ({
        tag: x.tag,
        address: hex(x.address),
        access: x.access,
        handler: x.handler,
        seen: hex(x.seen),
        ...(x.received === true ? { received: true } : {}),
        ...(x.replied === true ? { replied: true } : {}),
      }))
      .with({ tag: "stopped" }, (x) => ({ tag: x.tag, reason: x.reason }))
      .exhaustive(),
  );
  const queues = k.state.queues.map((q) =>
    q.map((m): TraceValue => (m.kind === "fault" ? { kind: m.kind, thread: m.thread, address: hex(m.address), access: m.access, marker: m.marker, present: m.present } : { kind: m.kind, thread: m.thread })),
  );
  const cpus = k.state.cpus.map((c) => ({
    cpl: c.cpl,
    cr3: hex(c.cr3),
    thread: c.currentThread ?? -1,
    tlb: c.tlb.entries().map((e) => ({ linear: hex(e.linearBase), physical: hex(e.physicalBase), writable: e.writable, user: e.user, dirty: e.dirty })),
  }));
  const memory = { "#map": k.memory.nonZeroWords().map(([address, value]) => [hex(address), hex(value)] as TraceValue) };
  return { regionTable, pageTable, threads, queues, ready: [...k.state.ready], cpus, memory };
}

/** The region and page of a user address, for labels and the refinement mapping. */
export function userPageOfAddress(k: Kernel, linear: number): { region: number; page: number } | null {
  return isUserAddress(k.layout, linear) ? { region: regionOf(k.layout, linear), page: pageInRegion(k.layout, linear) } : null;
}
