import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { randomSeed } from "../../seed.js";
import {
  CR0_PE,
  CR0_PG,
  CR0_WP,
  CR4_PAE,
  CR4_PGE,
  CR4_PSE,
  PDE_PS,
  PF_P,
  PF_RSVD,
  PF_US,
  PF_WR,
  PTE_A,
  PTE_D,
  PTE_G,
  PTE_P,
  PTE_RW,
  PTE_US,
  linearOf,
  makeLargePde,
  makePde,
  makePte,
  notPresentEntry,
} from "../../../impl/hw/bits.js";
import { PhysicalMemory } from "../../../impl/hw/memory.js";
import { QEMU_TCG_RULES, X86_RULES, walk, withPse36, type Access, type WalkRules } from "../../../impl/hw/walk.js";

randomSeed(import.meta.url);

// One address space: directory at 0x1000, one page table at 0x2000, the page
// at frame 0x5000; LINEAR uses directory slot 1 and table slot 3.
const DIRECTORY = 0x1000;
const TABLE = 0x2000;
const FRAME = 0x5000;
const LINEAR = linearOf(1, 3, 0x10);
const PDE_AT = DIRECTORY + 1 * 4;
const PTE_AT = TABLE + 3 * 4;

function registers(options: { wp?: boolean; pse?: boolean; pge?: boolean } = {}) {
  return {
    cr0: (CR0_PE | CR0_PG | (options.wp ? CR0_WP : 0)) >>> 0,
    cr3: DIRECTORY,
    cr4: (options.pse ? CR4_PSE : 0) | (options.pge ? CR4_PGE : 0),
  };
}

function space(pde: number, pte: number | null): PhysicalMemory {
  const memory = new PhysicalMemory();
  memory.write32(PDE_AT, pde);
  if (pte !== null) memory.write32(PTE_AT, pte);
  return memory;
}

const rights = (rw: boolean, us: boolean) => PTE_P | (rw ? PTE_RW : 0) | (us ? PTE_US : 0);
const bools = [false, true] as const;

/**
 * The SDM's §4.6 sentences, restated independently of the rules under test:
 * "user-mode: data may be read from any linear address with a valid
 * translation for which the U/S flag is 1 in every paging-structure entry
 * controlling the translation", writes also need R/W = 1 in every entry;
 * supervisor-mode reads are always allowed, writes need R/W = 1 in every
 * entry only if CR0.WP = 1.
 */
function sdmAllows(access: Access, everyRW: boolean, everyUS: boolean, wp: boolean): boolean {
  if (access.user) return everyUS && (!access.write || everyRW);
  return !access.write || !wp || everyRW;
}

function code(present: boolean, access: Access, reserved = false): number {
  return (present ? 1 : 0) | (access.write ? 2 : 0) | (access.user ? 4 : 0) | (reserved ? 8 : 0);
}

describe("access rights across PDE and PTE (SDM §4.6), every combination", () => {
  const rows = [];
  for (const user of bools)
    for (const write of bools)
      for (const pdeRW of bools)
        for (const pdeUS of bools)
          for (const pteRW of bools)
            for (const pteUS of bools)
              for (const wp of bools) rows.push({ user, write, pdeRW, pdeUS, pteRW, pteUS, wp });

  it.each(rows)(
    "user=$user write=$write PDE(rw=$pdeRW us=$pdeUS) PTE(rw=$pteRW us=$pteUS) WP=$wp",
    ({ user, write, pdeRW, pdeUS, pteRW, pteUS, wp }) => {
      const pde = makePde(TABLE, rights(pdeRW, pdeUS));
      const pte = makePte(FRAME, rights(pteRW, pteUS));
      const memory = space(pde, pte);
      const before = memory.encode();
      const access = { user, write };
      const result = walk(memory, registers({ wp }), LINEAR, access);
      if (sdmAllows(access, pdeRW && pteRW, pdeUS && pteUS, wp)) {
        expect(result).toMatchObject({ ok: true, physical: FRAME + 0x10, large: false, writable: pdeRW && pteRW, user: pdeUS && pteUS });
        // A in both entries used; D only in the PTE and only on a write (§4.8).
        expect(memory.read32(PDE_AT)).toBe((pde | PTE_A) >>> 0);
        expect(memory.read32(PTE_AT)).toBe((pte | PTE_A | (write ? PTE_D : 0)) >>> 0);
      } else {
        expect(result).toEqual({ ok: false, fault: { cr2: LINEAR, errorCode: code(true, access) } });
        expect(memory.encode()).toEqual(before); // a faulting walk changes nothing (X86_RULES)
      }
    },
  );
});

describe("access rights of a 4-MiB page (PDE alone controls it)", () => {
  const rows = [];
  for (const user of bools) for (const write of bools) for (const rw of bools) for (const us of bools) for (const wp of bools) rows.push({ user, write, rw, us, wp });
  it.each(rows)("user=$user write=$write PDE(rw=$rw us=$us) WP=$wp", ({ user, write, rw, us, wp }) => {
    const pde = makeLargePde(0x00c00000, rights(rw, us));
    const memory = space(pde, null);
    const access = { user, write };
    const result = walk(memory, registers({ wp, pse: true }), LINEAR, access);
    if (sdmAllows(access, rw, us, wp)) {
      expect(result).toMatchObject({ ok: true, physical: 0x00c00000 + (LINEAR & 0x3fffff), large: true, pte: null });
      expect(memory.read32(PDE_AT)).toBe((pde | PTE_A | (write ? PTE_D : 0)) >>> 0);
    } else {
      expect(result).toEqual({ ok: false, fault: { cr2: LINEAR, errorCode: code(true, access) } });
      expect(memory.read32(PDE_AT)).toBe(pde);
    }
  });
});

describe("literal cases with their error codes (§4.7)", () => {
  it("user read of a supervisor page: P|U = 5", () => {
    const memory = space(makePde(TABLE, rights(true, true)), makePte(FRAME, rights(true, false)));
    expect(walk(memory, registers(), LINEAR, { user: true, write: false })).toEqual({ ok: false, fault: { cr2: LINEAR, errorCode: PF_P | PF_US } });
  });
  it("user write to a read-only page: P|W|U = 7", () => {
    const memory = space(makePde(TABLE, rights(false, true)), makePte(FRAME, rights(true, true)));
    expect(walk(memory, registers(), LINEAR, { user: true, write: true })).toEqual({ ok: false, fault: { cr2: LINEAR, errorCode: PF_P | PF_WR | PF_US } });
  });
  it("supervisor write to a read-only page: allowed with WP=0, P|W = 3 with WP=1", () => {
    const ro = () => space(makePde(TABLE, rights(true, false)), makePte(FRAME, rights(false, false)));
    expect(walk(ro(), registers({ wp: false }), LINEAR, { user: false, write: true }).ok).toBe(true);
    expect(walk(ro(), registers({ wp: true }), LINEAR, { user: false, write: true })).toEqual({ ok: false, fault: { cr2: LINEAR, errorCode: PF_P | PF_WR } });
  });
  it("not-present PDE: P=0, W/R and U/S describe the access", () => {
    const memory = space(notPresentEntry(12345), null);
    expect(walk(memory, registers(), LINEAR, { user: true, write: true })).toEqual({ ok: false, fault: { cr2: LINEAR, errorCode: PF_WR | PF_US } });
    expect(walk(memory, registers(), LINEAR, { user: false, write: false })).toEqual({ ok: false, fault: { cr2: LINEAR, errorCode: 0 } });
  });
  it("not-present PTE: P=0; the PDE is not marked accessed by X86_RULES but is by QEMU_TCG_RULES", () => {
    const pde = makePde(TABLE, rights(true, true));
    const sdm = space(pde, notPresentEntry(7));
    expect(walk(sdm, registers(), LINEAR, { user: true, write: false })).toEqual({ ok: false, fault: { cr2: LINEAR, errorCode: PF_US } });
    expect(sdm.read32(PDE_AT)).toBe(pde);
    const qemu = space(pde, notPresentEntry(7));
    expect(walk(qemu, registers(), LINEAR, { user: true, write: false }, QEMU_TCG_RULES).ok).toBe(false);
    expect(qemu.read32(PDE_AT)).toBe((pde | PTE_A) >>> 0);
  });
  it("an instruction fetch is checked as a read and never sets I/D (no SMEP, no NX in 32-bit paging)", () => {
    const memory = space(makePde(TABLE, rights(false, true)), makePte(FRAME, rights(false, false)));
    expect(walk(memory, registers(), LINEAR, { user: true, write: false, fetch: true })).toEqual({ ok: false, fault: { cr2: LINEAR, errorCode: PF_P | PF_US } });
    expect(walk(memory, registers(), LINEAR, { user: false, write: false, fetch: true }).ok).toBe(true);
  });
});

describe("accessed and dirty flags (§4.8)", () => {
  it("A is sticky and D is set only by writes, only in the mapping entry", () => {
    const pde = makePde(TABLE, rights(true, true));
    const pte = makePte(FRAME, rights(true, true));
    const memory = space(pde, pte);
    walk(memory, registers(), LINEAR, { user: true, write: false });
    expect(memory.read32(PTE_AT) & (PTE_A | PTE_D)).toBe(PTE_A);
    walk(memory, registers(), LINEAR, { user: true, write: true });
    expect(memory.read32(PTE_AT) & (PTE_A | PTE_D)).toBe(PTE_A | PTE_D);
    expect(memory.read32(PDE_AT) & PTE_D).toBe(0); // a PDE that references a table has no D
    walk(memory, registers(), LINEAR, { user: true, write: false });
    expect(memory.read32(PTE_AT) & PTE_D).toBe(PTE_D); // reads never clear it
  });

  it("the result reports the entries as updated and whether the page is dirty", () => {
    const memory = space(makePde(TABLE, rights(true, true)), makePte(FRAME, rights(true, true)));
    const read = walk(memory, registers(), LINEAR, { user: true, write: false });
    expect(read).toMatchObject({ ok: true, dirty: false, pde: memory.read32(PDE_AT), pte: memory.read32(PTE_AT), pdeAddress: PDE_AT, pteAddress: PTE_AT });
    const written = walk(memory, registers(), LINEAR, { user: true, write: true });
    expect(written).toMatchObject({ ok: true, dirty: true, pte: memory.read32(PTE_AT) });
  });

  it("a self-mapping directory (PDE and PTE are the same word) gets both updates", () => {
    const memory = new PhysicalMemory();
    const self = makePde(DIRECTORY, rights(true, true));
    memory.write32(DIRECTORY + 1 * 4, self);
    const linear = linearOf(1, 1, 0x20); // the directory's own slot 1, read through itself
    const result = walk(memory, registers(), linear, { user: false, write: true });
    expect(result).toMatchObject({ ok: true, physical: DIRECTORY + 0x20 });
    expect(memory.read32(DIRECTORY + 4)).toBe((self | PTE_A | PTE_D) >>> 0);
  });

  it("G in the mapping entry makes the translation global only with CR4.PGE", () => {
    const memory = space(makePde(TABLE, rights(true, true)), makePte(FRAME, rights(true, true) | PTE_G));
    expect(walk(memory, registers({ pge: false }), LINEAR, { user: false, write: false })).toMatchObject({ ok: true, global: false });
    expect(walk(memory, registers({ pge: true }), LINEAR, { user: false, write: false })).toMatchObject({ ok: true, global: true });
  });
});

describe("4-MiB pages and CR4.PSE (§4.3)", () => {
  it("with PSE=1 a PDE with PS maps 4 MiB: physical = PDE 31:22 + linear 21:0", () => {
    const memory = space(makeLargePde(0xffc00000, rights(true, true)), null);
    const linear = linearOf(1, 0x3ff, 0xffc);
    expect(walk(memory, registers({ pse: true }), linear, { user: true, write: false })).toMatchObject({
      ok: true,
      physical: 0xffc00000 + 0x3ffffc,
      large: true,
    });
  });

  it("with PSE=0 the PS bit is ignored and the PDE references a page table", () => {
    // PDE with PS points at 0x00c00000 as a table base; put a PTE there.
    const pde = makeLargePde(0x00c00000, rights(true, true));
    const memory = space(pde, null);
    memory.write32(0x00c00000 + 3 * 4, makePte(FRAME, rights(true, true)));
    expect(walk(memory, registers({ pse: false }), LINEAR, { user: true, write: false })).toMatchObject({
      ok: true,
      physical: FRAME + 0x10,
      large: false,
    });
    // Without that PTE the same walk is a not-present fault, not a 4-MiB page.
    const bare = space(pde, null);
    expect(walk(bare, registers({ pse: false }), LINEAR, { user: true, write: false })).toEqual({ ok: false, fault: { cr2: LINEAR, errorCode: PF_US } });
  });
});

describe("reserved bits (§4.3 Table 4-4, §4.7)", () => {
  const reservedBits = [13, 14, 15, 16, 17, 18, 19, 20, 21];
  it.each(reservedBits)("bit %i of a 4-MiB PDE faults with RSVD and P", (bitNumber) => {
    for (const access of [
      { user: false, write: false },
      { user: true, write: true },
    ]) {
      const pde = (makeLargePde(0x00400000, rights(true, true)) | 2 ** bitNumber) >>> 0;
      const memory = space(pde, null);
      expect(walk(memory, registers({ pse: true }), LINEAR, access)).toEqual({ ok: false, fault: { cr2: LINEAR, errorCode: code(true, access, true) } });
      expect(code(true, access, true) & (PF_RSVD | PF_P)).toBe(PF_RSVD | PF_P);
      expect(memory.read32(PDE_AT)).toBe(pde); // no A on a faulting walk
    }
  });

  it("a reserved-bit fault wins over a rights violation (the translation does not exist)", () => {
    const pde = (makeLargePde(0x00400000, rights(false, false)) | 2 ** 21) >>> 0;
    expect(walk(space(pde, null), registers({ pse: true }), LINEAR, { user: true, write: true })).toEqual({
      ok: false,
      fault: { cr2: LINEAR, errorCode: PF_P | PF_WR | PF_US | PF_RSVD },
    });
  });

  it("the same bits are not reserved when PSE=0 (the PDE then references a table)", () => {
    const pde = (makeLargePde(0x00400000, rights(true, true)) | 2 ** 17) >>> 0;
    const memory = space(pde, null);
    memory.write32(((pde & 0xfffff000) >>> 0) + 3 * 4, makePte(FRAME, rights(true, true)));
    expect(walk(memory, registers({ pse: false }), LINEAR, { user: true, write: false }).ok).toBe(true);
  });

  it("QEMU's view (PSE-36) reserves only bit 21, reads bits 20:13 as address bits 39:32, and reports RSVD without P", () => {
    const bit17 = (makeLargePde(0x00400000, rights(true, true)) | 2 ** 17) >>> 0;
    expect(walk(space(bit17, null), registers({ pse: true }), LINEAR, { user: false, write: false }, QEMU_TCG_RULES)).toMatchObject({
      ok: true,
      physical: 2 ** 36 + 0x00400000 + (LINEAR & 0x3fffff),
    });
    const allHigh = (makeLargePde(0xffc00000, rights(true, true)) | (0xff << 13)) >>> 0;
    expect(walk(space(allHigh, null), registers({ pse: true }), LINEAR, { user: false, write: false }, QEMU_TCG_RULES)).toMatchObject({
      ok: true,
      physical: 0xff_ffc0_0000 + (LINEAR & 0x3fffff),
    });
    const bit21 = (makeLargePde(0x00400000, rights(true, true)) | 2 ** 21) >>> 0;
    expect(walk(space(bit21, null), registers({ pse: true }), LINEAR, { user: false, write: false }, QEMU_TCG_RULES)).toEqual({
      ok: false,
      fault: { cr2: LINEAR, errorCode: PF_RSVD },
    });
  });

  it("PTEs and table PDEs have no reserved bits in 32-bit paging", () => {
    const memory = space(makePde(TABLE, 0xfff & ~PDE_PS), makePte(FRAME, 0xfff));
    expect(walk(memory, registers({ pse: true }), LINEAR, { user: true, write: true }).ok).toBe(true);
  });
});

describe("walk preconditions", () => {
  it("refuses to walk with paging off or PAE on", () => {
    const memory = new PhysicalMemory();
    expect(() => walk(memory, { cr0: 0, cr3: DIRECTORY, cr4: 0 }, 0, { user: false, write: false })).toThrow(/CR0.PG/);
    expect(() => walk(memory, { cr0: CR0_PG, cr3: DIRECTORY, cr4: CR4_PAE }, 0, { user: false, write: false })).toThrow(/PAE/);
  });
});

describe("planted bugs: replacing one rule changes an outcome", () => {
  const roSupervisor = () => space(makePde(TABLE, rights(true, false)), makePte(FRAME, rights(false, false)));
  const plant = (change: Partial<WalkRules>): WalkRules => ({ ...X86_RULES, ...change });

  it("ignoring CR0.WP lets a supervisor write through a read-only page", () => {
    const ignoreWp = plant({ allows: (r, a, regs) => X86_RULES.allows(r, a, { ...regs, cr0: regs.cr0 & ~CR0_WP }) });
    expect(walk(roSupervisor(), registers({ wp: true }), LINEAR, { user: false, write: true }).ok).toBe(false);
    expect(walk(roSupervisor(), registers({ wp: true }), LINEAR, { user: false, write: true }, ignoreWp).ok).toBe(true);
  });

  it("taking U/S from the PTE alone lets a user reach a page under a supervisor PDE", () => {
    const pteAlone = plant({ combineRights: (pde, pte) => X86_RULES.combineRights(pte ?? pde, pte) });
    const memory = () => space(makePde(TABLE, rights(true, false)), makePte(FRAME, rights(true, true)));
    expect(walk(memory(), registers(), LINEAR, { user: true, write: false }).ok).toBe(false);
    expect(walk(memory(), registers(), LINEAR, { user: true, write: false }, pteAlone).ok).toBe(true);
  });

  it("setting D on reads dirties a page that was only read", () => {
    const dirtyOnRead = plant({ setsDirty: () => true });
    const memory = space(makePde(TABLE, rights(true, true)), makePte(FRAME, rights(true, true)));
    walk(memory, registers(), LINEAR, { user: true, write: false }, dirtyOnRead);
    expect(memory.read32(PTE_AT) & PTE_D).toBe(PTE_D);
  });

  it("honouring PS without CR4.PSE turns a table pointer into a 4-MiB page", () => {
    const alwaysPse = plant({ mapsLargePage: (pde) => (pde & PDE_PS) !== 0 });
    const pde = makeLargePde(0x00c00000, rights(true, true));
    expect(walk(space(pde, null), registers({ pse: false }), LINEAR, { user: false, write: false }, alwaysPse)).toMatchObject({ ok: true, large: true });
  });
});

/**
 * A reference walk written straight from the SDM's tables with literal bit
 * positions, sharing no code with impl/hw, for the random property below.
 * `pse36`: a processor with PSE-36 and MAXPHYADDR = 40, where a 4-MiB PDE
 * reserves bit 21 only and its bits 20:13 are physical-address bits 39:32
 * (Table 4-4); without it (MAXPHYADDR = 32) bits 21:13 are all reserved.
 */
type ReferenceOutcome = { fault: number } | { physical: number; pdeAddress: number; pteAddress: number | null };

function referenceWalk(read: (paddr: number) => number, cr0: number, cr3: number, cr4: number, linear: number, access: Access, pse36: boolean): ReferenceOutcome {
  const w = access.write ? 2 : 0;
  const u = access.user ? 4 : 0;
  const pdeAddress = ((cr3 & 0xfffff000) >>> 0) + (linear >>> 22) * 4;
  const pde = read(pdeAddress);
  if ((pde & 1) === 0) return { fault: w | u };
  const large = ((pde >>> 7) & 1) === 1 && ((cr4 >>> 4) & 1) === 1;
  let rw: boolean, us: boolean, physical: number, pteAddress: number | null = null;
  if (large) {
    const reserved = pse36 ? (pde >>> 21) & 1 : (pde >>> 13) & 0x1ff;
    if (reserved !== 0) return { fault: 1 | w | u | 8 };
    rw = ((pde >>> 1) & 1) === 1;
    us = ((pde >>> 2) & 1) === 1;
    const bits39to32 = pse36 ? (pde >>> 13) & 0xff : 0;
    physical = bits39to32 * 2 ** 32 + ((pde & 0xffc00000) >>> 0) + (linear & 0x3fffff);
  } else {
    pteAddress = ((pde & 0xfffff000) >>> 0) + ((linear >>> 12) & 0x3ff) * 4;
    const pte = read(pteAddress);
    if ((pte & 1) === 0) return { fault: w | u };
    rw = ((pde >>> 1) & (pte >>> 1) & 1) === 1;
    us = ((pde >>> 2) & (pte >>> 2) & 1) === 1;
    physical = ((pte & 0xfffff000) >>> 0) + (linear & 0xfff);
  }
  const wp = ((cr0 >>> 16) & 1) === 1;
  const allowed = access.user ? us && (!access.write || rw) : !access.write || rw || !wp;
  if (!allowed) return { fault: 1 | w | u };
  return { physical, pdeAddress, pteAddress };
}

describe.each([
  ["X86_RULES (no PSE-36, MAXPHYADDR 32)", X86_RULES, false],
  ["withPse36(X86_RULES) (PSE-36, MAXPHYADDR 40)", withPse36(X86_RULES), true],
] as const)("property: a walk with %s on a random page table agrees with the SDM reference", (_name, rules, pse36) => {
  // Entries are random 32-bit words; addresses are drawn from a few frames so
  // that PDEs point at tables that exist (and sometimes at the directory itself).
  const frameAddress = fc.constantFrom(0x1000, 0x2000, 0x3000, 0x00400000, 0x00c00000);
  const entry = fc.tuple(fc.nat({ max: 0xfff }), frameAddress, fc.nat({ max: 0x3ff })).map(
    ([flags, frame, extra]) => ((frame | flags | (extra << 12)) >>> 0) & 0xffffffff,
  );
  // 4-MiB PDEs, half of them with random bits 21:12 (PAT, PSE-36 address bits 20:13, the reserved bit 21).
  const largeEntry = fc
    .tuple(fc.nat({ max: 0x3ff }), fc.nat({ max: 0xfff }), fc.oneof(fc.constant(0), fc.nat({ max: 0x3ff })))
    .map(([base, flags, low]) => ((base << 22) | (low << 12) | flags | 0x81) >>> 0);
  const randomEntry = fc.oneof(entry, largeEntry, fc.nat({ max: 2 ** 32 - 1 }));
  const outcomes = ["4 KiB page", "large page", "not-present", "protection", "reserved", ...(pse36 ? ["large page above 4 GiB"] : [])];

  it("returns a consistent physical address or the right fault, and changes only A/D of the entries it used", () => {
    const seen = new Map<string, number>();
    const count = (outcome: string) => seen.set(outcome, (seen.get(outcome) ?? 0) + 1);
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.constantFrom(0x1000, 0x2000, 0x3000, 0x00400000, 0x00c00000), fc.nat({ max: 1023 }), randomEntry), { maxLength: 30 }),
        fc.nat({ max: 2 ** 32 - 1 }),
        fc.record({ user: fc.boolean(), write: fc.boolean() }),
        fc.boolean(),
        fc.boolean(),
        fc.constantFrom(0x1000, 0x2000),
        fc.array(randomEntry, { minLength: 2, maxLength: 2 }),
        (words, linearSeed, access, wp, pse, cr3, [pdeValue, pteValue]) => {
          const memory = new PhysicalMemory();
          for (const [frame, index, value] of words) memory.write32(frame + index * 4, value);
          // Make the walk of `linear` actually reach the random entries often.
          const linear = linearSeed >>> 0;
          const pdeAt = cr3 + (linear >>> 22) * 4;
          memory.write32(pdeAt, pdeValue!);
          const pteAt = ((pdeValue! & 0xfffff000) >>> 0) + ((linear >>> 12) & 0x3ff) * 4;
          if (pteAt !== pdeAt) memory.write32(pteAt, pteValue!);
          const regs = { cr0: (CR0_PG | (wp ? CR0_WP : 0)) >>> 0, cr3, cr4: pse ? CR4_PSE : 0 };
          const before = memory.clone();
          const expected = referenceWalk((a) => before.read32(a), regs.cr0, regs.cr3, regs.cr4, linear, access, pse36);
          const result = walk(memory, regs, linear, access, rules);
          if ("fault" in expected) {
            count(expected.fault & PF_RSVD ? "reserved" : expected.fault & PF_P ? "protection" : "not-present");
            expect(result).toEqual({ ok: false, fault: { cr2: linear, errorCode: expected.fault } });
            expect(memory.equals(before)).toBe(true);
            return;
          }
          expect(result.ok).toBe(true);
          if (!result.ok) return;
          count(result.large ? (result.physical >= 2 ** 32 ? "large page above 4 GiB" : "large page") : "4 KiB page");
          expect(result.physical).toBe(expected.physical);
          // Exactly the entries used gained A (and D in the mapping entry on a write); nothing else changed.
          const changed = new Map<number, number>();
          for (const [address, value] of memory.nonZeroWords()) if (before.read32(address) !== value) changed.set(address, value);
          const finalAt = expected.pteAddress ?? expected.pdeAddress;
          for (const [address, value] of changed) {
            const old = before.read32(address);
            expect([expected.pdeAddress, expected.pteAddress]).toContain(address);
            expect((value & ~old) >>> 0 & ~(PTE_A | PTE_D)).toBe(0);
            expect((value & old) >>> 0).toBe(old);
          }
          expect(memory.read32(expected.pdeAddress) & PTE_A).toBe(PTE_A);
          expect(memory.read32(finalAt) & PTE_A).toBe(PTE_A);
          if (access.write) expect(memory.read32(finalAt) & PTE_D).toBe(PTE_D);
          else if (finalAt !== expected.pdeAddress) expect(memory.read32(finalAt) & PTE_D).toBe(before.read32(finalAt) & PTE_D);
        },
      ),
      { numRuns: 3000 },
    );
    // The generator must reach every outcome, or the property proves little.
    expect([...seen.keys()].sort()).toEqual([...outcomes].sort());
    console.log(`walk property outcomes (${_name}): ${JSON.stringify(Object.fromEntries([...seen].sort()))}`);
  });
});
