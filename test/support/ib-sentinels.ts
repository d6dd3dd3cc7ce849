/**
 * IB's "unset" sentinels as they would look in a response if a conversion missed one: Double.MAX_VALUE (as a number
 * or Java's text), Integer.MAX_VALUE, Long.MAX_VALUE, infinities and NaN. DESIGN.md: they never reach a client.
 */
// Long.MAX_VALUE as a JS number reads as 2 ** 63.
const SENTINEL_NUMBERS = new Set([2147483647, 2 ** 63]);
const SENTINEL_TEXTS = /^(1\.7976931348623157e\+?308|[+-]?infinity|nan|2147483647|9223372036854775807)$/i;

/** Every path in a decoded JSON value that holds an IB sentinel (empty when there is none). */
export function ibSentinelsIn(value: unknown, path = "$"): string[] {
  if (typeof value === "number") {
    return SENTINEL_NUMBERS.has(value) || !Number.isFinite(value) || Math.abs(value) >= 1e308
      ? [`${path} = ${value}`]
      : [];
  }
  if (typeof value === "string") return SENTINEL_TEXTS.test(value.trim()) ? [`${path} = ${JSON.stringify(value)}`] : [];
  if (Array.isArray(value)) return value.flatMap((item, i) => ibSentinelsIn(item, `${path}[${i}]`));
  if (value !== null && typeof value === "object") {
    return Object.entries(value).flatMap(([key, item]) => ibSentinelsIn(item, `${path}.${key}`));
  }
  return [];
}
