import { describe, expect, it } from "vitest";
import {
  isoToMicros,
  microClock,
  microsToIso,
  microsToRfc3339Nano,
  microsToTimestamp,
  parseRfc3339Nanos,
  timestampToMicros,
} from "../../src/history/snapshot-time.js";

describe("snapshot times", () => {
  const us = 1_398_140_525_776_394n; // ibconnect's example, 2014-04-22T04:22:05.776394Z

  it("format as ISO with six digits and as Go's RFC3339Nano (trailing zeros dropped)", () => {
    expect(microsToIso(us)).toBe("2014-04-22T04:22:05.776394Z");
    expect(microsToRfc3339Nano(us)).toBe("2014-04-22T04:22:05.776394Z");
    expect(microsToRfc3339Nano(1_398_140_525_700_000n)).toBe("2014-04-22T04:22:05.7Z");
    expect(microsToRfc3339Nano(1_398_140_525_000_000n)).toBe("2014-04-22T04:22:05Z");
  });

  it("parse RFC 3339 with any fraction and offset, and refuse what is not a time", () => {
    expect(isoToMicros("2014-04-22T04:22:05.776394Z")).toBe(us);
    expect(parseRfc3339Nanos("2014-04-22T06:22:05.776394000+02:00")).toBe(us * 1000n);
    expect(parseRfc3339Nanos("2014-04-22T04:22:05.776394001Z")).toBe(us * 1000n + 1n);
    expect(parseRfc3339Nanos("2014-02-30T04:22:05Z")).toBeUndefined();
    expect(parseRfc3339Nanos("yesterday")).toBeUndefined();
  });

  it("round-trip Timestamps; sub-microsecond nanos name no snapshot", () => {
    const ts = microsToTimestamp(us);
    expect(ts.seconds).toBe(1_398_140_525n);
    expect(ts.nanos).toBe(776_394_000);
    expect(timestampToMicros(ts)).toBe(us);
    expect(timestampToMicros({ ...ts, nanos: 776_394_001 })).toBeUndefined();
  });

  it("never repeats an instant, even when the wall clock stands still", () => {
    const clock = microClock(() => 1_000);
    const a = clock();
    const b = clock();
    expect(b > a).toBe(true);
  });
});
