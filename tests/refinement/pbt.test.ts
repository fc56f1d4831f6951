import fc from "fast-check";
import { beforeEach, describe, expect, test } from "vitest";
import { kernelMutants } from "../../impl/mutants.js";
import { commandArbitrary, propertyCheck, runCommands, type Command } from "../../refinement/pbt.js";
import { traceId, type Trace } from "../../model/trace.js";
import { refinementConfigNamed } from "../../refinement/configs.js";
import { violationOf } from "../../refinement/product.js";
import { loadTrace } from "../../trace/load.js";
import { shortestRefinementTrace } from "../../trace/refinement.js";
import { SHORTEST, refinementFor } from "./helpers.js";
import { randomSeed } from "../seed.js";

const freshSeed = randomSeed(import.meta.url);

describe("property-based refinement", () => {
  // Let vitest's worker talk to the main process between these long synchronous tests.
  beforeEach(() => new Promise<void>((resolve) => setImmediate(resolve)));
  const r = refinementFor("micro-2cpu");

  for (const seed of [1, 2]) {
    test(`proposed refines on micro-2cpu (seed ${seed})`, () => {
      const result = propertyCheck(r, undefined, { seed, runs: 100 });
      expect(result.failure).toBeUndefined();
      expect(result.commands).toBeGreaterThan(60);
    }, 60_000);
  }

  test("proposed refines with a fresh seed (printed)", () => {
    const seed = freshSeed;
    const result = propertyCheck(r, undefined, { seed, runs: 80 });
    expect(result.failure, `seed ${seed}`).toBeUndefined();
  }, 60_000);

  test("malicious system calls are refused without effect or are a labelled step", () => {
    const malicious: Command[] = [
      { kind: "malicious", cpu: 0, number: 12, args: [0, 0, 0, 0, 0] },
      { kind: "malicious", cpu: 0, number: 0, args: [1020, 0, 0, 0, 0] },
      { kind: "malicious", cpu: 0, number: 0, args: [0, 0xffff_ffff, 0, 0, 0] },
      { kind: "malicious", cpu: 0, number: 0, args: [0, 0, 0, 0, 0] },
      { kind: "malicious", cpu: 0, number: 2, args: [0, 0, 0, 0x8000_0000, 3] },
      { kind: "malicious", cpu: 0, number: 3, args: [0, 0, 0, 0xffff_ffff, 1] },
      { kind: "malicious", cpu: 0, number: 2, args: [0, 0, 0, 0, 1] },
    ];
    const outcome = runCommands(r, malicious, undefined);
    expect(outcome.failure).toBeNull();
    // AssignManager(region 0, manager 0) and Map(frame 0, ro) succeeded; the rest were refused
    expect(outcome.path.map((s) => s.action)).toEqual(["AssignManager", "Map"]);
  });

  test("the same seed gives the same run", () => {
    const a = propertyCheck(refinementFor("micro", "proposed", "no-flush-on-reassign"), "no-flush-on-reassign", { seed: 5, runs: 1000 });
    const b = propertyCheck(refinementFor("micro", "proposed", "no-flush-on-reassign"), "no-flush-on-reassign", { seed: 5, runs: 1000 });
    expect(a.failure?.path).toBeDefined();
    expect(b.failure?.path).toBe(a.failure?.path);
    expect(b.failure?.steps).toEqual(a.failure?.steps);
    // and the printed path replays the shrunk failure directly
    const replay = propertyCheck(refinementFor("micro", "proposed", "no-flush-on-reassign"), "no-flush-on-reassign", { seed: 5, runs: 1000, path: a.failure!.path });
    expect(replay.failure?.steps).toEqual(a.failure?.steps);
  }, 60_000);

  for (const { name, config: configName, arch } of kernelMutants.filter((m) => m.kind === "safety")) {
    test(`mutant ${name} is caught and shrunk`, () => {
      const m = refinementFor(configName, arch ?? "proposed", name);
      const result = propertyCheck(m, name, { seed: 1, runs: 1000 });
      expect(result.failure, "not caught").toBeDefined();
      expect(result.failure!.violation.kind).toBe("refinement");
      // shrinking and step minimization come close; the breadth-first search refine runs next reaches the shortest length
      const found = result.failure!.steps.length - 1;
      expect(found).toBeGreaterThanOrEqual(SHORTEST[name]!);
      for (const step of result.failure!.steps) expect(step.abstract).toBeDefined();
      const shortest = shortestRefinementTrace(m, found)!;
      expect(shortest.steps.length - 1).toBe(SHORTEST[name]);
      // ... and it is the corpus's trace, found exhaustively: the same bug, the same id.
      const corpus = loadTrace(`tests/traces/impl-${name}.itf.json`);
      const config = refinementConfigNamed(configName);
      const trace: Trace = {
        ...corpus.trace,
        configValue: { spec: config.spec, cpus: config.cpus } as never,
        violation: violationOf(m, shortest.last, shortest.violation),
        steps: shortest.steps,
      };
      expect(traceId(trace)).toBe(corpus.id);
    }, 60_000);
  }

  test("the command arbitrary produces every kind of command on every CPU", () => {
    const sample = fc.sample(commandArbitrary(2), { seed: 1, numRuns: 500 });
    expect(new Set(sample.map((c) => c.kind))).toEqual(new Set(["access", "syscall", "dispatch", "schedule", "exception", "malicious"]));
    expect(new Set(sample.flatMap((c) => ("cpu" in c ? [c.cpu] : [])))).toEqual(new Set([0, 1]));
  });
});
