/**
 * Every seeded implementation bug changes what the kernel does on some small
 * scenario: each test runs the scenario on the correct kernel and on the
 * mutant and expects the observations to differ in the way the bug predicts.
 */
import { describe, expect, it } from "vitest";
import { check } from "../../../model/check.js";
import { kernelMutants, type KernelMutantName } from "../../../impl/mutants.js";
import { buildKernelMachine } from "../../../impl/machine.js";
import { userPageAddress } from "../../../impl/kernel/layout.js";
import { SyscallError } from "../../../impl/kernel/errors.js";
import type { Kernel } from "../../../impl/kernel/kernel.js";
import { encodeSyscall, executeSyscall } from "../../../impl/kernel/syscalls.js";
import type { KernelState } from "../../../impl/kernel/state.js";
import type { Invariant } from "../../../model/machine.js";
import { CLIENT, CLIENT2, PAGER, bootTest, callAs, contract, runOn } from "./helpers.js";

const TWO_TASKS = { tasks: 2, threads: [{ task: 0, pager: true }, { task: 1 }], frames: [0], regionsPerTask: 1, pagesPerRegion: 2, kernelAddresses: 0, markers: 1 };
const TINY = { tasks: 1, threads: [{ task: 0, pager: true }, { task: 0 }], frames: [0], regionsPerTask: 1, pagesPerRegion: 2, kernelAddresses: 1, markers: 1 };

/** The first invariant a breadth-first search of the tiny configuration finds violated, or null. */
function violatedOnTiny(mutant: KernelMutantName | undefined): string | null {
  const result = check(buildKernelMachine(TINY, "proposed", mutant), { checkDeadlock: false, maxStates: 3000 });
  return result.violation?.name ?? null;
}

function faultOutcome(k: Kernel, cpu: number, thread: number, address: number) {
  runOn(k, cpu, thread);
  expect(k.access(cpu, address, "read").hit).toBe(false);
  return k.dispatch(cpu).outcome;
}

const scenarios: Record<KernelMutantName, () => { correct: unknown; mutant: unknown } | "search"> = {
  "no-invlpg": () => "search",
  "acceptance-without-map": () => "search",
  "no-flush-on-reassign": () => "search",
  "no-shootdown": () => {
    const run = (mutant: KernelMutantName | null) => {
      const k = bootTest("proposed", 2, mutant);
      contract(k);
      runOn(k, 1, CLIENT2);
      k.access(1, userPageAddress(k.layout, 0, 3), "read");
      callAs(k, PAGER, { call: "Unmap", task: 0, region: 0, page: 3, marker: 0, revoke: false }, 0);
      return k.access(1, userPageAddress(k.layout, 0, 3), "read").hit;
    };
    return { correct: run(null), mutant: run("no-shootdown") };
  },
  "region-off-by-one": () => {
    const run = (mutant: KernelMutantName | null) => {
      const k = bootTest("proposed", 1, mutant);
      contract(k);
      return faultOutcome(k, 0, CLIENT, userPageAddress(k.layout, 0, 0));
    };
    return { correct: run(null), mutant: run("region-off-by-one") };
  },
  "shared-region-table": () => {
    const run = (mutant: KernelMutantName | null) => {
      const k = bootTest("proposed", 1, mutant);
      callAs(k, CLIENT, { call: "AssignManager", region: 0, manager: PAGER });
      return k.regionEntry(1, 0); // task 1's table
    };
    return { correct: run(null), mutant: run("shared-region-table") };
  },
  "no-present-recheck": () => {
    const run = (mutant: KernelMutantName | null) => {
      const k = bootTest("proposed", 2, mutant);
      contract(k);
      runOn(k, 1, CLIENT2);
      k.access(1, userPageAddress(k.layout, 0, 0), "read");
      callAs(k, PAGER, { call: "Map", task: 0, region: 0, page: 0, frame: 0, rights: "ro" }, 0);
      return k.dispatch(1).outcome;
    };
    return { correct: run(null), mutant: run("no-present-recheck") };
  },
  "no-acceptance-check": () => {
    const run = (mutant: KernelMutantName | null) => {
      const k = bootTest("proposed", 1, mutant);
      callAs(k, CLIENT, { call: "AssignManager", region: 0, manager: PAGER });
      return faultOutcome(k, 0, CLIENT, userPageAddress(k.layout, 0, 0));
    };
    return { correct: run(null), mutant: run("no-acceptance-check") };
  },
  "kernel-fault-to-pager": () => {
    const run = (mutant: KernelMutantName | null) => {
      const k = bootTest("proposed", 1, mutant);
      contract(k);
      callAs(k, CLIENT, { call: "AssignManager", region: 1, manager: PAGER });
      callAs(k, PAGER, { call: "Map", task: 0, region: 1, page: 0, frame: 0, rights: "rw" });
      return faultOutcome(k, 0, CLIENT, 0); // the null pointer aliases onto region 1
    };
    return { correct: run(null), mutant: run("kernel-fault-to-pager") };
  },
  "drop-fault-when-queue-busy": () => {
    const run = (mutant: KernelMutantName | null) => {
      const k = bootTest("proposed", 1, mutant);
      contract(k);
      for (const [thread, page] of [[CLIENT, 0], [CLIENT2, 1]] as const) {
        runOn(k, 0, thread);
        k.access(0, userPageAddress(k.layout, 0, page), "read");
        expect(k.dispatch(0).outcome).toMatchObject({ kind: "delivered", to: PAGER });
      }
      return k.state.queues[PAGER]!.map((m) => m.thread);
    };
    return { correct: run(null), mutant: run("drop-fault-when-queue-busy") };
  },
  "cpu-keeps-first-thread": () => {
    const run = (mutant: KernelMutantName | null) => {
      const k = bootTest("proposed", 1, mutant);
      const first = k.threadOn(0);
      executeSyscall(k, 0, encodeSyscall({ call: "Yield" }));
      return k.threadOn(0) === first;
    };
    return { correct: run(null), mutant: run("cpu-keeps-first-thread") };
  },
  "monolithic-stand-in": () => {
    // Does some reachable state hold a blocked thread? The monolithic kernel has no call that answers a fault.
    const blockedSomewhere = (mutant: KernelMutantName | undefined) => {
      const machine = buildKernelMachine(TWO_TASKS, "monolithic", mutant);
      const blocked: Invariant<KernelState> = { name: "NoThreadBlocked", quote: "", holds: (st) => st.threads.every((t) => t.tag !== "blocked") };
      return check({ ...machine, invariants: [blocked] }, { checkDeadlock: false }).status === "violation";
    };
    return { correct: blockedSomewhere(undefined), mutant: blockedSomewhere("monolithic-stand-in") };
  },
  "marker-lost": () => {
    const run = (mutant: KernelMutantName | null) => {
      const k = bootTest("proposed", 1, mutant);
      contract(k);
      expect(callAs(k, PAGER, { call: "Unmap", task: 0, region: 0, page: 3, marker: 42, revoke: false })).toBe(SyscallError.Ok);
      return faultOutcome(k, 0, CLIENT, userPageAddress(k.layout, 0, 3));
    };
    return { correct: run(null), mutant: run("marker-lost") };
  },
};

describe("seeded kernel bugs", () => {
  it("the correct kernel violates no concrete invariant on the tiny configuration (first 3000 states)", () => {
    expect(violatedOnTiny(undefined)).toBeNull();
  });

  for (const { name, description } of kernelMutants) {
    it(`${name}: ${description}`, () => {
      const scenario = scenarios[name]();
      if (scenario === "search") {
        expect(violatedOnTiny(name)).not.toBeNull();
      } else {
        expect(scenario.mutant).not.toEqual(scenario.correct);
      }
    });
  }

  it("rejects an unknown mutant with a usage error", () => {
    expect(() => buildKernelMachine(TINY, "proposed", "no-such-bug")).toThrow(/unknown kernel mutant/);
  });
});
