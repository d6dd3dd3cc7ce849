import { describe, expect, it } from "vitest";
import {
  decimalFromString,
  decimalToString,
  int64FromIb,
  int64ToIb,
  isDecimalString,
  sizeToString,
} from "../../src/convert/index.js";

describe("decimalToString", () => {
  it.each([
    [100, "100"],
    [0, "0"],
    [-0, "0"],
    [0.1, "0.1"],
    [-250.5, "-250.5"],
    [1e-7, "0.0000001"],
    [1.5e-7, "0.00000015"],
    [-1.25e-10, "-0.000000000125"],
    [1e21, "1000000000000000000000"],
    [1.2345e22, "12345000000000000000000"],
    [123456789.123, "123456789.123"],
    [0.0001234567891234, "0.0001234567891234"],
    [Number.MAX_SAFE_INTEGER, "9007199254740991"],
  ])("%s -> %s", (value, text) => {
    expect(decimalToString(value)).toBe(text);
    expect(isDecimalString(text)).toBe(true);
    // The shortest text round-trips to the very same double.
    expect(Number(text)).toBe(value === 0 ? 0 : value);
  });

  it.each([undefined, null, Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, Number.MAX_VALUE])(
    "IB's unset %s -> '' (absent)",
    (value) => {
      expect(decimalToString(value)).toBe("");
    },
  );

  it("keeps -1 for positions but sizeToString maps IB's -1 'no size' to absent", () => {
    expect(decimalToString(-1)).toBe("-1");
    expect(sizeToString(-1)).toBe("");
    expect(sizeToString(0)).toBe("0");
    expect(sizeToString(300)).toBe("300");
  });

  it("round-trips every double it writes, without an exponent", () => {
    let seed = 42;
    const random = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    for (let i = 0; i < 2000; i++) {
      const value = (random() - 0.5) * 10 ** Math.floor(random() * 40 - 20);
      const text = decimalToString(value);
      expect(text).not.toMatch(/e/i);
      expect(decimalFromString(text)).toBe(value === 0 ? 0 : value);
    }
  });
});

describe("decimalFromString", () => {
  it("parses decimal strings and treats '' as absent", () => {
    expect(decimalFromString("")).toBeUndefined();
    expect(decimalFromString("100")).toBe(100);
    expect(decimalFromString("-0.5")).toBe(-0.5);
    expect(decimalFromString(".5")).toBe(0.5);
    expect(decimalFromString("+7.")).toBe(7);
  });

  it.each(["1e5", "NaN", "abc", "1,000", " 1"])("refuses %j", (text) => {
    expect(() => decimalFromString(text)).toThrow(RangeError);
  });
});

describe("int64 ids (permId)", () => {
  it("converts IB's numbers exactly and maps 0 and Long.MAX_VALUE to absent", () => {
    expect(int64FromIb(1234567890)).toBe(1234567890n);
    expect(int64FromIb(Number.MAX_SAFE_INTEGER)).toBe(9007199254740991n);
    expect(int64FromIb(0)).toBeUndefined();
    expect(int64FromIb(undefined)).toBeUndefined();
    expect(int64FromIb(Number.MAX_VALUE)).toBeUndefined();
    // parseInt("9223372036854775807") as @stoqey/ib reads Long.MAX_VALUE.
    expect(int64FromIb(Number.parseInt("9223372036854775807", 10))).toBeUndefined();
    expect(int64FromIb(1.5)).toBeUndefined();
  });

  it("goes back to IB exactly below 2^53", () => {
    expect(int64ToIb(9007199254740991n)).toBe(Number.MAX_SAFE_INTEGER);
    expect(int64ToIb(undefined)).toBeUndefined();
  });
});
