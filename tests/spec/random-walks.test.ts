import { describe, expect } from "vitest";
import { fc, it } from "@fast-check/vitest";
import { buildSpec, namedConfigs } from "../../spec/index.js";
import { randomSeed } from "../seed.js";

randomSeed(import.meta.url);

describe.each(namedConfigs.map((c) => [c.name, c] as const))("random walks on %s", (_name, named) => {
  const machine = buildSpec(named.config);

  it.prop([fc.array(fc.nat(), { minLength: 1, maxLength: 60 })], { numRuns: 100 })(
    "keep every invariant, and every state survives encode/decode",
    (choices) => {
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
    },
  );
});
