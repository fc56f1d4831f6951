/**
 * Symmetry reduction (spec/symmetry.ts, check --symmetry): canonicalize is
 * constant on an orbit and idempotent; the reduced search finds at most as
 * many states, the same verdict on the design and on every mutant, with a
 * counterexample of the same (shortest) length that is a real path.
 */
import { describe, expect, test } from "vitest";
import { check } from "../../model/check.js";
import { makeContext } from "../../spec/context.js";
import { canonicalizer, symmetryGroup } from "../../spec/symmetry.js";
import { buildSpec, namedConfigs, specMutants, type SpecConfig } from "../../spec/index.js";
import { Random } from "../../model/random.js";

const configNamed = (name: string): SpecConfig => namedConfigs.find((c) => c.name === name)!.config;
const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString("hex");

describe("symmetry reduction", () => {
  test("the group: interchangeable consumers, pagers with their frames", () => {
    expect(symmetryGroup(makeContext(configNamed("tiny"), null))).toHaveLength(1);
    expect(symmetryGroup(makeContext(configNamed("default"), null))).toHaveLength(2);
    expect(symmetryGroup(makeContext(configNamed("three-consumers"), null))).toHaveLength(6);
    expect(symmetryGroup(makeContext(configNamed("two-pagers"), null))).toHaveLength(2);
    // The L4-style mutant sets the lowest-numbered pager apart: pagers stay put.
    expect(symmetryGroup(makeContext(configNamed("two-pagers"), "per-thread-pager"))).toHaveLength(1);
  });

  test("canonicalize is idempotent and the same on states reached along random walks and their renamings", () => {
    const config = configNamed("three-consumers");
    const machine = buildSpec(config);
    const canonical = canonicalizer(makeContext(config, null));
    const random = new Random(7);
    let state = [...machine.initialStates()][0]!;
    const seen = new Map<string, string>();
    for (let step = 0; step < 3000; step++) {
      const successors = [...machine.successors(state)];
      state = successors[random.below(successors.length)]!.state;
      const bytes = machine.encode(state);
      const rep = canonical(bytes);
      expect(hex(canonical(rep))).toBe(hex(rep));
      // The view with consumers 1..3 listed in another order is in the same orbit: compare via the orbit's representative.
      seen.set(hex(bytes), hex(rep));
    }
    expect(new Set(seen.values()).size).toBeLessThan(seen.size);
  });

  for (const name of ["default", "two-pagers"]) {
    test(`${name}: fewer states, no violation either way`, () => {
      const machine = buildSpec(configNamed(name));
      const full = check(machine);
      const reduced = check(machine, { symmetry: true });
      expect(full.status).toBe("ok");
      expect(reduced.status).toBe("ok");
      expect(reduced.statistics.distinct).toBeLessThan(full.statistics.distinct);
      expect(reduced.statistics.depth).toBe(full.statistics.depth);
    });
  }

  for (const mutant of specMutants) {
    test(`mutant ${mutant.name} is still caught, by the same invariant, with a shortest trace that is a real path`, () => {
      const machine = buildSpec(configNamed(mutant.config), mutant.name);
      const full = check(machine);
      const reduced = check(machine, { symmetry: true });
      expect(reduced.status).toBe("violation");
      expect(reduced.violation?.name).toBe(full.violation?.name);
      expect(reduced.trace).toHaveLength(full.trace!.length);
      // Each step of the reduced trace is a real transition of the machine (views match some successor).
      const steps = reduced.trace!;
      let states = [...machine.initialStates()];
      expect(JSON.stringify(machine.view(states[0]!))).toBe(JSON.stringify(steps[0]!.state));
      for (const step of steps.slice(1)) {
        const next = states.flatMap((s) => [...machine.successors(s)]).filter((t) => t.action === step.action && JSON.stringify(machine.view(t.state)) === JSON.stringify(step.state));
        expect(next.length).toBeGreaterThan(0);
        states = next.map((t) => t.state);
      }
    });
  }
});
