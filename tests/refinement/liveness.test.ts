/**
 * Refinement with liveness (refine --liveness): the spec's temporal
 * properties through the abstraction function, on the kernel's state graph
 * under the kernel's fairness (impl/fairness.ts). The unmodified kernels of
 * every refining architecture pass on the small configurations; each
 * liveness mutant of the implementation keeps every refinement obligation
 * (safety refine passes) and is caught with a lasso, exit 13, whose every
 * step carries its abstract image and which trace replay reproduces.
 */
import { join } from "node:path";
import { beforeEach, describe, expect, test } from "vitest";
import { ExitCode } from "../../cli/exit-codes.js";
import { kernelMutants } from "../../impl/mutants.js";
import { check } from "../../model/check.js";
import { readItf } from "../../model/itf.js";
import { checkRefinementLiveness } from "../../refinement/liveness.js";
import { replayTrace } from "../../trace/reproduce.js";
import { inFreshDirectory, multipager } from "../cli/run-cli.js";
import { refinementFor } from "./helpers.js";

const REFINING = ["proposed", "monolithic", "l4re", "l4re-via-rm"] as const;

describe("refine --liveness", () => {
  beforeEach(() => new Promise<void>((resolve) => setImmediate(resolve)));

  for (const arch of REFINING) {
    test(`${arch} keeps the spec's promises of progress on micro`, () => {
      const { result, counterexample } = checkRefinementLiveness(refinementFor("micro", arch));
      expect(counterexample).toBeUndefined();
      expect(result.status).toBe("ok");
      expect(result.liveness!.properties.map((p) => [p.name, p.holds])).toEqual([
        ["PagersReceiveTheirFaults", true],
        ["FaultsAreDispatched", true],
        ["FaultedThreadsResume", true],
        ["NoWaitOnWithdrawnAgreement", true],
      ]);
      // The kernel's own fairness, as data beside the machine.
      expect(result.liveness!.fairness.map((f) => f.action)).toEqual(expect.arrayContaining(["Schedule \\/ Preempt", "Dispatch", "HandleException"]));
    }, 60_000);
  }

  const dir = inFreshDirectory("refine-liveness");
  for (const mutant of kernelMutants.filter((m) => m.kind === "liveness")) {
    const arch = mutant.arch ?? "proposed";
    test(`${mutant.name} refines the spec step by step, yet leaves a thread suspended for ever: exit 13 with a lasso (${arch}, ${mutant.config})`, async () => {
      expect(check(refinementFor(mutant.config, arch, mutant.name).product, { checkDeadlock: false }).status).toBe("ok");
      expect(checkRefinementLiveness(refinementFor(mutant.config, arch)).counterexample).toBeUndefined();
      const itf = join(dir(), `${mutant.name}.itf.json`);
      const run = await multipager("refine", "--mutant", mutant.name, "--itf", itf);
      expect(run.code).toBe(ExitCode.Liveness);
      expect(run.stdout).toMatch(/Error: Temporal property \w+ is violated\./);
      expect(run.stdout).toMatch(/Counterexample \w+: \d+ steps, then (back to State \d+|State \d+ stutters) forever, written to/);
      const trace = readItf(itf);
      expect(trace).toMatchObject({ kind: "refinement", arch, mutant: mutant.name, violation: { kind: "liveness" } });
      expect(trace.loop).toBeDefined();
      // The step that closes the cycle is recorded, as `check` records it: a step back to the loop state, or stuttering on the last state.
      expect(trace.closing).toBeDefined();
      if (trace.closing === "stutter") expect(trace.loop).toBe(trace.steps.length - 1);
      for (const step of trace.steps) expect(step.abstract).toBeDefined();
      expect(await replayTrace(trace, itf)).toMatchObject({ kind: "reproduces" });
      // Against the kernel without the bug, the lasso no longer closes or no longer fails.
      expect((await replayTrace(trace, itf, { mutant: null })).kind).not.toBe("reproduces");
    }, 120_000);
  }
});
