/**
 * IB's "unset" sentinels, and the one place that turns them into proto3 "absent".
 *
 * IB's Java API marks a number it did not set with Double.MAX_VALUE (1.7976931348623157E308) or
 * Integer.MAX_VALUE (2147483647); @stoqey/ib turns some of them into `undefined` already (readDoubleOrUndefined,
 * readIntOrUndefined, readDecimal) but not all (readInt, readDouble on an empty token give 0, and the sentinel text
 * can reach string fields verbatim). Every converter reads IB numbers through these functions so no sentinel reaches
 * a proto, and 0 stays a value (a 0 limit price is a price).
 */

/** Java's Double.MAX_VALUE: IB's "no value" for doubles. */
export const UNSET_DOUBLE = Number.MAX_VALUE;

/** Java's Integer.MAX_VALUE: IB's "no value" for ints. */
export const UNSET_INTEGER = 2147483647;

/** Java's Long.MAX_VALUE as a bigint: IB's "no value" for longs (permId-like ids). */
export const UNSET_LONG = 9223372036854775807n;

/**
 * Texts of the double sentinel as they appear in IB's string fields (multiplier, evMultiplier, margin strings):
 * Java's Double.toString, its lowercase-e variant, and infinities.
 */
const SENTINEL_TEXTS = new Set([
  "1.7976931348623157e308",
  "1.7976931348623157e+308",
  "infinity",
  "-infinity",
  "+infinity",
]);

/** True for a text IB uses to mean "no value" in a string field ("1.7976931348623157E308", "Infinity" ...). */
export function isUnsetText(text: string): boolean {
  return SENTINEL_TEXTS.has(text.trim().toLowerCase());
}

/** True for a number that only means "no value": not finite, or at Double.MAX_VALUE in magnitude. */
export function isUnsetDouble(value: number | null | undefined): boolean {
  return value === undefined || value === null || !Number.isFinite(value) || Math.abs(value) >= UNSET_DOUBLE;
}

/** A double from IB, or undefined for its sentinels. */
export function optionalDouble(value: number | null | undefined): number | undefined {
  return isUnsetDouble(value) ? undefined : (value as number);
}

/**
 * A price where IB uses -1 for "no value" as well (bid, ask, last and their sizes when the market is closed or the
 * side is empty; option model values "not computed").
 */
export function optionalPrice(value: number | null | undefined): number | undefined {
  return value === -1 ? undefined : optionalDouble(value);
}

/** An int from IB, or undefined for its sentinels (Integer.MAX_VALUE, Double.MAX_VALUE, non-integers). */
export function optionalInt(value: number | null | undefined): number | undefined {
  if (isUnsetDouble(value) || value === UNSET_INTEGER || !Number.isInteger(value)) return undefined;
  return value as number;
}

/**
 * An int from IB where 0 is IB's own "none" (ids: conId, underConId, parentId, orderId of a non-API order ...);
 * undefined for 0 and for the sentinels.
 */
export function optionalId(value: number | null | undefined): number | undefined {
  return optionalNonZero(value);
}

/**
 * An int where IB's 0 is "none" (ocaType, auctionStrategy, volatilityType, referencePriceType, duration): IB writes
 * an empty token for these and @stoqey/ib's readInt turns it into 0.
 */
export function optionalNonZero(value: number | null | undefined): number | undefined {
  const int = optionalInt(value);
  return int === 0 ? undefined : int;
}

/** A string from IB: "" for undefined and for a sentinel text that leaked into a string field. */
export function ibString(value: string | number | null | undefined): string {
  if (value === undefined || value === null) return "";
  const text = String(value);
  return isUnsetText(text) ? "" : text;
}

/** A bool from IB (undefined is IB's false). */
export function ibBool(value: boolean | number | null | undefined): boolean {
  return value === true || value === 1;
}

/** Toward IB: "" (proto3's "not set" for strings) becomes undefined, so IB defaults it as it would an unset field. */
export function stringOrUndefined(value: string): string | undefined {
  return value === "" ? undefined : value;
}

/**
 * The object without its undefined properties, so an IB object built from a proto compares equal (toEqual /
 * deepStrictEqual) to one IB built with those properties left out.
 */
export function withoutUndefined<T extends object>(value: T): T {
  for (const key of Object.keys(value) as (keyof T)[]) {
    if (value[key] === undefined) delete value[key];
  }
  return value;
}
