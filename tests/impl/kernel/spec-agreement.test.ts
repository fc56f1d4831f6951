/**
 * A quick agreement check of the kernel against the abstract spec, ahead of
 * the refinement checker: along seeded random walks of the kernel machine,
 * every design step must be a spec transition with the same action and
 * parameters between the observed states, and every internal step must leave
 * the observed state unchanged (a stutter).
 */
import { describe, expect, it } from "vitest";
import { buildKernelMachine, INTERNAL_ACTIONS, type KernelMachine } from "../../../impl/machine.js";
import type { ObservedState } from "../../../impl/observe.js";
import { buildSpec, namedConfigs, type SpecConfig, type SpecState } from "../../../spec/index.js";
import type { KernelState } from "../../../impl/kernel/state.js";
import { pinnedSeed } from "../../seed.js";

const seed = pinnedSeed(import.meta.url, 7);

/** The observed concrete state as a SpecState (the ghost `mapper` of a present page is the region's manager). */
function toSpec(o: ObservedState, config: SpecConfig): SpecState {
  return {
    regionTable: o.regionTable,
    pageTable: o.pageTable.map((regions, task) =>
      regions.map((pages, region) =>
        pages.map((p) => (p.present ? { present: true, frame: p.frame, rights: p.rights, mapper: o.regionTable[task]![region]!.manager ?? 0 } : p)),
      ),
    ),
    threads: o.threads as SpecState["threads"],
    pending: o.pending.map((list, t) => (config.threads[t]?.pager === true ? list : [])),
  } as SpecState;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

function agreeAlongWalks(name: string, cpus: number, walks: number, depth: number, mutant?: string): number {
  const config = namedConfigs.find((c) => c.name === name)!.config;
  const kernel: KernelMachine = buildKernelMachine(config, "proposed", mutant, { cpus });
  const spec = buildSpec(config);
  const abstract = (s: KernelState) => spec.encode(toSpec(kernel.observe(s), config));
  let x = seed || 1;
  const random = (n: number) => {
    x = (x * 1103515245 + 12345) % 2 ** 31;
    return x % n;
  };
  let checked = 0;
  for (let w = 0; w < walks; w++) {
    let state = [...kernel.initialStates()][0]!;
    expect(sameBytes(abstract(state), spec.encode([...spec.initialStates()][0]!))).toBe(true);
    for (let d = 0; d < depth; d++) {
      const steps = [...kernel.successors(state)];
      if (steps.length === 0) break;
      const from = toSpec(kernel.observe(state), config);
      const fromBytes = spec.encode(from);
      for (const step of steps) {
        const toBytes = abstract(step.state);
        if (INTERNAL_ACTIONS.has(step.action)) {
          expect(sameBytes(toBytes, fromBytes), `${step.action} ${JSON.stringify(step.params)} must be a stutter`).toBe(true);
        } else {
          const match = [...spec.successors(from)].find(
            (t) =>
              t.action === step.action &&
              Object.entries(t.params).every(([key, value]) => JSON.stringify(step.params[key]) === JSON.stringify(value)) &&
              sameBytes(spec.encode(t.state), toBytes),
          );
          expect(match, `${step.action} ${JSON.stringify(step.params)} has no matching spec transition`).toBeDefined();
        }
        checked++;
      }
      state = steps[random(steps.length)]!.state;
    }
  }
  return checked;
}

describe("the kernel agrees with the spec step by step", () => {
  it("on the tiny configuration, one CPU", () => {
    expect(agreeAlongWalks("tiny", 1, 20, 40)).toBeGreaterThan(500);
  });
  it("on the default configuration (Fig. 3's threads A and B), two CPUs", () => {
    expect(agreeAlongWalks("default", 2, 15, 40)).toBeGreaterThan(500);
  });
  it("on two pagers", () => {
    expect(agreeAlongWalks("two-pagers", 1, 15, 40)).toBeGreaterThan(300);
  });
});

/** (no-invlpg and no-flush-on-reassign need longer, specific paths: mutants.test.ts finds them by breadth-first search.) */
describe("the same check catches seeded kernel bugs", () => {
  for (const [mutant, config, cpus] of [
    ["marker-lost", "default", 1],
    ["no-present-recheck", "default", 2],
    ["acceptance-without-map", "tiny", 1],
  ] as const) {
    it(mutant, () => {
      expect(() => agreeAlongWalks(config, cpus, 40, 60, mutant)).toThrow();
    });
  }
});
