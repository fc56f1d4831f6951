/**
 * Replaying lassos: a liveness counterexample found by the engine reproduces
 * on its machine, stops reproducing when fairness rules its cycle out, and
 * no longer applies when its cycle does not close.
 */
import { describe, expect, test } from "vitest";
import { checkLiveness, type LiveMachine } from "../../model/liveness/check.js";
import type { Trace } from "../../model/trace.js";
import { replayLasso } from "../../trace/lasso.js";
import { counter, lock } from "../model/liveness-machines.js";

function lassoTrace<S>(machine: LiveMachine<S>): Trace {
  const result = checkLiveness(machine);
  expect(result.status).toBe("violation");
  return {
    kind: "spec",
    machine: machine.name,
    config: "toy",
    configValue: {},
    mutant: null,
    violation: result.violation!,
    command: [],
    toolVersion: "test",
    vars: machine.variables,
    steps: result.trace!,
    loop: result.loop!,
  };
}

const weakLock = () => lock([
  { action: "Enter", kind: "weak", per: ["p"] },
  { action: "Exit", kind: "weak", per: ["p"] },
]);
const strongLock = () => lock([
  { action: "Enter", kind: "strong", per: ["p"] },
  { action: "Exit", kind: "weak", per: ["p"] },
]);

describe("lasso replay", () => {
  test("a starving waiter under weak fairness reproduces", () => {
    const trace = lassoTrace(weakLock());
    expect(replayLasso(weakLock(), trace)).toMatchObject({ kind: "reproduces" });
  });

  test("the same lasso under strong fairness on Enter is fixed: its cycle is unfair", () => {
    const trace = lassoTrace(weakLock());
    const verdict = replayLasso(strongLock(), trace);
    expect(verdict.kind).toBe("fixed");
    expect(verdict.kind === "fixed" && verdict.detail).toMatch(/the cycle is no longer fair \(SF\(Enter\)/);
  });

  test("a counter that stutters at 0 forever reproduces without fairness, and is fixed under WF(Inc)", () => {
    const trace = lassoTrace(counter([]));
    expect(trace.steps).toHaveLength(1);
    expect(replayLasso(counter([]), trace)).toMatchObject({ kind: "reproduces" });
    expect(replayLasso(counter([{ action: "Inc", kind: "weak" }]), trace).kind).toBe("fixed");
  });

  test("a cycle that no longer closes does not apply", () => {
    const trace = lassoTrace(counter([]));
    const stepped: Trace = { ...trace, steps: [...trace.steps, { action: "Inc", params: {}, state: { x: 1 } }], loop: 0 };
    const verdict = replayLasso(counter([]), stepped);
    expect(verdict.kind).toBe("does-not-apply");
    expect(verdict.kind === "does-not-apply" && verdict.reason).toContain("the cycle no longer closes");
  });
});
