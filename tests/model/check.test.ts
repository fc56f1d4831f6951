import { fc, test } from "@fast-check/vitest";
import { describe, expect } from "vitest";
import { check } from "../../model/check.js";
import { StateStore } from "../../model/state-store.js";
import { graphMachine, type Graph } from "./graph-machine.js";
import { dieHard, twoPhase } from "./machines.js";
import { randomSeed } from "../seed.js";

randomSeed(import.meta.url);

/** 0 -> 1 -> 2, and 2 has no successor. */
const chain: Graph = { nodes: 3, initial: [0], edges: [[0, 1, "A"], [1, 2, "B"]], bad: [] };

describe("deadlock", () => {
  test("a state without successor is a deadlock, with a shortest trace to it", () => {
    const result = check(graphMachine(chain));
    expect(result.status).toBe("violation");
    expect(result.violation).toMatchObject({ kind: "deadlock", name: "Deadlock" });
    expect(result.trace!.map((step) => [step.action, step.state["node"]])).toEqual([["Init", 0], ["A", 1], ["B", 2]]);
  });

  test("switched off, the same graph is explored completely", () => {
    const result = check(graphMachine(chain), { checkDeadlock: false });
    expect(result.status).toBe("ok");
    expect(result.statistics).toMatchObject({ distinct: 3, generated: 3, depth: 3, queue: 0 });
  });
});

describe("invariants", () => {
  test("an initial state that violates an invariant gives a one-state trace", () => {
    const result = check(graphMachine({ ...chain, initial: [1, 0], bad: [0] }), { checkDeadlock: false });
    expect(result.status).toBe("violation");
    expect(result.violation).toMatchObject({ kind: "invariant", name: "Good" });
    expect(result.trace).toEqual([{ action: "Init", params: {}, state: { node: 0 } }]);
  });
});

describe("budgets", () => {
  test("a state budget stops cleanly with partial statistics", () => {
    const result = check(twoPhase(3), { maxStates: 100 });
    expect(result.status).toBe("budget");
    expect(result.budget).toContain("100 distinct states");
    expect(result.statistics.distinct).toBe(100);
    expect(result.statistics.queue).toBeGreaterThan(0);
    expect(result.trace).toBeUndefined();
  });

  test("a depth budget leaves the deeper states unexpanded", () => {
    const result = check(twoPhase(3), { maxDepth: 3 });
    expect(result.status).toBe("budget");
    expect(result.statistics.depth).toBe(4);
    expect(result.statistics.queue).toBeGreaterThan(0);
  });

  test("a budget larger than the state space does not trigger", () => {
    expect(check(twoPhase(3), { maxStates: 10_000, maxDepth: 50 }).status).toBe("ok");
  });
});

describe("coverage", () => {
  test("an action that never fires has zero firings", () => {
    const result = check(graphMachine(chain), { checkDeadlock: false });
    expect(result.statistics.coverage).toEqual([
      { action: "A", firings: 1, distinct: 1 },
      { action: "B", firings: 1, distinct: 1 },
      { action: "C", firings: 0, distinct: 0 },
    ]);
  });

  test("an action missing from the machine's actions list is reported as a bug in the machine", () => {
    const machine = { ...graphMachine(chain), actions: ["A", "C"] };
    expect(() => check(machine)).toThrow(/action 'B', which is not in its actions list/);
  });
});

describe("progress", () => {
  test("the callback receives snapshots that grow", () => {
    const snapshots: number[] = [];
    const result = check(twoPhase(6), { progressIntervalMs: 0, onProgress: (progress) => snapshots.push(progress.distinct) });
    expect(result.status).toBe("ok");
    expect(snapshots.length).toBeGreaterThan(3);
    expect([...snapshots].sort((a, b) => a - b)).toEqual(snapshots);
    expect(snapshots.at(-1)).toBeLessThanOrEqual(50816);
  });
});

describe("state store", () => {
  test("many distinct encodings are all kept, and each is found again", () => {
    const store = new StateStore();
    const encode = (n: number) => Uint8Array.of(n & 0xff, (n >>> 8) & 0xff, n >>> 16, n % 7);
    for (let n = 0; n < 100_000; n++) expect(store.add(encode(n), -1, -1, 0)).toBe(n);
    for (let n = 0; n < 100_000; n += 997) expect(store.add(encode(n), -1, -1, 0)).toBe(-1 - n);
    expect(store.size).toBe(100_000);
    expect([...store.bytes(12345)]).toEqual([...encode(12345)]);
  });

  test("statistics add up", () => {
    const s = check(dieHard({ withNotSolved: false }), { checkDeadlock: false }).statistics;
    expect(s.collisionProbability).toBeGreaterThan(0);
    expect(s.collisionProbability).toBeLessThan(1e-10);
    expect(s.fingerprintCollisions).toBe(0);
  });
});

/** Shortest distances by Bellman-Ford relaxation: independent of the checker's BFS. */
function shortestDistances(graph: Graph): number[] {
  const distance = Array.from({ length: graph.nodes }, () => Number.POSITIVE_INFINITY);
  for (const node of graph.initial) distance[node] = 0;
  for (let round = 0; round < graph.nodes; round++) {
    for (const [from, to] of graph.edges) distance[to] = Math.min(distance[to]!, distance[from]! + 1);
  }
  return distance;
}

const graphs = fc.integer({ min: 1, max: 12 }).chain((nodes) =>
  fc.record({
    nodes: fc.constant(nodes),
    initial: fc.uniqueArray(fc.nat(nodes - 1), { minLength: 1, maxLength: 3 }),
    edges: fc.array(fc.tuple(fc.nat(nodes - 1), fc.nat(nodes - 1), fc.constantFrom("A" as const, "B" as const, "C" as const)), { maxLength: 30 }),
    bad: fc.uniqueArray(fc.nat(nodes - 1), { maxLength: 3 }),
  }),
);

describe("shortest counterexamples (property)", () => {
  test.prop([graphs], { numRuns: 300 })("the violation found is at the true shortest distance to a bad node, and the trace follows edges", (graph) => {
    const distance = shortestDistances(graph);
    const nearestBad = Math.min(...graph.bad.map((node) => distance[node]!));
    const result = check(graphMachine(graph), { checkDeadlock: false });
    if (!Number.isFinite(nearestBad)) {
      expect(result.status).toBe("ok");
      const reachable = distance.filter(Number.isFinite);
      expect(result.statistics.distinct).toBe(reachable.length);
      expect(result.statistics.depth).toBe(Math.max(...reachable) + 1);
      return;
    }
    expect(result.status).toBe("violation");
    const trace = result.trace!;
    expect(trace.length - 1).toBe(nearestBad);
    expect(graph.bad).toContain(trace.at(-1)!.state["node"]);
    expect(graph.initial).toContain(trace[0]!.state["node"]);
    for (let i = 1; i < trace.length; i++) {
      const edge = [trace[i - 1]!.state["node"], trace[i]!.state["node"], trace[i]!.action];
      expect(graph.edges.some((e) => e[0] === edge[0] && e[1] === edge[1] && e[2] === edge[2])).toBe(true);
    }
  });
});

describe("fingerprints", () => {
  test("both halves match their reference implementations' published test vectors", async () => {
    const { fingerprint } = await import("../../model/fingerprint.js");
    const out = new Uint32Array(2);
    // murmur3_x86_32 with seed 0x9747b28c: "Hello, world!" -> 0x24884cba (reference vectors used by many ports).
    fingerprint(new TextEncoder().encode("Hello, world!"), out);
    expect(out[1]!.toString(16)).toBe("24884cba");
    fingerprint(new TextEncoder().encode("The quick brown fox jumps over the lazy dog"), out);
    expect(out[1]!.toString(16)).toBe("2fa826cd");
    // xxHash32 with seed 0: the reference implementation's test vectors, short (< 16 bytes) and striped.
    const xxh = (text: string) => {
      fingerprint(new TextEncoder().encode(text), out);
      return out[0]!.toString(16).padStart(8, "0");
    };
    expect(xxh("")).toBe("02cc5d05");
    expect(xxh("a")).toBe("550d7456");
    expect(xxh("abc")).toBe("32d153ff");
    expect(xxh("Nobody inspects the spammish repetition")).toBe("e2293b2f");
    // The optional offset writes the same pair elsewhere in the output array.
    const wide = new Uint32Array(4);
    fingerprint(new TextEncoder().encode("abc"), wide, 2);
    fingerprint(new TextEncoder().encode("abc"), out);
    expect([...wide]).toEqual([0, 0, out[0]!, out[1]!]);
  });
});

describe("outdegree", () => {
  test("average, minimum, maximum and 95th percentile of successors per expanded state", () => {
    // Node 0 has 3 successors, nodes 1..3 one each (back to 0).
    const graph: Graph = { nodes: 4, initial: [0], edges: [[0, 1, "A"], [0, 2, "A"], [0, 3, "B"], [1, 0, "C"], [2, 0, "C"], [3, 0, "C"]], bad: [] };
    const { outdegree } = check(graphMachine(graph)).statistics;
    expect(outdegree).toEqual({ average: 1.5, minimum: 1, maximum: 3, percentile95: 3 });
    // DieHard: every state has exactly six successors.
    expect(check(dieHard({ withNotSolved: false })).statistics.outdegree).toEqual({ average: 6, minimum: 6, maximum: 6, percentile95: 6 });
  });
});

/** Shortest distances when the search leaves violating nodes unexpanded: bad nodes have no way out. */
function distancesWithoutLeavingBad(graph: Graph): number[] {
  const bad = new Set(graph.bad);
  return shortestDistances({ ...graph, edges: graph.edges.filter(([from]) => !bad.has(from)) });
}

describe("every distinct violation (maxViolations, check --continue / --max-error)", () => {
  test.prop([graphs, fc.boolean()], { numRuns: 300 })(
    "without a limit: each reachable bad or deadlocked node once, by a shortest path that goes through no other violation, shortest first",
    (graph, checkDeadlock) => {
      const distance = distancesWithoutLeavingBad(graph);
      const bad = new Set(graph.bad);
      const reachable = [...distance.keys()].filter((node) => Number.isFinite(distance[node]!));
      const deadlocked = (node: number) => checkDeadlock && !bad.has(node) && !graph.edges.some(([from]) => from === node);
      const expected = reachable.filter((node) => bad.has(node) || deadlocked(node));
      const result = check(graphMachine(graph), { checkDeadlock, maxViolations: Number.POSITIVE_INFINITY });
      expect(result.statistics.distinct).toBe(reachable.length);
      expect(result.statistics.queue).toBe(0);
      if (expected.length === 0) {
        expect(result.status).toBe("ok");
        return;
      }
      expect(result.status).toBe("violation");
      const violations = result.violations!;
      const ends = violations.map((v) => v.trace.at(-1)!.state["node"] as number);
      expect([...ends].sort((a, b) => a - b)).toEqual([...expected].sort((a, b) => a - b));
      for (const [index, v] of violations.entries()) {
        const end = ends[index]!;
        expect(v.violation.name).toBe(bad.has(end) ? "Good" : "Deadlock");
        expect(v.trace.length - 1).toBe(distance[end]);
        // No earlier state of the trace is itself a violation.
        expect(v.trace.slice(0, -1).some((step) => bad.has(step.state["node"] as number))).toBe(false);
        if (index > 0) expect(v.trace.length).toBeGreaterThanOrEqual(violations[index - 1]!.trace.length);
      }
      expect(result.violation).toEqual(violations[0]!.violation);
      expect(result.trace).toEqual(violations[0]!.trace);
    },
  );

  test.prop([graphs, fc.integer({ min: 1, max: 4 })], { numRuns: 300 })("with a limit of k: the k shortest, and k = 1 is the plain search", (graph, k) => {
    const all = check(graphMachine(graph), { checkDeadlock: false, maxViolations: Number.POSITIVE_INFINITY });
    const limited = check(graphMachine(graph), { checkDeadlock: false, maxViolations: k });
    const lengths = (r: typeof all) => (r.violations ?? (r.trace ? [{ trace: r.trace }] : [])).map((v) => v.trace.length);
    expect(lengths(limited)).toEqual(lengths(all).slice(0, k));
    if (k === 1) expect(limited).toMatchObject({ status: check(graphMachine(graph), { checkDeadlock: false }).status });
  });
});
