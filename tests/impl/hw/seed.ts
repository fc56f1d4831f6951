import fc from "fast-check";

/**
 * Fixes fast-check's seed for this test file and prints it, so any random run
 * can be repeated: HW_SEED=<printed seed> npx vitest run tests/impl/hw
 */
export function seedFastCheck(file: string): number {
  const fromEnv = process.env["HW_SEED"];
  const seed = fromEnv !== undefined && fromEnv !== "" ? Number(fromEnv) : Math.floor(Math.random() * 2 ** 31);
  if (!Number.isInteger(seed)) throw new Error(`HW_SEED=${fromEnv} is not an integer`);
  fc.configureGlobal({ seed });
  console.log(`${file}: fast-check seed ${seed} (repeat with HW_SEED=${seed})`);
  return seed;
}
