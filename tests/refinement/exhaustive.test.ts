import { beforeEach, describe, expect, test } from "vitest";
import { kernelMutants } from "../../impl/mutants.js";
import { check } from "../../model/check.js";
import { refinementSteps, violationOf } from "../../refinement/product.js";
import { formatRefinementTrace } from "../../refinement/render.js";
import { SHORTEST, refinementFor } from "./helpers.js";

describe("exhaustive refinement", () => {
  // Let vitest's worker talk to the main process between these long synchronous tests.
  beforeEach(() => new Promise<void>((resolve) => setImmediate(resolve)));
  test("proposed refines the spec on micro; the product stores no more states than the kernel has", () => {
    const r = refinementFor("micro");
    const result = check(r.product, { checkDeadlock: false });
    expect(result.status).toBe("ok");
    const concrete = check(r.concrete, { checkDeadlock: false });
    expect(result.statistics.distinct).toBe(concrete.statistics.distinct);
  }, 60_000);

  test("proposed refines the spec on the default configuration (two CPUs)", () => {
    const result = check(refinementFor("micro-2cpu").product, { checkDeadlock: false });
    expect(result.status).toBe("ok");
    expect(result.statistics.distinct).toBeGreaterThan(1000);
  }, 120_000);

  test("single-pager L4 does not refine: its fault goes to the thread's pager where the spec has no manager", () => {
    const r = refinementFor("micro", "l4");
    const result = check(r.product, { checkDeadlock: false });
    expect(result.status).toBe("violation");
    const { last } = refinementSteps(r, result.trace!);
    const violation = violationOf(r, last, result.violation!.name);
    expect(violation.name).toBe("NoAbstractCounterpart");
    expect(violation.quote).toMatch(/abstract Dispatch\(/);
  });

  test("monolithic refines: the module's own thread in a region with no page is not-accepted, self-managed only after the present re-check", () => {
    const r = refinementFor("micro", "monolithic");
    const result = check(r.product, { checkDeadlock: false });
    expect(result.status).toBe("ok");
    const fired = new Set(result.statistics.coverage.filter((c) => c.firings > 0).map((c) => c.action));
    for (const action of ["AssignManager", "Dispatch", "HandleException"]) expect(fired).toContain(action);
  });

  for (const { name, config } of kernelMutants.filter((m) => m.kind === "safety")) {
    test(`mutant ${name} is caught with a shortest trace`, () => {
      const r = refinementFor(config, "proposed", name);
      const result = check(r.product, { checkDeadlock: false, maxStates: 50_000 });
      expect(result.status).toBe("violation");
      const { steps, last } = refinementSteps(r, result.trace!);
      expect(steps.length - 1).toBe(SHORTEST[name]);
      const violation = violationOf(r, last, result.violation!.name);
      expect(violation.kind).toBe("refinement");
      // every step shows its abstract image beside it
      for (const step of steps) expect(step.abstract).toBeDefined();
      const text = formatRefinementTrace({
        kind: "refinement", machine: r.product.name, config: "x", configValue: {}, mutant: name, arch: "proposed",
        violation, command: [], toolVersion: "test", vars: r.product.variables, steps,
      });
      expect(text).toContain(`Error: Refinement obligation ${violation.name} is violated.`);
      expect(text).toContain("| abstract");
    }, 30_000);
  }
});
