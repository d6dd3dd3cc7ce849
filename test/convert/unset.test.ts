import { describe, expect, it } from "vitest";
import {
  ibString,
  isUnsetText,
  optionalDouble,
  optionalId,
  optionalInt,
  optionalNonZero,
  optionalPrice,
  withoutUndefined,
} from "../../src/convert/index.js";

describe("IB's unset sentinels", () => {
  it("doubles: MAX_VALUE, infinities and NaN are absent; 0 and negatives are values", () => {
    expect(optionalDouble(Number.MAX_VALUE)).toBeUndefined();
    expect(optionalDouble(-Number.MAX_VALUE)).toBeUndefined();
    expect(optionalDouble(Number.parseFloat("1.7976931348623157E308"))).toBeUndefined();
    expect(optionalDouble(Number.POSITIVE_INFINITY)).toBeUndefined();
    expect(optionalDouble(Number.NaN)).toBeUndefined();
    expect(optionalDouble(undefined)).toBeUndefined();
    expect(optionalDouble(null)).toBeUndefined();
    expect(optionalDouble(0)).toBe(0);
    expect(optionalDouble(-1)).toBe(-1);
    expect(optionalDouble(187.25)).toBe(187.25);
  });

  it("prices: -1 is IB's 'no price' as well", () => {
    expect(optionalPrice(-1)).toBeUndefined();
    expect(optionalPrice(Number.MAX_VALUE)).toBeUndefined();
    expect(optionalPrice(0)).toBe(0);
    expect(optionalPrice(-0.5)).toBe(-0.5);
  });

  it("ints: 2147483647 and non-integers are absent; 0 stays unless 0 means none", () => {
    expect(optionalInt(2147483647)).toBeUndefined();
    expect(optionalInt(Number.MAX_VALUE)).toBeUndefined();
    expect(optionalInt(1.5)).toBeUndefined();
    expect(optionalInt(0)).toBe(0);
    expect(optionalInt(-1)).toBe(-1);
    expect(optionalId(0)).toBeUndefined();
    expect(optionalId(265598)).toBe(265598);
    expect(optionalNonZero(0)).toBeUndefined();
    expect(optionalNonZero(2147483647)).toBeUndefined();
    expect(optionalNonZero(3)).toBe(3);
  });

  it.each([
    "1.7976931348623157E308",
    "1.7976931348623157e308",
    "1.7976931348623157e+308",
    "Infinity",
    "-Infinity",
    " infinity ",
  ])("string fields: %j is absent", (text) => {
    expect(isUnsetText(text)).toBe(true);
    expect(ibString(text)).toBe("");
  });

  it("string fields: real text, numbers and undefined", () => {
    expect(ibString("AAPL")).toBe("AAPL");
    expect(ibString(undefined)).toBe("");
    expect(ibString(null)).toBe("");
    expect(ibString(100)).toBe("100");
    expect(ibString("1.79")).toBe("1.79");
  });

  it("withoutUndefined drops undefined properties only", () => {
    expect(withoutUndefined({ a: 1, b: undefined, c: false, d: "" })).toStrictEqual({ a: 1, c: false, d: "" });
  });
});
