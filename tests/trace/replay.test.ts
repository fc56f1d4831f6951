/**
 * Replay tells apart the three outcomes on real traces: a mutant's trace
 * reproduces on the mutant, and against the design without the seeded bug it
 * either no longer applies (the bug's step is disabled: the step is named) or
 * is fixed (every step applies, the invariant holds at the end).
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { ExitCode } from "../../cli/exit-codes.js";
import { formatItf } from "../../model/itf.js";
import type { Trace } from "../../model/trace.js";
import { loadTrace } from "../../trace/load.js";
import { replayTrace } from "../../trace/reproduce.js";
import { multipagerTrace } from "./run-trace.js";

const corpus = (mutant: string) => join("tests/traces", `spec-${mutant}.itf.json`);
const tmp = mkdtempSync(join(tmpdir(), "multipager-replay-"));

function writeTrace(name: string, trace: Trace): string {
  const path = join(tmp, name);
  writeFileSync(path, formatItf(trace));
  return path;
}

describe("trace replay", () => {
  test("a mutant's trace reproduces on that mutant: exit 12", async () => {
    const run = await multipagerTrace("replay", corpus("no-present-recheck"));
    expect(run.code).toBe(ExitCode.Safety);
    expect(run.stdout).toContain("mutant no-present-recheck");
    expect(run.stdout).toContain("Reproduces: all 4 steps apply and invariant NoNeedlessPagerInvocation is violated on the last state.");
  });

  test("no longer applies (exit 20) when the design re-checks PAGE_PRESENT: the step, the disabled action and what is enabled instead", async () => {
    const run = await multipagerTrace("replay", corpus("no-present-recheck"), "--mutant", "none");
    expect(run.code).toBe(ExitCode.TraceDoesNotApply);
    expect(run.stdout).toContain("no mutant");
    expect(run.stdout).toMatch(/No longer applies at State 5: Dispatch\(thread = 1, outcome = "delivered", pager = 0\) is not enabled; enabled instead: Dispatch\(thread = 1, outcome = "resumed"\)/);
  });

  test("a non-pager's Map is disabled in the design: no longer applies at that step", async () => {
    const run = await multipagerTrace("replay", corpus("task-maps-own-region"), "--mutant", "none");
    expect(run.code).toBe(ExitCode.TraceDoesNotApply);
    expect(run.stdout).toMatch(/No longer applies at State 3: Map\(manager = 1,.*\) is not enabled/);
  });

  test("fixed (exit 0) when every step still applies but the invariant holds: an unmap without REVOKE_AGREEMENT keeps the agreement", async () => {
    const run = await multipagerTrace("replay", corpus("revoke-on-any-unmap"), "--mutant", "none");
    expect(run.code).toBe(ExitCode.Ok);
    expect(run.stdout).toContain("note: from State 4 on, the states differ from the recorded ones (first in regionTable)");
    expect(run.stdout).toContain("Fixed: all 3 steps apply, but invariant AgreementHeldWhileMapped holds on the last state now.");
  });

  test("every corpus trace of a spec mutant stops reproducing on the design (fixed or no longer applies)", async () => {
    for (const mutant of ["no-present-recheck", "no-acceptance-check", "kernel-fault-to-pager", "revoke-on-any-unmap", "task-maps-own-region", "per-thread-pager"]) {
      const { trace } = loadTrace(corpus(mutant));
      const verdict = await replayTrace(trace, mutant, { mutant: null });
      expect(["fixed", "does-not-apply"], mutant).toContain(verdict.kind);
    }
  });

  test("a trace whose recorded states were edited still replays by its actions, and the divergence is reported", async () => {
    const { trace } = loadTrace(corpus("no-present-recheck"));
    const steps = trace.steps.map((step, index) => (index === 2 ? { ...step, state: { ...step.state, pending: { "#map": [[0, { "#set": [1] }]] } } } : step));
    const path = writeTrace("edited.itf.json", { ...trace, steps });
    const run = await multipagerTrace("replay", path);
    expect(run.code).toBe(ExitCode.Safety);
    expect(run.stdout).toContain("note: from State 3 on, the states differ from the recorded ones (first in pending)");
  });

  test("a deadlock trace reproduces with exit 11 and is fixed when the last state has a successor", async () => {
    const { trace } = loadTrace(corpus("task-maps-own-region"));
    // The first state of the design is no deadlock: a one-state "deadlock" trace is fixed.
    const fixed = writeTrace("deadlock.itf.json", { ...trace, mutant: null, violation: { kind: "deadlock", name: "Deadlock", quote: "" }, steps: trace.steps.slice(0, 1) });
    const run = await multipagerTrace("replay", fixed);
    expect(run.code).toBe(ExitCode.Ok);
    expect(run.stdout).toContain("Fixed: all 0 steps apply, but the last state has an enabled action now.");
  });

  test("implementation mutants' refinement traces: reproduce on the mutant kernel; on the kernel without the bug, fixed or no longer applies", async () => {
    const impl = (mutant: string) => join("tests/traces", `impl-${mutant}.itf.json`);
    const reproduces = await multipagerTrace("replay", impl("no-invlpg"));
    expect(reproduces.code).toBe(ExitCode.Safety);
    expect(reproduces.stdout).toContain("architecture proposed");
    expect(reproduces.stdout).toContain("Reproduces: all 4 steps apply and refinement obligation TlbAgreesWithPageTables fails.");
    // With INVLPG the stale translation is gone: every step still happens, the TLB agrees.
    const fixed = await multipagerTrace("replay", impl("no-invlpg"), "--mutant", "none");
    expect(fixed.code).toBe(ExitCode.Ok);
    expect(fixed.stdout).toContain("Fixed: all 4 steps apply, but obligation TlbAgreesWithPageTables holds after the last step now.");
    // With the PAGE_PRESENT re-check the zero level resumes thread B instead of messaging the pager (Fig. 3).
    const gone = await multipagerTrace("replay", impl("no-present-recheck"), "--mutant", "none");
    expect(gone.code).toBe(ExitCode.TraceDoesNotApply);
    expect(gone.stdout).toMatch(/No longer applies at State 5: Dispatch\(thread = 1, cpu = 1, outcome = "delivered", pager = 0, marker = 0\) is not enabled; enabled instead: Dispatch\(thread = 1, cpu = 1, outcome = "resumed"\)/);
  });

  test("a trace of the concrete kernel machine on its own (a concrete invariant) replays on the kernel rebuilt with its architecture", async () => {
    const { buildKernelMachine } = await import("../../impl/machine.js");
    const { check } = await import("../../model/check.js");
    const { loadConfig } = await import("../../spec/index.js");
    const { config } = loadConfig("tiny");
    const machine = buildKernelMachine(config, "proposed", "acceptance-without-map");
    const result = check(machine, { checkDeadlock: false, maxStates: 1000 });
    expect(result.violation?.name).toBe("AcceptedOnlyAfterMap");
    const path = writeTrace("kernel.itf.json", {
      kind: "spec", machine: machine.name, config: "tiny", configValue: config as never, mutant: "acceptance-without-map", arch: "proposed",
      violation: result.violation!, command: [], toolVersion: "test", vars: machine.variables, steps: result.trace!,
    });
    expect((await multipagerTrace("replay", path)).code).toBe(ExitCode.Safety);
    const fixed = await multipagerTrace("replay", path, "--mutant", "none");
    expect(fixed.code).toBe(ExitCode.Ok);
    expect(fixed.stdout).toContain("invariant AcceptedOnlyAfterMap holds on the last state now");
  });

  test("a liveness mutant's lasso reproduces (exit 13); on the design the cycle is not fair, so it is fixed", async () => {
    const lasso = join("tests/traces", "live-hold-unaccepted-faults.itf.json");
    const reproduces = await multipagerTrace("replay", lasso);
    expect(reproduces.code).toBe(ExitCode.Liveness);
    expect(reproduces.stdout).toMatch(/Reproduces: all \d+ steps apply and temporal property PagersReceiveTheirFaults fails on the lasso\./);
    const fixed = await multipagerTrace("replay", lasso, "--mutant", "none");
    expect(fixed.code).toBe(ExitCode.Ok);
    expect(fixed.stdout).toMatch(/Fixed: all \d+ steps apply, but the cycle is no longer fair \(WF\(Dispatch\) for thread = 1 is enabled but never taken\)/);
  });

  test("an unknown --mutant is a usage error (exit 2)", async () => {
    const run = await multipagerTrace("replay", corpus("no-present-recheck"), "--mutant", "no-such-bug");
    expect(run.code).toBe(ExitCode.Usage);
    expect(run.stderr).toMatch(/^multipager: --mutant: unknown mutant "no-such-bug" \(known: .*, or none\)\n$/);
  });
});
