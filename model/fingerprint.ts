/**
 * 64-bit fingerprints of encoded states, as two independent 32-bit hashes
 * over the same bytes: xxHash32 and murmur3 (x86, 32-bit), both reading four
 * bytes at a time in one pass.
 * Two hashes of 32 bits are cheaper in JavaScript than one of 64 (no
 * BigInt), and together they make the chance that two distinct states of a
 * run share a fingerprint about n^2 / 2^65.
 */

const XXH_PRIME1 = 0x9e3779b1;
const XXH_PRIME2 = 0x85ebca77;
const XXH_PRIME3 = 0xc2b2ae3d;
const XXH_PRIME4 = 0x27d4eb2f;
const XXH_PRIME5 = 0x165667b1;
const XXH_STRIPE = 16;
const MURMUR_SEED = 0x9747b28c;
const MURMUR_C1 = 0xcc9e2d51;
const MURMUR_C2 = 0x1b873593;

/**
 * Both halves of the fingerprint of `bytes`: xxHash32 (seed 0) into
 * out[at], murmur3 into out[at + 1]. Written out by hand, rotations and all:
 * this is the checker's hottest function, and V8 does not inline helpers
 * into it reliably.
 */
export function fingerprint(bytes: Uint8Array, out: Uint32Array, at = 0): void {
  const length = bytes.length;
  let murmur = MURMUR_SEED;
  let xxh: number;
  let i = 0;
  let k: number;
  if (length >= XXH_STRIPE) {
    let v1 = (XXH_PRIME1 + XXH_PRIME2) | 0;
    let v2 = XXH_PRIME2;
    let v3 = 0;
    let v4 = -XXH_PRIME1 | 0;
    for (; i <= length - XXH_STRIPE; i += XXH_STRIPE) {
      const w0 = bytes[i]! | (bytes[i + 1]! << 8) | (bytes[i + 2]! << 16) | (bytes[i + 3]! << 24);
      const w1 = bytes[i + 4]! | (bytes[i + 5]! << 8) | (bytes[i + 6]! << 16) | (bytes[i + 7]! << 24);
      const w2 = bytes[i + 8]! | (bytes[i + 9]! << 8) | (bytes[i + 10]! << 16) | (bytes[i + 11]! << 24);
      const w3 = bytes[i + 12]! | (bytes[i + 13]! << 8) | (bytes[i + 14]! << 16) | (bytes[i + 15]! << 24);
      v1 = (v1 + Math.imul(w0, XXH_PRIME2)) | 0;
      v1 = Math.imul((v1 << 13) | (v1 >>> 19), XXH_PRIME1);
      v2 = (v2 + Math.imul(w1, XXH_PRIME2)) | 0;
      v2 = Math.imul((v2 << 13) | (v2 >>> 19), XXH_PRIME1);
      v3 = (v3 + Math.imul(w2, XXH_PRIME2)) | 0;
      v3 = Math.imul((v3 << 13) | (v3 >>> 19), XXH_PRIME1);
      v4 = (v4 + Math.imul(w3, XXH_PRIME2)) | 0;
      v4 = Math.imul((v4 << 13) | (v4 >>> 19), XXH_PRIME1);
      k = Math.imul(w0, MURMUR_C1);
      murmur ^= Math.imul((k << 15) | (k >>> 17), MURMUR_C2);
      murmur = (Math.imul((murmur << 13) | (murmur >>> 19), 5) + 0xe6546b64) | 0;
      k = Math.imul(w1, MURMUR_C1);
      murmur ^= Math.imul((k << 15) | (k >>> 17), MURMUR_C2);
      murmur = (Math.imul((murmur << 13) | (murmur >>> 19), 5) + 0xe6546b64) | 0;
      k = Math.imul(w2, MURMUR_C1);
      murmur ^= Math.imul((k << 15) | (k >>> 17), MURMUR_C2);
      murmur = (Math.imul((murmur << 13) | (murmur >>> 19), 5) + 0xe6546b64) | 0;
      k = Math.imul(w3, MURMUR_C1);
      murmur ^= Math.imul((k << 15) | (k >>> 17), MURMUR_C2);
      murmur = (Math.imul((murmur << 13) | (murmur >>> 19), 5) + 0xe6546b64) | 0;
    }
    xxh = (((v1 << 1) | (v1 >>> 31)) + ((v2 << 7) | (v2 >>> 25)) + ((v3 << 12) | (v3 >>> 20)) + ((v4 << 18) | (v4 >>> 14))) | 0;
  } else xxh = XXH_PRIME5;
  xxh = (xxh + length) | 0;
  for (; i + 4 <= length; i += 4) {
    const w = bytes[i]! | (bytes[i + 1]! << 8) | (bytes[i + 2]! << 16) | (bytes[i + 3]! << 24);
    xxh = (xxh + Math.imul(w, XXH_PRIME3)) | 0;
    xxh = Math.imul((xxh << 17) | (xxh >>> 15), XXH_PRIME4);
    k = Math.imul(w, MURMUR_C1);
    murmur ^= Math.imul((k << 15) | (k >>> 17), MURMUR_C2);
    murmur = (Math.imul((murmur << 13) | (murmur >>> 19), 5) + 0xe6546b64) | 0;
  }
  let tail = 0;
  for (let shift = 0; i < length; i++, shift += 8) {
    const b = bytes[i]!;
    xxh = (xxh + Math.imul(b, XXH_PRIME5)) | 0;
    xxh = Math.imul((xxh << 11) | (xxh >>> 21), XXH_PRIME1);
    tail |= b << shift;
  }
  if ((length & 3) !== 0) {
    k = Math.imul(tail, MURMUR_C1);
    murmur ^= Math.imul((k << 15) | (k >>> 17), MURMUR_C2);
  }
  xxh ^= xxh >>> 15;
  xxh = Math.imul(xxh, XXH_PRIME2);
  xxh ^= xxh >>> 13;
  xxh = Math.imul(xxh, XXH_PRIME3);
  xxh ^= xxh >>> 16;
  murmur ^= length;
  murmur ^= murmur >>> 16;
  murmur = Math.imul(murmur, 0x85ebca6b);
  murmur ^= murmur >>> 13;
  murmur = Math.imul(murmur, 0xc2b2ae35);
  murmur ^= murmur >>> 16;
  out[at] = xxh;
  out[at + 1] = murmur;
}

/**
 * TLC's "calculated (optimistic)" estimate of the probability that a
 * fingerprint collision made the search skip a state: each of the
 * (generated - distinct) lookups that found a fingerprint already present
 * could have matched any of the `distinct` states by chance, 2^-64 each.
 * In check(), as in TLC, such a collision would skip a state; the liveness
 * store (state-store.ts) compares bytes on every match, so there it cannot.
 */
export function collisionProbability(distinct: number, generated: number): number {
  return (distinct * Math.max(generated - distinct, 0)) / 2 ** 64;
}
