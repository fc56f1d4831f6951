/**
 * A small seeded PRNG (xoshiro128**, state initialised by splitmix32), so a
 * simulation run is reproduced exactly from the seed it prints. Seeds are
 * non-negative safe integers, so they survive a round trip through text.
 */

export const MAX_SEED = Number.MAX_SAFE_INTEGER;

function splitmix32(seed: number): () => number {
  let state = seed | 0;
  return () => {
    state = (state + 0x9e3779b9) | 0;
    let z = state;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    return (z ^ (z >>> 16)) >>> 0;
  };
}

export class Random {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(readonly seed: number) {
    if (!Number.isSafeInteger(seed) || seed < 0) throw new RangeError(`seed must be an integer in 0..${MAX_SEED}, got ${seed}`);
    const high = Math.floor(seed / 2 ** 32);
    const low = seed >>> 0;
    const mix = splitmix32(low ^ Math.imul(high, 0x27d4eb2f));
    this.a = mix();
    this.b = mix() ^ high;
    this.c = mix();
    this.d = mix();
    if ((this.a | this.b | this.c | this.d) === 0) this.d = 1;
  }

  /** The next 32 random bits, as an unsigned integer. */
  nextUint32(): number {
    const result = Math.imul(rotl(Math.imul(this.b, 5), 7), 9) >>> 0;
    const t = this.b << 9;
    this.c ^= this.a;
    this.d ^= this.b;
    this.b ^= this.c;
    this.a ^= this.d;
    this.c ^= t;
    this.d = rotl(this.d, 11);
    return result;
  }

  /** A uniform integer in 0..bound-1 (bound >= 1), without modulo bias. */
  below(bound: number): number {
    if (bound <= 1) return 0;
    if (bound > 2 ** 32) throw new RangeError(`bound too large: ${bound}`);
    const limit = 2 ** 32 - (2 ** 32 % bound);
    for (;;) {
      const value = this.nextUint32();
      if (value < limit) return value % bound;
    }
  }
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}

/** A fresh seed for a run that was not given one (printed so it can be replayed). */
export function freshSeed(): number {
  const words = new Uint32Array(2);
  globalThis.crypto.getRandomValues(words);
  return (words[0]! & 0x1fffff) * 2 ** 32 + words[1]!;
}
