import { describe, expect, it } from "vitest";
import { KERNEL_CR0 } from "../../../impl/hw/cpu.js";
import { PAGE_SIZE, PTE_P, PTE_RW, PTE_US, entryAddress } from "../../../impl/hw/bits.js";
import { walk } from "../../../impl/hw/walk.js";
import { architectures } from "../../../impl/arch/index.js";
import { Kernel } from "../../../impl/kernel/kernel.js";
import {
  PAPER_LAYOUT,
  isUserAddress,
  pageInRegion,
  regionOf,
  smallLayout,
  userEnd,
  userPageAddress,
  validateLayout,
} from "../../../impl/kernel/layout.js";
import {
  REGION_ACCEPTED,
  REGION_NEVER_PRESENT,
  REGION_TABLE_BYTES,
  decodeRegionEntry,
  encodeRegionEntry,
} from "../../../impl/kernel/region-table.js";
import { validateKernelConfig } from "../../../impl/kernel/config.js";
import { InputError } from "../../../model/input-error.js";
import { CLIENT, PAGER, bootTest, callAs, contract } from "./helpers.js";

describe("the paper's layout", () => {
  it("has 1020 regions of 1024 pages of 4 KiB starting at B_us = 4 MiB", () => {
    expect(PAPER_LAYOUT.regions).toBe(1020);
    expect(PAPER_LAYOUT.pagesPerRegion).toBe(1024);
    expect(PAPER_LAYOUT.userBase).toBe(0x0040_0000);
    expect(userEnd(PAPER_LAYOUT)).toBe(0xff40_0000);
    expect(PAPER_LAYOUT.regionTableAddress).toBe(0xffff_d000);
    expect(PAPER_LAYOUT.pageDirectoryAddress).toBe(0xffff_f000);
  });

  it("computes RID = (A - B_us) >> 22 (formula (1))", () => {
    expect(regionOf(PAPER_LAYOUT, 0x0040_0000)).toBe(0);
    expect(regionOf(PAPER_LAYOUT, 0x007f_ffff)).toBe(0);
    expect(regionOf(PAPER_LAYOUT, 0x0080_0000)).toBe(1);
    expect(regionOf(PAPER_LAYOUT, 0xff3f_f000)).toBe(1019);
    expect(pageInRegion(PAPER_LAYOUT, userPageAddress(PAPER_LAYOUT, 7, 1023))).toBe(1023);
    expect(isUserAddress(PAPER_LAYOUT, 0x0000_0000)).toBe(false); // the null guard
    expect(isUserAddress(PAPER_LAYOUT, 0xff40_0000)).toBe(false); // kernel space
  });

  it("rejects layouts the kernel cannot honour, naming the field", () => {
    expect(() => validateLayout({ ...PAPER_LAYOUT, regions: 1021 })).toThrow(/field regions/);
    expect(() => validateLayout({ ...PAPER_LAYOUT, userBase: 0 })).toThrow(/field userBase/);
    expect(() => smallLayout(1, 0)).toThrow(InputError);
  });
});

describe("the region table", () => {
  it("is one 4 KiB frame per address space, mapped at the same kernel address in every address space", () => {
    const k = Kernel.boot(
      validateKernelConfig({ layout: PAPER_LAYOUT, cpus: 1, tasks: 3, threads: [{ task: 0 }, { task: 1 }, { task: 2 }], frames: [], kernelAddresses: 0, markers: 1 }),
      architectures.proposed,
    );
    expect(REGION_TABLE_BYTES).toBe(PAGE_SIZE);
    for (let task = 0; task < 3; task++) {
      expect(k.frames.bytes("region-table", task)).toBe(PAGE_SIZE);
      const registers = { cr0: KERNEL_CR0, cr3: k.pageDirectory(task), cr4: 0 };
      const kernelView = walk(k.memory, registers, PAPER_LAYOUT.regionTableAddress, { write: false, user: false });
      expect(kernelView.ok && kernelView.physical).toBe(k.placement.regionTable(task));
      // User mode cannot see it.
      expect(walk(k.memory, registers, PAPER_LAYOUT.regionTableAddress, { write: false, user: true }).ok).toBe(false);
    }
  });

  it("holds manager ids with the acceptance flag in the entry itself, never a present bit", () => {
    const cases = [
      { manager: null, accepted: false },
      { manager: 0, accepted: false },
      { manager: 0, accepted: true },
      { manager: 12345, accepted: true },
    ] as const;
    for (const entry of cases) {
      const word = encodeRegionEntry(entry);
      expect(word & REGION_NEVER_PRESENT).toBe(0);
      expect(decodeRegionEntry(word)).toEqual(entry);
      expect((word & REGION_ACCEPTED) !== 0).toBe(entry.accepted);
    }
    expect(encodeRegionEntry({ manager: null, accepted: false })).toBe(0);
  });

  it("is read and written through memory: AssignManager and the accepting Map change the table's frame", () => {
    const k = bootTest();
    const frame = k.placement.regionTable(0);
    expect(k.memory.read32(frame)).toBe(0);
    callAs(k, CLIENT, { call: "AssignManager", region: 0, manager: PAGER });
    expect(decodeRegionEntry(k.memory.read32(frame))).toEqual({ manager: PAGER, accepted: false });
    contract(bootTest()); // the helper works on a fresh kernel too
    callAs(k, PAGER, { call: "Map", task: 0, region: 0, page: 1, frame: 0, rights: "ro" });
    expect(decodeRegionEntry(k.memory.read32(frame))).toEqual({ manager: PAGER, accepted: true });
    const pte = k.pte(0, userPageAddress(k.layout, 0, 1));
    expect(pte & (PTE_P | PTE_US | PTE_RW)).toBe(PTE_P | PTE_US);
    expect(entryAddress(pte)).toBe(k.placement.userFrame(0));
  });

  it("is not allocated by the baselines without one", () => {
    expect(bootTest("l4").frames.bytes("region-table", 0)).toBe(0);
    expect(bootTest("proposed").frames.bytes("region-table", 0)).toBe(PAGE_SIZE);
  });
});
