import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { check } from "../../model/check.js";
import { parseItf, readItf, toItf, writeItf } from "../../model/itf.js";
import { InputError } from "../../model/input-error.js";
import type { Trace } from "../../model/trace.js";
import { traceId } from "../../model/trace.js";
import { twoPhase } from "./machines.js";

function sampleTrace(): Trace {
  const machine = { ...twoPhase(2), invariants: [{ name: "NeverCommitted", quote: "tmState # \"committed\"", holds: (s: { tmState: string }) => s.tmState !== "committed" }] };
  const result = check(machine);
  expect(result.status).toBe("violation");
  return {
    kind: "spec",
    machine: machine.name,
    config: "two-rms",
    configValue: { rms: 2, big: 2 ** 60, nested: [{ "#set": [1, 2] }] },
    mutant: null,
    violation: result.violation!,
    command: ["check", "--config", "two-rms"],
    toolVersion: "0.0.0-test",
    vars: machine.variables,
    steps: result.trace!,
  };
}

const directory = mkdtempSync(join(tmpdir(), "multipager-itf-"));

describe("ITF", () => {
  test("write then read back gives the same trace", () => {
    const trace = sampleTrace();
    const path = join(directory, "roundtrip.itf.json");
    writeItf(path, trace);
    expect(readItf(path)).toEqual(trace);
    expect(readdirSync(directory).filter((name) => name.includes(".tmp-"))).toEqual([]);
  });

  test("follows ITF conventions: #meta, vars, states with #meta, unsafe integers as #bigint", () => {
    const trace = sampleTrace();
    const itf = toItf(trace) as Record<string, unknown>;
    const meta = itf["#meta"] as Record<string, unknown>;
    expect(meta).toMatchObject({ format: "ITF", id: traceId(trace), mutant: null, violation: { name: "NeverCommitted" } });
    expect((meta["configValue"] as Record<string, unknown>)["big"]).toEqual({ "#bigint": (2n ** 60n).toString() });
    expect(itf["vars"]).toEqual(["msgs", "rmState", "tmPrepared", "tmState"]);
    const states = itf["states"] as Record<string, unknown>[];
    expect(states[0]!["#meta"]).toEqual({ index: 0, action: "Init", params: {} });
    expect(Object.keys(states[1]!).sort()).toEqual(["#meta", "msgs", "rmState", "tmPrepared", "tmState"]);
  });

  test("the same trace always gives the same bytes", () => {
    const a = join(directory, "a.itf.json");
    const b = join(directory, "b.itf.json");
    writeItf(a, sampleTrace());
    writeItf(b, sampleTrace());
    expect(readFileSync(a, "utf8")).toBe(readFileSync(b, "utf8"));
  });

  const oneLineError = (text: string): string => {
    try {
      parseItf(text, "bad.itf.json");
    } catch (error) {
      expect(error).toBeInstanceOf(InputError);
      const message = (error as InputError).message;
      expect(message).not.toContain("\n");
      return message;
    }
    throw new Error("expected the trace to be rejected");
  };

  test("malformed files are rejected with one line naming what is wrong", () => {
    const good = toItf(sampleTrace()) as Record<string, unknown>;
    expect(oneLineError("{not json")).toMatch(/^bad\.itf\.json: not valid JSON/);
    expect(oneLineError(JSON.stringify({ ...good, vars: "x" }))).toMatch(/vars/);
    const wrongVersion = { ...good, "#meta": { ...(good["#meta"] as object), version: 99 } };
    expect(oneLineError(JSON.stringify(wrongVersion))).toMatch(/#meta\.version/);
    const states = good["states"] as Record<string, unknown>[];
    const missingVariable = { ...good, states: [{ "#meta": states[0]!["#meta"] }, ...states.slice(1)] };
    expect(oneLineError(JSON.stringify(missingVariable))).toMatch(/states\[0\] lacks variable 'msgs'/);
    const badAction = { ...good, states: [{ ...states[0], "#meta": { index: 0, action: 7, params: {} } }] };
    expect(oneLineError(JSON.stringify(badAction))).toMatch(/states\.\[0\]|states\[0\]/);
    expect(oneLineError(JSON.stringify({ ...good, states: [] }))).toMatch(/states/);
  });

  test("lassos, shortened traces and refinement steps survive the round trip", () => {
    const base = sampleTrace();
    const trace: Trace = {
      ...base,
      kind: "refinement",
      arch: "multipager",
      loop: 1,
      originalLength: 9,
      steps: base.steps.map((step) => ({ ...step, abstract: { action: "Abstract", params: { n: 1 }, state: { x: { "#tup": [1, "a"] } } } })),
    };
    const path = join(directory, "lasso.itf.json");
    writeItf(path, trace);
    expect(readItf(path)).toEqual(trace);
    expect(traceId(readItf(path))).toBe(traceId(trace));
  });

  test("a missing file is a one-line input error", () => {
    expect(() => readItf(join(directory, "nope.json"))).toThrow(/cannot read trace file .*nope\.json: no such file \(ENOENT\)/);
    writeFileSync(join(directory, "empty.json"), "");
    expect(() => readItf(join(directory, "empty.json"))).toThrow(InputError);
  });
});
