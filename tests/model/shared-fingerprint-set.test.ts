/**
 * The parallel search's shared visited set, driven from one thread: the
 * same answers as a plain set through many growths, room kept in reserve,
 * the zero words, and a clean refusal at the buffer's maximum. Concurrent
 * use is covered end to end by tests/model/parallel.test.ts (equal counts
 * with 2 to 4 workers).
 */
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { BUSY, CAPACITY, DISTINCT, OCCUPIED, SharedFingerprintSet, sharedVisitedBuffers } from "../../model/shared-fingerprint-set.js";
import { randomSeed } from "../seed.js";

randomSeed(import.meta.url);

/** A set as one busy worker sees it. */
function busySet(maxBytes = 2 ** 30): SharedFingerprintSet {
  const set = new SharedFingerprintSet(sharedVisitedBuffers(maxBytes));
  Atomics.store(set.control, BUSY, 1);
  return set;
}

/** reserve + add + settle for one batch, as a worker does. */
function addBatch(set: SharedFingerprintSet, prints: readonly (readonly [number, number])[]): boolean[] | undefined {
  if (!set.reserve(prints.length)) return undefined;
  const fresh = prints.map(([high, low]) => set.add(high, low));
  set.settle(prints.length, fresh.filter(Boolean).length);
  return fresh;
}

describe("shared fingerprint set", () => {
  test("agrees with a plain set on random batches, through many growths", () => {
    fc.assert(
      fc.property(
        fc.array(fc.array(fc.tuple(fc.integer({ min: 0, max: 50 }), fc.integer({ min: 0, max: 2 ** 32 - 1 })), { maxLength: 40 }), { maxLength: 200 }),
        (batches) => {
          const set = busySet();
          const seen = new Set<string>();
          for (const batch of batches) {
            // Small highs force long probe runs; spread them over the word so slots differ too.
            const prints = batch.map(([h, l]) => [Math.imul(h, 0x9e3779b1) >>> 0, l] as const);
            const fresh = addBatch(set, prints)!;
            prints.forEach(([h, l], i) => {
              const key = `${h || 1}:${l || 1}`;
              expect(fresh[i]).toBe(!seen.has(key));
              seen.add(key);
            });
          }
          set.leave();
          expect(Atomics.load(set.control, DISTINCT)).toBe(seen.size);
          expect(Atomics.load(set.control, OCCUPIED)).toBe(seen.size);
        },
      ),
      { numRuns: 50 },
    );
  });

  test("grows past its first capacity and keeps every fingerprint", () => {
    const set = busySet();
    const first = Atomics.load(set.control, CAPACITY);
    for (let i = 1; i <= 20_000; i++) expect(addBatch(set, [[i, i * 7]])).toEqual([true]);
    for (let i = 1; i <= 20_000; i++) expect(addBatch(set, [[i, i * 7]])).toEqual([false]);
    expect(Atomics.load(set.control, CAPACITY)).toBeGreaterThan(first);
    // At most 80% full after growth by half: 10 to 16 bytes per fingerprint.
    expect(set.bytes / 20_000).toBeLessThanOrEqual(16);
    set.leave();
    expect(set.size).toBe(20_000);
  });

  test("a zero word is read as 1, in either half", () => {
    const set = busySet();
    expect(addBatch(set, [[0, 5], [1, 5], [7, 0], [7, 1], [0, 0], [1, 1]])).toEqual([true, false, true, false, true, false]);
  });

  test("refuses to grow beyond the buffer's maximum: the search stops on its memory budget", () => {
    const set = busySet(64 * 1024);
    let refused = false;
    for (let i = 1; i <= 100_000 && !refused; i++) refused = addBatch(set, [[i, i]]) === undefined;
    expect(refused).toBe(true);
    expect(set.bytes).toBeLessThanOrEqual(64 * 1024);
  });
});
