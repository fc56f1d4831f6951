/**
 * 64-bit fingerprints of encoded states, as two independent 32-bit hashes
 * over the same bytes (FNV-1a and a murmur3-style mix with another seed).
 * Two hashes of 32 bits are cheaper in JavaScript than one of 64 (no
 * BigInt), and together they make the chance that two distinct states of a
 * run share a fingerprint about n^2 / 2^65.
 */

const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;
const MURMUR_SEED = 0x9747b28c;
const MURMUR_C1 = 0xcc9e2d51;
const MURMUR_C2 = 0x1b873593;

/** FNV-1a over the bytes. */
export function hashHigh(bytes: Uint8Array): number {
  let hash = FNV_OFFSET;
  for (let i = 0; i < bytes.length; i++) {
    hash ^= bytes[i]!;
    hash = Math.imul(hash, FNV_PRIME);
  }
  return hash >>> 0;
}

/** Murmur3-style: one mixing round per byte, then the murmur finaliser. */
export function hashLow(bytes: Uint8Array): number {
  let hash = MURMUR_SEED ^ bytes.length;
  for (let i = 0; i < bytes.length; i++) {
    let k = Math.imul(bytes[i]! + 1, MURMUR_C1);
    k = (k << 15) | (k >>> 17);
    hash ^= Math.imul(k, MURMUR_C2);
    hash = (hash << 13) | (hash >>> 19);
    hash = (Math.imul(hash, 5) + 0xe6546b64) | 0;
  }
  hash ^= hash >>> 16;
  hash = Math.imul(hash, 0x85ebca6b);
  hash ^= hash >>> 13;
  hash = Math.imul(hash, 0xc2b2ae35);
  hash ^= hash >>> 16;
  return hash >>> 0;
}

/**
 * TLC's "calculated (optimistic)" estimate of the probability that a
 * fingerprint collision made the search skip a state: each of the
 * (generated - distinct) lookups that found a fingerprint already present
 * could have matched any of the `distinct` states by chance, 2^-64 each.
 * Here a collision cannot lose a state (bytes are compared on every match);
 * the figure is reported so runs compare with TLC's.
 */
export function collisionProbability(distinct: number, generated: number): number {
  return (distinct * Math.max(generated - distinct, 0)) / 2 ** 64;
}
