import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { fromItfValue, parseItf, formatItf, toItfValue } from "../../model/itf.js";
import type { TraceValue } from "../../model/machine.js";
import { simulate } from "../../model/simulate.js";
import { StateStore } from "../../model/state-store.js";
import type { Trace } from "../../model/trace.js";
import { graphMachine, type Graph } from "./graph-machine.js";
import { randomSeed } from "../seed.js";

randomSeed(import.meta.url);

describe("state store (property)", () => {
  test("behaves as a set of byte strings that numbers new members in order", () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 9 }), { maxLength: 400 }), (arrays) => {
        const store = new StateStore();
        const model = new Map<string, number>();
        for (const bytes of arrays) {
          const key = Array.from(bytes).join(",");
          const known = model.get(key);
          const result = store.add(bytes, -1, -1, 0);
          if (known === undefined) {
            expect(result).toBe(model.size);
            model.set(key, result);
          } else {
            expect(result).toBe(-1 - known);
          }
        }
        expect(store.size).toBe(model.size);
        for (const [key, index] of model) expect(Array.from(store.bytes(index)).join(",")).toBe(key);
      }),
      { numRuns: 200 },
    );
  });
});

const traceValue: fc.Arbitrary<TraceValue> = fc.letrec<{ value: TraceValue }>((tie) => ({
  value: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    fc.boolean(),
    fc.integer(),
    fc.constantFrom(2 ** 60, -(2 ** 62), Number.MAX_SAFE_INTEGER),
    fc.string(),
    fc.array(tie("value"), { maxLength: 4 }),
    fc.dictionary(fc.string().filter((key) => !key.startsWith("#") && key !== "__proto__"), tie("value"), { maxKeys: 4 }),
    fc.record({ "#set": fc.array(tie("value"), { maxLength: 3 }) }),
    fc.record({ "#tup": fc.array(tie("value"), { maxLength: 3 }) }),
  ),
})).value;

describe("ITF values (property)", () => {
  test("any trace value survives writing and reading", () => {
    fc.assert(
      fc.property(traceValue, (value) => {
        expect(fromItfValue(JSON.parse(JSON.stringify(toItfValue(value))) as TraceValue)).toEqual(value);
      }),
      { numRuns: 300 },
    );
  });

  test("any trace of such values round-trips through an ITF file's text", () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.string(), traceValue, traceValue), { minLength: 1, maxLength: 4 }), (rows) => {
        const trace: Trace = {
          kind: "spec", machine: "M", config: "c", configValue: rows[0]![1], mutant: null,
          violation: { kind: "invariant", name: "I", quote: "q" }, command: ["check"], toolVersion: "t",
          vars: ["x", "y"],
          steps: rows.map(([action, x, y], index) => ({ action: index === 0 ? "Init" : action, params: { p: x }, state: { x, y } })),
        };
        expect(parseItf(formatItf(trace), "t.itf.json")).toEqual(trace);
      }),
      { numRuns: 100 },
    );
  });
});

const graphs = fc.integer({ min: 1, max: 10 }).chain((nodes) =>
  fc.record({
    nodes: fc.constant(nodes),
    initial: fc.uniqueArray(fc.nat(nodes - 1), { minLength: 1, maxLength: 3 }),
    edges: fc.array(fc.tuple(fc.nat(nodes - 1), fc.nat(nodes - 1), fc.constantFrom("A" as const, "B" as const, "C" as const)), { maxLength: 25 }),
    bad: fc.uniqueArray(fc.nat(nodes - 1), { maxLength: 2 }),
  }),
) as fc.Arbitrary<Graph>;

describe("simulation (property)", () => {
  test("every simulated trace is a path of the graph, and the seed reproduces it", () => {
    fc.assert(
      fc.property(graphs, fc.nat(), (graph, seed) => {
        const options = { seed, runs: 5, depth: 8 };
        const result = simulate(graphMachine(graph), options);
        expect(simulate(graphMachine(graph), options)).toEqual({ ...result, statistics: { ...result.statistics, seconds: expect.any(Number), statesPerSecond: expect.any(Number) } });
        if (result.trace === undefined) return;
        const nodes = result.trace.map((step) => step.state["node"] as number);
        expect(graph.initial).toContain(nodes[0]);
        for (let i = 1; i < nodes.length; i++) {
          expect(graph.edges.some(([from, to, label]) => from === nodes[i - 1] && to === nodes[i] && label === result.trace![i]!.action)).toBe(true);
        }
        const last = nodes.at(-1)!;
        if (result.violation?.kind === "invariant") expect(graph.bad).toContain(last);
        if (result.violation?.kind === "deadlock") expect(graph.edges.some(([from]) => from === last)).toBe(false);
      }),
      { numRuns: 200 },
    );
  });
});
