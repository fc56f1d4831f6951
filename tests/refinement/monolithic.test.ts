/**
 * The monolithic kernel as the paper describes it: "All page fault resolution
 * actions are performed in the kernel without involving another threads."
 * On the refinement configuration two-tasks, no reachable state has a thread
 * waiting on a message nobody can answer: a blocked thread from which no
 * behaviour leads to its being unblocked. The stand-in an earlier build had
 * (the module acting through a thread, a fault sent to that thread as a
 * message when it could not run) is kept as the mutant monolithic-stand-in,
 * and the same test finds its stuck threads.
 */
import { describe, expect, test } from "vitest";
import type { KernelState } from "../../impl/kernel/state.js";
import { buildKernelMachine } from "../../impl/machine.js";
import { exploreGraph, type StateGraph } from "../../model/liveness/graph.js";
import { refinementConfigNamed } from "../../refinement/configs.js";

/** States of the complete graph with a thread blocked there that no path from there ever unblocks. */
function statesWithUnanswerableWait(mutant?: string): { states: number; stuck: number; blocked: number } {
  const config = refinementConfigNamed("two-tasks");
  const machine = buildKernelMachine(config.spec, "monolithic", mutant, { cpus: config.cpus });
  const threads = machine.config.threads.length;
  const blocked = Array.from({ length: threads }, (_, t) => (s: KernelState) => s.threads[t]!.tag === "blocked");
  const explored = exploreGraph(machine, blocked, { checkDeadlock: false });
  const graph = explored.graph as StateGraph;
  expect(explored.status).toBe("ok");
  const predecessors: number[][] = Array.from({ length: graph.stateCount }, () => []);
  for (let v = 0; v < graph.stateCount; v++) for (let e = graph.edgeStart[v]!; e < graph.edgeStart[v + 1]!; e++) predecessors[graph.edgeTarget[e]!]!.push(v);
  const stuck = new Set<number>();
  let anyBlocked = 0;
  for (let t = 0; t < threads; t++) {
    // Backwards from the states where t is not blocked: every state that can reach one.
    const canUnblock = new Uint8Array(graph.stateCount);
    const queue: number[] = [];
    for (let v = 0; v < graph.stateCount; v++) {
      if (graph.marks.get(v, t) === 0) {
        canUnblock[v] = 1;
        queue.push(v);
      } else anyBlocked++;
    }
    for (let head = 0; head < queue.length; head++) {
      for (const u of predecessors[queue[head]!]!) {
        if (canUnblock[u] === 1) continue;
        canUnblock[u] = 1;
        queue.push(u);
      }
    }
    for (let v = 0; v < graph.stateCount; v++) if (canUnblock[v] === 0) stuck.add(v);
  }
  return { states: graph.stateCount, stuck: stuck.size, blocked: anyBlocked };
}

describe("the monolithic kernel resolves every fault in the kernel", () => {
  test("on two-tasks no reachable state has a thread waiting on a message nobody can answer (no thread ever waits at all)", () => {
    const result = statesWithUnanswerableWait();
    expect(result.states).toBeGreaterThan(10);
    expect(result.stuck).toBe(0);
    expect(result.blocked).toBe(0);
  });

  test("the stand-in of an earlier build (mutant monolithic-stand-in) leaves threads waiting for ever", () => {
    const result = statesWithUnanswerableWait("monolithic-stand-in");
    expect(result.stuck).toBeGreaterThan(0);
    console.log(`monolithic-stand-in on two-tasks: ${result.stuck} of ${result.states} states hold a thread waiting on a message nobody can answer`);
  });
});
