/**
 * The design's liveness: the unmodified spec satisfies every temporal
 * property under its fairness, and each liveness mutant is caught by the
 * property it is listed with, with a genuine fair lasso, while every
 * invariant still holds in every reachable state (only liveness breaks).
 */
import { describe, expect, it } from "vitest";
import { checkLiveness, type LiveMachine } from "../../model/liveness/check.js";
import { buildSpec, loadConfig, type SpecState } from "../../spec/index.js";
import { livenessMutants } from "../../spec/index.js";
import { TEMPORAL_PROPERTY_NAMES } from "../../spec/liveness.js";
import { lassoProblem } from "../model/liveness-lasso-check.js";

const spec = (config: string, mutant?: string) => buildSpec(loadConfig(config).config, mutant) as LiveMachine<SpecState>;

describe("spec liveness", () => {
  it("declares the four properties, each quoting the paper, and fairness for the kernel and the pagers only", () => {
    const machine = spec("tiny");
    expect(machine.temporalProperties?.map((p) => p.name)).toEqual([...TEMPORAL_PROPERTY_NAMES]);
    for (const property of machine.temporalProperties ?? []) expect(property.quote.length).toBeGreaterThan(40);
    const fair = (machine.fairness ?? []).flatMap((f) => (typeof f.action === "string" ? [f.action] : [...f.action]));
    expect(fair.sort()).toEqual(["Dispatch", "HandleException", "Refuse", "Resolve", "Resume"]);
  });

  for (const config of ["tiny", "default"]) {
    it(`the unmodified design satisfies every temporal property on "${config}"`, () => {
      const result = checkLiveness(spec(config));
      expect(result.status).toBe("ok");
      expect(result.liveness?.properties.map((p) => [p.name, p.holds])).toEqual(TEMPORAL_PROPERTY_NAMES.map((name) => [name, true]));
      // Every property had something to prove: some reachable state is pending.
      for (const verdict of result.liveness!.properties) expect(verdict.pendingStates).toBeGreaterThan(0);
    });
  }

  it("needs strong fairness for the pagers' replies: with weak fairness a pager that keeps faulting starves its clients", () => {
    const machine = spec("tiny");
    const weakReplies = { ...machine, fairness: machine.fairness!.map((f) => ({ ...f, kind: "weak" as const })) };
    const result = checkLiveness(weakReplies);
    expect(result.status).toBe("violation");
    expect(result.violation?.name).toBe("FaultedThreadsResume");
    expect(lassoProblem(weakReplies, result)).toBeUndefined();
  });

  for (const mutant of livenessMutants) {
    it(`mutant ${mutant.name} breaks only liveness: ${mutant.caughtBy} fails on "${mutant.config}" with a fair lasso`, () => {
      const machine = spec(mutant.config, mutant.name);
      const result = checkLiveness(machine);
      // The whole graph was explored without an invariant violation or a deadlock before the lasso was found.
      expect(result.violation?.kind).toBe("liveness");
      expect(result.violation?.name).toBe(mutant.caughtBy);
      expect(result.statistics.queue).toBe(0);
      expect(result.loop).toBeGreaterThanOrEqual(0);
      expect(lassoProblem(machine, result)).toBeUndefined();
    });
  }
});
