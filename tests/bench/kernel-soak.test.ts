/**
 * bench/kernel-soak.ts as a user meets it, on a few calls in this process
 * (one job): the seed first, a report per architecture, exit 0 without a
 * breach; the replay of one episode step by step; one line and exit 2 for a
 * bad command line.
 */
import { describe, expect, test, vi } from "vitest";
import { main } from "../../bench/kernel-soak.js";

async function soak(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = "";
  let stderr = "";
  const log = vi.spyOn(console, "log").mockImplementation((line: unknown) => {
    stdout += `${String(line)}\n`;
  });
  const err = vi.spyOn(process.stderr, "write").mockImplementation((chunk) => {
    stderr += String(chunk);
    return true;
  });
  try {
    return { code: await main(args), stdout, stderr };
  } finally {
    log.mockRestore();
    err.mockRestore();
  }
}

describe("bench/kernel-soak", () => {
  test("prints its seed, then per architecture the calls, rate, path shares and errors; no breach is exit 0; the same seed, the same counts", async () => {
    const first = await soak("--calls", "1500", "--seed", "77", "--jobs", "1", "--arch", "proposed,l4");
    expect(first.code).toBe(0);
    const lines = first.stdout.trim().split("\n");
    expect(lines[0]).toBe("kernel-soak: seed 77, 1,500 system calls over proposed, l4, 1 at a time (repeat: --seed 77)");
    expect(first.stdout).toMatch(/^proposed: 750 calls \(\d[\d,]* with bad registers\), [\d,]+ steps, [\d,]+ episodes .*, 0 breaches$/m);
    expect(first.stdout).toMatch(/^l4: 750 calls /m);
    expect(first.stdout).toMatch(/^ {2}interesting paths [\d.]+% of the calls: map [\d.]+%, resolve [\d.]+%, resume [\d.]+%, revoke-with-blocked [\d.]+%, reassign-with-mappings [\d.]+%$/m);
    expect(lines.at(-1)).toMatch(/^kernel-soak: 1,500 calls in \d+ s wall .*; 0 breaches \(seed 77\)$/);
    const again = await soak("--calls", "1500", "--seed", "77", "--jobs", "1", "--arch", "proposed,l4");
    const counts = (text: string) => text.split("\n").filter((line) => !/ s[, ]/.test(line));
    expect(counts(again.stdout)).toEqual(counts(first.stdout));
  });

  test("--episode E --trace replays one episode step by step", async () => {
    const replay = await soak("--arch", "proposed", "--seed", "77", "--episode", "2", "--trace");
    expect(replay.code).toBe(0);
    expect(replay.stdout).toContain("kernel-soak: replaying episode 2 of proposed with seed 77");
    expect(replay.stdout).toMatch(/^cpu \d: thread \d+ call 0x[0-9a-f]+\(.*\) \[guided\] -> Ok$/m);
    expect(replay.stdout).toMatch(/^proposed: \d+ calls .* 1 episodes/m);
  });

  test.each([
    [["--calls", "0"], "kernel-soak: --calls must be an integer in 1.."],
    [["--calls", "1e7"], "kernel-soak: --calls must be an integer in 1.."],
    [["--arch", "mach"], 'kernel-soak: unknown architecture "mach"'],
    [["--trace"], "kernel-soak: --trace replays one episode: give --episode E (and --arch A)"],
    [["--episode", "3"], "kernel-soak: --episode replays one architecture's episode: give exactly one --arch"],
    [["--frob"], "kernel-soak: Unknown option '--frob' (see node dist/bench/kernel-soak.js --help)"],
  ])("%j is a usage error: one line, exit 2", async (args, message) => {
    const run = await soak(...args);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(message);
    expect(run.stderr.trim().split("\n")).toHaveLength(1);
  });
});
