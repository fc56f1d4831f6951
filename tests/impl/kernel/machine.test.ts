import { describe, expect, it } from "vitest";
import { simulate } from "../../../model/simulate.js";
import type { StateMachine } from "../../../model/machine.js";
import { buildKernelMachine, INTERNAL_ACTIONS, KERNEL_ACTIONS, KERNEL_VARIABLES } from "../../../impl/machine.js";
import { fromSpecConfig } from "../../../impl/kernel/config.js";
import { PAPER_LAYOUT } from "../../../impl/kernel/layout.js";
import { encodeState, type KernelState } from "../../../impl/kernel/state.js";
import { namedConfigs } from "../../../spec/configs.js";
import { ACTION_NAMES } from "../../../spec/index.js";
import { pinnedSeed } from "../../seed.js";

const seed = pinnedSeed(import.meta.url, 20261128);

/** A seeded random walk over the machine, visiting every successor of every state on the way. */
function* walkStates(machine: StateMachine<KernelState>, steps: number, seedValue: number): Generator<{ state: KernelState; action: string; params: Record<string, unknown> }> {
  let x = seedValue >>> 0 || 1;
  const random = (n: number) => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x % n;
  };
  let state = [...machine.initialStates()][0]!;
  for (let i = 0; i < steps; i++) {
    const next = [...machine.successors(state)];
    if (next.length === 0) return;
    for (const step of next) yield { state: step.state, action: step.action, params: step.params as Record<string, unknown> };
    state = next[random(next.length)]!.state;
  }
}

describe("the kernel state machine", () => {
  it("converts every named spec configuration", () => {
    for (const { name, config } of namedConfigs) {
      const kernel = fromSpecConfig(config);
      expect(kernel.layout.regions, name).toBe(config.regionsPerTask);
      expect(kernel.layout.pagesPerRegion, name).toBe(config.pagesPerRegion);
      expect(kernel.threads.length, name).toBe(config.threads.length);
      expect(() => buildKernelMachine(config), name).not.toThrow();
    }
  });

  it("encodes states canonically: decode then encode gives the same bytes, and the view is plain JSON", () => {
    const machine = buildKernelMachine(namedConfigs.find((c) => c.name === "default")!.config, "proposed", undefined, { cpus: 2 });
    let visited = 0;
    for (const { state } of walkStates(machine, 60, seed)) {
      const bytes = machine.encode(state);
      expect(machine.encode(machine.decode(bytes))).toEqual(bytes);
      const view = machine.view(state);
      expect(Object.keys(view)).toEqual([...KERNEL_VARIABLES]);
      expect(JSON.parse(JSON.stringify(view))).toEqual(view);
      visited++;
    }
    expect(visited).toBeGreaterThan(100);
  });

  it("labels design steps with the spec's action names and the spec's parameters", () => {
    const machine = buildKernelMachine(namedConfigs.find((c) => c.name === "default")!.config);
    const seen = new Set<string>();
    for (const { action, params } of walkStates(machine, 300, seed)) {
      expect(KERNEL_ACTIONS).toContain(action);
      seen.add(action);
      if (INTERNAL_ACTIONS.has(action)) continue;
      expect(ACTION_NAMES as readonly string[]).toContain(action);
      const required: Record<string, string[]> = {
        AssignManager: ["thread", "region", "manager"],
        ClearManager: ["thread", "region"],
        Map: ["manager", "task", "region", "page", "frame", "rights"],
        Unmap: ["manager", "task", "region", "page", "marker", "revoke"],
        Access: ["thread", "space", "access", "result"],
        Dispatch: ["thread", "outcome"],
        Resolve: ["pager", "thread", "frame", "rights"],
        Resume: ["pager", "thread"],
        Refuse: ["pager", "thread"],
        HandleException: ["thread"],
      };
      for (const field of required[action] ?? []) expect(params, `${action}.${field}`).toHaveProperty(field);
    }
    for (const action of ["AssignManager", "Map", "Access", "Dispatch", "Schedule"]) expect(seen, action).toContain(action);
  });

  it("runs under the model's seeded simulation without violating its invariants, on every architecture", () => {
    for (const arch of ["proposed", "monolithic", "l4"] as const) {
      const machine = buildKernelMachine(namedConfigs.find((c) => c.name === "tiny")!.config, arch);
      const result = simulate(machine, { seed, runs: 20, depth: 40, checkDeadlock: false });
      expect(result.violation?.name, arch).toBeUndefined();
    }
  });

  it("accepts the paper's full layout (1020 regions of 1024 pages) as a configuration", () => {
    const machine = buildKernelMachine({ ...fromSpecConfig(namedConfigs[0]!.config), layout: PAPER_LAYOUT, kernelAddresses: 0 });
    const initial = [...machine.initialStates()][0]!;
    expect(encodeState(initial).length).toBeGreaterThan(0);
  });
});
