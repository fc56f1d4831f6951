/**
 * The SMT back end (model/lang/smt.ts, bounded to a configuration) held to
 * the interpreter, the reference semantics: on every reachable state of
 * `tiny` and on the first 5,000 reachable states (breadth-first) of
 * `default`, `two-tasks`, `two-pagers` and `three-pages`, the encoding's
 * successors are exactly the interpreter's (both directions: every
 * interpreter step is a step of the encoding with the same state after, and
 * every other parameter tuple is disabled) and every invariant, lemma and
 * TypeOK has the same value.
 *
 * The encoding's script is read two ways: evaluated on each state without a
 * solver (model/lang/smt-eval.ts: every configuration, every state), and by
 * z3 itself on every state of `tiny`, so the evaluator's reading of SMT-LIB
 * is z3's too. SMT_AGREEMENT_STATES changes the 5,000.
 */
import { afterAll, describe, expect, test } from "vitest";
import type { ObjectState } from "../../model/lang/interpret.js";
import { buildSpec, namedConfigs, SPEC_INVARIANTS } from "../../spec/index.js";
import { LEMMAS } from "../../spec/lemmas.js";
import { evaluatingChecker, reachable, solvingChecker, type AgreementChecker } from "./smt-agreement.js";

const PER_CONFIG = Number(process.env["SMT_AGREEMENT_STATES"] ?? 5_000);
const BATCH = 400;
const PREDICATES = [...SPEC_INVARIANTS, ...LEMMAS];

const checkers: AgreementChecker[] = [];
afterAll(() => checkers.forEach((c) => c.close()));

describe("the SMT encoding agrees with the interpreter (the script evaluated)", () => {
  const cases: [string, number][] = [["tiny", Number.POSITIVE_INFINITY], ["default", PER_CONFIG], ["two-tasks", PER_CONFIG], ["two-pagers", PER_CONFIG], ["three-pages", PER_CONFIG]];
  for (const [name, limit] of cases) {
    test(`${name}: ${Number.isFinite(limit) ? `the first ${limit}` : "every"} reachable state`, () => {
      const { machine, states } = reachable(name, limit);
      if (name === "tiny") expect(states.length).toBe(1_368);
      else expect(states.length).toBe(limit);
      const checker = evaluatingChecker(machine.spec, machine.instance, PREDICATES);
      const bad = states.flatMap((s) => {
        const why = checker.why(s);
        return why === null ? [] : [`${why}: ${JSON.stringify(s)}`];
      });
      expect(bad.slice(0, 3), `${bad.length} states on which the encoding and the interpreter disagree`).toEqual([]);
    }, 600_000);
  }

  test("tiny, every quantifier written as one (as at sizes above 8): every reachable state", () => {
    const { machine, states } = reachable("tiny", Number.POSITIVE_INFINITY);
    const checker = evaluatingChecker(machine.spec, machine.instance, PREDICATES, machine.spec, 0);
    expect(states.filter((s) => checker.why(s) !== null)).toEqual([]);
  });

  test("a difference is caught: the design's encoding against the interpreter of the revoke-on-any-unmap bug", () => {
    const { machine, states } = reachable("tiny", Number.POSITIVE_INFINITY);
    const other = buildSpec(namedConfigs.find((c) => c.name === "tiny")!.config, "revoke-on-any-unmap");
    const checker = evaluatingChecker(machine.spec, machine.instance, PREDICATES, other.spec);
    const bad = states.filter((s) => checker.why(s) !== null);
    expect(bad.length).toBeGreaterThan(0);
    // Each culprit is a state from which an Unmap without REVOKE_AGREEMENT is enabled, and that step is the difference.
    for (const s of bad) {
      expect([...other.successors(s as never)].some((step) => step.action === "Unmap" && step.params["revoke"] === false)).toBe(true);
      expect(checker.why(s)).toMatch(/^Unmap\[.*false.*\] leads to a different regionTable/);
    }
  });
});

describe("z3 reads the script as the evaluator does", () => {
  test("tiny: every reachable state, z3 deciding", async () => {
    const { machine, states } = reachable("tiny", Number.POSITIVE_INFINITY);
    const checker = await solvingChecker(machine.spec, machine.instance, PREDICATES);
    checkers.push(checker);
    const bad: ObjectState[] = [];
    for (let i = 0; i < states.length && bad.length === 0; i += BATCH) bad.push(...(await checker.disagreements(states.slice(i, i + BATCH))));
    expect(bad.map((s) => JSON.stringify(s)), "states on which z3 and the interpreter disagree").toEqual([]);
  }, 600_000);

  test("a difference is caught by z3 too", async () => {
    const { machine, states } = reachable("tiny", 100);
    const other = buildSpec(namedConfigs.find((c) => c.name === "tiny")!.config, "revoke-on-any-unmap");
    const checker = await solvingChecker(machine.spec, machine.instance, PREDICATES, other.spec);
    checkers.push(checker);
    const bad = await checker.disagreements(states);
    expect(bad.length).toBeGreaterThan(0);
    const evaluated = evaluatingChecker(machine.spec, machine.instance, PREDICATES, other.spec);
    // z3 and the evaluator find the same culprits.
    expect(bad).toEqual(states.filter((s) => evaluated.why(s) !== null));
  }, 600_000);
});
