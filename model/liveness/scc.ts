/**
 * Strongly connected components by Tarjan's algorithm, iterative (an
 * explicit call stack in typed arrays), so graphs with millions of states
 * never overflow the JavaScript stack.
 */

/** Forward edges in compressed sparse row form. */
export interface EdgeLists {
  readonly edgeStart: Int32Array;
  readonly edgeTarget: Int32Array;
}

/**
 * The components of one run: component c holds order[starts[c]] ..
 * order[starts[c + 1] - 1]. Components come in completion order: every
 * component another one can reach comes before it (sinks first).
 */
export interface Components {
  readonly count: number;
  readonly order: Int32Array;
  readonly starts: Int32Array;
}

/** Reusable work arrays sized for the whole graph; one run at a time. */
export class SccScratch {
  readonly index: Int32Array;
  readonly low: Int32Array;
  /** visited[v] === stamp: index/low of v belong to the current run. */
  readonly visited: Int32Array;
  readonly onStack: Uint8Array;
  readonly stack: Int32Array;
  readonly callNode: Int32Array;
  readonly callEdge: Int32Array;
  stamp = 0;

  constructor(readonly size: number) {
    this.index = new Int32Array(size);
    this.low = new Int32Array(size);
    this.visited = new Int32Array(size);
    this.onStack = new Uint8Array(size);
    this.stack = new Int32Array(size);
    this.callNode = new Int32Array(size);
    this.callEdge = new Int32Array(size);
  }
}

/**
 * The strongly connected components of the subgraph induced by `members`
 * (the list of its states; `inSet[v] === 1` exactly for them). Edges leaving
 * the subgraph are ignored. `label[v]` is set to `firstLabel + c` for each
 * member v of component c.
 */
export function stronglyConnectedComponents(
  graph: EdgeLists,
  members: ArrayLike<number>,
  inSet: Uint8Array,
  scratch: SccScratch,
  label: Int32Array,
  firstLabel = 0,
): Components {
  const { edgeStart, edgeTarget } = graph;
  const { index, low, visited, onStack, stack, callNode, callEdge } = scratch;
  const stamp = ++scratch.stamp;
  const order = new Int32Array(members.length);
  const starts: number[] = [0];
  let ordered = 0;
  let counter = 0;
  let stackTop = 0;
  let callTop = 0;

  const enter = (v: number): void => {
    visited[v] = stamp;
    index[v] = counter;
    low[v] = counter;
    counter++;
    stack[stackTop++] = v;
    onStack[v] = 1;
    callNode[callTop] = v;
    callEdge[callTop] = edgeStart[v]!;
    callTop++;
  };

  for (let m = 0; m < members.length; m++) {
    const root = members[m]!;
    if (visited[root] === stamp) continue;
    enter(root);
    while (callTop > 0) {
      const v = callNode[callTop - 1]!;
      const end = edgeStart[v + 1]!;
      let e = callEdge[callTop - 1]!;
      let descended = false;
      for (; e < end; e++) {
        const w = edgeTarget[e]!;
        if (inSet[w] !== 1) continue;
        if (visited[w] !== stamp) {
          callEdge[callTop - 1] = e + 1;
          enter(w);
          descended = true;
          break;
        }
        if (onStack[w] === 1 && index[w]! < low[v]!) low[v] = index[w]!;
      }
      if (descended) continue;
      callTop--;
      if (low[v] === index[v]) {
        const component = starts.length - 1;
        let w: number;
        do {
          w = stack[--stackTop]!;
          onStack[w] = 0;
          label[w] = firstLabel + component;
          order[ordered++] = w;
        } while (w !== v);
        starts.push(ordered);
      }
      if (callTop > 0) {
        const parent = callNode[callTop - 1]!;
        if (low[v]! < low[parent]!) low[parent] = low[v]!;
      }
    }
  }
  return { count: starts.length - 1, order, starts: Int32Array.from(starts) };
}
