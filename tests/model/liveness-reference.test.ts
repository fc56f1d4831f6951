/**
 * The liveness engine against a brute-force reference on random small
 * graphs: a counterexample to P ~> Q exists exactly when some reachable
 * P ∧ ¬Q state reaches, through ¬Q states, a strongly connected set of ¬Q
 * edges (or a single stuttering state) that is fair. The reference tries
 * every subset of edges, so it shares nothing with the engine's component
 * search; each lasso the engine returns is also checked on its own.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { Step } from "../../model/machine.js";
import { checkLiveness, type LiveMachine } from "../../model/liveness/check.js";
import type { Fairness } from "../../model/liveness/temporal.js";
import { lassoProblem } from "./liveness-lasso-check.js";
import { pinnedSeed } from "../seed.js";

pinnedSeed(import.meta.url, 20261128);

const ACTIONS = ["A", "B", "C"] as const;

interface Edge {
  readonly from: number;
  readonly to: number;
  readonly action: number;
  readonly k: number;
}

interface RandomGraph {
  readonly size: number;
  readonly edges: readonly Edge[];
  readonly fairness: readonly Fairness[];
  readonly premise: readonly boolean[];
  readonly response: readonly boolean[];
}

const graphArbitrary: fc.Arbitrary<RandomGraph> = fc.integer({ min: 1, max: 4 }).chain((size) =>
  fc.record({
    size: fc.constant(size),
    edges: fc.array(
      fc.record({ from: fc.nat(size - 1), to: fc.nat(size - 1), action: fc.nat(ACTIONS.length - 1), k: fc.nat(1) }),
      { maxLength: 8 },
    ),
    fairness: fc.tuple(
      ...ACTIONS.map((action) =>
        fc.option(
          fc.record({
            action: fc.constant<string>(action),
            kind: fc.constantFrom<Fairness["kind"]>("weak", "strong"),
            per: fc.constantFrom<readonly string[]>([], ["k"]),
          }),
          { nil: undefined },
        ),
      ),
    ).map((conditions) => conditions.filter((c) => c !== undefined) as Fairness[]),
    premise: fc.array(fc.boolean(), { minLength: size, maxLength: size }),
    response: fc.array(fc.boolean(), { minLength: size, maxLength: size }),
  }),
);

function machineOf(g: RandomGraph): LiveMachine<number> {
  return {
    name: "Random",
    actions: [...ACTIONS],
    variables: ["v"],
    invariants: [],
    *initialStates() {
      yield 0;
    },
    *successors(v): Iterable<Step<number>> {
      for (const edge of g.edges) if (edge.from === v) yield { action: ACTIONS[edge.action]!, params: { k: edge.k }, state: edge.to };
    },
    encode: (v) => Uint8Array.of(v),
    decode: (bytes) => bytes[0]!,
    view: (v) => ({ v }),
    fairness: g.fairness,
    temporalProperties: [{ name: "P_leadsTo_Q", quote: "", formula: "P ~> Q", premise: (v) => g.premise[v]!, response: (v) => g.response[v]! }],
  };
}

function reachableFrom(starts: readonly number[], edges: readonly Edge[], allowed: (v: number) => boolean): Set<number> {
  const seen = new Set(starts.filter(allowed));
  const queue = [...seen];
  while (queue.length > 0) {
    const u = queue.pop()!;
    for (const e of edges) if (e.from === u && allowed(e.to) && !seen.has(e.to)) { seen.add(e.to); queue.push(e.to); }
  }
  return seen;
}

/** Brute force: is there a fair lasso on which Q never holds after P? */
function referenceViolated(g: RandomGraph): boolean {
  const reachable = reachableFrom([0], g.edges, () => true);
  const notQ = (v: number) => reachable.has(v) && !g.response[v];
  const instanceKey = (e: Edge): string | undefined => {
    if (e.from === e.to) return undefined; // stuttering: neither enables nor takes (TLA+'s <<A>>_vars)
    const condition = g.fairness.find((c) => c.action === ACTIONS[e.action]);
    if (condition === undefined) return undefined;
    return `${condition.action as string}:${(condition.per ?? []).length > 0 ? e.k : "*"}`;
  };
  const kindOf = (key: string) => g.fairness.find((c) => key.startsWith(`${c.action as string}:`))!.kind;
  const enabled = (v: number) => new Set(g.edges.filter((e) => e.from === v).map(instanceKey).filter((k): k is string => k !== undefined));
  const fair = (states: readonly number[], taken: readonly Edge[]): boolean => {
    const takenKeys = new Set(taken.map(instanceKey));
    const sets = states.map(enabled);
    const all = new Set(sets.flatMap((s) => [...s]));
    for (const key of all) {
      const everywhere = sets.every((s) => s.has(key));
      if (kindOf(key) === "weak" ? everywhere && !takenKeys.has(key) : !takenKeys.has(key)) return false;
    }
    return true;
  };
  const inner = g.edges.filter((e) => notQ(e.from) && notQ(e.to));
  const cycleStates = new Set<number>();
  for (const v of reachable) if (notQ(v) && fair([v], [])) cycleStates.add(v);
  for (let mask = 1; mask < 1 << inner.length; mask++) {
    const chosen = inner.filter((_, i) => (mask >> i) & 1);
    const states = [...new Set(chosen.flatMap((e) => [e.from, e.to]))];
    const stronglyConnected = states.every((s) => {
      const reach = reachableFrom([s], chosen, () => true);
      return states.every((t) => reach.has(t) && (t !== s || chosen.some((e) => e.to === s)));
    });
    if (stronglyConnected && fair(states, chosen)) for (const v of states) cycleStates.add(v);
  }
  for (const s of reachable) {
    if (!g.premise[s] || g.response[s]) continue;
    const onward = reachableFrom([s], g.edges, notQ);
    if ([...onward].some((v) => cycleStates.has(v))) return true;
  }
  return false;
}

describe("liveness engine versus brute force", () => {
  it("finds a lasso exactly when the reference does, and every lasso it returns is a fair counterexample", () => {
    fc.assert(
      fc.property(graphArbitrary, (g) => {
        const machine = machineOf(g);
        const result = checkLiveness(machine, { checkDeadlock: false });
        expect(result.status === "violation").toBe(referenceViolated(g));
        if (result.status === "violation") expect(lassoProblem(machine, result)).toBeUndefined();
      }),
      { numRuns: 3000 },
    );
  });
});
