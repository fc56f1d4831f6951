/**
 * 64-bit fingerprints of encoded states, as two independent 32-bit hashes
 * over the same bytes (FNV-1a and murmur3).
 * Two hashes of 32 bits are cheaper in JavaScript than one of 64 (no
 * BigInt), and together they make the chance that two distinct states of a
 * run share a fingerprint about n^2 / 2^65.
 */

const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;
const MURMUR_SEED = 0x9747b28c;
const MURMUR_C1 = 0xcc9e2d51;
const MURMUR_C2 = 0x1b873593;

/**
 * Both halves of the fingerprint in one pass: FNV-1a byte by byte into
 * out[0], murmur3 (x86, 32-bit) four bytes at a time into out[1].
 */
export function fingerprint(bytes: Uint8Array, out: Uint32Array): void {
  const length = bytes.length;
  let fnv = FNV_OFFSET;
  let murmur = MURMUR_SEED;
  const whole = length & ~3;
  let i = 0;
  for (; i < whole; i += 4) {
    const b0 = bytes[i]!;
    const b1 = bytes[i + 1]!;
    const b2 = bytes[i + 2]!;
    const b3 = bytes[i + 3]!;
    fnv = Math.imul(fnv ^ b0, FNV_PRIME);
    fnv = Math.imul(fnv ^ b1, FNV_PRIME);
    fnv = Math.imul(fnv ^ b2, FNV_PRIME);
    fnv = Math.imul(fnv ^ b3, FNV_PRIME);
    let k = b0 | (b1 << 8) | (b2 << 16) | (b3 << 24);
    k = Math.imul(k, MURMUR_C1);
    k = (k << 15) | (k >>> 17);
    murmur ^= Math.imul(k, MURMUR_C2);
    murmur = (murmur << 13) | (murmur >>> 19);
    murmur = (Math.imul(murmur, 5) + 0xe6546b64) | 0;
  }
  let tail = 0;
  for (let shift = 0; i < length; i++, shift += 8) {
    const b = bytes[i]!;
    fnv = Math.imul(fnv ^ b, FNV_PRIME);
    tail |= b << shift;
  }
  if ((length & 3) !== 0) {
    tail = Math.imul(tail, MURMUR_C1);
    tail = (tail << 15) | (tail >>> 17);
    murmur ^= Math.imul(tail, MURMUR_C2);
  }
  murmur ^= length;
  murmur ^= murmur >>> 16;
  murmur = Math.imul(murmur, 0x85ebca6b);
  murmur ^= murmur >>> 13;
  murmur = Math.imul(murmur, 0xc2b2ae35);
  murmur ^= murmur >>> 16;
  out[0] = fnv;
  out[1] = murmur;
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
