import { describe, expect, test } from "vitest";
import { check } from "../../model/check.js";
import { formatProgress, formatSimulationStatistics, formatStatistics } from "../../model/report.js";
import { simulate } from "../../model/simulate.js";
import { diffLines, formatTraceText, formatValue } from "../../model/trace-text.js";
import type { Trace } from "../../model/trace.js";
import { graphMachine } from "./graph-machine.js";
import { dieHard, tCommit, twoPhase } from "./machines.js";

function dieHardTrace(): Trace {
  const result = check(dieHard({ withNotSolved: true }));
  return {
    kind: "spec", machine: "DieHard", config: "jugs", configValue: {}, mutant: null, violation: result.violation!,
    command: ["check"], toolVersion: "test", vars: ["big", "small"], steps: result.trace!,
  };
}

describe("trace text", () => {
  test("first state whole, then per step the action and only the variables that changed", () => {
    const text = formatTraceText(dieHardTrace());
    expect(text).toContain("Error: Invariant NotSolved is violated.");
    const lines = text.split("\n");
    const state = (n: number) => lines.slice(lines.indexOf(lines.find((l) => l.startsWith(`State ${n}:`))!), undefined);
    expect(state(1).slice(0, 3)).toEqual(["State 1: <Initial predicate>", "/\\ big = 0", "/\\ small = 0"]);
    // FillBigJug changes only big.
    expect(state(2).slice(0, 3)).toEqual(["State 2: <FillBigJug>", "/\\ big = 5", ""]);
    // EmptySmallJug (step 3) changes only small.
    expect(state(4).slice(0, 3)).toEqual(["State 4: <EmptySmallJug>", "/\\ small = 0", ""]);
    expect(text).toContain("State 7: <BigToSmall>\n/\\ big = 4\n/\\ small = 3\n");
  });

  test("a change inside a record prints the changed leaf, with the action's parameters", () => {
    const result = check(tCommit(3));
    const trace: Trace = { ...dieHardTrace(), machine: "TCommit", vars: ["rmState"], violation: result.violation!, steps: result.trace! };
    const text = formatTraceText(trace);
    expect(text).toContain("Error: Deadlock reached.");
    expect(text).toContain('State 1: <Initial predicate>\n/\\ rmState = [r1 |-> "working", r2 |-> "working", r3 |-> "working"]\n');
    expect(text).toMatch(/State 2: <Decide\(rm = "r1"\)>\n\/\\ rmState\.r1 = "aborted"\n\n/);
  });

  test("values print in TLA+ notation and diffs follow ITF maps", () => {
    expect(formatValue({ "#set": [1, 2] })).toBe("{1, 2}");
    expect(formatValue({ "#tup": ["a", true] })).toBe('<<"a", TRUE>>');
    expect(formatValue([1, 2])).toBe("<<1, 2>>");
    expect(formatValue({ a: 1, b: { "#map": [[0, "x"]] } })).toBe('[a |-> 1, b |-> (0 :> "x")]');
    const before = { pages: { "#map": [[0, { frame: 1, rights: "rw" }], [1, { frame: 2, rights: "r" }]] }, other: 3 };
    const after = { pages: { "#map": [[0, { frame: 1, rights: "rw" }], [1, { frame: 5, rights: "r" }]] }, other: 3 };
    expect(diffLines(["pages", "other"], before, after)).toEqual(["/\\ pages[1].frame = 5"]);
    expect(diffLines(["list"], { list: [1, 2, 3] }, { list: [1, 9, 3] })).toEqual(["/\\ list[1] = 9"]);
    expect(diffLines(["list"], { list: [1, 2] }, { list: [1, 2, 3] })).toEqual(["/\\ list = <<1, 2, 3>>"]);
  });

  test("a self-loop step says nothing changed; a lasso names the state it returns to", () => {
    const steps = [
      { action: "Init", params: {}, state: { x: 1 } },
      { action: "Stay", params: {}, state: { x: 1 } },
    ];
    const text = formatTraceText({ ...dieHardTrace(), vars: ["x"], steps, loop: 0 });
    expect(text).toContain("State 2: <Stay>\n(no variable changed)\n");
    expect(text).toContain("State 3: Back to state 1");
  });
});

describe("statistics", () => {
  test("TLC wording, with the figures of the run", () => {
    const result = check(twoPhase(3));
    const text = formatStatistics(result);
    expect(text).toContain("Model checking completed. No error has been found.");
    expect(text).toContain("1146 states generated, 288 distinct states found, 0 states left on queue.");
    expect(text).toContain("The depth of the complete state graph search is 11.");
    expect(text).toMatch(/^ {2}TMCommit +\d+ +\d+$/m);
    expect(text).not.toContain("never fired");
  });

  test("an action that never fired is a warning", () => {
    const result = check(graphMachine({ nodes: 2, initial: [0], edges: [[0, 1, "A"], [1, 0, "B"]], bad: [] }));
    expect(formatStatistics(result)).toContain("Warning: action C never fired");
  });

  test("a budget stop says the figures are partial", () => {
    const text = formatStatistics(check(twoPhase(3), { maxStates: 10 }));
    expect(text).toContain("the state budget of 10 distinct states was reached");
    expect(text).toContain("The depth of the state graph search so far is");
  });

  test("simulation statistics leave the seed to the caller's one line, and never warn that an action never fired", () => {
    const text = formatSimulationStatistics(simulate(twoPhase(3), { seed: 99, runs: 3, depth: 5 }));
    expect(text).not.toContain("99");
    expect(text).not.toContain("never fired");
    expect(text).toContain("18 states checked in 3 runs");
  });

  test("progress line", () => {
    expect(formatProgress({ generated: 2000, distinct: 500, queue: 20, depth: 7, seconds: 2 })).toBe(
      "Progress (2 s): depth 7, 2000 states generated (1,000 s/s), 500 distinct, 20 on queue",
    );
  });
});
