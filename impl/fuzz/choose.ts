/** Seeded random choices for the fuzz (from model/random's generator). */
import type { Random } from "../../model/random.js";

export const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i);

export function pick<T>(random: Random, items: readonly T[]): T {
  return items[random.below(items.length)]!;
}

export const chance = (random: Random, p: number): boolean => random.below(1_000_000) < p * 1_000_000;

/** One of `choices` by weight (weights need not sum to anything). */
export function weighted<T>(random: Random, choices: ReadonlyArray<readonly [number, T]>): T {
  const total = choices.reduce((sum, [weight]) => sum + weight, 0);
  let draw = random.below(Math.max(1, Math.round(total * 1000))) / 1000;
  for (const [weight, value] of choices) {
    if (draw < weight) return value;
    draw -= weight;
  }
  return choices[choices.length - 1]![1];
}
