/**
 * A kernel or refinement trace's configuration value is validated with
 * bounds like a spec trace's: a string, a huge task count or a huge CPU
 * count is one line naming the field (exit 151), never an internal error or
 * a hang allocating one CPU per unit.
 */
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { ExitCode } from "../../cli/exit-codes.js";
import { PAPER_LAYOUT } from "../../impl/kernel/layout.js";
import { multipagerTrace } from "./run-trace.js";

const directory = mkdtempSync(join(tmpdir(), "multipager-trace-bounds-"));
const refinementTrace = JSON.parse(readFileSync(new URL("../traces/impl-no-invlpg.itf.json", import.meta.url), "utf8")) as {
  "#meta": Record<string, unknown> & { configValue: { spec: Record<string, unknown>; cpus: number } };
};
const specPart = refinementTrace["#meta"].configValue.spec;

/** The refinement trace with its #meta changed, written without its id (so no note about an edited file). */
function variant(name: string, meta: Record<string, unknown>): string {
  const file = join(directory, name);
  const { id: _id, ...rest } = refinementTrace["#meta"];
  writeFileSync(file, JSON.stringify({ ...refinementTrace, "#meta": { ...rest, ...meta } }));
  return file;
}

/** As a trace of the concrete kernel alone (machine multipager-kernel). */
const kernelTrace = (name: string, configValue: unknown) =>
  variant(name, { kind: "spec", machine: "multipager-kernel", configValue, violation: { kind: "invariant", name: "TlbAgreesWithPageTables", quote: "q" } });

const kernelShaped = (overrides: Record<string, unknown>) => ({
  layout: PAPER_LAYOUT,
  cpus: 1,
  tasks: 1,
  threads: [{ task: 0, pager: true }, { task: 0 }],
  frames: [0],
  kernelAddresses: 0,
  markers: 1,
  ...overrides,
});

describe("refinement traces", () => {
  test.each([
    ["a string", { configValue: "abc" }, "#meta.configValue: expected { spec, cpus } or a spec configuration, got a string"],
    ["a huge cpus", { configValue: { spec: specPart, cpus: 1e9 } }, "#meta.configValue.cpus: expected an integer in 1..16, got 1000000000"],
    ["a string cpus", { configValue: { spec: specPart, cpus: "2" } }, "#meta.configValue.cpus: expected an integer in 1..16, got a string"],
    ["a huge tasks", { configValue: { spec: { ...specPart, tasks: 1e9 }, cpus: 1 } }, "#meta.configValue: spec: field tasks: Expected a number less than or equal to 8, actual 1000000000"],
  ])("%s: exit 151, one line", async (_what, meta, message) => {
    const file = variant("refinement.itf.json", meta);
    for (const subcommand of ["show", "replay"]) {
      const run = await multipagerTrace(subcommand, file);
      expect(run.code).toBe(ExitCode.BadInput);
      expect(run.stderr).toBe(`multipager: ${file}: ${message}\n`);
    }
  });
});

describe("kernel traces", () => {
  test("the corpus trace as a kernel trace still reproduces (exit 12)", async () => {
    const run = await multipagerTrace("replay", kernelTrace("kernel-ok.itf.json", specPart));
    expect(run.code).toBe(ExitCode.Safety);
  });

  test.each([
    ["a string", "abc", "#meta.configValue: expected a configuration object, got a string"],
    ["a huge tasks (spec shape)", { ...specPart, tasks: 1e9 }, "#meta.configValue: spec-shaped configuration: field tasks: Expected a number less than or equal to 8, actual 1000000000"],
    ["a huge cpus (kernel shape)", kernelShaped({ cpus: 1e9 }), "#meta.configValue: kernel configuration: field cpus: Expected a number less than or equal to 16, actual 1000000000"],
    ["more tasks than the placement holds (kernel shape)", kernelShaped({ tasks: 257 }), "#meta.configValue: kernel configuration: field tasks: 257 tasks do not fit"],
  ])("%s: exit 151, one line", async (_what, configValue, message) => {
    const file = kernelTrace("kernel.itf.json", configValue);
    const run = await multipagerTrace("replay", file);
    expect(run.code).toBe(ExitCode.BadInput);
    expect(run.stderr).toContain(`multipager: ${file}: ${message}`);
    expect(run.stderr.trim().split("\n")).toHaveLength(1);
  });
});
