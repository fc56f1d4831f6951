/**
 * The SMT back end (model/lang/smt.ts, bounded to a configuration) held to
 * the interpreter, the reference semantics: on every reachable state of
 * `tiny` and on the first reachable states (breadth-first) of `default`,
 * `two-tasks`, `two-pagers` and `three-pages`, z3 finds exactly the
 * interpreter's successors (both directions: every interpreter step is an
 * SMT step with the same state after, and every other parameter tuple is
 * disabled) and the same value of every invariant, lemma and TypeOK.
 * SMT_AGREEMENT_STATES sets how many states of each larger configuration
 * (default 500, about a minute in all; issue 12 asks for 5,000: SMT_AGREEMENT_STATES=5000, about eight minutes).
 */
import { afterAll, describe, expect, test } from "vitest";
import type { ObjectState } from "../../model/lang/interpret.js";
import { buildSpec, namedConfigs, SPEC_INVARIANTS } from "../../spec/index.js";
import { LEMMAS } from "../../spec/lemmas.js";
import { agreementChecker, type AgreementChecker } from "./smt-agreement.js";

const PER_CONFIG = Number(process.env["SMT_AGREEMENT_STATES"] ?? 500);
const BATCH = 400;

/** The first `limit` reachable states, breadth-first, in object form. */
function reachable(name: string, limit: number) {
  const machine = buildSpec(namedConfigs.find((c) => c.name === name)!.config);
  const seen = new Set<string>();
  const states: ObjectState[] = [];
  const add = (s: unknown) => {
    const key = Buffer.from(machine.encode(s as never)).toString("hex");
    if (seen.has(key) || states.length >= limit) return;
    seen.add(key);
    states.push(s as ObjectState);
  };
  for (const s of machine.initialStates()) add(s);
  for (let i = 0; i < states.length && states.length < limit; i++) for (const step of machine.successors(states[i] as never)) add(step.state);
  return { machine, states };
}

const checkers: AgreementChecker[] = [];
afterAll(() => checkers.forEach((c) => c.close()));

describe("the SMT encoding agrees with the interpreter", () => {
  const cases: [string, number][] = [["tiny", Number.POSITIVE_INFINITY], ["default", PER_CONFIG], ["two-tasks", PER_CONFIG], ["two-pagers", PER_CONFIG], ["three-pages", PER_CONFIG]];
  for (const [name, limit] of cases) {
    test(`${name}: ${Number.isFinite(limit) ? `the first ${limit}` : "every"} reachable state`, async () => {
      const { machine, states } = reachable(name, limit);
      if (name === "tiny") expect(states.length).toBe(1_368);
      else expect(states.length).toBe(limit);
      const checker = await agreementChecker(machine.spec, machine.instance, [...SPEC_INVARIANTS, ...LEMMAS]);
      checkers.push(checker);
      const bad: ObjectState[] = [];
      for (let i = 0; i < states.length && bad.length === 0; i += BATCH) bad.push(...(await checker.disagreements(states.slice(i, i + BATCH))));
      expect(bad.map((s) => JSON.stringify(s)), "states on which z3 and the interpreter disagree").toEqual([]);
    }, 600_000);
  }

  test("a difference is caught: the design's encoding against the interpreter of the revoke-on-any-unmap bug", async () => {
    const { machine, states } = reachable("tiny", 100);
    const other = buildSpec(namedConfigs.find((c) => c.name === "tiny")!.config, "revoke-on-any-unmap");
    const checker = await agreementChecker(machine.spec, machine.instance, [...SPEC_INVARIANTS, ...LEMMAS], other.spec);
    checkers.push(checker);
    const bad = await checker.disagreements(states);
    expect(bad.length).toBeGreaterThan(0);
    // Each culprit is a state from which an Unmap without REVOKE_AGREEMENT is enabled.
    for (const s of bad) expect([...other.successors(s as never)].some((step) => step.action === "Unmap" && step.params["revoke"] === false)).toBe(true);
  }, 600_000);
});
