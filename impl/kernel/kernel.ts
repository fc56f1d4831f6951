/**
 * The kernel core: address spaces, region tables, threads, asynchronous IPC
 * and the scheduler, operating on a KernelState in simulated memory. Its
 * entry points are what a CPU can do next: a user thread touches memory (and
 * may trap), the zero level dispatches a trapped fault, a thread makes a
 * system call, an idle CPU schedules, the ordinary exception handling
 * restarts a stopped thread. Each entry point is one atomic kernel step.
 */
import { match } from "ts-pattern";
import { Cpu, KERNEL_CR0, createCpus } from "../hw/cpu.js";
import { PhysicalMemory } from "../hw/memory.js";
import { entryAddress, isPresent, pageBase, pdIndex } from "../hw/bits.js";
import { walk } from "../hw/walk.js";
import type { Architecture, DispatchOutcome, RegionTablePlace, ThreadRole, Trap } from "./architecture.js";
import type { KernelConfig } from "./config.js";
import { isUserAddress, regionSlot, userPageAddress, type Layout } from "./layout.js";
import { FrameRegistry, placementFor, type Placement } from "./physical.js";
import { decodeRegionEntry, encodeRegionEntry, regionEntryOffset, type RegionEntry } from "./region-table.js";
import { KERNEL_RULES, type KernelRules } from "./rules.js";
import { cloneState, type KernelState } from "./state.js";
import type { AccessKind, Message, TaskId, ThreadId, ThreadStatus } from "./types.js";
import { createAddressSpace, entryPointer, mapPage, readPte, rightsOf, walkpgdir, type Rights } from "./vm.js";
import { makeReady, preempt, release, runnable, switchTo } from "./scheduler.js";
import { send, withdraw } from "./ipc.js";

export type AccessOutcome = { readonly hit: true } | { readonly hit: false; readonly address: number; readonly errorCode: number };

export class Kernel {
  readonly layout: Layout;
  readonly placement: Placement;
  readonly frames: FrameRegistry;
  /** Each configured thread's role under the architecture (fixed). */
  readonly roles: readonly ThreadRole[];
  /** Each task's region-table place under the architecture (fixed). */
  private readonly tablePlaces: readonly RegionTablePlace[];

  constructor(
    readonly config: KernelConfig,
    readonly arch: Architecture,
    readonly rules: KernelRules,
    public state: KernelState,
    /** The booted kernel's fixed facts (placement, frame registry, roles), shared by its copies. */
    shared?: Kernel,
  ) {
    this.layout = config.layout;
    this.placement = shared?.placement ?? placementFor(config.layout, config.tasks, config.frames.length);
    this.frames = shared?.frames ?? new FrameRegistry();
    this.roles = shared?.roles ?? config.threads.map((_, t) => arch.roleOf(config, t));
    this.tablePlaces = shared?.tablePlaces ?? Array.from({ length: config.tasks }, (_, task) => arch.regionTableOf(config, this.placement, task));
  }

  /**
   * A fresh system: one address space per task, every thread that runs as a
   * thread ready (an in-kernel module never is), each CPU running the next
   * ready thread.
   */
  static boot(config: KernelConfig, arch: Architecture, rules: KernelRules = KERNEL_RULES): Kernel {
    const memory = new PhysicalMemory();
    const cpus = createCpus(memory, config.cpus, undefined, { cr0: KERNEL_CR0 });
    const state: KernelState = {
      memory,
      cpus,
      threads: config.threads.map((): ThreadStatus => ({ tag: "ready" })),
      queues: config.threads.map(() => []),
      ready: [],
    };
    const kernel = new Kernel(config, arch, rules, state);
    state.ready.push(...config.threads.flatMap((_, t) => (kernel.roles[t] === "module" ? [] : [t])));
    for (let task = 0; task < config.tasks; task++) {
      const place = kernel.tablePlaces[task]!;
      const table = place.kind === "kernel" ? rules.regionTableFrame(kernel.placement, task) : null;
      createAddressSpace(memory, kernel.placement, task, table);
      kernel.frames.record(kernel.placement.pageDirectory(task), "page-directory", task);
      if (table !== null) kernel.frames.record(table, "region-table", task);
      if (place.kind === "runtime") kernel.frames.record(place.frame, "routing-table", task);
    }
    for (const cpu of cpus) kernel.release(cpu.id);
    return kernel;
  }

  /** A kernel over `state` itself, for reading it (invariants, views): nothing may be changed through it. */
  over(state: KernelState): Kernel {
    return new Kernel(this.config, this.arch, this.rules, state, this);
  }

  /** A kernel over a copy of `state` (the model checker's successor function). */
  fork(state: KernelState = this.state): Kernel {
    return new Kernel(this.config, this.arch, this.rules, cloneState(state), this);
  }

  // --- who is who --------------------------------------------------------------

  get memory(): PhysicalMemory {
    return this.state.memory;
  }
  cpu(id: number): Cpu {
    return this.state.cpus[id]!;
  }
  taskOf(thread: ThreadId): TaskId {
    return this.config.threads[thread]!.task;
  }
  isPager(thread: ThreadId): boolean {
    return this.config.threads[thread]?.pager === true;
  }
  roleOf(thread: ThreadId): ThreadRole {
    return this.roles[thread]!;
  }
  status(thread: ThreadId): ThreadStatus {
    return this.state.threads[thread]!;
  }
  setStatus(thread: ThreadId, status: ThreadStatus): void {
    this.state.threads[thread] = status;
  }
  /** The thread a CPU is executing (in user mode or trapped), or null when the CPU is idle. */
  threadOn(cpu: number): ThreadId | null {
    const index = this.state.threads.findIndex((s) => (s.tag === "running" || s.tag === "trapped") && s.cpu === cpu);
    return index < 0 ? null : index;
  }
  pageDirectory(task: TaskId): number {
    return this.placement.pageDirectory(task);
  }

  // --- the region table, read and written through its fixed kernel address -------

  /** Where `task`'s region table lives (the kernel's page, a runtime's frame, or none). */
  regionTablePlace(task: TaskId): RegionTablePlace {
    return this.tablePlaces[task]!;
  }

  /** Does `task` have a region table (the kernel's, or one the architecture keeps at user level)? */
  hasRegionTable(task: TaskId): boolean {
    return this.tablePlaces[task]!.kind !== "none";
  }

  /**
   * Physical address of a region's entry: in a user-level table (L4Re's
   * region mapper's frame), or in the kernel's, found by translating the
   * table's fixed address in `task`'s address space with the hardware walk in
   * supervisor mode, as the kernel's own load would.
   */
  private regionEntryPhysical(task: TaskId, region: number, write: boolean): number {
    const place = this.tablePlaces[task]!;
    if (place.kind === "none") throw new Error(`task ${task} has no region table`);
    if (place.kind === "runtime") return place.frame + regionEntryOffset(region);
    const registers = { cr0: KERNEL_CR0, cr3: this.pageDirectory(task), cr4: 0 };
    const result = walk(this.memory, registers, this.layout.regionTableAddress + regionEntryOffset(region), { write, user: false });
    if (!result.ok) throw new Error(`region table of task ${task} is not mapped at its fixed address`);
    return result.physical;
  }

  regionEntry(task: TaskId, region: number): RegionEntry {
    return decodeRegionEntry(this.memory.read32(this.regionEntryPhysical(task, region, false)));
  }

  setRegionEntry(task: TaskId, region: number, entry: RegionEntry): void {
    this.memory.write32(this.regionEntryPhysical(task, region, true), encodeRegionEntry(entry));
  }

  // --- page tables ---------------------------------------------------------------

  pte(task: TaskId, linear: number): number {
    return readPte(this.memory, this.placement, this.layout, task, linear);
  }

  /**
   * After a present entry of `task` changed: INVLPG on every CPU whose CR3
   * is that address space (the local one and, by IPI, the others; an IPI is
   * modelled as completing inside the system call, as a synchronous
   * shootdown does).
   */
  shootdown(task: TaskId, linear: number, initiator: number): void {
    const pd = this.pageDirectory(task);
    for (const cpu of this.state.cpus) if (this.rules.invalidates(cpu, pd, initiator)) cpu.invlpg(linear);
  }

  /**
   * Install a mapping (xv6 mappages + the INVLPG the x86 needs when a present
   * entry changes). An identical mapping is left alone (its A/D bits too).
   */
  installMapping(task: TaskId, linear: number, frame: number, rights: Rights, cpu: number): void {
    const old = this.pte(task, linear);
    const physical = this.placement.userFrame(frame);
    if (isPresent(old) && entryAddress(old) === physical && rightsOf(old) === rights) return;
    mapPage(this.memory, this.placement, this.layout, task, linear, physical, rights);
    if (isPresent(old)) this.shootdown(task, linear, cpu);
  }

  /** Every page of a region back to "not present, marker 0" (decision D1), the page table freed. */
  flushRegion(task: TaskId, region: number, initiator: number): void {
    const pd = this.pageDirectory(task);
    const slotPointer = entryPointer(pd, regionSlot(this.layout, region));
    if (!isPresent(this.memory.read32(slotPointer))) return;
    // Every entry of the page table, not only the pages a small configuration uses: no stale translation may survive.
    const table = this.placement.pageTable(task, region);
    const present: number[] = [];
    this.memory.frameWords(table).forEach((pte, index) => {
      if (isPresent(pte)) present.push(userPageAddress(this.layout, region, index));
    });
    this.memory.zeroFrame(table);
    this.memory.write32(slotPointer, 0);
    for (const linear of present) this.shootdown(task, linear, initiator);
  }

  /** Present pages left in a region. */
  presentPages(task: TaskId, region: number): number {
    let count = 0;
    for (let page = 0; page < this.layout.pagesPerRegion; page++) {
      if (isPresent(this.pte(task, userPageAddress(this.layout, region, page)))) count++;
    }
    return count;
  }

  pteAddress(task: TaskId, linear: number): number | null {
    return walkpgdir(this.memory, this.placement, this.layout, task, linear, false);
  }

  // --- scheduler -------------------------------------------------------------------

  /** The timer interrupt on `cpu` (scheduler.ts): the next thread that may run there replaces the one in user mode. */
  preempt(cpu: number): ThreadId | null {
    return preempt(this, cpu);
  }

  /** Can `thread` be given a CPU now? (scheduler.ts) */
  runnable(thread: ThreadId): boolean {
    return runnable(this, thread);
  }
  makeReady(thread: ThreadId): void {
    makeReady(this, thread);
  }
  switchTo(cpu: number, thread: ThreadId): void {
    switchTo(this, cpu, thread);
  }
  release(cpu: number, handoff?: ThreadId): ThreadId | null {
    return release(this, cpu, handoff);
  }

  // --- IPC (ipc.ts) --------------------------------------------------------------------

  send(to: ThreadId, message: Message): void {
    send(this, to, message);
  }
  withdraw(holder: ThreadId, thread: ThreadId): void {
    withdraw(this, holder, thread);
  }

  // --- entry points ------------------------------------------------------------------

  /** The thread on `cpu` touches `linear`: a hit, or a trap into the kernel (the CPU counts the entry). */
  access(cpu: number, linear: number, kind: AccessKind, value = 0): AccessOutcome {
    const thread = this.requireUserThread(cpu);
    const c = this.cpu(cpu);
    const result = kind === "read" ? c.read32(linear) : c.write32(linear, value);
    if (result.ok) return { hit: true };
    this.setStatus(thread, { tag: "trapped", cpu, address: result.fault.cr2, errorCode: result.fault.errorCode, access: kind });
    return { hit: false, address: result.fault.cr2, errorCode: result.fault.errorCode };
  }

  /** The zero level (or the architecture's fault entry) on the fault trapped on `cpu`. */
  dispatch(cpu: number): { thread: ThreadId; outcome: DispatchOutcome } {
    const thread = this.threadOn(cpu);
    const status = thread === null ? null : this.status(thread);
    if (thread === null || status === null || status.tag !== "trapped") throw new Error(`CPU ${cpu} has no trapped fault to dispatch`);
    const trap: Trap = { thread, address: status.address, access: status.access };
    const outcome = this.arch.classify(this, trap);
    match(outcome)
      .with({ kind: "general-protection" }, (o) => {
        this.setStatus(thread, { tag: "stopped", reason: o.reason });
        this.release(cpu);
      })
      .with({ kind: "resumed" }, () => {
        this.setStatus(thread, { tag: "running", cpu });
        this.cpu(cpu).returnToUser();
      })
      .with({ kind: "resolved-in-kernel" }, (o) => {
        const task = this.taskOf(thread);
        this.installMapping(task, pageBase(trap.address), o.frame, o.rights, cpu);
        // The mapping is the region manager's acceptance ("implicitly by taking memory management action").
        const region = this.rules.faultRegion(this.layout, trap.address)!;
        this.setRegionEntry(task, region, { manager: this.regionEntry(task, region).manager, accepted: true });
        this.setStatus(thread, { tag: "running", cpu });
        this.cpu(cpu).returnToUser();
      })
      .with({ kind: "delivered" }, (o) => {
        const seen = isUserAddress(this.layout, trap.address) ? this.pte(this.taskOf(thread), trap.address) : 0;
        this.setStatus(thread, { tag: "blocked", address: trap.address, access: trap.access, handler: o.to, seen });
        this.send(o.to, { kind: "fault", thread, address: trap.address, access: trap.access, marker: o.marker, present: isPresent(seen) });
        this.release(cpu, o.to);
      })
      .exhaustive();
    return { thread, outcome };
  }

  /** An idle CPU takes the head of the run queue. */
  schedule(cpu: number): ThreadId | null {
    if (this.threadOn(cpu) !== null) throw new Error(`CPU ${cpu} is not idle`);
    return this.release(cpu);
  }

  /** The ordinary exception handling lets a stopped thread run again. */
  handleException(thread: ThreadId): void {
    if (this.status(thread).tag !== "stopped") throw new Error(`thread ${thread} is not stopped`);
    this.makeReady(thread);
  }

  requireUserThread(cpu: number): ThreadId {
    const thread = this.threadOn(cpu);
    if (thread === null || this.status(thread).tag !== "running") throw new Error(`CPU ${cpu} runs no user thread`);
    return thread;
  }

  /** Threads blocked on a fault in (task, region). */
  blockedIn(task: TaskId, region: number): ThreadId[] {
    const result: ThreadId[] = [];
    this.state.threads.forEach((s, t) => {
      if (s.tag !== "blocked" || this.taskOf(t) !== task) return;
      const slot = pdIndex(s.address) - regionSlot(this.layout, 0);
      if (slot === region) result.push(t);
    });
    return result;
  }
}
