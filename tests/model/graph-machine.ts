import type { StateMachine } from "../../model/machine.js";

/** A state machine over an explicit directed graph: state = node, one action per edge label. */
export interface Graph {
  readonly nodes: number;
  readonly initial: readonly number[];
  readonly edges: readonly (readonly [from: number, to: number, label: "A" | "B" | "C"])[];
  /** Nodes where the invariant Good fails. */
  readonly bad: readonly number[];
}

export function graphMachine(graph: Graph): StateMachine<number> {
  const bad = new Set(graph.bad);
  return {
    name: "Graph",
    actions: ["A", "B", "C"],
    variables: ["node"],
    invariants: [{ name: "Good", quote: "the node is not bad", holds: (node) => !bad.has(node) }],
    *initialStates() {
      yield* graph.initial;
    },
    *successors(node) {
      for (const [from, to, label] of graph.edges) if (from === node) yield { action: label, params: { to }, state: to };
    },
    encode: (node) => Uint8Array.of(node & 0xff, node >>> 8),
    decode: (bytes) => bytes[0]! | (bytes[1]! << 8),
    view: (node) => ({ node }),
  };
}
