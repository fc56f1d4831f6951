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
    closing: result.closing!,
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

  test("a recorded closing step that no longer leads back, or is not enabled, does not apply", () => {
    const machine = weakLock();
    const trace = lassoTrace(machine);
    expect(typeof trace.closing).toBe("object");
    const closing = trace.closing as { action: string; params: Record<string, unknown> };
    const disabled = replayLasso(machine, { ...trace, closing: { action: closing.action, params: { ...closing.params, p: 99 } } as Trace["closing"] });
    expect(disabled.kind === "does-not-apply" && disabled.reason).toMatch(/, the step back to State \d+, is not enabled: the cycle no longer closes/);
    expect(disabled.kind === "does-not-apply" && disabled.step).toBe(trace.steps.length);
  });

  test("a cycle that no longer closes does not apply", () => {
    const trace = lassoTrace(counter([]));
    const { closing: _, ...unclosed } = trace;
    const stepped: Trace = { ...unclosed, steps: [...trace.steps, { action: "Inc", params: {}, state: { x: 1 } }], loop: 0 };
    const verdict = replayLasso(counter([]), stepped);
    expect(verdict.kind).toBe("does-not-apply");
    expect(verdict.kind === "does-not-apply" && verdict.reason).toContain("the cycle no longer closes");
  });
});

describe("lasso replay on the spec", () => {
  test("a spec lasso found without fairness is not a fair behaviour of the spec: replay says fixed and names the fairness it breaks", async () => {
    const { buildSpec, loadConfig } = await import("../../spec/index.js");
    const { machineFor } = await import("../../trace/machines.js");
    const { replayTrace } = await import("../../trace/reproduce.js");
    const { config } = loadConfig("tiny");
    const shell: Trace = { kind: "spec", machine: "multipager-spec", config: "tiny", configValue: config as never, mutant: null, violation: { kind: "invariant", name: "", quote: "" }, command: [], toolVersion: "test", vars: [], steps: [] };
    const live = machineFor(shell, "t") as LiveMachine<unknown>;
    expect(live.temporalProperties!.length).toBeGreaterThan(0);
    // Without fairness the kernel may never dispatch a trapped fault: a lasso.
    const unfair = { ...live, fairness: [], invariants: [] } as LiveMachine<unknown>;
    const trace = { ...lassoTrace(unfair), config: "tiny", configValue: config as never, machine: buildSpec(config).name, vars: live.variables };
    const verdict = await replayTrace(trace, "t");
    expect(verdict.kind).toBe("fixed");
    expect(verdict.kind === "fixed" && verdict.detail).toMatch(/the cycle is no longer fair \((WF|SF)\(/);

    // The same through the command line, from a file, and every rendering marks the loop.
    const { mkdtempSync } = await import("node:fs");
    const { tmpdir } = await import("node:os");
    const { join } = await import("node:path");
    const { writeItf } = await import("../../model/itf.js");
    const { multipagerTrace } = await import("./run-trace.js");
    const path = join(mkdtempSync(join(tmpdir(), "multipager-lasso-")), "lasso.itf.json");
    writeItf(path, trace);
    const replay = await multipagerTrace("replay", path);
    expect(replay.code).toBe(0);
    expect(replay.stdout).toMatch(/^Fixed: all \d+ steps apply, but the cycle is no longer fair/m);
    const back = trace.loop! + 1;
    const stutters = trace.closing === "stutter";
    expect((await multipagerTrace("show", path)).stdout).toMatch(stutters ? /^State \d+: Stuttering$/m : new RegExp(`> Back to state ${back}$`, "m"));
    expect((await multipagerTrace("show", path, "--format", "md")).stdout).toContain(stutters ? `then State ${back} stutters forever` : `then back to State ${back} and around the cycle forever`);
    expect((await multipagerTrace("show", path, "--format", "svg")).stdout).toContain(stutters ? `stuttering: State ${back} repeats forever` : `loop forever: back to State ${back}`);
  });
});
