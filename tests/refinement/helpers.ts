import type { Step } from "../../model/machine.js";
import { refinementConfigNamed } from "../../refinement/configs.js";
import { buildRefinement, kernelConfigFor, type ProductState, type Refinement } from "../../refinement/product.js";

export function refinementFor(config: string, arch = "proposed", mutant?: string): Refinement {
  const c = refinementConfigNamed(config);
  return buildRefinement({ spec: c.spec, kernel: kernelConfigFor(c.spec, c.cpus), arch, mutant });
}

/** Follow steps chosen by action name and a params filter; fails the test if one is not enabled. */
export function walk(r: Refinement, ...choices: { action: string; params?: Record<string, unknown> }[]): ProductState {
  let state = [...r.product.initialStates()][0]!;
  for (const choice of choices) {
    const steps: Step<ProductState>[] = [...r.product.successors(state)];
    const found = steps.find(
      (s) => s.action === choice.action && Object.entries(choice.params ?? {}).every(([k, v]) => s.params[k] === v),
    );
    if (found === undefined) throw new Error(`${choice.action} ${JSON.stringify(choice.params)} is not enabled`);
    state = found.state;
  }
  return state;
}

/** The shortest (breadth-first) trace length of each seeded bug on its configuration. */
export const SHORTEST: Record<string, number> = {
  "no-invlpg": 4,
  "no-shootdown": 4,
  "region-off-by-one": 3,
  "shared-region-table": 0,
  "acceptance-without-map": 1,
  "no-present-recheck": 4,
  "no-acceptance-check": 3,
  "kernel-fault-to-pager": 2,
  "marker-lost": 2,
  "no-flush-on-reassign": 3,
};
