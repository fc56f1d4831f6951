/**
 * One simulated processor: control registers, privilege level, its own TLB,
 * and the memory accesses that go through them (Intel SDM Vol. 3A ch. 4).
 * Several Cpu objects share one PhysicalMemory, as the processors of a
 * multiprocessor share RAM; each keeps its own TLB, so a change to a page
 * table is seen by another CPU only after that CPU invalidates.
 *
 * The CPU also counts what Table I of the paper counts: mode switches (every
 * user -> kernel entry and kernel -> user return) and context switches (every
 * change of the running thread). The counters live here, incremented by the
 * transitions themselves, so a kernel cannot report a figure it did not cause.
 */
import {
  ADDRESS_SPACE_SIZE,
  CR0_PE,
  CR0_PG,
  CR0_WP,
  CR4_PAE,
  CR4_PGE,
  CR4_PSE,
  WORD_SIZE,
} from "./bits.js";
import type { PhysicalMemory } from "./memory.js";
import { Tlb, type TlbEntry } from "./tlb.js";
import { X86_RULES, pagingEnabled, walk, type Access, type PageFault, type PagingRegisters, type WalkRules } from "./walk.js";

/** Current privilege level: 0 kernel (supervisor mode), 3 user. */
export type Cpl = 0 | 3;

/** Why the CPU enters the kernel. A page fault taken in user mode enters by itself. */
export type KernelEntry = "page-fault" | "syscall" | "interrupt";

export type Translation = { readonly ok: true; readonly physical: number } | { readonly ok: false; readonly fault: PageFault };
export type ReadResult = { readonly ok: true; readonly value: number; readonly physical: number } | { readonly ok: false; readonly fault: PageFault };
export type WriteResult = { readonly ok: true; readonly physical: number } | { readonly ok: false; readonly fault: PageFault };

export interface CpuStatistics {
  tlbHits: number;
  tlbMisses: number;
  walks: number;
  pageFaults: number;
}

/** Everything a Cpu holds, as plain data (for model states, traces and clone()). */
export interface CpuState {
  readonly id: number;
  readonly cr0: number;
  readonly cr2: number;
  readonly cr3: number;
  readonly cr4: number;
  readonly cpl: Cpl;
  readonly currentThread: number | null;
  readonly modeSwitches: number;
  readonly contextSwitches: number;
  readonly tlb: readonly TlbEntry[];
}

/** CR4 bits whose change invalidates every TLB entry, global ones included (§4.10.4.1). */
const CR4_FLUSH_ALL_BITS = (CR4_PGE | CR4_PSE | CR4_PAE) >>> 0;

export class Cpu {
  readonly tlb: Tlb;
  private cr0Value: number;
  private cr3Value: number;
  private cr4Value: number;
  private cr2Value = 0;
  private cplValue: Cpl = 0;
  private thread: number | null = null;
  private modeSwitchCount = 0;
  private contextSwitchCount = 0;
  private lastFaultValue: PageFault | null = null;
  readonly statistics: CpuStatistics = { tlbHits: 0, tlbMisses: 0, walks: 0, pageFaults: 0 };

  constructor(
    readonly id: number,
    readonly memory: PhysicalMemory,
    readonly rules: WalkRules = X86_RULES,
    registers: Partial<PagingRegisters> = {},
    tlb: Tlb = new Tlb(),
  ) {
    this.cr0Value = (registers.cr0 ?? 0) >>> 0;
    this.cr3Value = (registers.cr3 ?? 0) >>> 0;
    this.cr4Value = (registers.cr4 ?? 0) >>> 0;
    this.tlb = tlb;
  }

  get cr0(): number {
    return this.cr0Value;
  }
  get cr2(): number {
    return this.cr2Value;
  }
  get cr3(): number {
    return this.cr3Value;
  }
  get cr4(): number {
    return this.cr4Value;
  }
  get cpl(): Cpl {
    return this.cplValue;
  }
  get currentThread(): number | null {
    return this.thread;
  }
  get modeSwitches(): number {
    return this.modeSwitchCount;
  }
  get contextSwitches(): number {
    return this.contextSwitchCount;
  }
  /** The last page fault this CPU raised (CR2 and error code), as a handler would read them. */
  get lastFault(): PageFault | null {
    return this.lastFaultValue;
  }
  get registers(): PagingRegisters {
    return { cr0: this.cr0Value, cr3: this.cr3Value, cr4: this.cr4Value };
  }

  // -------------------------------------------------------------------------
  // Control registers and TLB maintenance (§4.10.4.1)
  // -------------------------------------------------------------------------

  /** MOV to CR0. Turning paging off or on invalidates every TLB entry; a WP change does not (rights are checked against the current WP). */
  setCr0(value: number): void {
    const next = value >>> 0;
    if (((this.cr0Value ^ next) & CR0_PG) !== 0) this.tlb.flushAll();
    this.cr0Value = next;
  }

  /** MOV to CR3: a new page directory; every non-global TLB entry goes, even when the value is unchanged. */
  loadCr3(value: number): void {
    this.cr3Value = value >>> 0;
    this.tlb.flushNonGlobal();
  }

  /** MOV to CR4. Changing PGE (or the paging-mode bits PSE, PAE) invalidates every TLB entry. */
  setCr4(value: number): void {
    const next = value >>> 0;
    if (((this.cr4Value ^ next) & CR4_FLUSH_ALL_BITS) !== 0) this.tlb.flushAll();
    this.cr4Value = next;
  }

  /** INVLPG: drops this CPU's translation of `linear` (other CPUs keep theirs: the kernel must shoot them down). */
  invlpg(linear: number): void {
    this.tlb.invalidatePage(linear >>> 0);
  }

  // -------------------------------------------------------------------------
  // Privilege transitions and thread switches (Table I's counters)
  // -------------------------------------------------------------------------

  /** User -> kernel (a trap, a system call or an interrupt): one mode switch. */
  enterKernel(cause: KernelEntry): void {
    if (this.cplValue !== 3) throw new Error(`CPU ${this.id}: enterKernel(${cause}) while already in the kernel`);
    this.cplValue = 0;
    this.modeSwitchCount++;
  }

  /** Kernel -> user (IRET/SYSEXIT): one mode switch. */
  returnToUser(): void {
    if (this.cplValue !== 0) throw new Error(`CPU ${this.id}: returnToUser() while already in user mode`);
    this.cplValue = 3;
    this.modeSwitchCount++;
  }

  /** The kernel dispatches `thread` on this CPU: a context switch when it differs from the running one. */
  switchThread(thread: number): void {
    if (this.thread !== null && this.thread !== thread) this.contextSwitchCount++;
    this.thread = thread;
  }

  // -------------------------------------------------------------------------
  // Memory accesses through the TLB and the walk
  // -------------------------------------------------------------------------

  /**
   * Translates `linear` for an access at the current privilege level, as the
   * processor does: a TLB hit is used as it stands (stale or not); a write
   * through an entry whose D was clear re-walks so that D gets set (§4.8);
   * a TLB hit whose cached rights refuse the access faults without a walk
   * (the "spurious" fault of §4.10.4.3) and, like every page fault, drops
   * the TLB entries for that address (§4.10.4.1); a miss walks and fills.
   * A fault loads CR2 and, from user mode, enters the kernel.
   */
  translate(linear: number, access: { write: boolean; fetch?: boolean }): Translation {
    const address = linear >>> 0;
    const full: Access = { write: access.write, user: this.cplValue === 3, fetch: access.fetch ?? false };
    if (!pagingEnabled(this.registers)) return { ok: true, physical: address };
    const cached = this.tlb.lookup(address);
    if (cached !== undefined) {
      if (!this.rules.allows(cached, full, this.registers)) {
        return this.raise({ cr2: address, errorCode: this.rules.errorCode("protection", full, this.registers) });
      }
      const needsDirtyWalk = this.rules.setsDirty(full) && !cached.dirty;
      if (!needsDirtyWalk) {
        this.statistics.tlbHits++;
        return { ok: true, physical: Tlb.translate(cached, address) };
      }
    } else {
      this.statistics.tlbMisses++;
    }
    this.statistics.walks++;
    const walked = walk(this.memory, this.registers, address, full, this.rules);
    if (!walked.ok) return this.raise(walked.fault);
    this.tlb.fill(address, walked);
    return { ok: true, physical: walked.physical };
  }

  read32(linear: number): ReadResult {
    requireWordAligned(linear);
    const translated = this.translate(linear, { write: false });
    if (!translated.ok) return translated;
    return { ok: true, value: this.memory.busRead32(translated.physical), physical: translated.physical };
  }

  write32(linear: number, value: number): WriteResult {
    requireWordAligned(linear);
    const translated = this.translate(linear, { write: true });
    if (!translated.ok) return translated;
    this.memory.busWrite32(translated.physical, value);
    return { ok: true, physical: translated.physical };
  }

  /** Delivers a page fault: CR2, the TLB entries for the address dropped, and from user mode the entry into the kernel. */
  private raise(fault: PageFault): { ok: false; fault: PageFault } {
    this.cr2Value = fault.cr2;
    this.lastFaultValue = fault;
    this.statistics.pageFaults++;
    this.tlb.invalidatePage(fault.cr2);
    if (this.cplValue === 3) this.enterKernel("page-fault");
    return { ok: false, fault };
  }

  // -------------------------------------------------------------------------
  // State as data
  // -------------------------------------------------------------------------

  state(): CpuState {
    return {
      id: this.id,
      cr0: this.cr0Value,
      cr2: this.cr2Value,
      cr3: this.cr3Value,
      cr4: this.cr4Value,
      cpl: this.cplValue,
      currentThread: this.thread,
      modeSwitches: this.modeSwitchCount,
      contextSwitches: this.contextSwitchCount,
      tlb: this.tlb.entries(),
    };
  }

  static fromState(state: CpuState, memory: PhysicalMemory, rules: WalkRules = X86_RULES): Cpu {
    const tlb = new Tlb();
    for (const entry of state.tlb) tlb.insert(entry);
    const cpu = new Cpu(state.id, memory, rules, { cr0: state.cr0, cr3: state.cr3, cr4: state.cr4 }, tlb);
    cpu.cr2Value = state.cr2 >>> 0;
    cpu.cplValue = state.cpl;
    cpu.thread = state.currentThread;
    cpu.modeSwitchCount = state.modeSwitches;
    cpu.contextSwitchCount = state.contextSwitches;
    return cpu;
  }

  /** A copy attached to `memory` (pass the cloned memory when cloning a whole machine). */
  clone(memory: PhysicalMemory = this.memory): Cpu {
    const copy = Cpu.fromState(this.state(), memory, this.rules);
    copy.lastFaultValue = this.lastFaultValue;
    Object.assign(copy.statistics, this.statistics);
    return copy;
  }
}

/** Protected mode with paging and CR0.WP on: supervisor writes obey R/W, as a kernel that write-protects pages needs. */
export const KERNEL_CR0 = (CR0_PE | CR0_PG | CR0_WP) >>> 0;

function requireWordAligned(linear: number): void {
  if (!Number.isInteger(linear) || linear < 0 || linear >= ADDRESS_SPACE_SIZE || linear % WORD_SIZE !== 0) {
    throw new RangeError(`linear address ${linear} is not an aligned 32-bit word address`);
  }
}

/** `count` CPUs sharing `memory`, numbered from 0, each with its own empty TLB. */
export function createCpus(memory: PhysicalMemory, count: number, rules: WalkRules = X86_RULES, registers: Partial<PagingRegisters> = {}): Cpu[] {
  return Array.from({ length: count }, (_, id) => new Cpu(id, memory, rules, registers));
}
