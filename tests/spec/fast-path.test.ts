/**
 * The checker's fast path is derived (model/lang/compile.ts compiles
 * spec/actions.ts and spec/invariants.ts); this holds it to the reference
 * semantics (model/lang/interpret.ts) of the same statement, on every
 * reachable state of whole state spaces: the same successors (as a multiset
 * of (action, encoding)) and the same first broken invariant, for the design
 * and for every seeded bug.
 */
import { describe, expect, test } from "vitest";
import { MUTANTS, buildSpec, namedConfigs, type SpecMachine } from "../../spec/index.js";

const configNamed = (name: string) => namedConfigs.find((c) => c.name === name)!.config;
const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString("hex");

/** Explores every reachable state by the fast path and compares each with the interpreter; returns the states seen. */
async function agreeEverywhere(machine: SpecMachine): Promise<number> {
  const seen = new Set<string>();
  const queue: Uint8Array[] = [];
  for (const s of machine.initialStates()) {
    const bytes = machine.encode(s);
    seen.add(hex(bytes));
    queue.push(bytes);
  }
  for (let i = 0; i < queue.length; i++) {
    // Let the test runner's own messages through on long runs.
    if (i % 20_000 === 0) await new Promise((resolve) => setImmediate(resolve));
    const bytes = queue[i]!;
    const state = machine.decode(bytes);
    // The same successors in the same order (simulation picks a successor by its position).
    const slow = [...machine.successors(state)].map((step) => `${step.action} ${hex(machine.encode(step.state))}`);
    const quick: string[] = [];
    machine.expand!(bytes, (action, successor) => {
      quick.push(`${machine.actions[action]} ${hex(successor)}`);
      const key = hex(successor);
      if (!seen.has(key)) {
        seen.add(key);
        queue.push(successor.slice());
      }
    });
    if (quick.join("\n") !== slow.join("\n")) expect(quick).toEqual(slow);
    const broken = machine.invariants.findIndex((inv) => !inv.holds(state));
    if (machine.brokenInvariant!(bytes) !== broken) expect(machine.brokenInvariant!(bytes)).toBe(broken);
  }
  return queue.length;
}

describe("the compiled fast path agrees with the interpreter on whole state spaces", () => {
  // Reachable states as measured by `npx multipager check --config NAME`.
  const sizes: Record<string, number> = { tiny: 1_368, default: 64_616, "two-pagers": 96_604, "three-pages": 490_271 };
  for (const [name, states] of Object.entries(sizes)) {
    test(`${name}: ${states} states`, async () => {
      expect(await agreeEverywhere(buildSpec(configNamed(name)))).toBe(states);
    }, 600_000);
  }

  test("every seeded bug, on the configuration it is listed with", async () => {
    for (const mutant of MUTANTS) expect(await agreeEverywhere(buildSpec(configNamed(mutant.config), mutant.name))).toBeGreaterThan(1000);
  }, 600_000);
});
