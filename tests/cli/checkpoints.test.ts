/** The command line's side of checkpoints (cli/checkpoints.ts): durations, when one is due, the resume command. */
import { mkdtempSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, expect, test, vi } from "vitest";
import { Checkpointer, durationOption, resumeCommand } from "../../cli/checkpoints.js";

afterEach(() => vi.restoreAllMocks());

test("durations: seconds, minutes, hours, or a plain number of minutes as TLC's -checkpoint", () => {
  expect(durationOption("check", "checkpoint-interval", "90s")).toBe(90_000);
  expect(durationOption("check", "checkpoint-interval", "10m")).toBe(600_000);
  expect(durationOption("check", "checkpoint-interval", "1.5h")).toBe(5_400_000);
  expect(durationOption("check", "checkpoint-interval", "30")).toBe(1_800_000);
  for (const bad of ["0s", "0.5s", "soon", "-1m", ""]) expect(() => durationOption("check", "checkpoint-interval", bad)).toThrow(/must be a duration of at least 1s/);
});

test("the resume command is the run's own, with --recover DIR in place of any other", () => {
  expect(resumeCommand("check", ["--config", "my config.json", "--recover", "old", "--checkpoint", "ck"], "ck")).toBe(
    "multipager check --config 'my config.json' --checkpoint ck --recover ck",
  );
  expect(resumeCommand("check", ["--recover=old", "--workers", "2"], "d")).toBe("multipager check --workers 2 --recover d");
});

test("a checkpoint is written when the interval has passed, or at once when the run is interrupted", () => {
  let now = 0;
  vi.spyOn(performance, "now").mockImplementation(() => now);
  vi.spyOn(process.stderr, "write").mockImplementation(() => true);
  const dir = join(mkdtempSync(join(tmpdir(), "multipager-checkpointer-")), "ck");
  const checkpointer = new Checkpointer(dir, 60_000, { run: "test" });
  const pause = {
    figures: () => ({ generated: 1, distinct: 1, queue: 1, depth: 1, seconds: now / 1000 }),
    snapshot: () => ({ search: "sequential", scalars: {}, arrays: {} }),
  };
  checkpointer.atPause(pause, false);
  expect(checkpointer.last).toBeUndefined();
  now = 60_000;
  expect(checkpointer.due()).toBe(true);
  checkpointer.atPause(pause, false);
  expect(checkpointer.last?.seconds).toBe(60);
  expect(readdirSync(dir)).toEqual(["checkpoint.bin"]);
  now = 61_000;
  checkpointer.atPause(pause, true);
  expect(checkpointer.last?.seconds).toBe(61);
});
