import { seededRandom } from "../random.js";

/** FNV-1a over the key's UTF-16 units, mixed with the seed: a stable 32-bit stream id per (seed, key). */
function streamSeed(seed: number, key: string): number {
  let hash = (0x811c9dc5 ^ seed) >>> 0;
  for (let index = 0; index < key.length; index++) {
    hash ^= key.charCodeAt(index);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash;
}

/**
 * A seeded stream of its own for one piece of reference data (an article, a company's fundamentals, a bulletin slot).
 * Drawing from the simulator's shared stream instead would make the text of article X depend on which requests came
 * before it; keyed streams keep every answer a pure function of (seed, key).
 */
export function derivedRandom(seed: number, ...key: readonly (string | number)[]): () => number {
  return seededRandom(streamSeed(seed, key.join("\u001f")));
}

/** One element of `items`, picked by `random`. */
export function pick<T>(random: () => number, items: readonly T[]): T {
  const item = items[Math.floor(random() * items.length)];
  if (item === undefined) throw new RangeError("pick from an empty list");
  return item;
}

/** A float in [min, max) rounded to `decimals`. */
export function between(random: () => number, min: number, max: number, decimals = 2): number {
  const factor = 10 ** decimals;
  return Math.round((min + random() * (max - min)) * factor) / factor;
}

/** 8 lowercase hex digits: article ids look like IB's "BRFG$0c7a4bd6". */
export function hex8(random: () => number): string {
  return Math.floor(random() * 0x100000000)
    .toString(16)
    .padStart(8, "0");
}
