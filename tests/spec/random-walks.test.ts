import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { buildSpec, namedConfigs } from "../../spec/index.js";

// Every random run prints its seed; FC_SEED=<n> reproduces it.
const seed = process.env.FC_SEED ? Number(process.env.FC_SEED) : Date.now() % 2_147_483_647;
console.log(`spec random walks: fast-check seed ${seed}`);

describe.each(namedConfigs.map((c) => [c.name, c] as const))("random walks on %s", (_name, named) => {
  const machine = buildSpec(named.config);

  it("keep every invariant, and every state survives encode/decode", () => {
    fc.assert(
      fc.property(fc.array(fc.nat(), { minLength: 1, maxLength: 60 }), (choices) => {
        let state = [...machine.initialStates()][0]!;
        for (const choice of choices) {
          const steps = [...machine.successors(state)];
          expect(steps.length).toBeGreaterThan(0); // no deadlock (D4, D7)
          // (action, params) names one transition.
          const labels = steps.map((st) => `${st.action} ${JSON.stringify(st.params)}`);
          expect(new Set(labels).size).toBe(labels.length);
          state = steps[choice % steps.length]!.state;
          for (const inv of machine.invariants) expect(inv.holds(state), inv.name).toBe(true);
          const bytes = machine.encode(state);
          expect(machine.decode(bytes)).toEqual(state);
          expect(machine.encode(machine.decode(bytes))).toEqual(bytes);
        }
      }),
      { seed, numRuns: 100 },
    );
  });
});
