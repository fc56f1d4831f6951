/**
 * A decision stated otherwise in one place (a rules record, spec/variants.ts)
 * reaches every back end: the interpreter and the compiled fast path agree
 * on the variant's whole state space, the checker's counts change, Spin
 * on the Promela model derived from the same statement counts the same
 * states and transitions as the checker, and the SMT encoding built from
 * the variant has exactly the variant's successors and verdicts on every
 * reachable state (while the design's encoding differs from them somewhere).
 */
import { describe, expect, test } from "vitest";
import { check } from "../../model/check.js";
import { promelaModel } from "../../bench/promela/generate.js";
import { runSpin, spinPath } from "../../bench/promela/spin.js";
import { DESIGN, buildWithRules, namedConfigs, type DesignRules } from "../../spec/index.js";
import { VARIANTS, variantRules } from "../../spec/variants.js";
import { SPEC_INVARIANTS, type SpecMachine, type SpecState } from "../../spec/index.js";
import type { ObjectState } from "../../model/lang/interpret.js";
import { LEMMAS } from "../../spec/lemmas.js";
import { evaluatingChecker, reachable } from "./smt-agreement.js";

const configNamed = (name: string) => namedConfigs.find((c) => c.name === name)!.config;
const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString("hex");
const spin = spinPath();
const inCi = process.env["CI"] === "true";

/** The first reachable state of `variant` (breadth-first) whose successors differ in `design`, or null. */
function firstDifference(variant: SpecMachine, design: SpecMachine): ObjectState | null {
  const steps = (m: SpecMachine, s: SpecState) => [...m.successors(s)].map((x) => `${x.action} ${JSON.stringify(x.params)} ${hex(m.encode(x.state))}`).sort().join("\n");
  const seen = new Set<string>();
  const queue: SpecState[] = [...variant.initialStates()];
  for (let i = 0; i < queue.length; i++) {
    const s = queue[i]!;
    if (steps(variant, s) !== steps(design, s)) return s as unknown as ObjectState;
    for (const next of variant.successors(s)) {
      const key = hex(variant.encode(next.state));
      if (!seen.has(key)) {
        seen.add(key);
        queue.push(next.state);
      }
    }
  }
  return null;
}

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

    test(`${variant.name}: the SMT encoding follows the one change (every state of tiny)`, () => {
      const rules = variantRules(variant.name);
      const predicates = [...SPEC_INVARIANTS, ...LEMMAS];
      const { machine, states } = reachable("tiny", Number.POSITIVE_INFINITY, rules);
      const own = evaluatingChecker(machine.spec, machine.instance, predicates);
      const disagreeing = states.flatMap((s) => own.why(s) ?? []);
      expect(disagreeing.slice(0, 3), "the variant's encoding against the variant's interpreter").toEqual([]);
      // The unmodified design's encoding is not the variant's: on the first reachable state (breadth-first, in the
      // configuration where the variant shows) whose successors differ between the two interpreters, the encodings differ too.
      const where = configNamed(config);
      const variantMachine = buildWithRules(where, rules);
      const designMachine = buildWithRules(where, DESIGN);
      const state = firstDifference(variantMachine, designMachine);
      expect(state, `a reachable state of ${config} where the variant and the design step differently`).not.toBeNull();
      const designEncoding = evaluatingChecker(designMachine.spec, variantMachine.instance, predicates, variantMachine.spec);
      expect(designEncoding.why(state!)).not.toBeNull();
      expect(evaluatingChecker(variantMachine.spec, variantMachine.instance, predicates).why(state!)).toBeNull();
    }, 300_000);
  }
});
