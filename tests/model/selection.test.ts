/**
 * Checking some invariants only (check --inv / --no-inv / --temporal): the
 * restricted machine finds what a machine with only those invariants finds,
 * with or without the machine's fast path, and the fast path still screens
 * every state.
 */
import { fc, test } from "@fast-check/vitest";
import { describe, expect } from "vitest";
import { check } from "../../model/check.js";
import { InputError } from "../../model/input-error.js";
import type { Invariant, StateMachine } from "../../model/machine.js";
import { chooseNames, selectProperties } from "../../model/selection.js";
import { randomSeed } from "../seed.js";

randomSeed(import.meta.url);

/** Counts 0..limit by steps of 1 and 2; each invariant fails on the numbers of its own set. */
function counter(limit: number, failing: Readonly<Record<string, readonly number[]>>, fast: boolean, counters = { decoded: 0 }): StateMachine<number> {
  const invariants: Invariant<number>[] = Object.entries(failing).map(([name, numbers]) => ({ name, quote: `never ${numbers.join(", ")}`, holds: (n) => !numbers.includes(n) }));
  const decode = (bytes: Uint8Array) => {
    counters.decoded++;
    return bytes[0]!;
  };
  return {
    name: "Counter",
    actions: ["One", "Two"],
    variables: ["n"],
    invariants,
    initialStates: () => [0],
    *successors(n) {
      if (n + 1 <= limit) yield { action: "One", params: {}, state: n + 1 };
      if (n + 2 <= limit) yield { action: "Two", params: {}, state: n + 2 };
    },
    encode: (n) => Uint8Array.of(n),
    decode,
    view: (n) => ({ n }),
    ...(fast
      ? {
          expand: (bytes: Uint8Array, emit: (action: number, successor: Uint8Array) => void) => {
            const n = bytes[0]!;
            if (n + 1 <= limit) emit(0, Uint8Array.of(n + 1));
            if (n + 2 <= limit) emit(1, Uint8Array.of(n + 2));
          },
          brokenInvariant: (bytes: Uint8Array) => invariants.findIndex((invariant) => !invariant.holds(bytes[0]!)),
        }
      : {}),
  };
}

const FAILING = { A: [5, 9], B: [7], C: [3, 7, 11] };

describe("selectProperties", () => {
  test("--inv B: a state the fast path reports for C alone is no violation; B's is", () => {
    const result = check(selectProperties(counter(20, FAILING, true), { invariants: ["B"] }));
    expect(result.violation?.name).toBe("B");
    expect(result.trace!.at(-1)!.state["n"]).toBe(7);
  });

  test("--no-inv C: the first violation is A's", () => {
    const machine = selectProperties(counter(20, FAILING, true), { withoutInvariants: ["C"] });
    expect(machine.invariants.map((i) => i.name)).toEqual(["A", "B"]);
    expect(check(machine).violation?.name).toBe("A");
  });

  test("no invariant chosen: only deadlocks are errors", () => {
    const result = check(selectProperties(counter(20, FAILING, true), { withoutInvariants: ["A", "B", "C"] }));
    expect(result.violation?.name).toBe("Deadlock");
  });

  test("the fast path still screens every state: only the states it reports are decoded", () => {
    const counters = { decoded: 0 };
    check(selectProperties(counter(20, FAILING, true, counters), { invariants: ["B"] }), { maxViolations: Number.POSITIVE_INFINITY, checkDeadlock: false });
    // 0..20 are all reached (7, the one violation, is not expanded, but 8 comes from 6); some invariant fails on 3, 5, 7, 9, 11.
    expect(counters.decoded).toBe(5);
  });

  test.prop([fc.subarray(["A", "B", "C"]), fc.subarray(["A", "B", "C"]), fc.boolean(), fc.integer({ min: 1, max: 5 })], { numRuns: 100 })(
    "with or without the fast path, the same verdicts as a machine declaring only the chosen invariants",
    (chosen, leftOut, useChosen, limit) => {
      const selection = { ...(useChosen ? { invariants: chosen } : {}), withoutInvariants: leftOut };
      const kept = (useChosen ? chosen : ["A", "B", "C"]).filter((name) => !leftOut.includes(name));
      const only = Object.fromEntries(Object.entries(FAILING).filter(([name]) => kept.includes(name)));
      const summary = (machine: StateMachine<number>) => {
        const result = check(machine, { maxViolations: limit });
        const violations = result.violations ?? (result.trace ? [{ violation: result.violation!, trace: result.trace }] : []);
        return { status: result.status, distinct: result.statistics.distinct, found: violations.map((v) => [v.violation.name, v.trace.at(-1)!.state["n"]]) };
      };
      const reference = summary(counter(20, only, false));
      expect(summary(selectProperties(counter(20, FAILING, true), selection))).toEqual(reference);
      expect(summary(selectProperties(counter(20, FAILING, false), selection))).toEqual(reference);
    },
  );

  test("a machine that is a class instance keeps its methods", () => {
    class Machine {
      readonly name = "Class";
      readonly actions = ["One", "Two"];
      readonly variables = ["n"];
      readonly invariants: Invariant<number>[] = [
        { name: "A", quote: "", holds: (n) => n !== 3 },
        { name: "B", quote: "", holds: (n) => n !== 4 },
      ];
      initialStates() {
        return [0];
      }
      *successors(n: number) {
        if (n < 6) yield { action: "One", params: {}, state: n + 1 };
      }
      encode(n: number) {
        return Uint8Array.of(n);
      }
      decode(bytes: Uint8Array) {
        return bytes[0]!;
      }
      view(n: number) {
        return { n };
      }
    }
    const result = check(selectProperties(new Machine() as StateMachine<number>, { invariants: ["B"] }));
    expect(result.violation?.name).toBe("B");
  });

  test("an unknown name is a usage error that lists the known ones", () => {
    const error = (() => {
      try {
        chooseNames("invariant", "inv", ["A", "B"], ["Z"]);
      } catch (caught) {
        return caught;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(InputError);
    expect((error as InputError).kind).toBe("usage");
    expect((error as InputError).message).toBe('unknown invariant "Z" for --inv (known: A, B)');
    expect(() => chooseNames("temporal property", "temporal", ["P"], undefined, ["Q"])).toThrow('unknown temporal property "Q" for --no-temporal (known: P)');
  });
});
