/**
 * The checker against answers computed elsewhere.
 *
 * TCommit and TwoPhase with RM = {r1, r2, r3}: the tlaplus/Examples
 * manifest (specifications/transaction_commit/manifest.json) records TLC's
 * runs of TCommit.cfg (34 distinct states, 94 states generated, depth 7;
 * CHECK_DEADLOCK FALSE) and TwoPhase.cfg (288 distinct, 1146 generated,
 * depth 11). TwoPhase.tla's closing comment: "checked with TLC for six RMs,
 * a configuration with 50816 reachable states".
 *
 * HourClock: specifications/SpecifyingSystems/manifest.json records 12
 * distinct states, 24 generated, depth 1 (every state is an initial state,
 * and TLC's depth counts the initial state as 1).
 *
 * Die Hard: the 3- and 5-gallon jug puzzle has a shortest solution of six
 * pourings (fill 5, pour into 3, empty 3, pour, fill 5, pour), the trace TLC
 * prints for DieHard.tla's NotSolved invariant.
 */
import { describe, expect, test } from "vitest";
import { check } from "../../model/check.js";
import { dieHard, hourClock, tCommit, twoPhase } from "./machines.js";

describe("published TLC figures", () => {
  test("TCommit, 3 RMs: 94 generated, 34 distinct, depth 7", () => {
    const result = check(tCommit(3), { checkDeadlock: false });
    expect(result.status).toBe("ok");
    expect(result.statistics).toMatchObject({ generated: 94, distinct: 34, depth: 7, queue: 0, initialStates: 1 });
  });

  test("TwoPhase, 3 RMs: 1146 generated, 288 distinct, depth 11, no deadlock", () => {
    const result = check(twoPhase(3));
    expect(result.status).toBe("ok");
    expect(result.statistics).toMatchObject({ generated: 1146, distinct: 288, depth: 11, queue: 0 });
  });

  test("TwoPhase, 6 RMs: 50816 reachable states", () => {
    const result = check(twoPhase(6));
    expect(result.status).toBe("ok");
    expect(result.statistics.distinct).toBe(50816);
  });

  test("HourClock: 24 generated, 12 distinct, depth 1 (all twelve states are initial)", () => {
    const result = check(hourClock());
    expect(result.status).toBe("ok");
    expect(result.statistics).toMatchObject({ generated: 24, distinct: 12, depth: 1, initialStates: 12, queue: 0 });
  });

  test("TCommit with deadlock checking on: the final states have no successor", () => {
    const result = check(tCommit(3));
    expect(result.status).toBe("violation");
    expect(result.violation?.kind).toBe("deadlock");
    // Shortest path to a terminal state: every RM decides abort from working (3 steps).
    expect(result.trace).toHaveLength(4);
    expect(Object.values(result.trace!.at(-1)!.state["rmState"] as object).every((r) => r === "aborted")).toBe(true);
  });
});

describe("Die Hard", () => {
  test("the shortest solution takes exactly 6 steps and ends with big = 4", () => {
    const result = check(dieHard({ withNotSolved: true }));
    expect(result.status).toBe("violation");
    expect(result.violation).toMatchObject({ kind: "invariant", name: "NotSolved" });
    const trace = result.trace!;
    expect(trace).toHaveLength(7);
    expect(trace[0]).toMatchObject({ action: "Init", state: { big: 0, small: 0 } });
    expect(trace.at(-1)!.state["big"]).toBe(4);
    // Replaying the trace's actions from the initial state reaches each listed state.
    const machine = dieHard({ withNotSolved: true });
    let state = [...machine.initialStates()][0]!;
    for (const step of trace.slice(1)) {
      const next = [...machine.successors(state)].find((s) => s.action === step.action);
      expect(next).toBeDefined();
      state = next!.state;
      expect(machine.view(state)).toEqual(step.state);
    }
  });

  test("every action fires; none is reported as never fired", () => {
    const result = check(dieHard({ withNotSolved: false }), { checkDeadlock: false });
    expect(result.status).toBe("ok");
    expect(result.statistics.coverage.every((entry) => entry.firings > 0)).toBe(true);
    const total = result.statistics.coverage.reduce((sum, entry) => sum + entry.firings, 0);
    expect(total + result.statistics.initialStates).toBe(result.statistics.generated);
    const newStates = result.statistics.coverage.reduce((sum, entry) => sum + entry.distinct, 0);
    expect(newStates + result.statistics.initialStates).toBe(result.statistics.distinct);
  });
});
