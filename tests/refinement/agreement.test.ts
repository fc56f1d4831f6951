/**
 * A quick agreement check of the kernel against the spec on the spec's own
 * named configurations (larger than the refinement configurations): along
 * seeded random walks of the refinement product, every step must keep every
 * obligation (a design step is the spec transition of the same name and
 * parameters between abstract images, an internal step a stutter).
 */
import { describe, expect, it } from "vitest";
import { buildRefinement, kernelConfigFor } from "../../refinement/product.js";
import { namedConfigs } from "../../spec/index.js";
import { pinnedSeed } from "../seed.js";

const seed = pinnedSeed(import.meta.url, 7);

/** Steps checked along the walks, or the first broken obligation. */
function agreeAlongWalks(name: string, cpus: number, walks: number, depth: number, mutant?: string): number {
  const spec = namedConfigs.find((c) => c.name === name)!.config;
  const r = buildRefinement({ spec, kernel: kernelConfigFor(spec, cpus), arch: "proposed", mutant });
  let x = seed || 1;
  const random = (n: number) => {
    x = (x * 1103515245 + 12345) % 2 ** 31;
    return x % n;
  };
  let checked = 0;
  for (let w = 0; w < walks; w++) {
    let state = [...r.product.initialStates()][0]!;
    expect(state.failure).toBeNull();
    for (let d = 0; d < depth; d++) {
      const steps = [...r.product.successors(state)];
      if (steps.length === 0) break;
      for (const step of steps) {
        if (step.state.failure !== null) throw new Error(`${step.action} ${JSON.stringify(step.params)}: ${step.state.failure.obligation}: ${step.state.failure.detail}`);
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

/** (no-invlpg and no-flush-on-reassign need longer, specific paths: the exhaustive tests find them by breadth-first search.) */
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
