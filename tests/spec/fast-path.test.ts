/**
 * spec/fast.ts (the checker's byte-level fast path) against the object
 * version of the design: on every reachable state, the same successors (as a
 * multiset of (action, encoding)) and the same first broken invariant; and
 * the same invariant verdicts on the states the mutants reach, where
 * invariants do break.
 */
import { describe, expect, test } from "vitest";
import type { StateMachine } from "../../model/machine.js";
import { makeContext } from "../../spec/context.js";
import { fastSpec } from "../../spec/fast.js";
import { buildSpec, namedConfigs, specMutants, type SpecConfig, type SpecState } from "../../spec/index.js";

const configNamed = (name: string): SpecConfig => namedConfigs.find((c) => c.name === name)!.config;
const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString("hex");

/** Reachable states by a plain breadth-first search over objects (independent of model/check.ts). */
function reachable(machine: StateMachine<SpecState>, limit: number): SpecState[] {
  const seen = new Set<string>();
  const states: SpecState[] = [];
  for (const s of machine.initialStates()) {
    seen.add(hex(machine.encode(s)));
    states.push(s);
  }
  for (let i = 0; i < states.length && states.length < limit; i++) {
    for (const step of machine.successors(states[i]!)) {
      const key = hex(machine.encode(step.state));
      if (seen.has(key)) continue;
      seen.add(key);
      states.push(step.state);
    }
  }
  return states;
}

const firstBroken = (machine: StateMachine<SpecState>, s: SpecState) => machine.invariants.findIndex((i) => !i.holds(s));

describe("spec fast path", () => {
  for (const name of ["tiny", "two-tasks", "two-pagers"]) {
    test(`${name}: the same successors and invariant verdicts on every reachable state`, () => {
      const config = configNamed(name);
      const machine = buildSpec(config);
      const fast = fastSpec(makeContext(config, null));
      // The first states in breadth-first order (all of tiny's): every action and decision occurs among them.
      const states = reachable(machine, 12_000);
      expect(states.length).toBeGreaterThan(1000);
      for (const s of states) {
        const slow = [...machine.successors(s)].map((step) => `${step.action} ${hex(machine.encode(step.state))}`).sort();
        const quick: string[] = [];
        fast.expand(machine.encode(s), (action, successor) => quick.push(`${machine.actions[action]} ${hex(successor)}`));
        quick.sort();
        expect(quick).toEqual(slow);
        expect(fast.brokenInvariant(machine.encode(s))).toBe(firstBroken(machine, s));
      }
    });
  }

  test("the same first broken invariant on the states every mutant reaches", () => {
    let broken = 0;
    for (const mutant of specMutants) {
      const config = configNamed(mutant.config);
      const machine = buildSpec(config, mutant.name);
      const fast = fastSpec(makeContext(config, null));
      for (const s of reachable(machine, 20_000)) {
        const expected = firstBroken(machine, s);
        if (expected >= 0) broken++;
        expect(fast.brokenInvariant(machine.encode(s))).toBe(expected);
      }
    }
    expect(broken).toBeGreaterThan(0);
  });

  test("the design's machine uses the fast path; a mutant's does not", () => {
    expect(buildSpec(configNamed("tiny")).expand).toBeDefined();
    expect(buildSpec(configNamed("tiny"), specMutants[0]!.name).expand).toBeUndefined();
  });
});
