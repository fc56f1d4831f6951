/**
 * The hardware page walk of 32-bit paging (Intel SDM Vol. 3A §4.3), with the
 * access-rights rules of §4.6, the page-fault error code of §4.7 and the
 * accessed/dirty updates of §4.8.
 *
 * Written like xv6's vm.c walk(): small steps over named bit constants. The
 * decisions the SDM makes (how rights combine, when an access is refused,
 * which entries get A and D, when PS counts, which bits are reserved, how the
 * error code is built) are separate functions in a WalkRules record, so a
 * test can plant one wrong rule (e.g. ignore CR0.WP) without copying the
 * walker, and a QEMU-compatible variant differs from the SDM in exactly the
 * rules where QEMU does.
 */
import {
  CR0_PG,
  CR0_WP,
  CR3_PD_MASK,
  CR4_PAE,
  CR4_PGE,
  CR4_PSE,
  ENTRY_SIZE,
  LARGE_PDE_RESERVED_MASK,
  LARGE_PDE_RESERVED_MASK_PSE36_40,
  PDE_PS,
  PF_P,
  PF_RSVD,
  PF_US,
  PF_WR,
  PTE_A,
  PTE_D,
  PTE_G,
  PTE_RW,
  PTE_US,
  entryAddress,
  isPresent,
  largePageAddress,
  largePageOffset,
  pageOffset,
  pdIndex,
  ptIndex,
} from "./bits.js";
import type { PhysicalMemory } from "./memory.js";

export interface PagingRegisters {
  readonly cr0: number;
  readonly cr3: number;
  readonly cr4: number;
}

export interface Access {
  readonly write: boolean;
  /** A user-mode access (CPL 3); false for CPL 0..2 (§4.6 "supervisor-mode access"). */
  readonly user: boolean;
  /** An instruction fetch. 32-bit paging has no execute-disable and we model no SMEP, so a fetch is checked as a read and I/D stays 0 (§4.6, §4.7). */
  readonly fetch?: boolean;
}

export interface PageFault {
  /** The faulting linear address, as the processor loads it into CR2. */
  readonly cr2: number;
  readonly errorCode: number;
}

/** The rights a translation grants, combined across the entries that control it (§4.6). */
export interface Rights {
  readonly writable: boolean;
  readonly user: boolean;
}

export type WalkResult =
  | {
      readonly ok: true;
      /** Below 2^40: a 4-MiB page with PSE-36 bits lies above 4 GiB (never truncate it with `>>> 0`). */
      readonly physical: number;
      /** The PDE and PTE as they are in memory after the walk's A/D updates. */
      readonly pde: number;
      readonly pte: number | null;
      readonly pdeAddress: number;
      readonly pteAddress: number | null;
      readonly large: boolean;
      readonly writable: boolean;
      readonly user: boolean;
      /** D is set in the entry that maps the page (so a TLB entry may allow writes without a re-walk). */
      readonly dirty: boolean;
      /** The translation is global (G in the mapping entry and CR4.PGE = 1): a CR3 load does not flush it. */
      readonly global: boolean;
    }
  | { readonly ok: false; readonly fault: PageFault };

/** Why a walk faults; the error code is built from it (§4.7). */
export type FaultCause = "not-present" | "protection" | "reserved";

/** Which kind of entry a rule is asked about. */
export type EntryKind = "table-pde" | "large-pde" | "pte";

/**
 * The separate rules of the walk. X86_RULES follows the SDM; replace one
 * field to plant a bug or to match another implementation.
 */
export interface WalkRules {
  /** Does this present PDE map a 4-MiB page? (§4.3: PS counts only when CR4.PSE = 1.) */
  readonly mapsLargePage: (pde: number, registers: PagingRegisters) => boolean;
  /** The reserved bits set in a present entry of the given kind; non-zero means #PF with RSVD = 1 (§4.3 Table 4-4, §4.7). */
  readonly reservedBitsSet: (entry: number, kind: EntryKind, registers: PagingRegisters) => number;
  /**
   * The physical base of the 4-MiB page a PDE without reserved bits maps
   * (§4.3 Table 4-4): bits 31:22 from the PDE's, and with PSE-36 bits 39:32
   * from its bits 20:13. Bits beyond MAXPHYADDR are reserved, so on a
   * processor without PSE-36 this is only asked about PDEs whose bits 20:13
   * are clear.
   */
  readonly largePageAddress: (pde: number) => number;
  /** The rights of a translation from its PDE and PTE (PTE null for a 4-MiB page): R/W and U/S are ANDed (§4.6). */
  readonly combineRights: (pde: number, pte: number | null) => Rights;
  /** Does the access obey the rights? (§4.6: user needs U/S; user writes need R/W; supervisor writes need R/W only when CR0.WP = 1.) */
  readonly allows: (rights: Rights, access: Access, registers: PagingRegisters) => boolean;
  /**
   * Does a PDE that references a page table get A as soon as the walk uses
   * it to reach the PTE, even when the walk then faults? The SDM (§4.8) sets
   * A in the entries "used as part of linear-address translation"; X86_RULES
   * reads that as "of a successful walk" (false). QEMU sets the PDE's A before
   * it reads the PTE (true).
   */
  readonly accessedBeforeFault: (kind: EntryKind) => boolean;
  /** Does the access set D in the entry that maps the page? (§4.8: on a write.) */
  readonly setsDirty: (access: Access) => boolean;
  /** The error code of a fault (§4.7). */
  readonly errorCode: (cause: FaultCause, access: Access, registers: PagingRegisters) => number;
}

// ---------------------------------------------------------------------------
// The rules of the SDM.
// ---------------------------------------------------------------------------

function mapsLargePage(pde: number, registers: PagingRegisters): boolean {
  return (pde & PDE_PS) !== 0 && (registers.cr4 & CR4_PSE) !== 0;
}

/** With MAXPHYADDR = 32, a 4-MiB PDE reserves bits 21:13; 32-bit paging reserves nothing else (§4.3 Tables 4-4..4-6). */
function reservedBitsSet(entry: number, kind: EntryKind): number {
  return kind === "large-pde" ? (entry & LARGE_PDE_RESERVED_MASK) >>> 0 : 0;
}

function combineRights(pde: number, pte: number | null): Rights {
  const effective = pte === null ? pde : pde & pte;
  return { writable: (effective & PTE_RW) !== 0, user: (effective & PTE_US) !== 0 };
}

function allows(rights: Rights, access: Access, registers: PagingRegisters): boolean {
  if (access.user && !rights.user) return false;
  if (!access.write) return true;
  if (rights.writable) return true;
  // A write to a read-only translation: always refused for user mode; for
  // supervisor mode only when CR0.WP = 1 (the kernel may otherwise scribble
  // on read-only pages, which copy-on-write kernels rely on not happening).
  return !access.user && (registers.cr0 & CR0_WP) === 0;
}

function accessedBeforeFault(): boolean {
  return false;
}

function setsDirty(access: Access): boolean {
  return access.write;
}

/**
 * P is 0 only when some entry was not present; a reserved-bit fault comes
 * from a present entry, so it has P = 1 as well as RSVD = 1 (§4.7: "This flag
 * is 0 if there is no translation ... because the P flag was 0"). W/R and U/S
 * describe the access, not the entry.
 */
function errorCode(cause: FaultCause, access: Access): number {
  let code = 0;
  if (cause !== "not-present") code |= PF_P;
  if (cause === "reserved") code |= PF_RSVD;
  if (access.write) code |= PF_WR;
  if (access.user) code |= PF_US;
  return code >>> 0;
}

export const X86_RULES: WalkRules = Object.freeze({
  mapsLargePage,
  reservedBitsSet,
  largePageAddress,
  combineRights,
  allows,
  accessedBeforeFault,
  setsDirty,
  errorCode,
});

/**
 * `rules` on a processor with PSE-36 and MAXPHYADDR = 40: a 4-MiB PDE
 * reserves bit 21 only, and its bits 20:13 are physical-address bits 39:32
 * (§4.3 Table 4-4), so the page may lie above 4 GiB.
 */
export function withPse36(rules: WalkRules): WalkRules {
  return Object.freeze({
    ...rules,
    reservedBitsSet: (entry: number, kind: EntryKind, registers: PagingRegisters) =>
      kind === "large-pde" ? (entry & LARGE_PDE_RESERVED_MASK_PSE36_40) >>> 0 : rules.reservedBitsSet(entry, kind, registers),
  });
}

/**
 * What QEMU's TCG walker (target/i386 mmu_translate, QEMU 7.2 and later)
 * does where it differs from X86_RULES, for differential testing:
 * - PSE-36 with a 40-bit address (withPse36): a 4-MiB PDE reserves bit 21
 *   only, and bits 20:13 become physical bits 39:32, which reach above 4 GiB
 *   (where the test machine has no memory: reads give 0, writes vanish);
 * - a PDE referencing a page table gets A before the PTE is read, so a walk
 *   faulting at the PTE leaves the PDE's A set;
 * - a reserved-bit fault reports RSVD without P (its do_fault_rsvd path
 *   starts the error code from RSVD alone). Real Intel processors report P = 1
 *   with RSVD (§4.7); the qemu differential test confirms this row.
 */
export const QEMU_TCG_RULES: WalkRules = withPse36({
  ...X86_RULES,
  accessedBeforeFault: (kind: EntryKind) => kind === "table-pde",
  errorCode: (cause: FaultCause, access: Access, registers: PagingRegisters) =>
    cause === "reserved"
      ? (X86_RULES.errorCode(cause, access, registers) & ~PF_P) >>> 0
      : X86_RULES.errorCode(cause, access, registers),
});

// ---------------------------------------------------------------------------
// The walk.
// ---------------------------------------------------------------------------

export function pagingEnabled(registers: PagingRegisters): boolean {
  return (registers.cr0 & CR0_PG) !== 0;
}

/** Physical address of the PDE for `linear`: CR3 bits 31:12, then linear bits 31:22 times 4 (§4.3). */
export function pdeAddressOf(cr3: number, linear: number): number {
  return ((cr3 & CR3_PD_MASK) + pdIndex(linear) * ENTRY_SIZE) >>> 0;
}

/** Physical address of the PTE for `linear`: PDE bits 31:12, then linear bits 21:12 times 4 (§4.3). */
export function pteAddressOf(pde: number, linear: number): number {
  return (entryAddress(pde) + ptIndex(linear) * ENTRY_SIZE) >>> 0;
}

function fault(cause: FaultCause, linear: number, access: Access, registers: PagingRegisters, rules: WalkRules): WalkResult {
  return { ok: false, fault: { cr2: linear >>> 0, errorCode: rules.errorCode(cause, access, registers) } };
}

function isGlobal(entry: number, registers: PagingRegisters): boolean {
  return (entry & PTE_G) !== 0 && (registers.cr4 & CR4_PGE) !== 0;
}

/** The A (and on a write, D) flags the final entry receives. */
function finalFlags(access: Access, rules: WalkRules): number {
  return rules.setsDirty(access) ? (PTE_A | PTE_D) >>> 0 : PTE_A;
}

function walkLargePage(
  memory: PhysicalMemory,
  registers: PagingRegisters,
  linear: number,
  access: Access,
  rules: WalkRules,
  pdeAddress: number,
  pde: number,
): WalkResult {
  if (rules.reservedBitsSet(pde, "large-pde", registers) !== 0) return fault("reserved", linear, access, registers, rules);
  const rights = rules.combineRights(pde, null);
  if (!rules.allows(rights, access, registers)) return fault("protection", linear, access, registers, rules);
  const updated = memory.setBits32(pdeAddress, finalFlags(access, rules));
  return {
    ok: true,
    physical: rules.largePageAddress(pde) + largePageOffset(linear),
    pde: updated,
    pte: null,
    pdeAddress,
    pteAddress: null,
    large: true,
    writable: rights.writable,
    user: rights.user,
    dirty: (updated & PTE_D) !== 0,
    global: isGlobal(updated, registers),
  };
}

function walkPageTable(
  memory: PhysicalMemory,
  registers: PagingRegisters,
  linear: number,
  access: Access,
  rules: WalkRules,
  pdeAddress: number,
  pde: number,
): WalkResult {
  if (rules.reservedBitsSet(pde, "table-pde", registers) !== 0) return fault("reserved", linear, access, registers, rules);
  if (rules.accessedBeforeFault("table-pde")) memory.setBits32(pdeAddress, PTE_A);
  const pteAddress = pteAddressOf(pde, linear);
  const pte = memory.read32(pteAddress);
  if (!isPresent(pte)) return fault("not-present", linear, access, registers, rules);
  if (rules.reservedBitsSet(pte, "pte", registers) !== 0) return fault("reserved", linear, access, registers, rules);
  const rights = rules.combineRights(pde, pte);
  if (!rules.allows(rights, access, registers)) return fault("protection", linear, access, registers, rules);
  // Set bits by read-modify-write of the current word: when the directory
  // maps itself the PDE and the PTE may be the same word.
  memory.setBits32(pdeAddress, PTE_A);
  const updatedPte = memory.setBits32(pteAddress, finalFlags(access, rules));
  return {
    ok: true,
    physical: (entryAddress(updatedPte) + pageOffset(linear)) >>> 0,
    pde: memory.read32(pdeAddress),
    pte: updatedPte,
    pdeAddress,
    pteAddress,
    large: false,
    writable: rights.writable,
    user: rights.user,
    dirty: (updatedPte & PTE_D) !== 0,
    global: isGlobal(updatedPte, registers),
  };
}

/**
 * Translates `linear` for `access` as the processor's page walk does, with
 * paging on (CR0.PG = 1) in 32-bit mode (CR4.PAE = 0): reads the PDE, then
 * (unless it maps a 4-MiB page) the PTE; faults on the first not-present
 * entry, then on reserved bits, then on rights; on success sets A in every
 * entry used and D in the mapping entry on a write.
 */
export function walk(
  memory: PhysicalMemory,
  registers: PagingRegisters,
  linear: number,
  access: Access,
  rules: WalkRules = X86_RULES,
): WalkResult {
  if (!pagingEnabled(registers)) throw new Error("walk() needs CR0.PG = 1; without paging linear = physical");
  if ((registers.cr4 & CR4_PAE) !== 0) throw new Error("walk() models 32-bit paging only; CR4.PAE must be 0");
  const address = linear >>> 0;
  const pdeAddress = pdeAddressOf(registers.cr3, address);
  const pde = memory.read32(pdeAddress);
  if (!isPresent(pde)) return fault("not-present", address, access, registers, rules);
  return rules.mapsLargePage(pde, registers)
    ? walkLargePage(memory, registers, address, access, rules, pdeAddress, pde)
    : walkPageTable(memory, registers, address, access, rules, pdeAddress, pde);
}
