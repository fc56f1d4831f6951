/**
 * One way to repeat a random test: every test file that draws random numbers
 * takes its seed from tests/seed.ts (printed, TEST_SEED re-runs it), and no
 * test reads a seed variable of its own.
 */
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import fc from "fast-check";
import { afterEach, describe, expect, test, vi } from "vitest";
import { pinnedSeed, randomSeed, SEED_VARIABLE } from "./seed.js";

const testsRoot = dirname(fileURLToPath(import.meta.url));

function sourceFiles(directory: string): string[] {
  return readdirSync(directory, { withFileTypes: true }).flatMap((entry) => {
    const path = join(directory, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith(".ts") ? [path] : [];
  });
}

const files = sourceFiles(testsRoot).filter((path) => !path.endsWith("seed.ts") && !path.endsWith("seed.test.ts"));

describe("seeds of random tests", () => {
  const original = process.env[SEED_VARIABLE];
  const originalConfig = fc.readConfigureGlobal();
  afterEach(() => {
    if (original === undefined) delete process.env[SEED_VARIABLE];
    else process.env[SEED_VARIABLE] = original;
    fc.configureGlobal(originalConfig);
    vi.restoreAllMocks();
  });

  test.each(files.filter((path) => path.endsWith(".test.ts")).map((path) => relative(testsRoot, path)))("%s draws random numbers only with a seed from tests/seed.ts", (name) => {
    const text = readFileSync(join(testsRoot, name), "utf8");
    const random = /from "(fast-check|@fast-check\/vitest)"|Math\.random\(/.test(text);
    if (random) expect(text, `${name} uses randomness: call randomSeed(import.meta.url) or pinnedSeed(...)`).toMatch(/\b(randomSeed|pinnedSeed)\(import\.meta\.url/);
  });

  test("no test reads an environment variable of its own for a seed", () => {
    const readers = files.filter((path) => /process\.env(\.|\[")\w*SEED/.test(readFileSync(path, "utf8")));
    expect(readers.map((path) => relative(testsRoot, path))).toEqual([]);
  });

  test("TEST_SEED repeats a run: printed, and fast-check's global seed", () => {
    const log = vi.spyOn(console, "log").mockImplementation(() => {});
    process.env[SEED_VARIABLE] = "12345";
    expect(randomSeed(import.meta.url)).toBe(12345);
    expect(fc.readConfigureGlobal().seed).toBe(12345);
    expect(log.mock.calls.at(-1)?.[0]).toMatch(/seed 12345 \(re-run: TEST_SEED=12345 npx vitest run .*seed\.test\.ts\)/);
    const first = fc.sample(fc.nat(), 5);
    const second = fc.sample(fc.nat(), 5);
    expect(second).toEqual(first);
    expect(pinnedSeed(import.meta.url, 7)).toBe(12345);
  });

  test("without TEST_SEED a pinned seed stays pinned, and a random one is drawn and printed", () => {
    const log = vi.spyOn(console, "log").mockImplementation(() => {});
    delete process.env[SEED_VARIABLE];
    expect(pinnedSeed(import.meta.url, 7)).toBe(7);
    expect(log).not.toHaveBeenCalled();
    const seed = randomSeed(import.meta.url);
    expect(log.mock.calls.at(-1)?.[0]).toContain(`seed ${seed} `);
  });

  test.each(["-1", "1e3", "x", String(2 ** 31)])("TEST_SEED=%s is refused with a message naming it", (value) => {
    process.env[SEED_VARIABLE] = value;
    expect(() => randomSeed(import.meta.url)).toThrow(`TEST_SEED must be an integer in 0..2147483647, got "${value}"`);
  });
});
