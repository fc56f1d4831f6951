import { describe, expect, test } from "vitest";
import { makePte, notPresentEntry, PTE_P, PTE_US, entryAddress } from "../../impl/hw/bits.js";
import { regionSlot } from "../../impl/kernel/layout.js";
import { cloneState } from "../../impl/kernel/state.js";
import { AbstractionError, abstractState, regionTableFrame } from "../../refinement/abstraction.js";
import { brokenObligation } from "../../refinement/obligations.js";
import { refinementFor, walk } from "./helpers.js";

/** Physical address of the PTE of (task 0, region 0, page 0), read from the page directory. */
function pteAddress(r: ReturnType<typeof refinementFor>, state: ReturnType<typeof cloneState>): number {
  const memory = state.memory;
  const pde = memory.read32(r.ctx.placement.pageDirectory(0) + regionSlot(r.ctx.layout, 0) * 4);
  return entryAddress(pde);
}

describe("the abstraction function reads the hardware structures", () => {
  const r = refinementFor("markers");
  const mapped = walk(
    r,
    { action: "AssignManager", params: { thread: 0, region: 0, manager: 0 } },
    { action: "Map", params: { frame: 0, rights: "rw" } },
  );

  test("the initial image is the spec's initial state", () => {
    const init = [...r.product.initialStates()][0]!;
    expect(init.failure).toBeNull();
    expect(r.spec.encode(abstractState(r.ctx, init.concrete))).toEqual(r.spec.encode([...r.spec.initialStates()][0]!));
  });

  test("a mapped page and an accepted region appear in the image", () => {
    const image = abstractState(r.ctx, mapped.concrete);
    expect(image.regionTable[0]![0]).toEqual({ manager: 0, accepted: true });
    expect(image.pageTable[0]![0]![0]).toEqual({ present: true, frame: 0, rights: "rw", mapper: 0 });
  });

  test("writing a marker into the PTE in physical memory changes the image", () => {
    const s = cloneState(mapped.concrete);
    s.memory.write32(pteAddress(r, s), notPresentEntry(1));
    expect(abstractState(r.ctx, s).pageTable[0]![0]![0]).toEqual({ present: false, marker: 1 });
  });

  test("clearing R/W in the PTE makes the page read-only in the image", () => {
    const s = cloneState(mapped.concrete);
    const pte = pteAddress(r, s);
    s.memory.write32(pte, s.memory.read32(pte) & ~2);
    expect(abstractState(r.ctx, s).pageTable[0]![0]![0]).toMatchObject({ present: true, rights: "ro" });
  });

  test("a PTE pointing at no pager's frame has no image", () => {
    const s = cloneState(mapped.concrete);
    s.memory.write32(pteAddress(r, s), makePte(0x0050_0000, PTE_P | PTE_US));
    expect(() => abstractState(r.ctx, s)).toThrow(AbstractionError);
  });

  test("the region-table word in memory decides the manager and acceptance", () => {
    const s = cloneState(mapped.concrete);
    const table = regionTableFrame(r.ctx, s.memory, 0);
    s.memory.write32(table, 0);
    expect(abstractState(r.ctx, s).regionTable[0]![0]).toEqual({ manager: null, accepted: false });
    // and the representation invariant sees a present page no manager owns
    expect(brokenObligation(r.ctx, s)?.obligation.name).toBe("NoFrameMappedByTwoManagers");
  });

  test("a user mapping of the region table breaks RegionTableNotUserReachable", () => {
    const s = cloneState(mapped.concrete);
    s.memory.write32(pteAddress(r, s), makePte(regionTableFrame(r.ctx, s.memory, 0), PTE_P | PTE_US));
    expect(brokenObligation(r.ctx, s)?.obligation.name).toBe("RegionTableNotUserReachable");
  });
});
