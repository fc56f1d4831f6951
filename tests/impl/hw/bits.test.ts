import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { randomSeed } from "../../seed.js";
import * as hw from "../../../impl/hw/bits.js";

randomSeed(import.meta.url);

// Bit positions written out from the SDM tables (Vol. 3A Tables 4-4..4-6,
// Figure 4-12, §2.5), independently of the constants under test.
const positions: Array<[string, number, number]> = [
  ["PTE_P", hw.PTE_P, 0],
  ["PTE_RW", hw.PTE_RW, 1],
  ["PTE_US", hw.PTE_US, 2],
  ["PTE_PWT", hw.PTE_PWT, 3],
  ["PTE_PCD", hw.PTE_PCD, 4],
  ["PTE_A", hw.PTE_A, 5],
  ["PTE_D", hw.PTE_D, 6],
  ["PTE_PAT", hw.PTE_PAT, 7],
  ["PDE_PS", hw.PDE_PS, 7],
  ["PTE_G", hw.PTE_G, 8],
  ["LARGE_PDE_PAT", hw.LARGE_PDE_PAT, 12],
  ["PF_P", hw.PF_P, 0],
  ["PF_WR", hw.PF_WR, 1],
  ["PF_US", hw.PF_US, 2],
  ["PF_RSVD", hw.PF_RSVD, 3],
  ["PF_ID", hw.PF_ID, 4],
  ["CR0_PE", hw.CR0_PE, 0],
  ["CR0_WP", hw.CR0_WP, 16],
  ["CR0_PG", hw.CR0_PG, 31],
  ["CR3_PWT", hw.CR3_PWT, 3],
  ["CR3_PCD", hw.CR3_PCD, 4],
  ["CR4_PSE", hw.CR4_PSE, 4],
  ["CR4_PAE", hw.CR4_PAE, 5],
  ["CR4_PGE", hw.CR4_PGE, 7],
];

describe("bit constants", () => {
  it.each(positions)("%s is bit %#", (_name, value, position) => {
    expect(value).toBe(2 ** position);
  });

  it("masks cover exactly the SDM's fields", () => {
    expect(hw.ENTRY_ADDRESS_MASK).toBe(0xfffff000);
    expect(hw.CR3_PD_MASK).toBe(0xfffff000);
    expect(hw.LARGE_PAGE_BASE_MASK).toBe(0xffc00000);
    expect(hw.PTE_AVAILABLE).toBe(0b1110_0000_0000);
    expect(hw.ENTRY_FLAGS_MASK).toBe(0xfff);
    // 4-MiB PDE with MAXPHYADDR 32: bits 21..13 reserved
    expect(hw.LARGE_PDE_RESERVED_MASK).toBe(0x003fe000);
    expect(hw.LARGE_PDE_RESERVED_MASK_PSE36_40).toBe(0x00200000);
    expect(hw.largePdeReservedMask(32)).toBe(0x003fe000);
    expect(hw.largePdeReservedMask(36)).toBe(0x003e0000); // bits 21..17
    expect(hw.largePdeReservedMask(40)).toBe(0x00200000); // bit 21
    expect(() => hw.largePdeReservedMask(41)).toThrow(RangeError);
  });

  it("sizes", () => {
    expect(hw.PAGE_SIZE).toBe(4096);
    expect(hw.LARGE_PAGE_SIZE).toBe(4 * 1024 * 1024);
    expect(hw.ENTRIES_PER_TABLE).toBe(1024);
    expect(hw.ENTRY_SIZE).toBe(4);
  });

  it("no two entry flags of the same entry kind overlap", () => {
    const pte = [hw.PTE_P, hw.PTE_RW, hw.PTE_US, hw.PTE_PWT, hw.PTE_PCD, hw.PTE_A, hw.PTE_D, hw.PTE_PAT, hw.PTE_G];
    const pde = [hw.PTE_P, hw.PTE_RW, hw.PTE_US, hw.PTE_PWT, hw.PTE_PCD, hw.PTE_A, hw.PTE_D, hw.PDE_PS, hw.PTE_G, hw.LARGE_PDE_PAT];
    for (const flags of [pte, pde]) {
      expect(flags.reduce((a, b) => a | b, 0)).toBe(flags.reduce((a, b) => a + b, 0));
    }
  });
});

describe("linear-address split", () => {
  it("splits bits 31:22, 21:12, 11:0", () => {
    const linear = 0b1010101010_0101010101_111100001111;
    expect(hw.pdIndex(linear)).toBe(0b1010101010);
    expect(hw.ptIndex(linear)).toBe(0b0101010101);
    expect(hw.pageOffset(linear)).toBe(0b111100001111);
    expect(hw.largePageOffset(linear)).toBe(0b0101010101_111100001111);
    expect(hw.pdIndex(0xffffffff)).toBe(1023);
    expect(hw.ptIndex(0xffffffff)).toBe(1023);
  });

  it("linearOf inverts the split for every address", () => {
    fc.assert(
      fc.property(fc.nat({ max: 2 ** 32 - 1 }), (linear) => {
        expect(hw.linearOf(hw.pdIndex(linear), hw.ptIndex(linear), hw.pageOffset(linear))).toBe(linear);
        expect(hw.pageBase(linear) + hw.pageOffset(linear)).toBe(linear);
        expect(hw.pageNumber(linear)).toBe(Math.floor(linear / 4096));
      }),
    );
  });
});

describe("entry builders", () => {
  it("put the address in 31:12 and the flags in 11:0, unsigned", () => {
    const pde = hw.makePde(0xfffff000, hw.PTE_P | hw.PTE_RW);
    expect(pde).toBe(0xfffff003);
    expect(hw.entryAddress(pde)).toBe(0xfffff000);
    expect(hw.makePte(0x5000, hw.PTE_P | hw.PTE_US)).toBe(0x5005);
    const large = hw.makeLargePde(0xffc00000, hw.PTE_P);
    expect(large).toBe(0xffc00081);
    expect(hw.largePageBase(large)).toBe(0xffc00000);
    expect(hw.isPresent(large)).toBe(true);
    expect(hw.hasFlags(large, hw.PTE_P | hw.PDE_PS)).toBe(true);
    expect(hw.hasFlags(large, hw.PTE_P | hw.PTE_RW)).toBe(false);
  });

  it("refuse misaligned addresses and flags outside 11:0", () => {
    expect(() => hw.makePte(0x5004, hw.PTE_P)).toThrow(RangeError);
    expect(() => hw.makeLargePde(0x1000, hw.PTE_P)).toThrow(RangeError);
    expect(() => hw.makePde(0x1000, hw.PDE_PS)).toThrow(RangeError);
    expect(() => hw.makePte(0x1000, 0x1000)).toThrow(RangeError);
  });
});

describe("not-present entry marker", () => {
  it("round-trips every 31-bit value and keeps P = 0", () => {
    fc.assert(
      fc.property(fc.nat({ max: hw.MARKER_MAX }), (marker) => {
        const entry = hw.notPresentEntry(marker);
        expect(hw.isPresent(entry)).toBe(false);
        expect(entry).toBeGreaterThanOrEqual(0);
        expect(entry).toBeLessThan(2 ** 32);
        expect(hw.markerOf(entry)).toBe(marker);
      }),
      { numRuns: 2000 },
    );
  });

  it("round-trips the boundaries", () => {
    for (const marker of [0, 1, 2 ** 30, hw.MARKER_MAX - 1, hw.MARKER_MAX]) {
      expect(hw.markerOf(hw.notPresentEntry(marker))).toBe(marker);
    }
    expect(hw.notPresentEntry(hw.MARKER_MAX)).toBe(0xfffffffe);
  });

  it("every not-present entry is the marker entry of its bits 31:1", () => {
    fc.assert(
      fc.property(fc.nat({ max: 2 ** 31 - 1 }).map((v) => v * 2), (entry) => {
        expect(hw.notPresentEntry(hw.markerOf(entry))).toBe(entry);
      }),
    );
  });

  it("rejects values outside 0..2^31-1 and present entries", () => {
    expect(() => hw.notPresentEntry(hw.MARKER_MAX + 1)).toThrow(RangeError);
    expect(() => hw.notPresentEntry(-1)).toThrow(RangeError);
    expect(() => hw.notPresentEntry(1.5)).toThrow(RangeError);
    expect(() => hw.markerOf(hw.PTE_P)).toThrow(RangeError);
  });
});
