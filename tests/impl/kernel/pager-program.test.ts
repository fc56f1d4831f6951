/**
 * What the concrete machine models so that `refine --liveness` means
 * something: a pager answers only a fault message it has received (the
 * `received` flag of the blocked thread), waits for the next message only
 * when it holds none, and the timer preempts a thread that keeps its CPU.
 */
import { describe, expect, it } from "vitest";
import { heldMessages } from "../../../impl/kernel/ipc.js";
import type { KernelState } from "../../../impl/kernel/state.js";
import { buildKernelMachine, type KernelMachine } from "../../../impl/machine.js";
import type { Step } from "../../../model/machine.js";
import { bootTest, callAs, CLIENT, contract, PAGER, runOn } from "./helpers.js";

const MICRO = { tasks: 1, threads: [{ task: 0, pager: true }, { task: 0 }], frames: [0], regionsPerTask: 1, pagesPerRegion: 1, kernelAddresses: 0, markers: 1 };

/** Follow steps chosen by action and a params filter, from `start`. */
function follow(machine: KernelMachine, start: KernelState, ...choices: { action: string; params?: Record<string, unknown> }[]): KernelState {
  let state = start;
  for (const choice of choices) {
    const found = [...machine.successors(state)].find(
      (s) => s.action === choice.action && Object.entries(choice.params ?? {}).every(([k, v]) => s.params[k] === v),
    );
    if (found === undefined) throw new Error(`${choice.action} ${JSON.stringify(choice.params)} is not enabled`);
    state = found.state;
  }
  return state;
}

const actionsOf = (machine: KernelMachine, state: KernelState): Step<KernelState>[] => [...machine.successors(state)];

describe("the pager's program", () => {
  it("answers a fault only once it has received the message, and receives only when it holds none", () => {
    const machine = buildKernelMachine(MICRO, "proposed");
    // The consumer assigns, the pager accepts, the consumer faults and its message is queued at the pager.
    const queued = follow(
      machine,
      [...machine.initialStates()][0]!,
      { action: "Preempt", params: { thread: 1 } },
      { action: "AssignManager", params: { thread: 1, manager: 0 } },
      { action: "Preempt", params: { thread: 0 } },
      { action: "Unmap", params: { manager: 0, revoke: false } },
      { action: "Preempt", params: { thread: 1 } },
      { action: "Access", params: { thread: 1, result: "trap" } },
      { action: "Dispatch", params: { thread: 1, outcome: "delivered" } },
    );
    expect(queued.threads[1]).toMatchObject({ tag: "blocked", handler: 0 });
    expect(queued.threads[1]).not.toHaveProperty("received");
    expect(queued.queues[0]).toHaveLength(1);
    const before = actionsOf(machine, queued).map((s) => s.action);
    expect(before).toContain("Receive");
    expect(before.filter((a) => a === "Resolve" || a === "Resume" || a === "Refuse")).toEqual([]);
    const held = follow(machine, queued, { action: "Receive", params: { thread: 0 } });
    expect(held.threads[1]).toMatchObject({ tag: "blocked", handler: 0, received: true });
    expect(held.queues[0]).toEqual([]);
    const after = actionsOf(machine, held).map((s) => s.action);
    expect(after).toEqual(expect.arrayContaining(["Resolve", "Refuse"]));
    expect(after).not.toContain("Receive");
  });

  it("the message a pager holds is read back from the thread it is about", () => {
    const k = bootTest();
    contract(k);
    callAs(k, PAGER, { call: "Receive" });
    runOn(k, 0, CLIENT);
    k.access(0, 0x0040_1000, "read");
    k.dispatch(0);
    expect(heldMessages(k, PAGER)).toEqual([{ kind: "fault", thread: CLIENT, address: 0x0040_1000, access: "read", marker: 0, present: false }]);
  });
});

describe("the timer", () => {
  it("preempts a thread in user mode for the next thread of the run queue; a scheduler that keeps a CPU's first thread never does", () => {
    const initial = (mutant?: string) => {
      const machine = buildKernelMachine(MICRO, "proposed", mutant);
      return actionsOf(machine, [...machine.initialStates()][0]!).filter((s) => s.action === "Preempt").map((s) => s.params);
    };
    expect(initial()).toEqual([{ cpu: 0, thread: 1, from: 0 }]);
    expect(initial("cpu-keeps-first-thread")).toEqual([]);
  });
});
