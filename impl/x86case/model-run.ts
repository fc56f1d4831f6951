/**
 * Runs a case on our hardware model (impl/hw: Cpu, TLB, walk, with injectable
 * WalkRules) exactly as the test kernel runs it on QEMU, and records where
 * QEMU may legitimately differ (deviations.ts).
 *
 * Before every access it also checks the case's layout rules the walk would
 * break (reading a page table or page outside the window, writing over the
 * test kernel's PDEs): such a case cannot run on the test kernel as written,
 * so it is bad input, not a difference. A 4-MiB page above 4 GiB (PSE-36)
 * is allowed: neither QEMU's machine (128 MiB of RAM) nor the model has
 * memory there, so reads give 0 and writes vanish on both sides.
 */
import { match } from "ts-pattern";
import { InputError } from "../../model/input-error.js";
import {
  ADDRESS_SPACE_SIZE,
  CR0_PE,
  CR0_PG,
  CR0_WP,
  CR4_PSE,
  LARGE_PAGE_SIZE,
  PAGE_SIZE,
  PF_RSVD,
  PTE_A,
  WORD_SIZE,
  entryAddress,
  isPresent,
  largePageOffset,
  pageOffset,
  ptIndex,
} from "../hw/bits.js";
import { Cpu, type ReadResult, type WriteResult } from "../hw/cpu.js";
import { PhysicalMemory } from "../hw/memory.js";
import { X86_RULES, pdeAddressOf, pteAddressOf, withPse36, type WalkRules } from "../hw/walk.js";
import type { DeviationKind } from "./deviations.js";
import { KERNEL_PDE_COUNT, WINDOW_BASE, WINDOW_END, directoriesOf, hex32, inWindow, isKernelPdeWord, type Operation, type X86Case } from "./format.js";
import type { MemoryChange, Outcome, RunReport } from "./output.js";

export interface WordAllowance {
  readonly mask: number;
  readonly deviation: DeviationKind;
}

export interface ModelRun {
  readonly report: RunReport;
  /** Per operation: the deviations QEMU may show on its line. */
  readonly operationAllowances: ReadonlyArray<ReadonlySet<DeviationKind>>;
  /**
   * Per access the model refuses with RSVD only for want of PSE-36 (a 4-MiB
   * PDE with some of bits 20:13 set, bit 21 clear): the one outcome QEMU may
   * show instead, the same access on a processor with PSE-36 (withPse36 of
   * the model's rules). Any other line there is a difference.
   */
  readonly pse36Outcomes: ReadonlyMap<number, Outcome>;
  /** Per read operation: bits the value QEMU reads may differ in (a paging-structure word read through a mapping). */
  readonly readAllowances: ReadonlyMap<number, WordAllowance>;
  /** Per physical word: bits QEMU's final value may have that the model's lacks (or vice versa for PSE-36). */
  readonly wordAllowances: ReadonlyMap<number, WordAllowance>;
}

/**
 * The window as the test kernel sets it up: every word starts as its own
 * physical address. Frames are filled on first touch, so a run costs only the
 * frames it uses.
 */
export class WindowMemory extends PhysicalMemory {
  private readonly filled = new Set<number>();

  private fill(paddr: number): void {
    if (!inWindow(paddr)) return;
    const frame = (paddr & ~(PAGE_SIZE - 1)) >>> 0;
    if (this.filled.has(frame)) return;
    this.filled.add(frame);
    for (let word = frame; word < frame + PAGE_SIZE; word += WORD_SIZE) super.write32(word, word);
  }

  override read32(paddr: number): number {
    this.fill(paddr);
    return super.read32(paddr);
  }

  override write32(paddr: number, value: number): void {
    this.fill(paddr);
    super.write32(paddr, value);
  }

  /** The window frames touched so far, ascending. */
  touchedFrames(): number[] {
    return [...this.filled].sort((a, b) => a - b);
  }

  override clone(): WindowMemory {
    const copy = this.copyFramesInto(new WindowMemory());
    for (const frame of this.filled) copy.filled.add(frame);
    return copy;
  }
}

function initialRegisters(c: X86Case): { cr0: number; cr3: number; cr4: number } {
  return {
    cr0: (CR0_PE | CR0_PG | (c.wp ? CR0_WP : 0)) >>> 0,
    cr3: c.cr3,
    cr4: c.pse ? CR4_PSE : 0,
  };
}

/** What the walk of `linear` would touch, read from memory (not the TLB: QEMU may re-walk at any time). */
interface Path {
  readonly pdeAddress: number;
  readonly pde: number;
  readonly large: boolean;
  /** Physical address the access reaches, when every entry on the way is present. */
  readonly physical: number | null;
}

function layoutError(index: number, op: Operation, problem: string): InputError {
  return new InputError(`op ${index + 1} (${op.kind}): ${problem}; the test kernel cannot run this case`);
}

function pathOf(memory: PhysicalMemory, cpu: Cpu, linear: number, directories: readonly number[], index: number, op: Operation): Path {
  const pdeAddress = pdeAddressOf(cpu.cr3, linear);
  const pde = memory.read32(pdeAddress);
  const large = isPresent(pde) && cpu.rules.mapsLargePage(pde, cpu.registers);
  if (!isPresent(pde)) return { pdeAddress, pde, large, physical: null };
  if (large) {
    if (cpu.rules.reservedBitsSet(pde, "large-pde", cpu.registers) !== 0) return { pdeAddress, pde, large, physical: null };
    const base = cpu.rules.largePageAddress(pde);
    const belowFourGiB = base < ADDRESS_SPACE_SIZE;
    if (belowFourGiB && (!inWindow(base) || !inWindow(base + LARGE_PAGE_SIZE - 1))) {
      throw layoutError(index, op, `PDE ${hex32(pdeAddress)} maps the 4-MiB page ${hex32(base)} outside the window ${hex32(WINDOW_BASE)}..${hex32(WINDOW_END - 1)}`);
    }
    return { pdeAddress, pde, large, physical: (base + largePageOffset(linear)) >>> 0 };
  }
  const table = entryAddress(pde);
  if (!inWindow(table)) throw layoutError(index, op, `PDE ${hex32(pdeAddress)} points at a page table ${hex32(table)} outside the window`);
  if (directories.includes(table) && ptIndex(linear) < KERNEL_PDE_COUNT) {
    throw layoutError(index, op, `the walk reads PDE ${ptIndex(linear)} of directory ${hex32(table)} as a PTE, and the test kernel owns PDEs 0..3`);
  }
  const pte = memory.read32(pteAddressOf(pde, linear));
  if (!isPresent(pte)) return { pdeAddress, pde, large, physical: null };
  const frame = entryAddress(pte);
  if (!inWindow(frame)) throw layoutError(index, op, `PTE ${hex32(pteAddressOf(pde, linear))} maps the frame ${hex32(frame)} outside the window`);
  return { pdeAddress, pde, large, physical: (frame + pageOffset(linear)) >>> 0 };
}

function outcomeOf(read: ReadResult | null, result: ReadResult | WriteResult): Outcome {
  if (read?.ok) return { kind: "value", value: read.value };
  if (result.ok) return { kind: "ok" };
  return { kind: "fault", cr2: result.fault.cr2, errorCode: result.fault.errorCode };
}

/** One access by `cpu` (ring 3 when `user`; a write when `value` is not null), as the test kernel makes it. */
function accessOn(cpu: Cpu, address: number, user: boolean, value: number | null): { read: ReadResult | null; result: ReadResult | WriteResult } {
  if (user) cpu.returnToUser();
  const read = value === null ? cpu.read32(address) : null;
  const result = read ?? cpu.write32(address, value ?? 0);
  // The ring-3 trampoline comes back with INT 0x80; a fault has entered the kernel already.
  if (user && cpu.cpl === 3) cpu.enterKernel("syscall");
  return { read, result };
}

/**
 * The access on a processor with PSE-36 (QEMU's view) from the model's
 * current memory and registers, on copies of both: its outcome and the PDE
 * as that walk leaves it.
 */
function withPse36Access(memory: WindowMemory, cpu: Cpu, path: Path, address: number, user: boolean, value: number | null): { outcome: Outcome; pde: number } {
  const scratch = memory.clone();
  const other = new Cpu(cpu.id, scratch, withPse36(cpu.rules), cpu.registers);
  const { read, result } = accessOn(other, address, user, value);
  return { outcome: outcomeOf(read, result), pde: scratch.read32(path.pdeAddress) };
}

/** Runs `c` on a fresh model CPU with `rules` (X86_RULES unless a test plants a bug). */
export function runOnModel(c: X86Case, rules: WalkRules = X86_RULES): ModelRun {
  const memory = new WindowMemory();
  for (const [paddr, value] of c.image) memory.write32(paddr, value);
  const cpu = new Cpu(0, memory, rules, initialRegisters(c));
  const directories = directoriesOf(c);
  const outcomes: Outcome[] = [];
  const operationAllowances: Array<Set<DeviationKind>> = [];
  const wordAllowances = new Map<number, WordAllowance>();
  const readAllowances = new Map<number, WordAllowance>();
  const allowWord = (paddr: number, mask: number, deviation: DeviationKind): void => {
    const previous = wordAllowances.get(paddr);
    wordAllowances.set(paddr, { mask: ((previous?.mask ?? 0) | mask) >>> 0, deviation: previous?.deviation ?? deviation });
  };

  const pse36Outcomes = new Map<number, Outcome>();

  c.operations.forEach((op, index) => {
    const allowances = new Set<DeviationKind>();
    const access = (address: number, user: boolean, write: number | null): Outcome => {
      const path = pathOf(memory, cpu, address, directories, index, op);
      if (path.physical !== null && isKernelPdeWord(path.physical, directories)) {
        const verb = write === null ? "read" : "write";
        throw layoutError(index, op, `the ${verb} would reach ${hex32(path.physical)}, one of PDEs 0..3 of a directory, which the test kernel owns`);
      }
      const { read, result } = accessOn(cpu, address, user, write);
      if (read?.ok) {
        // A word QEMU may already have changed (a PDE's A) reads back with that change too.
        const allowance = wordAllowances.get(read.physical);
        if (allowance !== undefined) readAllowances.set(index, allowance);
      }
      const outcome = outcomeOf(read, result);
      if (result.ok) return outcome;
      if ((result.fault.errorCode & PF_RSVD) !== 0) allowances.add("rsvd-without-p");
      if (isPresent(path.pde) && !path.large) allowWord(path.pdeAddress, PTE_A, "pde-accessed-on-fault");
      const onlyForWantOfPse36 =
        path.large && (result.fault.errorCode & PF_RSVD) !== 0 && withPse36(cpu.rules).reservedBitsSet(path.pde, "large-pde", cpu.registers) === 0;
      if (onlyForWantOfPse36) {
        const qemu = withPse36Access(memory, cpu, path, address, user, write);
        pse36Outcomes.set(index, qemu.outcome);
        allowances.delete("rsvd-without-p");
        const setByWalk = (qemu.pde ^ path.pde) >>> 0;
        if (setByWalk !== 0) allowWord(path.pdeAddress, setByWalk, "pse36-large-page");
      }
      return outcome;
    };
    const outcome = match(op)
      .with({ kind: "read0" }, (o) => access(o.address, false, null))
      .with({ kind: "read3" }, (o) => access(o.address, true, null))
      .with({ kind: "write0" }, (o) => access(o.address, false, o.value))
      .with({ kind: "write3" }, (o) => access(o.address, true, o.value))
      .with({ kind: "invlpg" }, (o): Outcome => {
        cpu.invlpg(o.address);
        return { kind: "ok" };
      })
      .with({ kind: "cr3" }, (o): Outcome => {
        cpu.loadCr3(o.address);
        return { kind: "ok" };
      })
      .with({ kind: "wp" }, (o): Outcome => {
        cpu.setCr0(o.on ? (cpu.cr0 | CR0_WP) >>> 0 : (cpu.cr0 & ~CR0_WP) >>> 0);
        return { kind: "ok" };
      })
      .with({ kind: "pse" }, (o): Outcome => {
        cpu.setCr4(o.on ? (cpu.cr4 | CR4_PSE) >>> 0 : (cpu.cr4 & ~CR4_PSE) >>> 0);
        return { kind: "ok" };
      })
      .with({ kind: "poke" }, (o): Outcome => {
        memory.write32(o.address, o.value);
        return { kind: "ok" };
      })
      .exhaustive();
    outcomes.push(outcome);
    operationAllowances.push(allowances);
  });

  return { report: { outcomes, changes: changedWords(c, memory) }, operationAllowances, pse36Outcomes, readAllowances, wordAllowances };
}

function changedWords(c: X86Case, memory: WindowMemory): MemoryChange[] {
  const image = new Map(c.image.map(([paddr, value]) => [paddr, value >>> 0] as const));
  const changes: MemoryChange[] = [];
  for (const frame of memory.touchedFrames()) {
    for (let paddr = frame; paddr < frame + PAGE_SIZE; paddr += WORD_SIZE) {
      const before = image.get(paddr) ?? paddr;
      const after = memory.read32(paddr);
      if (after !== before) changes.push({ paddr, before, after });
    }
  }
  return changes;
}
