import { isMessage, type Message } from "@bufbuild/protobuf";
import { expect } from "vitest";

/**
 * Every place in a proto message (nested messages, repeated fields, oneofs, maps) where one of IB's "unset"
 * sentinels survived: Double.MAX_VALUE, infinities, NaN, 2147483647, Long.MAX_VALUE, or the sentinel's text
 * ("1.7976931348623157E308", "Infinity") in a string; also a decimal written with an exponent ("1e-7").
 */
export function findSentinels(message: Message): string[] {
  const found: string[] = [];
  walk(message, "", found);
  return found;
}

/** Fails with the path of every sentinel left in `message` (see findSentinels). */
export function expectNoSentinels(message: Message): void {
  expect(isMessage(message), "expectNoSentinels takes a proto message").toBe(true);
  expect(findSentinels(message), `sentinels in ${message.$typeName}`).toEqual([]);
}

const SENTINEL_TEXT = /1\.7976931348623157|^[+-]?infinity$|^nan$/i;
/** A number written with an exponent: decimals must be plain ("0.0000001"). */
const EXPONENT = /^[+-]?\d+(\.\d+)?e[+-]?\d+$/i;

function walk(value: unknown, path: string, found: string[]): void {
  if (value === undefined || value === null) return;
  switch (typeof value) {
    case "number":
      if (!Number.isFinite(value) || Math.abs(value) >= Number.MAX_VALUE) found.push(`${path} = ${value}`);
      else if (value === 2147483647) found.push(`${path} = 2147483647 (Integer.MAX_VALUE)`);
      return;
    case "bigint":
      if (value >= 9223372036854775807n || value === 2147483647n) found.push(`${path} = ${value}n`);
      return;
    case "string":
      if (SENTINEL_TEXT.test(value.trim()) || EXPONENT.test(value)) found.push(`${path} = ${JSON.stringify(value)}`);
      return;
    case "object":
      break;
    default:
      return;
  }
  if (value instanceof Uint8Array) return;
  if (Array.isArray(value)) {
    value.forEach((item, index) => {
      walk(item, `${path}[${index}]`, found);
    });
    return;
  }
  for (const [key, child] of Object.entries(value as Record<string, unknown>)) {
    if (key === "$typeName" || key === "$unknown") continue;
    walk(child, path ? `${path}.${key}` : key, found);
  }
}

/** IB's "not set" values: what a proto leaves absent and may come back as undefined. */
function isUnsetIb(value: unknown): boolean {
  if (value === undefined || value === null || value === "") return true;
  if (typeof value === "number")
    return !Number.isFinite(value) || Math.abs(value) >= Number.MAX_VALUE || value === 2147483647;
  if (typeof value === "string") return SENTINEL_TEXT.test(value.trim());
  if (Array.isArray(value)) return value.length === 0;
  // An object with nothing set (IB's empty soft dollar tier {name: "", value: "", displayName: ""}).
  if (typeof value === "object") return Object.values(value as object).every(isUnsetIb);
  return false;
}

/** IB's defaults that the proto reads as "none" (ids 0, exemptCode -1, false flags, "None"), back as undefined. */
function isIbDefault(value: unknown): boolean {
  return value === 0 || value === -1 || value === false || value === "None" || value === "?";
}

/**
 * `back` (an IB object rebuilt from the converted proto) equals `original` (what IBApi decoded) wherever IB's value
 * was set: sentinels and empty values may come back undefined, IB's defaults (0, -1, false) may come back
 * undefined, everything else must be equal, recursively (contracts in orders, combo legs, conditions, tag values).
 */
export function expectSameWhereSet(original: unknown, back: unknown, path = "ib"): void {
  if (isUnsetIb(original)) return;
  if (back === undefined && isIbDefault(original)) return;
  if (original !== null && typeof original === "object") {
    expect(back, `${path} missing`).toBeTypeOf("object");
    if (Array.isArray(original)) {
      expect(Array.isArray(back), `${path} is not an array`).toBe(true);
      const items = back as unknown[];
      expect(items.length, `${path}.length`).toBe(original.length);
      original.forEach((item, index) => {
        expectSameWhereSet(item, items[index], `${path}[${index}]`);
      });
      return;
    }
    for (const [key, child] of Object.entries(original as Record<string, unknown>)) {
      expectSameWhereSet(child, (back as Record<string, unknown>)[key], `${path}.${key}`);
    }
    return;
  }
  expect(back, path).toEqual(original);
}
