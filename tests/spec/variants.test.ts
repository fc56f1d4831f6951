/**
 * A decision stated otherwise in one place (a rules record, spec/variants.ts)
 * reaches every back end: the interpreter and the compiled fast path agree
 * on the variant's whole state space, the checker's counts change, and Spin
 * on the Promela model derived from the same statement counts the same
 * states and transitions as the checker.
 */
import { describe, expect, test } from "vitest";
import { check } from "../../model/check.js";
import { promelaModel } from "../../bench/promela/generate.js";
import { runSpin, spinPath } from "../../bench/promela/spin.js";
import { DESIGN, buildWithRules, namedConfigs, type DesignRules } from "../../spec/index.js";
import { VARIANTS, variantRules } from "../../spec/variants.js";

const configNamed = (name: string) => namedConfigs.find((c) => c.name === name)!.config;
const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString("hex");
const spin = spinPath();
const inCi = process.env["CI"] === "true";

/** Every reachable state: the fast path's successors and verdicts equal the interpreter's. */
function agrees(rules: DesignRules, config: string): void {
  const machine = buildWithRules(configNamed(config), rules);
  const seen = new Set<string>();
  const queue = [...machine.initialStates()].map((s) => machine.encode(s));
  for (const b of queue) seen.add(hex(b));
  for (let i = 0; i < queue.length; i++) {
    const state = machine.decode(queue[i]!);
    const slow = [...machine.successors(state)].map((s) => `${s.action} ${hex(machine.encode(s.state))}`).sort();
    const quick: string[] = [];
    machine.expand!(queue[i]!, (action, successor) => {
      quick.push(`${machine.actions[action]} ${hex(successor)}`);
      if (!seen.has(hex(successor))) {
        seen.add(hex(successor));
        queue.push(successor.slice());
      }
    });
    expect(quick.sort()).toEqual(slow);
    expect(machine.brokenInvariant!(queue[i]!)).toBe(machine.invariants.findIndex((inv) => !inv.holds(state)));
  }
}

describe("decision variants, each stated once", () => {
  for (const variant of VARIANTS) {
    const config = variant.name === "present-check-last" ? "two-pagers" : "tiny";
    test(`${variant.name} (${variant.decision}) on ${config}: interpreter, fast path and Spin follow the one change`, () => {
      const rules = variantRules(variant.name);
      agrees(rules, config);
      const design = check(buildWithRules(configNamed(config), DESIGN), { checkDeadlock: false });
      const changed = check(buildWithRules(configNamed(config), rules), { checkDeadlock: false });
      expect(changed.status).toBe("ok");
      // The change is visible in the counts of the search.
      expect([changed.statistics.distinct, changed.statistics.generated]).not.toEqual([design.statistics.distinct, design.statistics.generated]);
      if (spin === null) {
        if (inCi) throw new Error("spin must be installed in CI (.ci/run installs the Debian package)");
        return;
      }
      const theirs = runSpin(promelaModel(configNamed(config), `${config} (${variant.name})`, rules), { memoryLimitMb: 512, hashBits: 18 });
      expect(theirs.stored).toBe(changed.statistics.distinct);
      expect(theirs.transitions).toBe(changed.statistics.generated);
    }, 300_000);
  }
});
