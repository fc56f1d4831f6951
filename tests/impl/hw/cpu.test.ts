import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { randomSeed } from "../../seed.js";
import {
  CR0_PE,
  CR0_PG,
  CR0_WP,
  CR4_PGE,
  CR4_PSE,
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
import { Cpu, KERNEL_CR0, createCpus } from "../../../impl/hw/cpu.js";
import { ABSENT_WORD, PhysicalMemory } from "../../../impl/hw/memory.js";
import { Tlb } from "../../../impl/hw/tlb.js";
import { QEMU_TCG_RULES, X86_RULES, walk, type WalkRules } from "../../../impl/hw/walk.js";

randomSeed(import.meta.url);

const DIRECTORY = 0x1000;
const TABLE = 0x2000;
const OLD_FRAME = 0x5000;
const NEW_FRAME = 0x6000;
const LINEAR = linearOf(1, 3, 0x10);
const PTE_AT = TABLE + 3 * 4;
const USER_RW = PTE_P | PTE_RW | PTE_US;
const USER_RO = PTE_P | PTE_US;

/** One address space mapping LINEAR to OLD_FRAME; OLD_FRAME+0x10 holds 111 and NEW_FRAME+0x10 holds 222. */
function machine(cpuCount = 1, pteFlags = USER_RW, cr4 = 0) {
  const memory = new PhysicalMemory();
  memory.write32(DIRECTORY + 1 * 4, makePde(TABLE, USER_RW));
  memory.write32(PTE_AT, makePte(OLD_FRAME, pteFlags));
  memory.write32(OLD_FRAME + 0x10, 111);
  memory.write32(NEW_FRAME + 0x10, 222);
  const cpus = createCpus(memory, cpuCount, X86_RULES, { cr0: KERNEL_CR0, cr3: DIRECTORY, cr4 });
  return { memory, cpus, cpu: cpus[0]! };
}

function readValue(cpu: Cpu, linear = LINEAR): number | string {
  const result = cpu.read32(linear);
  return result.ok ? result.value : `#PF ${result.fault.errorCode}`;
}

describe("TLB: stale translations until invalidated (§4.10)", () => {
  it("uses a stale entry after the PTE changes, until INVLPG", () => {
    const { memory, cpu } = machine();
    expect(readValue(cpu)).toBe(111);
    memory.write32(PTE_AT, makePte(NEW_FRAME, USER_RW));
    expect(readValue(cpu)).toBe(111); // stale
    cpu.invlpg(LINEAR + 0x800); // any address in the page
    expect(readValue(cpu)).toBe(222);
  });

  it("uses a stale entry after the PTE is made not present (with a marker), until INVLPG", () => {
    const { memory, cpu } = machine();
    expect(readValue(cpu)).toBe(111);
    memory.write32(PTE_AT, notPresentEntry(42));
    expect(readValue(cpu)).toBe(111);
    cpu.invlpg(LINEAR);
    expect(readValue(cpu)).toBe("#PF 0");
    expect(cpu.cr2).toBe(LINEAR);
  });

  it("INVLPG of another page leaves the entry", () => {
    const { memory, cpu } = machine();
    readValue(cpu);
    memory.write32(PTE_AT, makePte(NEW_FRAME, USER_RW));
    cpu.invlpg(LINEAR + 0x1000);
    expect(readValue(cpu)).toBe(111);
  });

  it("a CR3 load flushes non-global entries even with the same value", () => {
    const { memory, cpu } = machine();
    readValue(cpu);
    memory.write32(PTE_AT, makePte(NEW_FRAME, USER_RW));
    cpu.loadCr3(cpu.cr3);
    expect(readValue(cpu)).toBe(222);
  });

  it("global entries (G with CR4.PGE) survive a CR3 load; a PGE change flushes them", () => {
    const { memory, cpu } = machine(1, USER_RW | PTE_G, CR4_PGE);
    readValue(cpu);
    memory.write32(PTE_AT, makePte(NEW_FRAME, USER_RW | PTE_G));
    cpu.loadCr3(cpu.cr3);
    expect(readValue(cpu)).toBe(111);
    cpu.setCr4(0);
    expect(readValue(cpu)).toBe(222);
  });

  it("G without CR4.PGE is not global", () => {
    const { memory, cpu } = machine(1, USER_RW | PTE_G, 0);
    readValue(cpu);
    memory.write32(PTE_AT, makePte(NEW_FRAME, USER_RW));
    cpu.loadCr3(cpu.cr3);
    expect(readValue(cpu)).toBe(222);
  });

  it("each CPU has its own TLB: invalidating on one leaves the other stale", () => {
    const { memory, cpus } = machine(2);
    const [a, b] = [cpus[0]!, cpus[1]!];
    expect([readValue(a), readValue(b)]).toEqual([111, 111]);
    memory.write32(PTE_AT, makePte(NEW_FRAME, USER_RW));
    a.invlpg(LINEAR);
    expect([readValue(a), readValue(b)]).toEqual([222, 111]);
    b.invlpg(LINEAR);
    expect(readValue(b)).toBe(222);
    expect(a.tlb).not.toBe(b.tlb);
  });

  it("a 4-MiB entry is dropped by INVLPG of any address it covers", () => {
    const memory = new PhysicalMemory();
    memory.write32(DIRECTORY + 1 * 4, makeLargePde(0x00800000, USER_RW));
    memory.write32(0x00800000 + 0x3ff000, 5);
    const cpu = new Cpu(0, memory, X86_RULES, { cr0: KERNEL_CR0, cr3: DIRECTORY, cr4: CR4_PSE });
    expect(readValue(cpu, linearOf(1, 0x3ff))).toBe(5);
    expect(cpu.tlb.entries()).toMatchObject([{ large: true, linearBase: linearOf(1, 0), physicalBase: 0x00800000 }]);
    memory.write32(DIRECTORY + 1 * 4, makeLargePde(0x00c00000, USER_RW));
    expect(readValue(cpu, linearOf(1, 0x3ff))).toBe(5); // stale, through the 4-MiB entry
    cpu.invlpg(linearOf(1, 0x123, 0x4));
    expect(readValue(cpu, linearOf(1, 0x3ff))).toBe(0);
  });

  it("a PSE-36 page above 4 GiB keeps bits 39:32 through the walk and the TLB; there is no memory there", () => {
    const memory = new PhysicalMemory();
    const pde = (makeLargePde(0x00800000, USER_RW) | (0x01 << 13)) >>> 0; // bit 32: the page at 0x1_00800000
    memory.write32(DIRECTORY + 1 * 4, pde);
    memory.write32(0x00800008, 7); // the alias below 4 GiB, which a walker dropping bits 39:32 would reach
    const cpu = new Cpu(0, memory, QEMU_TCG_RULES, { cr0: KERNEL_CR0, cr3: DIRECTORY, cr4: CR4_PSE });
    const linear = linearOf(1, 0, 8);
    expect(cpu.write32(linear, 0x12345678)).toEqual({ ok: true, physical: 2 ** 32 + 0x00800008 });
    expect(cpu.tlb.entries()).toMatchObject([{ large: true, linearBase: linearOf(1, 0), physicalBase: 2 ** 32 + 0x00800000 }]);
    expect(cpu.read32(linear)).toEqual({ ok: true, value: ABSENT_WORD, physical: 2 ** 32 + 0x00800008 }); // through the TLB
    expect(memory.read32(0x00800008)).toBe(7);
    expect(Tlb.decode(cpu.tlb.encode()).entries()).toEqual(cpu.tlb.entries());
    // The SDM's rules (no PSE-36) refuse the same PDE: reserved bit 13.
    expect(new Cpu(0, memory, X86_RULES, { cr0: KERNEL_CR0, cr3: DIRECTORY, cr4: CR4_PSE }).read32(linear)).toMatchObject({ ok: false, fault: { errorCode: PF_P | PF_RSVD } });
  });

  it("not-present translations are never cached", () => {
    const { memory, cpu } = machine();
    memory.write32(PTE_AT, notPresentEntry(9));
    expect(readValue(cpu)).toBe("#PF 0");
    memory.write32(PTE_AT, makePte(OLD_FRAME, USER_RW));
    expect(readValue(cpu)).toBe(111); // no INVLPG needed after making a page present
  });
});

describe("TLB and the dirty flag (§4.8)", () => {
  it("a write through an entry cached by a read re-walks and sets D", () => {
    const { memory, cpu } = machine();
    readValue(cpu);
    expect(memory.read32(PTE_AT) & (PTE_A | PTE_D)).toBe(PTE_A);
    expect(cpu.tlb.lookup(LINEAR)?.dirty).toBe(false);
    expect(cpu.write32(LINEAR, 7).ok).toBe(true);
    expect(memory.read32(PTE_AT) & PTE_D).toBe(PTE_D);
    expect(cpu.tlb.lookup(LINEAR)?.dirty).toBe(true);
    expect(memory.read32(OLD_FRAME + 0x10)).toBe(7);
  });

  it("a write through an entry already dirty does not set D again (software's clear is not seen)", () => {
    const { memory, cpu } = machine();
    cpu.write32(LINEAR, 7);
    memory.write32(PTE_AT, (memory.read32(PTE_AT) & ~PTE_D) >>> 0);
    cpu.write32(LINEAR, 8);
    expect(memory.read32(PTE_AT) & PTE_D).toBe(0);
    cpu.invlpg(LINEAR);
    cpu.write32(LINEAR, 9);
    expect(memory.read32(PTE_AT) & PTE_D).toBe(PTE_D);
  });

  it("the dirty re-walk sees the current PTE (a page unmapped meanwhile faults)", () => {
    const { memory, cpu } = machine();
    readValue(cpu);
    memory.write32(PTE_AT, notPresentEntry(3));
    const result = cpu.write32(LINEAR, 1);
    expect(result).toEqual({ ok: false, fault: { cr2: LINEAR, errorCode: PF_WR } });
  });
});

describe("faults from cached rights (§4.10.4.3 spurious faults)", () => {
  it("a stale read-only entry faults a write even after the PTE became writable; the fault drops it, the retry succeeds", () => {
    const { memory, cpu } = machine(1, USER_RO);
    cpu.returnToUser();
    expect(readValue(cpu)).toBe(111);
    memory.write32(PTE_AT, makePte(OLD_FRAME, USER_RW));
    expect(cpu.write32(LINEAR, 5)).toEqual({ ok: false, fault: { cr2: LINEAR, errorCode: PF_P | PF_WR | PF_US } });
    expect(cpu.cpl).toBe(0);
    expect(cpu.tlb.lookup(LINEAR)).toBeUndefined();
    cpu.returnToUser();
    expect(cpu.write32(LINEAR, 5).ok).toBe(true);
  });

  it("rights are checked against the current CR0.WP, not the one at fill time", () => {
    const { cpu } = machine(1, USER_RO);
    cpu.setCr0((CR0_PE | CR0_PG) >>> 0); // WP off
    expect(readValue(cpu)).toBe(111);
    expect(cpu.write32(LINEAR, 1).ok).toBe(true); // supervisor write, WP=0
    cpu.setCr0(KERNEL_CR0); // WP on; no flush
    expect(cpu.tlb.size).toBe(1);
    expect(cpu.write32(LINEAR, 2)).toEqual({ ok: false, fault: { cr2: LINEAR, errorCode: PF_P | PF_WR } });
  });
});

describe("privilege transitions and the counters of Table I", () => {
  it("a user-mode page fault enters the kernel by itself; the return is a second mode switch", () => {
    const { memory, cpu } = machine();
    memory.write32(PTE_AT, notPresentEntry(1));
    cpu.returnToUser();
    expect(cpu.modeSwitches).toBe(1);
    const result = cpu.read32(LINEAR);
    expect(result).toEqual({ ok: false, fault: { cr2: LINEAR, errorCode: PF_US } });
    expect(cpu.cpl).toBe(0);
    expect(cpu.modeSwitches).toBe(2);
    expect(cpu.lastFault).toEqual({ cr2: LINEAR, errorCode: PF_US });
    cpu.returnToUser();
    expect(cpu.modeSwitches).toBe(3);
  });

  it("a kernel-mode page fault sets CR2 but switches no mode", () => {
    const { memory, cpu } = machine();
    memory.write32(PTE_AT, notPresentEntry(1));
    expect(cpu.read32(LINEAR).ok).toBe(false);
    expect(cpu.cr2).toBe(LINEAR);
    expect(cpu.modeSwitches).toBe(0);
  });

  it("system calls count an entry; entering twice or returning twice is a kernel bug", () => {
    const { cpu } = machine();
    expect(() => cpu.enterKernel("syscall")).toThrow(/already in the kernel/);
    cpu.returnToUser();
    expect(() => cpu.returnToUser()).toThrow(/already in user mode/);
    cpu.enterKernel("syscall");
    expect(cpu.modeSwitches).toBe(2);
  });

  it("a context switch is counted only when the running thread changes", () => {
    const { cpu } = machine();
    cpu.switchThread(1); // first dispatch
    cpu.switchThread(1);
    cpu.switchThread(2);
    cpu.switchThread(1);
    expect(cpu.contextSwitches).toBe(2);
    expect(cpu.currentThread).toBe(1);
  });

  it("user accesses are checked as user: a supervisor page faults at CPL 3 and not at CPL 0", () => {
    const { cpu } = machine(1, PTE_P | PTE_RW);
    expect(readValue(cpu)).toBe(111);
    cpu.loadCr3(cpu.cr3);
    cpu.returnToUser();
    expect(readValue(cpu)).toBe(`#PF ${PF_P | PF_US}`);
  });
});

describe("CPU odds and ends", () => {
  it("with paging off, linear = physical; turning paging off flushes the TLB", () => {
    const { cpu } = machine();
    readValue(cpu);
    cpu.setCr0(CR0_PE);
    expect(cpu.tlb.size).toBe(0);
    expect(readValue(cpu, OLD_FRAME + 0x10)).toBe(111);
  });

  it("refuses misaligned word accesses", () => {
    const { cpu } = machine();
    expect(() => cpu.read32(LINEAR + 1)).toThrow(RangeError);
  });

  it("state() / fromState() round-trip registers, counters and the TLB", () => {
    const { memory, cpu } = machine();
    cpu.returnToUser();
    cpu.switchThread(4);
    readValue(cpu);
    cpu.write32(LINEAR, 3);
    const copy = Cpu.fromState(cpu.state(), memory);
    expect(copy.state()).toEqual(cpu.state());
    const cloned = cpu.clone(memory.clone());
    expect(cloned.state()).toEqual(cpu.state());
    cloned.invlpg(LINEAR);
    expect(cpu.tlb.size).toBe(1);
  });

  it("a planted rule reaches the CPU too (ignoring WP lets the kernel write a read-only page)", () => {
    const ignoreWp: WalkRules = { ...X86_RULES, allows: (r, a, regs) => X86_RULES.allows(r, a, { ...regs, cr0: regs.cr0 & ~CR0_WP }) };
    const honest = machine(1, USER_RO);
    expect(honest.cpu.write32(LINEAR, 1).ok).toBe(false);
    const buggy = machine(1, USER_RO);
    const cpu = new Cpu(0, buggy.memory, ignoreWp, buggy.cpu.registers);
    expect(cpu.write32(LINEAR, 1).ok).toBe(true);
  });
});

describe("properties", () => {
  // Physical bases below 2^40: 4-MiB entries may carry PSE-36 bits 39:32.
  const tlbEntry = fc
    .record({
      page: fc.nat({ max: 2 ** 20 - 1 }),
      frame: fc.nat({ max: 2 ** 20 - 1 }),
      high: fc.oneof(fc.constant(0), fc.nat({ max: 0xff })),
      large: fc.boolean(),
      writable: fc.boolean(),
      user: fc.boolean(),
      dirty: fc.boolean(),
      global: fc.boolean(),
    })
    .map(({ page, frame, high, large, ...flags }) => {
      const mask = large ? 0x3ff : 0;
      const physicalBase = ((frame & ~mask) << 12) >>> 0;
      return { linearBase: ((page & ~mask) << 12) >>> 0, physicalBase: large ? high * 2 ** 32 + physicalBase : physicalBase, large, ...flags };
    });

  it("TLB encode/decode round-trips", () => {
    fc.assert(
      fc.property(fc.array(tlbEntry, { maxLength: 20 }), (entries) => {
        const tlb = new Tlb();
        for (const entry of entries) tlb.insert(entry);
        const decoded = Tlb.decode(tlb.encode());
        expect(decoded.entries()).toEqual(tlb.entries());
        expect(decoded.encode()).toEqual(tlb.encode());
      }),
    );
  });

  it("the TLB is invisible while page tables do not change: same results and same memory as walking every time", () => {
    // Four pages in directory slot 0 with random rights; random accesses at random privilege.
    const pteFlags = fc.nat({ max: 0xfff });
    const access = fc.record({ page: fc.nat({ max: 5 }), write: fc.boolean(), user: fc.boolean(), value: fc.nat({ max: 1000 }) });
    fc.assert(
      fc.property(fc.array(pteFlags, { minLength: 6, maxLength: 6 }), fc.nat({ max: 0xfff }), fc.boolean(), fc.array(access, { maxLength: 40 }), (flags, pdeFlags, wp, accesses) => {
        const memory = new PhysicalMemory();
        memory.write32(DIRECTORY, makePde(TABLE, (pdeFlags & 0xf7f) | PTE_P));
        flags.forEach((f, i) => memory.write32(TABLE + i * 4, makePte(0x10000 + i * 0x1000, f)));
        const reference = memory.clone();
        const cr0 = (CR0_PE | CR0_PG | (wp ? CR0_WP : 0)) >>> 0;
        const cpu = new Cpu(0, memory, X86_RULES, { cr0, cr3: DIRECTORY, cr4: 0 });
        for (const a of accesses) {
          if (a.user && cpu.cpl === 0) cpu.returnToUser();
          if (!a.user && cpu.cpl === 3) cpu.enterKernel("syscall");
          const linear = linearOf(0, a.page, 8);
          const got = a.write ? cpu.write32(linear, a.value) : cpu.read32(linear);
          const walked = walk(reference, { cr0, cr3: DIRECTORY, cr4: 0 }, linear, { write: a.write, user: a.user });
          expect(got.ok).toBe(walked.ok);
          if (walked.ok && got.ok) {
            expect(got.physical).toBe(walked.physical);
            if (a.write) reference.write32(walked.physical, a.value);
          } else if (!walked.ok && !got.ok) {
            expect(got.fault).toEqual(walked.fault);
          }
        }
        expect(memory.equals(reference)).toBe(true);
      }),
      { numRuns: 500 },
    );
  });
});
