import { beforeEach, describe, expect, test } from "vitest";
import { check } from "../../model/check.js";
import { formatMissing, missingBehaviours } from "../../refinement/unsupported.js";
import { refinementFor } from "./helpers.js";

describe("one spec, every architecture", () => {
  beforeEach(() => new Promise<void>((resolve) => setImmediate(resolve)));

  test("proposed on one CPU lacks exactly Fig. 3's thread B path (a page restored between fault and dispatch needs a second CPU)", () => {
    const result = missingBehaviours(refinementFor("micro"));
    expect(result.partial).toBe(false);
    expect(result.missing.map((m) => m.action)).toEqual(["Dispatch"]);
    const witness = result.missing[0]!.witness;
    expect(witness.at(-1)!.params).toEqual({ thread: 1, outcome: "resumed" });
  }, 60_000);

  test("single-pager L4 lacks the region contract: AssignManager, Map, Unmap and per-region dispatch have no concrete counterpart", () => {
    const result = missingBehaviours(refinementFor("two-pagers", "l4"));
    const actions = result.missing.map((m) => m.action);
    for (const action of ["AssignManager", "ClearManager", "Map", "Unmap", "Dispatch"]) expect(actions).toContain(action);
    const assign = result.missing.find((m) => m.action === "AssignManager")!;
    expect(assign.witness.at(-1)!.action).toBe("AssignManager");
    const text = formatMissing(result, "l4");
    expect(text).toMatch(/^l4 lacks these abstract behaviours/m);
    expect(text).toMatch(/AssignManager\(thread = \d, region = \d, manager = \d\)/);
  }, 60_000);

  test("L4 + L4Re (no region mapper in a spec-shaped configuration) refines trivially: every fault is a general-protection fault", () => {
    const r = refinementFor("micro", "l4re");
    expect(check(r.product, { checkDeadlock: false }).status).toBe("ok");
  }, 60_000);
});
