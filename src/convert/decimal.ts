/**
 * IB's Decimal (sizes, quantities, positions, volumes) as decimal strings, the wire form docs/contracts.md fixes.
 *
 * @stoqey/ib 1.6.10 parses every Decimal with parseFloat, so what reaches ibrpc is already a double: sizes with more
 * than ~15 significant digits lost precision before ibrpc saw them (a limit of the library, documented in
 * DESIGN.md). From there the conversion is exact: the shortest decimal that parses back to the same double, written
 * without an exponent ("0.0000001", never "1e-7"), so every client reads the same number.
 */

import { isUnsetDouble } from "./unset.js";

/** What proto decimal fields accept (validated upstream on requests; answers are built here). */
const DECIMAL = /^[+-]?(\d+(\.\d*)?|\.\d+)$/;

/** True for a decimal string in the contract's form: digits, an optional point, no exponent, no NaN. */
export function isDecimalString(text: string): boolean {
  return DECIMAL.test(text);
}

/**
 * A JS number as the shortest round-trip decimal string, without an exponent: 100 -> "100", 0.1 -> "0.1",
 * 1e-7 -> "0.0000001", 1e21 -> "1000000000000000000000", -0 -> "0". IB's unset sentinels (undefined, NaN,
 * infinities, Double.MAX_VALUE) give "" (the proto's "absent" for a decimal string).
 */
export function decimalToString(value: number | null | undefined): string {
  if (isUnsetDouble(value)) return "";
  const number = value as number;
  if (number === 0) return "0";
  // String(number) is the shortest text that round-trips (ECMAScript Number::toString); only its exponent form
  // needs expanding, digit by digit, so no rounding happens here.
  return expandExponent(String(number));
}

/**
 * A size where IB also uses -1 for "no value" (tick sizes of an empty side, depth rows being deleted): "" for -1
 * and the sentinels. Positions and quantities may be negative: use decimalToString for them.
 */
export function sizeToString(value: number | null | undefined): string {
  return value === -1 ? "" : decimalToString(value);
}

/**
 * A decimal string toward IB: "" gives undefined (absent), anything else the double @stoqey/ib sends. Throws a
 * RangeError for text that is not a decimal (requests are validated before this; the throw guards misuse).
 */
export function decimalFromString(text: string): number | undefined {
  if (text === "") return undefined;
  if (!DECIMAL.test(text)) throw new RangeError(`not a decimal string: ${JSON.stringify(text)}`);
  return Number(text);
}

/**
 * An IB id that is a long in Java (permId, parentPermId) as a bigint. @stoqey/ib reads them with parseInt into a
 * double, exact only below 2^53 (Number.MAX_SAFE_INTEGER); above that the value is the double IB's text rounded to,
 * which this converts exactly. 0 (IB's "none"), Long.MAX_VALUE and the other sentinels give undefined.
 */
export function int64FromIb(value: number | null | undefined): bigint | undefined {
  if (isUnsetDouble(value) || !Number.isInteger(value) || value === 0) return undefined;
  const id = BigInt(value as number);
  return id >= 9223372036854775807n || id <= -9223372036854775808n ? undefined : id;
}

/** A bigint id toward IB: the double @stoqey/ib sends, exact below 2^53 (IB's permIds are far below). */
export function int64ToIb(value: bigint | undefined): number | undefined {
  return value === undefined ? undefined : Number(value);
}

/** "1.5e-7" -> "0.00000015", "1e+21" -> "1000000000000000000000"; text without an exponent is returned as is. */
function expandExponent(text: string): string {
  const e = text.indexOf("e");
  if (e < 0) return text;
  const negative = text.startsWith("-");
  const mantissa = text.slice(negative ? 1 : 0, e);
  const exponent = Number(text.slice(e + 1));
  const point = mantissa.indexOf(".");
  const digits = point < 0 ? mantissa : mantissa.slice(0, point) + mantissa.slice(point + 1);
  // Position of the decimal point within `digits` once the exponent is applied.
  const pointAt = (point < 0 ? mantissa.length : point) + exponent;
  let result: string;
  if (pointAt <= 0) result = `0.${"0".repeat(-pointAt)}${digits}`;
  else if (pointAt >= digits.length) result = digits + "0".repeat(pointAt - digits.length);
  else result = `${digits.slice(0, pointAt)}.${digits.slice(pointAt)}`;
  return negative ? `-${result}` : result;
}
