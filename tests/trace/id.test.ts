/**
 * Stable ids: the same bug found twice gets the same id, whatever the output
 * path, option order, tool version or search mode; different bugs differ.
 */
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { multipager } from "../cli/run-cli.js";
import { readItf } from "../../model/itf.js";
import { traceId } from "../../model/trace.js";

const tmp = mkdtempSync(join(tmpdir(), "multipager-id-"));

async function checkQuietly(...argv: string[]): Promise<{ code: number; stdout: string }> {
  const { code, stdout } = await multipager("check", ...argv);
  return { code, stdout };
}

const recordedId = (path: string) => (JSON.parse(readFileSync(path, "utf8")) as { "#meta": { id: string } })["#meta"].id;

describe("trace ids", () => {
  test("the same violation found twice, written to different paths with options in another order, has the same id", async () => {
    const a = join(tmp, "a.itf.json");
    const b = join(tmp, "elsewhere-b.itf.json");
    await checkQuietly("--mutant", "no-present-recheck", "--itf", a);
    await checkQuietly("--quiet", "--itf", b, "--mutant", "no-present-recheck");
    expect(recordedId(a)).toMatch(/^[0-9a-f]{12}$/);
    expect(recordedId(a)).toBe(recordedId(b));
    expect(traceId(readItf(a))).toBe(recordedId(a));
  });

  test("simulation runs with different seeds that find the same bug agree once shortened, and with exhaustive search", async () => {
    const exhaustive = join(tmp, "bfs.itf.json");
    await checkQuietly("--mutant", "task-maps-own-region", "--itf", exhaustive);
    const ids = new Set<string>();
    for (const seed of ["1", "2", "3"]) {
      const path = join(tmp, `sim-${seed}.itf.json`);
      const run = await checkQuietly("--mutant", "task-maps-own-region", "--simulate", "--seed", seed, "--itf", path);
      expect(run.code).toBe(12);
      ids.add(recordedId(path));
    }
    expect([...ids]).toEqual([recordedId(exhaustive)]);
  });

  test("the id ignores the command, tool version and shortening note, and changes with the content", () => {
    const trace = readItf("tests/traces/spec-no-present-recheck.itf.json");
    const id = traceId(trace);
    expect(traceId({ ...trace, command: ["check"], toolVersion: "9.9.9", originalLength: 50, config: "/some/path.json" })).toBe(id);
    expect(traceId({ ...trace, mutant: "no-acceptance-check" })).not.toBe(id);
    expect(traceId({ ...trace, steps: trace.steps.slice(0, -1) })).not.toBe(id);
    expect(traceId(readItf("tests/traces/spec-no-acceptance-check.itf.json"))).not.toBe(id);
  });

  test("a shortened simulation trace records and prints both lengths", async () => {
    const path = join(tmp, "long.itf.json");
    const run = await checkQuietly("--mutant", "no-present-recheck", "--simulate", "--seed", "1", "--itf", path);
    const trace = readItf(path);
    expect(trace.originalLength).toBeGreaterThan(trace.steps.length - 1);
    expect(run.stdout).toContain(`${trace.steps.length - 1} steps (shortened from ${trace.originalLength})`);
    expect(run.stdout).toContain(`(shortened from ${trace.originalLength} steps)`);
  });
});
