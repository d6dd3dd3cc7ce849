/**
 * Stateless seeded randomness: a value is a pure function of (seed, stream, a, b), so any point of any instrument's
 * path can be computed in any order, for the past as cheaply as for now. (A stateful PRNG would make a price depend on
 * which requests came first.)
 */

function mix(h: number): number {
  // murmur3's finalizer: every input bit affects every output bit.
  let x = h >>> 0;
  x ^= x >>> 16;
  x = Math.imul(x, 0x85ebca6b);
  x ^= x >>> 13;
  x = Math.imul(x, 0xc2b2ae35);
  x ^= x >>> 16;
  return x >>> 0;
}

/**
 * A 32-bit hash of integers. Each value is taken modulo 2^32, so pass indices (minute numbers, levels, ids), not
 * epoch milliseconds.
 */
export function hashInts(...values: number[]): number {
  let h = 0x9e3779b9;
  for (const value of values) h = mix(h ^ Math.imul((value >>> 0) ^ 0x7f4a7c15, 0x2545f491));
  return mix(h);
}

/** Uniform in [0, 1). */
export function uniform(...values: number[]): number {
  return hashInts(...values) / 4294967296;
}

/** Standard normal (Box-Muller on two values derived from one hash: bars scan millions of these). */
export function gaussian(...values: number[]): number {
  const h = hashInts(...values);
  const u1 = (mix(h ^ 0x68e31da4) + 1) / 4294967297; // (0, 1): log(0) must not happen
  const u2 = mix(h ^ 0xb5297a4d) / 4294967296;
  return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
}

/** An integer in [min, max]. */
export function uniformInt(min: number, max: number, ...values: number[]): number {
  return min + Math.floor(uniform(...values) * (max - min + 1));
}

/** A stable 32-bit id for a name, so streams can be keyed by strings (account ids, symbols). */
export function hashString(text: string): number {
  let h = 0x811c9dc5;
  for (let index = 0; index < text.length; index++) {
    h = Math.imul(h ^ text.charCodeAt(index), 0x01000193);
  }
  return mix(h);
}
