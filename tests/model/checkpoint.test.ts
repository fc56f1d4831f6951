/**
 * Checkpoints of the exhaustive search (model/checkpoint.ts, explore in
 * model/check.ts): a search resumed from a checkpoint taken at any pause
 * ends with exactly the figures of a search that never stopped; an
 * interrupted search reports its partial figures; and a directory or file
 * that is not this run's checkpoint is one line.
 */
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { check, explore, type SearchPause } from "../../model/check.js";
import { CHECKPOINT_FILE, machineSignature, readCheckpoint, writeCheckpoint, type Identity } from "../../model/checkpoint.js";
import { InputError } from "../../model/input-error.js";
import { runPausing, runToEnd } from "../../model/pausing.js";
import type { CheckResult } from "../../model/statistics.js";
import { buildSpec, namedConfigs } from "../../spec/index.js";

const directory = mkdtempSync(join(tmpdir(), "multipager-checkpoint-"));
const config = namedConfigs.find((c) => c.name === "default")!.config;
const identity: Identity = { machine: "multipager-spec", configuration: config, symmetry: false };

/** Everything but the time. */
const figures = (result: CheckResult) => {
  const { seconds: _s, statesPerSecond: _r, peakMemoryBytes: _p, storeBytes: _b, ...rest } = result.statistics;
  return { status: result.status, ...rest };
};

/** Runs the search pausing every 1024 states (the same points on every run), writing a checkpoint at every pause into its own directory; returns those directories. */
async function checkpointEveryPause(options: { symmetry?: boolean } = {}): Promise<{ result: CheckResult; dirs: string[] }> {
  const dirs: string[] = [];
  const result = await runPausing(explore(buildSpec(config), { ...options, pauseIntervalMs: 0 }), {
    interrupted: () => undefined,
    atPause: (pause: SearchPause) => {
      const dir = join(directory, `${options.symmetry === true ? "sym" : "plain"}-${dirs.length}`);
      writeCheckpoint(dir, identity, pause.figures(), pause.snapshot());
      dirs.push(dir);
    },
  });
  return { result, dirs };
}

describe("resuming from a checkpoint", () => {
  test.each([false, true])("from the first, a middle and the last pause (symmetry %s): the same figures as a run that never stopped", async (symmetry) => {
    const uninterrupted = check(buildSpec(config), { symmetry });
    const { result, dirs } = await checkpointEveryPause({ symmetry });
    expect(figures(result)).toEqual(figures(uninterrupted));
    expect(dirs.length).toBeGreaterThanOrEqual(10);
    for (const dir of new Set([dirs[0]!, dirs[Math.floor(dirs.length / 2)]!, dirs[dirs.length - 1]!])) {
      const { snapshot, summary } = readCheckpoint(dir, identity);
      expect(summary.queue).toBeGreaterThan(0);
      const resumed = await runPausing(explore(buildSpec(config), { symmetry }, snapshot), { interrupted: () => undefined });
      expect(figures(resumed), dir).toEqual(figures(uninterrupted));
    }
  });

  test("with --max-error 40: the violations found before the checkpoint are kept, and the same ones are reported", async () => {
    const mutant = buildSpec(config, "no-present-recheck");
    // Pausing every 1024 states: the checkpoint is taken at the same state on every run, before the 40th violation.
    const options = { maxViolations: 40, pauseIntervalMs: 0 };
    const uninterrupted = check(mutant, options);
    const dirs: string[] = [];
    await runPausing(explore(mutant, options), {
      interrupted: () => undefined,
      atPause: (pause: SearchPause) => {
        if (dirs.length > 0) return;
        dirs.push(join(directory, "continue"));
        writeCheckpoint(dirs[0]!, identity, pause.figures(), pause.snapshot());
      },
    });
    expect(dirs).toHaveLength(1);
    const resumed = runToEnd(explore(mutant, options, readCheckpoint(dirs[0]!, identity).snapshot));
    const violations = (result: CheckResult) => result.violations!.map((v) => `${v.violation.name}:${v.trace.length}`);
    expect(figures(resumed)).toEqual(figures(uninterrupted));
    expect(violations(resumed)).toEqual(violations(uninterrupted));
    expect(uninterrupted.violations).toHaveLength(40);
    expect(readCheckpoint(dirs[0]!, identity).snapshot.arrays["found"]!.length).toBeGreaterThan(0);
  });

  test("an interrupted search ends at its next pause with status interrupted and partial figures", async () => {
    const result = await runPausing(explore(buildSpec(config)), { interrupted: () => "SIGINT" });
    expect(result.status).toBe("interrupted");
    expect(result.interruption).toBe("SIGINT");
    expect(result.statistics.queue).toBeGreaterThan(0);
    expect(result.statistics.distinct).toBeLessThan(check(buildSpec(config)).statistics.distinct);
  });
});

describe("a checkpoint that is not this run's is refused with one line", () => {
  const machine = buildSpec(namedConfigs.find((c) => c.name === "tiny")!.config);
  const mine: Identity = { "tool version": "0.1.0", machine: machine.name, "machine layout": machineSignature(machine), mutant: null, workers: 1 };
  const good = join(directory, "good");
  const snapshot = { search: "sequential", scalars: { position: 0 }, arrays: { visited: new Uint32Array([1, 2, 3, 4]), firings: new Float64Array([0.5]) } };
  writeCheckpoint(good, mine, { distinct: 1, generated: 1, queue: 1, depth: 1, seconds: 0 }, snapshot);
  const bytes = readFileSync(join(good, CHECKPOINT_FILE));

  /** A checkpoint directory whose file is `contents`. */
  const withFile = (name: string, contents: Uint8Array | string): string => {
    const dir = join(directory, name);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, CHECKPOINT_FILE), contents);
    return dir;
  };
  const corrupted = Uint8Array.from(bytes);
  corrupted[corrupted.length - 3]! ^= 0xff;

  test("its own checkpoint reads back whole", () => {
    const read = readCheckpoint(good, mine);
    expect(read.snapshot.scalars).toEqual({ position: 0 });
    expect([...read.snapshot.arrays["visited"]!]).toEqual([1, 2, 3, 4]);
    expect([...read.snapshot.arrays["firings"]!]).toEqual([0.5]);
  });

  test.each([
    ["no directory", () => join(directory, "nowhere"), mine, "no such directory"],
    ["a file, not a directory", () => join(good, CHECKPOINT_FILE), mine, "not a directory (--recover takes the directory given to --checkpoint)"],
    ["an empty directory", () => mkdtempSync(join(directory, "bare-")), mine, "no checkpoint in it (checkpoint.bin is missing)"],
    ["not a checkpoint", () => withFile("text", "hello, world\n"), mine, "checkpoint.bin is not a multipager checkpoint"],
    ["truncated", () => withFile("truncated", bytes.subarray(0, bytes.length - 5)), mine, "is truncated or corrupted"],
    ["corrupted", () => withFile("corrupted", corrupted), mine, "is corrupted (section firings fails its checksum)"],
    ["another mutant", () => good, { ...mine, mutant: "no-present-recheck" }, "written for mutant null, but this run has mutant no-present-recheck"],
    ["another number of workers", () => good, { ...mine, workers: 2 }, "written for workers 1, but this run has workers 2"],
    ["another machine layout", () => good, { ...mine, "machine layout": "0123456789abcdef" }, "written for machine layout"],
    ["another tool version", () => good, { ...mine, "tool version": "9.9.9" }, "written for tool version 0.1.0, but this run has tool version 9.9.9"],
  ])("%s", (_what, dir, expected, message) => {
    const path = dir();
    expect(() => readCheckpoint(path, expected)).toThrow(InputError);
    expect(() => readCheckpoint(path, expected)).toThrow(`checkpoint ${path}: `);
    expect(() => readCheckpoint(path, expected)).toThrow(message);
  });

  test("another format version", () => {
    const text = Buffer.from(bytes).toString("latin1").replace('"version":1', '"version":7');
    const dir = withFile("version", Buffer.from(text, "latin1"));
    expect(() => readCheckpoint(dir, mine)).toThrow("written in checkpoint format 7; this multipager reads format 1");
  });

  test("a snapshot of another search, or of the wrong shape, is refused by the search", async () => {
    const search = explore(machine, {}, snapshot);
    expect(() => search.next()).toThrow("checkpoint: scalar generated is missing or malformed");
    expect(() => explore(machine, {}, { ...snapshot, search: "parallel" }).next()).toThrow("written by the parallel search");
  });
});
