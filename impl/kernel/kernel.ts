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
import { PTE_RW, entryAddress, isPresent, pdIndex } from "../hw/bits.js";
import { walk } from "../hw/walk.js";
import type { KernelMutantName } from "../mutants.js";
import type { Architecture, DispatchOutcome, Trap } from "./architecture.js";
import type { KernelConfig } from "./config.js";
import { REGION_TABLE_SLOT, isUserAddress, regionSlot, userPageAddress, type Layout } from "./layout.js";
import { FrameRegistry, placementFor, type Placement } from "./physical.js";
import { decodeRegionEntry, encodeRegionEntry, regionEntryOffset, type RegionEntry } from "./region-table.js";
import { cloneState, type KernelState } from "./state.js";
import type { AccessKind, Message, TaskId, ThreadId, ThreadStatus } from "./types.js";
import { createAddressSpace, entryPointer, readPte, walkpgdir } from "./vm.js";
import { makeReady, release, runnable, switchTo } from "./scheduler.js";
import { send, withdraw } from "./ipc.js";

export type AccessOutcome = { readonly hit: true } | { readonly hit: false; readonly address: number; readonly errorCode: number };

export class Kernel {
  readonly layout: Layout;
  readonly placement: Placement;
  readonly frames: FrameRegistry;
  /** What each thread last received (its user registers; not kernel state). */
  readonly received: (Message | null)[];

  constructor(
    readonly config: KernelConfig,
    readonly arch: Architecture,
    readonly mutant: KernelMutantName | null,
    public state: KernelState,
    /** The booted kernel's placement and frame registry (fixed after boot), shared by its copies. */
    shared?: { readonly placement: Placement; readonly frames: FrameRegistry },
  ) {
    this.layout = config.layout;
    this.placement = shared?.placement ?? placementFor(config.layout, config.tasks, config.frames.length);
    this.frames = shared?.frames ?? new FrameRegistry();
    this.received = config.threads.map(() => null);
    if (shared === undefined) this.recordFrames();
  }

  /** A fresh system: one address space per task, every thread ready, each CPU running the next ready thread. */
  static boot(config: KernelConfig, arch: Architecture, mutant: KernelMutantName | null = null): Kernel {
    const memory = new PhysicalMemory();
    const cpus = createCpus(memory, config.cpus, undefined, { cr0: KERNEL_CR0 });
    const state: KernelState = {
      memory,
      cpus,
      threads: config.threads.map((): ThreadStatus => ({ tag: "ready" })),
      queues: config.threads.map(() => []),
      ready: config.threads.map((_, t) => t),
    };
    const kernel = new Kernel(config, arch, mutant, state);
    for (let task = 0; task < config.tasks; task++) {
      createAddressSpace(memory, kernel.placement, task, arch.regionTable);
      if (arch.regionTable && mutant === "shared-region-table") {
        memory.write32(entryPointer(kernel.placement.pageDirectory(task), REGION_TABLE_SLOT), memory.read32(entryPointer(kernel.placement.pageDirectory(0), REGION_TABLE_SLOT)));
      }
    }
    arch.setup?.(kernel);
    kernel.recordFrames();
    for (const cpu of cpus) kernel.release(cpu.id);
    return kernel;
  }

  /** A kernel over `state` itself, for reading it (invariants, views): nothing may be changed through it. */
  over(state: KernelState): Kernel {
    return new Kernel(this.config, this.arch, this.mutant, state, this);
  }

  /** A kernel over a copy of `state` (the model checker's successor function). */
  fork(state: KernelState = this.state): Kernel {
    return new Kernel(this.config, this.arch, this.mutant, cloneState(state), this);
  }

  private recordFrames(): void {
    for (let task = 0; task < this.config.tasks; task++) {
      const pd = this.placement.pageDirectory(task);
      this.frames.record(pd, "page-directory", task);
      if (this.arch.regionTable) {
        const slot = this.state.memory.read32(entryPointer(pd, REGION_TABLE_SLOT));
        if (isPresent(slot)) this.frames.record(entryAddress(slot), "region-table", task);
      }
    }
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

  /** Does `task` have a region table (the kernel's, or one the architecture keeps at user level)? */
  hasRegionTable(task: TaskId): boolean {
    return this.arch.regionTable || (this.arch.regionTableFrame?.(this, task) ?? null) !== null;
  }

  /** L4 + L4Re: the region-mapper thread of `task`, or null. */
  regionMapperOf(task: TaskId): ThreadId | null {
    return this.config.regionMapperOf?.[task] ?? null;
  }

  isRegionMapper(thread: ThreadId): boolean {
    return this.regionMapperOf(this.taskOf(thread)) === thread;
  }

  /**
   * Physical address of a region's entry: in a user-level table (L4Re's
   * region mapper's frame), or in the kernel's, found by translating the
   * table's fixed address in `task`'s address space with the hardware walk in
   * supervisor mode, as the kernel's own load would.
   */
  private regionEntryPhysical(task: TaskId, region: number, write: boolean): number {
    if (!this.arch.regionTable) {
      const frame = this.arch.regionTableFrame?.(this, task) ?? null;
      if (frame === null) throw new Error(`task ${task} has no region table`);
      return frame + regionEntryOffset(region);
    }
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

  /** Does a PTE let this access through (the zero level's present re-check)? */
  static allows(pte: number, access: AccessKind): boolean {
    return isPresent(pte) && (access === "read" || (pte & PTE_RW) !== 0);
  }

  /**
   * After a present entry of `task` changed: INVLPG on every CPU whose CR3
   * is that address space (the local one and, by IPI, the others; an IPI is
   * modelled as completing inside the system call, as a synchronous
   * shootdown does).
   */
  shootdown(task: TaskId, linear: number, initiator: number): void {
    if (this.mutant === "no-invlpg") return;
    const pd = this.pageDirectory(task);
    for (const cpu of this.state.cpus) {
      if (this.mutant === "no-shootdown" && cpu.id !== initiator) continue;
      if (cpu.cr3 === pd) cpu.invlpg(linear);
    }
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
        this.arch.resolveInKernel!(this, trap, o.frame, cpu);
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
