import { describe, expect, it } from "vitest";
import { checkLiveness } from "../../model/liveness/check.js";
import { CYCLE_MARKER, formatLassoText } from "../../model/liveness/lasso-text.js";
import { formatLivenessStatistics } from "../../model/liveness/report.js";
import type { Trace } from "../../model/trace.js";
import { lassoProblem } from "./liveness-lasso-check.js";
import { counter, lock, peterson, weakPerProcess } from "./liveness-machines.js";

function asTrace(result: ReturnType<typeof checkLiveness>): Trace {
  return {
    kind: "spec", machine: "test", config: "test", configValue: {}, mutant: null, violation: result.violation!,
    command: ["check", "--liveness"], toolVersion: "test", vars: Object.keys(result.trace![0]!.state).sort(),
    steps: result.trace!, loop: result.loop!,
  };
}

describe("liveness: stuttering and weak fairness", () => {
  it("without fairness a counter may stop at 0 forever: a stuttering lasso on the initial state", () => {
    const machine = counter([]);
    const result = checkLiveness(machine);
    expect(result.status).toBe("violation");
    expect(result.violation).toMatchObject({ kind: "liveness", name: "EventuallyTwo" });
    expect(result.trace).toHaveLength(1);
    expect(result.loop).toBe(0);
    expect(result.closing).toBe("stutter");
    expect(lassoProblem(machine, result)).toBeUndefined();
    const text = formatLassoText(asTrace(result), { closing: result.closing! });
    expect(text).toContain("Error: Temporal property EventuallyTwo is violated.");
    expect(text).toContain(`${CYCLE_MARKER}\nState 1: <Initial predicate>`);
    expect(text).toContain("State 2: Stuttering");
  });

  it("weak fairness on Inc makes the counter reach 2", () => {
    const result = checkLiveness(counter([{ action: "Inc", kind: "weak" }]));
    expect(result.status).toBe("ok");
    expect(result.statistics.distinct).toBe(3);
    expect(result.liveness?.edges).toBe(3);
    expect(result.liveness?.properties).toEqual([
      { name: "EventuallyTwo", formula: "TRUE ~> x = 2", instances: 1, pendingStates: 2, holds: true },
    ]);
    const report = formatLivenessStatistics(result.liveness!, result.statistics.distinct);
    expect(report).toContain("3 states, 3 transitions");
    expect(report).toContain("WF(Inc): 1 instance");
    expect(report).toMatch(/EventuallyTwo\s+1\s+2\s+holds/);
  });

  it("fairness only on Done (never enabled before 2) does not help", () => {
    const machine = counter([{ action: "Done", kind: "strong" }]);
    const result = checkLiveness(machine);
    expect(result.status).toBe("violation");
    expect(lassoProblem(machine, result)).toBeUndefined();
  });
});

describe("liveness: steps that change nothing are stuttering (TLA+'s <<A>>_vars)", () => {
  it("a fair action that can only loop on the same state neither counts as enabled nor as taken", () => {
    const machine = {
      ...counter([{ action: "Done", kind: "weak" }]),
      *successors(x: number) {
        if (x === 0) yield { action: "Done", params: {}, state: 0 };
        yield { action: "Inc", params: {}, state: Math.min(x + 1, 2) };
      },
    };
    const result = checkLiveness(machine);
    expect(result.status).toBe("violation");
    expect(result.closing).toBe("stutter");
    expect(result.trace).toHaveLength(1);
    expect(lassoProblem(machine, result)).toBeUndefined();
  });
});

describe("liveness: weak versus strong fairness (a lock without a queue)", () => {
  it("weak fairness on Enter lets a waiter starve: the other process keeps taking the lock", () => {
    const machine = lock(weakPerProcess(["Enter", "Exit"]));
    const result = checkLiveness(machine);
    expect(result.status).toBe("violation");
    expect(result.property?.name).toBe("WaiterEnters");
    expect(lassoProblem(machine, result)).toBeUndefined();
    // The cycle must be a real one (not stuttering): Exit is fair, so the other process leaves and re-enters.
    expect(result.closing).not.toBe("stutter");
    const cycle = [...result.trace!.slice(result.loop! + 1).map((s) => s.action), (result.closing as { action: string }).action];
    expect(cycle).toContain("Enter");
    expect(cycle).toContain("Exit");
    const text = formatLassoText(asTrace(result), { closing: result.closing! });
    const closing = result.closing as { action: string };
    expect(text).toContain(`${CYCLE_MARKER}\nState ${result.loop! + 1}: <`);
    expect(text).toMatch(new RegExp(`^State ${result.trace!.length + 1}: <${closing.action}\\(p = \\d\\)> Back to state ${result.loop! + 1}$`, "m"));
    const starving = result.property!.instance["p"];
    expect(result.trace!.slice(result.loop!).every((step) => (step.state["pc"] as string[])[starving as number] === "waiting")).toBe(true);
  });

  it("strong fairness on Enter makes every waiter enter", () => {
    const result = checkLiveness(lock([
      { action: "Enter", kind: "strong", per: ["p"] },
      { action: "Exit", kind: "weak", per: ["p"] },
    ]));
    expect(result.status).toBe("ok");
    expect(result.liveness?.properties[0]).toMatchObject({ name: "WaiterEnters", instances: 2, holds: true });
    expect(result.liveness?.fairness).toHaveLength(4);
  });

  it("strong fairness on a disjunction, SF(Enter(p) \\/ Exit(p)) per process, also makes every waiter enter", () => {
    const result = checkLiveness(lock([{ action: ["Enter", "Exit"], kind: "strong", per: ["p"] }]));
    expect(result.status).toBe("ok");
    expect(result.liveness?.fairness.map((f) => f.action)).toEqual(["Enter \\/ Exit", "Enter \\/ Exit"]);
  });

  it("strong fairness on Enter as a whole (not per process) is not enough", () => {
    const machine = lock([{ action: "Enter", kind: "strong" }, { action: "Exit", kind: "weak", per: ["p"] }]);
    const result = checkLiveness(machine);
    expect(result.status).toBe("violation");
    expect(lassoProblem(machine, result)).toBeUndefined();
  });

  it("without fairness on Exit the process in its critical section may stay there forever", () => {
    const machine = lock([{ action: "Enter", kind: "strong", per: ["p"] }]);
    const result = checkLiveness(machine);
    expect(result.status).toBe("violation");
    expect(result.closing).toBe("stutter");
    expect(lassoProblem(machine, result)).toBeUndefined();
  });
});

describe("liveness: Peterson's algorithm", () => {
  const fairSteps = ["SetFlag", "SetTurn", "Enter", "Leave", "ClearFlag"];

  it("is starvation free when both processes are weakly fair", () => {
    const result = checkLiveness(peterson(weakPerProcess(fairSteps)));
    expect(result.status).toBe("ok");
    expect(result.liveness?.properties[0]).toMatchObject({ name: "StarvationFree", instances: 2, holds: true });
  });

  it("lets a process starve behind one that stops after raising its flag (process 1 not fair)", () => {
    const base = peterson(weakPerProcess(fairSteps));
    // Process 1's steps get their own (unfair) action names; process 0 keeps weak fairness.
    const slow = (action: string) => `${action}Slow`;
    const machine = {
      ...base,
      actions: [...base.actions, ...base.actions.map(slow)],
      *successors(s: Parameters<typeof base.successors>[0]) {
        for (const step of base.successors(s)) yield step.params["p"] === 1 ? { ...step, action: slow(step.action) } : step;
      },
    };
    const result = checkLiveness(machine);
    expect(result.status).toBe("violation");
    expect(result.property?.instance).toEqual({ p: 0 });
    expect(lassoProblem(machine, result)).toBeUndefined();
    const last = result.trace![result.trace!.length - 1]!.state;
    expect(last).toMatchObject({ pc: ["a3", "a2"], flag: [true, true], turn: 1 });
    expect(result.closing).toBe("stutter");
  });

  it("checks only the properties asked for", () => {
    const result = checkLiveness(peterson([]), { properties: [] });
    expect(result.status).toBe("ok");
    expect(result.liveness?.properties).toEqual([]);
  });
});

describe("liveness: safety and budgets come first", () => {
  it("reports a deadlock before any liveness analysis", () => {
    const machine = { ...counter([]), *successors(x: number) { if (x < 2) yield { action: "Inc", params: {}, state: x + 1 }; } };
    const result = checkLiveness(machine);
    expect(result.violation?.kind).toBe("deadlock");
    expect(result.loop).toBeUndefined();
  });

  it("stops at a state budget without a verdict", () => {
    const result = checkLiveness(peterson([]), { maxStates: 5 });
    expect(result.status).toBe("budget");
    expect(result.liveness).toBeUndefined();
  });
});

describe("liveness: large graphs", () => {
  const ringSize = 60_000;
  const ring = (target: number) => ({
    ...counter([{ action: "Inc", kind: "weak" }]),
    name: "Ring",
    *successors(x: number) {
      yield { action: "Inc", params: {}, state: (x + 1) % ringSize };
    },
    encode: (x: number) => Uint8Array.of(x & 0xff, (x >> 8) & 0xff, x >> 16),
    decode: (b: Uint8Array) => b[0]! | (b[1]! << 8) | (b[2]! << 16),
    temporalProperties: [{ name: "Reaches", quote: "", formula: `TRUE ~> x = ${target}`, premise: () => true, response: (x: number) => x === target }],
  });

  it("handles a component of 60 000 states without recursion (the fair cycle is the whole ring)", () => {
    expect(checkLiveness(ring(ringSize - 1)).status).toBe("ok");
    const machine = ring(-1);
    const result = checkLiveness(machine);
    expect(result.status).toBe("violation");
    expect(result.loop).toBe(0);
    expect(result.trace).toHaveLength(ringSize);
    expect(result.closing).toEqual({ action: "Inc", params: {} });
  });
});
