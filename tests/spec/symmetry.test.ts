/**
 * Symmetry reduction derived from the spec's types (model/lang/symmetry.ts,
 * check --symmetry): canonicalize is idempotent and constant on an orbit;
 * both of its ways (trying a small group whole, and colour refinement) find
 * the same number of orbits, the number the former exhaustive group
 * enumeration found; the reduced search keeps every verdict with a
 * shortest, real counterexample; and sixteen interchangeable threads start
 * at once.
 */
import { describe, expect, test } from "vitest";
import { check } from "../../model/check.js";
import { canonicalizerFor } from "../../model/lang/symmetry.js";
import { Random } from "../../model/random.js";
import { buildSpec, namedConfigs, specMutants, type SpecConfig, type SpecMachine, type SpecState } from "../../spec/index.js";

const configNamed = (name: string): SpecConfig => namedConfigs.find((c) => c.name === name)!.config;
const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString("hex");

/** The machine with canonicalize by colour refinement only (no small-group shortcut). */
const byColours = (m: SpecMachine): SpecMachine => ({ ...m, canonicalize: canonicalizerFor(m.spec, m.instance, m.layout, { smallGroup: 0 })! });

/** The state with threads a and b exchanged (their statuses, queues, and every mention of them). */
function exchange(s: SpecState, a: number, b: number): SpecState {
  const swap = (t: number) => (t === a ? b : t === b ? a : t);
  const status = (st: SpecState["threads"][number]) => (st.tag === "blocked" ? { ...st, pager: swap(st.pager) } : st);
  return {
    regionTable: s.regionTable.map((rs) => rs.map((e) => ({ ...e, manager: e.manager === null ? null : swap(e.manager) }))),
    pageTable: s.pageTable.map((rs) => rs.map((ps) => ps.map((p) => (p.present ? { ...p, mapper: swap(p.mapper) } : p)))),
    threads: s.threads.map((_, t) => status(s.threads[swap(t)]!)),
    pending: s.pending.map((_, p) => s.pending[swap(p)]!.map(swap).sort((x, y) => x - y)),
  };
}

describe("symmetry reduction", () => {
  // Orbits counted by the former implementation, which enumerated the whole group and kept the smallest image.
  const ORBITS: Record<string, number> = { default: 33_905, "three-consumers": 78_648, "two-tasks-two-clients": 134_320 };

  for (const [name, orbits] of Object.entries(ORBITS)) {
    test(`${name}: ${orbits} orbits, by trying the group whole and by colour refinement`, () => {
      const machine = buildSpec(configNamed(name));
      const whole = check(machine, { symmetry: true });
      expect(whole.statistics.distinct).toBe(orbits);
      if (name !== "two-tasks-two-clients") expect(check(byColours(machine), { symmetry: true }).statistics.distinct).toBe(orbits);
    });
  }

  test("canonicalize is idempotent and the same on a state and its renamings, both ways", () => {
    const machine = buildSpec(configNamed("three-consumers"));
    const ways = [machine.canonicalize!, byColours(machine).canonicalize!];
    const random = new Random(7);
    let state = [...machine.initialStates()][0]!;
    for (let step = 0; step < 2000; step++) {
      const successors = [...machine.successors(state)];
      state = successors[random.below(successors.length)]!.state;
      for (const canonical of ways) {
        const rep = canonical(machine.encode(state));
        expect(hex(canonical(rep))).toBe(hex(rep));
        expect(hex(canonical(machine.encode(exchange(state, 1, 3))))).toBe(hex(rep));
        expect(hex(canonical(machine.encode(exchange(state, 2, 3))))).toBe(hex(rep));
      }
    }
  });

  test("sixteen interchangeable threads: no group is built, and a bounded search runs", () => {
    const config: SpecConfig = { ...configNamed("default"), threads: [{ task: 0, pager: true }, ...Array.from({ length: 15 }, () => ({ task: 0 }))] };
    const started = performance.now();
    const result = check(buildSpec(config), { symmetry: true, maxStates: 2000 });
    expect(result.statistics.distinct).toBeGreaterThanOrEqual(2000);
    // The initial state and its first successors: all fifteen consumers' first accesses are one orbit each.
    expect(performance.now() - started).toBeLessThan(60_000);
  });

  for (const name of ["default", "two-pagers"]) {
    test(`${name}: fewer states, no violation either way, the same depth`, () => {
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
