/**
 * Table I, measured: the same fault workload on each architecture, on the
 * simulated CPUs, with the mode and context switches read from the CPUs' own
 * counters.
 *
 * Every thread runs a small user program: a client touches pages, a pager
 * answers fault messages (Resolve when it has not mapped the page yet,
 * Resume when it has, Refuse outside what it backs), a region mapper looks
 * the region up in its table and reflects, a bystander yields. A driver
 * steps the CPUs; each step's counter delta (summed over every CPU) is
 * attributed to the fault it serves: the trap and the dispatch to the
 * faulting thread's fault, a pager's or region mapper's step to the fault of
 * the message it is handling. A figure per handled fault is the sum over the
 * steps attributed to that fault, so no figure is computed from anything but
 * the counters.
 */
import { match } from "ts-pattern";
import { pageNumber } from "./hw/bits.js";
import { isUserAddress, regionOf, userPageAddress, PAPER_LAYOUT, type Layout } from "./kernel/layout.js";
import { Kernel } from "./kernel/kernel.js";
import type { KernelConfig } from "./kernel/config.js";
import { validateKernelConfig } from "./kernel/config.js";
import { architectures } from "./arch/index.js";
import type { Architecture } from "./kernel/architecture.js";
import type { ArchName } from "./arch/index.js";
import { executeSyscall, encodeSyscall } from "./kernel/syscalls.js";
import { SyscallError, errorName } from "./kernel/errors.js";
import { runtimeCalls } from "./arch/runtime.js";
import { heldFaults, heldMessages } from "./kernel/ipc.js";
import type { Syscall, ThreadId } from "./kernel/types.js";

/** Thread roles of the workload (the ids are the configuration's thread indices). */
export const A = 0;
export const B = 1;
export const PAGER = 2;
export const REGION_MAPPER = 3;
export const BYSTANDER = 4;
const CLIENT_TASK = 0;
const MEASURED_REGION = 0;
const PAGER_FRAMES = 16;
/** The pager's marker for a page it fills on demand (any 31-bit value: the pager's own vocabulary). */
const DEMAND_ZERO = 1;

export interface WorkloadOptions {
  /** Faults measured in the plain scenario (each on a fresh page). */
  readonly faults?: number;
  /** The pager answers with reply-and-wait (one system call), as L4 pagers do; false: reply, then a separate Receive. */
  readonly replyAndWait?: boolean;
  /** The address-space layout (default: the paper's). */
  readonly layout?: Layout;
}

export interface Switches {
  readonly mode: number;
  readonly context: number;
}

export interface ScenarioResult {
  /** Per handled fault (all faults of the scenario measured the same; otherwise the run throws). */
  readonly perFault: Switches;
  readonly faults: number;
}

export interface ArchMeasurement {
  readonly arch: ArchName;
  readonly title: string;
  readonly plain: ScenarioResult;
  readonly raced: ScenarioResult;
  readonly generalProtection: ScenarioResult;
  /** Bytes of frames allocated for the kernel's region table, per address space (task 0's, counted by the kernel's frame registry). */
  readonly kernelRegionTableBytes: number;
  /** Bytes of the region mapper's own table (user level), per address space. */
  readonly userRegionMapBytes: number;
}

/**
 * The workload's system, the same on every architecture: thread 3 is the
 * client task's region mapper where the architecture has one (L4Re) and an
 * idle thread elsewhere; the pager is a region manager, the single pager of
 * L4, or the monolithic kernel's module (which never runs).
 */
export function workloadConfig(cpus: number, layout: Layout = PAPER_LAYOUT): KernelConfig {
  return validateKernelConfig({
    layout,
    cpus,
    tasks: 3,
    threads: [
      { task: CLIENT_TASK }, // A
      { task: CLIENT_TASK }, // B
      { task: 1, pager: true }, // the pager (a region manager, or the module's frame pool for the monolithic kernel)
      { task: CLIENT_TASK }, // the region mapper (L4Re); idle elsewhere
      { task: 2 }, // a bystander: the rest of the system
    ],
    frames: Array.from({ length: PAGER_FRAMES }, () => PAGER),
    kernelAddresses: 1,
    markers: 1,
    pagerOf: [PAGER, PAGER, null, PAGER, PAGER],
    regionMapperOf: [REGION_MAPPER, null, null],
  });
}

/** Counter totals over every CPU. */
function counters(k: Kernel): Switches {
  let mode = 0;
  let context = 0;
  for (const cpu of k.state.cpus) {
    mode += cpu.modeSwitches;
    context += cpu.contextSwitches;
  }
  return { mode, context };
}

class WorkloadError extends Error {}

/** The driver: user programs, one atomic step per call, counter deltas attributed to faults. */
class Driver {
  /** Fault being handled per faulting thread ("thread#n"), and what each fault cost. */
  private readonly faultSeq = new Map<ThreadId, number>();
  readonly cost = new Map<string, { mode: number; context: number }>();
  /** Accesses each client still has to make, and the one to retry after a trap. */
  readonly plannedAccesses = new Map<ThreadId, number[]>();
  private readonly retry = new Map<ThreadId, number>();
  /** Pages the pager has mapped (its own bookkeeping). */
  private readonly mapped = new Set<number>();
  private nextFrame = 0;

  constructor(
    readonly k: Kernel,
    readonly replyAndWait: boolean,
  ) {}

  faultOf(thread: ThreadId): string {
    return `${thread}#${this.faultSeq.get(thread) ?? 0}`;
  }

  private charge(label: string | null, run: () => void): void {
    const before = counters(this.k);
    run();
    const after = counters(this.k);
    if (label === null) return;
    const old = this.cost.get(label) ?? { mode: 0, context: 0 };
    this.cost.set(label, { mode: old.mode + after.mode - before.mode, context: old.context + after.context - before.context });
  }

  private syscall(cpu: number, call: Syscall): SyscallError {
    const result = executeSyscall(this.k, cpu, encodeSyscall(call));
    return result.error;
  }

  private require(cpu: number, call: Syscall): void {
    const error = this.syscall(cpu, call);
    if (error !== SyscallError.Ok) throw new WorkloadError(`workload: ${call.call} by thread ${this.k.threadOn(cpu)} failed with ${errorName(error)}`);
  }

  /** Setup (not measured): make `thread` the one running on `cpu` by letting the others yield. */
  runAs(cpu: number, thread: ThreadId, call: Syscall): void {
    this.runUntilThread(cpu, thread);
    this.require(cpu, call);
  }

  /** Setup (not measured): let the others yield until `thread` runs on `cpu`. */
  runUntilThread(cpu: number, thread: ThreadId): void {
    for (let i = 0; this.k.threadOn(cpu) !== thread; i++) {
      if (i > 20) throw new WorkloadError(`workload: thread ${thread} never got CPU ${cpu}`);
      if (this.k.threadOn(cpu) === null) this.k.schedule(cpu);
      else this.require(cpu, { call: "Yield" });
    }
  }

  /** Has the client finished its accesses (and is not waiting to retry one)? */
  clientDone(thread: ThreadId): boolean {
    return (this.plannedAccesses.get(thread)?.length ?? 0) === 0 && !this.retry.has(thread);
  }

  /** One atomic step on `cpu`; false when the CPU has nothing to do. */
  step(cpu: number): boolean {
    const k = this.k;
    const thread = k.threadOn(cpu);
    if (thread === null) {
      if (k.state.ready.length === 0) return false;
      const next = k.state.ready[0]!;
      this.charge(this.retry.has(next) ? this.faultOf(next) : null, () => k.schedule(cpu));
      return true;
    }
    const status = k.status(thread);
    if (status.tag === "trapped") {
      this.charge(this.faultOf(thread), () => k.dispatch(cpu));
      return true;
    }
    return match(this.role(thread))
      .with("client", () => this.clientStep(cpu, thread))
      .with("pager", () => this.pagerStep(cpu, thread))
      .with("region-mapper", () => this.regionMapperStep(cpu, thread))
      .with("bystander", () => {
        this.require(cpu, { call: "Yield" });
        return true;
      })
      .exhaustive();
  }

  private role(thread: ThreadId): "client" | "pager" | "region-mapper" | "bystander" {
    if (thread === A || thread === B) return "client";
    if (thread === PAGER) return "pager";
    if (thread === REGION_MAPPER) return "region-mapper";
    return "bystander";
  }

  private clientStep(cpu: number, thread: ThreadId): boolean {
    const retrying = this.retry.get(thread);
    const address = retrying ?? this.plannedAccesses.get(thread)?.[0];
    if (address === undefined) {
      // Nothing (more) to touch: give the CPU away, like the bystander.
      this.require(cpu, { call: "Yield" });
      return true;
    }
    if (retrying === undefined) {
      this.plannedAccesses.get(thread)!.shift();
      this.faultSeq.set(thread, (this.faultSeq.get(thread) ?? 0) + 1);
    }
    let hit = false;
    this.charge(this.faultOf(thread), () => {
      hit = this.k.access(cpu, address, "read").hit;
    });
    if (hit) this.retry.delete(thread);
    else this.retry.set(thread, address);
    return true;
  }

  /** The pager's loop: answer the message it holds, or wait for one. */
  private pagerStep(cpu: number, pager: ThreadId): boolean {
    const message = heldMessages(this.k, pager)[0] ?? null;
    if (message === null || message.kind !== "fault") {
      this.charge(null, () => this.require(cpu, { call: "Receive" }));
      return true;
    }
    const wait = this.replyAndWait;
    const label = this.faultOf(message.thread);
    const page = message.address;
    const backs = isUserAddress(this.k.layout, page) && regionOf(this.k.layout, page) === MEASURED_REGION && this.k.taskOf(message.thread) === CLIENT_TASK;
    const call: Syscall = !backs
      ? { call: "Refuse", thread: message.thread, wait }
      : this.mapped.has(pageNumber(page))
        ? { call: "Resume", thread: message.thread, wait }
        : { call: "Resolve", thread: message.thread, frame: this.nextFrame, rights: "rw", wait };
    this.charge(label, () => this.require(cpu, call));
    if (call.call === "Resolve") {
      this.mapped.add(pageNumber(page));
      this.nextFrame++;
    }
    if (!wait) this.charge(label, () => this.require(cpu, { call: "Receive" }));
    return true;
  }

  /** L4Re's region mapper: its program (impl/arch/runtime.ts), one call at a time, charged to the fault of the message it answers. */
  private regionMapperStep(cpu: number, rm: ThreadId): boolean {
    const call = runtimeCalls(this.k, rm)[0]!;
    this.charge("thread" in call ? this.faultOf(call.thread) : null, () => this.require(cpu, call));
    return true;
  }

  /** Step `cpu` until `done` holds; the workload must get there in a bounded number of steps. */
  runUntil(cpu: number, done: () => boolean): void {
    for (let i = 0; !done(); i++) {
      if (i > 1000) throw new WorkloadError(`workload: CPU ${cpu} did not reach the expected state`);
      if (!this.step(cpu)) throw new WorkloadError(`workload: CPU ${cpu} has nothing to do before the expected state`);
    }
  }
}

/**
 * Boot and set up the contract, with the calls the architecture has: the
 * client assigns region 0 to the pager (L4Re: its attach request to its
 * region mapper), the pager accepts by its memory management action on the
 * region without committing a frame (decision D6: an Unmap of a page that is
 * not present writes the pager's marker there and accepts), then the region
 * mapper and the pager wait for messages. Every page the workload touches is
 * then a pure page fault that the pager resolves.
 */
function setUp(arch: Architecture, cpus: number, options: WorkloadOptions): Driver {
  const k = Kernel.boot(workloadConfig(cpus, options.layout ?? PAPER_LAYOUT), arch);
  const driver = new Driver(k, options.replyAndWait ?? true);
  const has = (call: Syscall["call"]): boolean => arch.syscalls.has(call);
  if (has("AssignManager")) driver.runAs(0, A, { call: "AssignManager", region: MEASURED_REGION, manager: PAGER });
  if (has("Unmap")) driver.runAs(0, PAGER, { call: "Unmap", task: CLIENT_TASK, region: MEASURED_REGION, page: 0, marker: DEMAND_ZERO, revoke: false });
  if (k.roleOf(REGION_MAPPER) === "runtime") driver.runAs(0, REGION_MAPPER, { call: "Receive" });
  if (has("Receive") && k.roleOf(PAGER) === "user") driver.runAs(0, PAGER, { call: "Receive" });
  // Park the threads that play no part on CPU 0 behind the client.
  if (k.threadOn(0) !== A) driver.runUntilThread(0, A);
  return driver;
}

function perFault(driver: Driver, labels: string[]): ScenarioResult {
  const costs = labels.map((l) => driver.cost.get(l) ?? { mode: 0, context: 0 });
  const first = costs[0]!;
  for (const c of costs) {
    if (c.mode !== first.mode || c.context !== first.context) {
      throw new WorkloadError(`workload: faults cost differently (${costs.map((x) => `${x.mode}/${x.context}`).join(", ")})`);
    }
  }
  return { perFault: { mode: first.mode, context: first.context }, faults: labels.length };
}

/** A plain pure page fault, handled by the region's pager (or the kernel module), `faults` times on fresh pages. */
export function measurePlainFault(arch: Architecture, options: WorkloadOptions = {}): ScenarioResult {
  const driver = setUp(arch, 1, options);
  const count = options.faults ?? 4;
  driver.plannedAccesses.set(A, Array.from({ length: count }, (_, i) => userPageAddress(driver.k.layout, MEASURED_REGION, i)));
  driver.runUntil(0, () => driver.clientDone(A) && driver.k.status(A).tag === "running");
  return perFault(driver, Array.from({ length: count }, (_, i) => `${A}#${i + 1}`));
}

/**
 * Fig. 3: threads A and B fault on the same page N; the fault of B traps
 * while the pager is about to restore N for A, and is dispatched after.
 * Measured: B's fault.
 */
export function measureRacedFault(arch: Architecture, options: WorkloadOptions = {}): ScenarioResult {
  const driver = setUp(arch, 2, options);
  const k = driver.k;
  const pageN = userPageAddress(k.layout, MEASURED_REGION, 0);
  if (k.threadOn(1) !== B) throw new WorkloadError("workload: thread B is not on CPU 1");
  driver.plannedAccesses.set(A, [pageN]);
  driver.plannedAccesses.set(B, [pageN]);
  // CPU 0 until the next step restores N: A trapped (an in-kernel module restores at dispatch),
  // or the pager holding A's message.
  const aboutToRestore = (): boolean =>
    k.roleOf(PAGER) === "module"
      ? k.status(A).tag === "trapped"
      : k.threadOn(0) === PAGER && heldFaults(k, PAGER).includes(A);
  driver.runUntil(0, aboutToRestore);
  // B traps on N (CPU 1) ...
  driver.step(1);
  if (k.status(B).tag !== "trapped") throw new WorkloadError("workload: B did not trap");
  // ... the pager (or the module) restores N for A and A runs again (CPU 0) ...
  driver.runUntil(0, () => driver.clientDone(A) && k.status(A).tag === "running");
  // ... and the zero level dispatches B (CPU 1).
  driver.runUntil(1, () => driver.clientDone(B) && k.status(B).tag === "running");
  return perFault(driver, [`${B}#1`]);
}

/** A general-protection fault: a null-pointer dereference (below B_us), until a user thread runs again on the CPU. */
export function measureGeneralProtectionFault(arch: Architecture, options: WorkloadOptions = {}): ScenarioResult {
  const driver = setUp(arch, 1, options);
  const k = driver.k;
  driver.plannedAccesses.set(A, [0]);
  driver.runUntil(0, () => k.status(A).tag === "stopped" && k.threadOn(0) !== null && k.status(k.threadOn(0)!).tag === "running");
  return perFault(driver, [`${A}#1`]);
}

/** The per-address-space memory of the region table, counted from the frames the kernel (or the region mapper) installed. */
export function measureRegionTableMemory(arch: Architecture, options: WorkloadOptions = {}): { kernel: number; user: number } {
  const driver = setUp(arch, 1, options);
  return {
    kernel: driver.k.frames.bytes("region-table", CLIENT_TASK),
    user: driver.k.frames.bytes("routing-table", CLIENT_TASK),
  };
}

export function measureArchitecture(name: ArchName, options: WorkloadOptions = {}): ArchMeasurement {
  const arch = architectures[name];
  const memory = measureRegionTableMemory(arch, options);
  return {
    arch: name,
    title: arch.title,
    plain: measurePlainFault(arch, options),
    raced: measureRacedFault(arch, options),
    generalProtection: measureGeneralProtectionFault(arch, options),
    kernelRegionTableBytes: memory.kernel,
    userRegionMapBytes: memory.user,
  };
}

export { WorkloadError };
