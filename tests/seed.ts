/**
 * One seed for every random test: each random test file prints its seed, and
 * `TEST_SEED=<seed> npx vitest run <file>` re-runs it exactly. fast-check's
 * runs in the file (fc.assert, and test.prop of @fast-check/vitest) take it
 * as their global seed; other random choices (walks, QEMU cases) take it
 * from the return value.
 */
import { relative } from "node:path";
import { fileURLToPath } from "node:url";
import fc from "fast-check";

export const SEED_VARIABLE = "TEST_SEED";
/** Seeds are 0..2^31-1: fast-check's, the x86 generator's and xorshift's range alike. */
export const SEED_LIMIT = 2 ** 31;

function fromEnvironment(): number | undefined {
  const text = process.env[SEED_VARIABLE];
  if (text === undefined || text === "") return undefined;
  if (!/^\d+$/.test(text) || Number(text) >= SEED_LIMIT) throw new Error(`${SEED_VARIABLE} must be an integer in 0..${SEED_LIMIT - 1}, got "${text}"`);
  return Number(text);
}

function fileName(url: string): string {
  return relative(process.cwd(), fileURLToPath(url));
}

/**
 * The seed of a random test file (pass `import.meta.url`): TEST_SEED when
 * set, otherwise a fresh one. Printed with the command that repeats it, and
 * set as fast-check's global seed.
 */
export function randomSeed(url: string): number {
  const seed = fromEnvironment() ?? Math.floor(Math.random() * SEED_LIMIT);
  fc.configureGlobal({ ...fc.readConfigureGlobal(), seed });
  const file = fileName(url);
  console.log(`${file}: seed ${seed} (re-run: ${SEED_VARIABLE}=${seed} npx vitest run ${file})`);
  return seed;
}

/**
 * A fixed seed, for a test whose expectations were measured with it (e.g. a
 * seeded bug that a walk of that seed reaches). TEST_SEED replaces it, to
 * explore further; then it is printed like a random seed.
 */
export function pinnedSeed(url: string, fixed: number): number {
  if (fromEnvironment() === undefined) {
    fc.configureGlobal({ ...fc.readConfigureGlobal(), seed: fixed });
    return fixed;
  }
  return randomSeed(url);
}
