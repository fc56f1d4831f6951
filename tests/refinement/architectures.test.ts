import { beforeEach, describe, expect, test } from "vitest";
import { check } from "../../model/check.js";
import { propertyCheck } from "../../refinement/pbt.js";
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

  test("single-pager L4 lacks the region contract: AssignManager, Map, Unmap and a fault delivered to a second region's manager", () => {
    const result = missingBehaviours(refinementFor("two-managers", "l4"));
    expect(result.partial).toBe(false);
    const actions = result.missing.map((m) => m.action);
    for (const action of ["AssignManager", "ClearManager", "Map", "Unmap", "Dispatch"]) expect(actions).toContain(action);
    const dispatch = result.missing.find((m) => m.action === "Dispatch")!;
    // thread 0's pager is pager 0 (L4's one pager per thread): a fault can never reach pager 1
    expect(dispatch.examples).toContain('Dispatch(outcome = "delivered", pager = 1, thread = 0)');
    expect(result.missing.find((m) => m.action === "AssignManager")!.witness.at(-1)!.action).toBe("AssignManager");
    const text = formatMissing(result, "l4");
    expect(text).toMatch(/^l4 lacks these abstract behaviours/m);
  }, 60_000);

  for (const arch of ["l4re", "l4re-via-rm"]) {
    test(`${arch} refines the spec: the region mapper's delivery, forwarding and answer passing are stutters, its decision is the Dispatch`, () => {
      const r = refinementFor("micro", arch);
      expect(r.ctx.roles).toEqual(["user", "user", "runtime"]);
      const result = check(r.product, { checkDeadlock: false });
      expect(result.status).toBe("ok");
      const fired = new Set(result.statistics.coverage.filter((c) => c.firings > 0).map((c) => c.action));
      for (const action of ["DeliverFault", "Dispatch", "Resolve", "Map", "AssignManager"]) expect(fired).toContain(action);
      // and property-based on two CPUs
      expect(propertyCheck(refinementFor("micro-2cpu", arch), undefined, { seed: 3, runs: 80 }).failure).toBeUndefined();
    }, 60_000);
  }
});
