import { timestampDate } from "@bufbuild/protobuf/wkt";
import { describe, expect, it } from "vitest";
import {
  epochSecondsToTimestamp,
  IbTimeFormatError,
  ibTimeToTimestamp,
  ibTimeToTimestampOrUndefined,
  localToEpochMs,
  parseIbTime,
  timestampToEpochSeconds,
  timestampToIbUtc,
  timestampToIbZoned,
  zoneFromConnectionTime,
  zoneOffsetMs,
} from "../../src/convert/index.js";

const iso = (text: string, defaultZone?: string) => {
  const timestamp = ibTimeToTimestamp(text, defaultZone ? { defaultZone } : {});
  if (!timestamp) throw new Error(`no timestamp for ${text}`);
  return timestampDate(timestamp).toISOString();
};

describe("IB time strings -> instants", () => {
  it.each([
    // Zoned forms: IANA names and IB's legacy aliases, winter (EST, UTC-5).
    ["20250102 09:30:00 US/Eastern", "2025-01-02T14:30:00.000Z"],
    ["20250102 09:30:00 America/New_York", "2025-01-02T14:30:00.000Z"],
    ["20250102 09:30:00 EST", "2025-01-02T14:30:00.000Z"],
    ["20250102 09:30:00 EST5EDT", "2025-01-02T14:30:00.000Z"],
    // Summer: the tzdata zones follow DST, the phase abbreviations are what they say.
    ["20250702 09:30:00 US/Eastern", "2025-07-02T13:30:00.000Z"],
    ["20250702 09:30:00 EDT", "2025-07-02T13:30:00.000Z"],
    // "EST" is a fixed -05:00 in tzdata and in Java, even in July.
    ["20250702 09:30:00 EST", "2025-07-02T14:30:00.000Z"],
    ["20250102 08:30:00 CST", "2025-01-02T14:30:00.000Z"],
    ["20250702 08:30:00 CST", "2025-07-02T13:30:00.000Z"],
    ["20250702 08:30:00 CDT", "2025-07-02T13:30:00.000Z"],
    ["20250702 08:30:00 US/Central", "2025-07-02T13:30:00.000Z"],
    ["20250102 06:30:00 PST", "2025-01-02T14:30:00.000Z"],
    ["20250102 15:30:00 CET", "2025-01-02T14:30:00.000Z"],
    ["20250702 15:30:00 CET", "2025-07-02T13:30:00.000Z"],
    ["20250702 15:30:00 CEST", "2025-07-02T13:30:00.000Z"],
    ["20250102 15:30:00 MET", "2025-01-02T14:30:00.000Z"],
    ["20250702 15:30:00 MET", "2025-07-02T13:30:00.000Z"],
    ["20250702 14:30:00 BST", "2025-07-02T13:30:00.000Z"],
    ["20250702 14:30:00 Europe/London", "2025-07-02T13:30:00.000Z"],
    ["20250102 14:30:00 GMT", "2025-01-02T14:30:00.000Z"],
    ["20250102 14:30:00 UTC", "2025-01-02T14:30:00.000Z"],
    ["20250102 23:30:00 JST", "2025-01-02T14:30:00.000Z"],
    ["20250102 23:30:00 Japan", "2025-01-02T14:30:00.000Z"],
    ["20250102 22:30:00 HKT", "2025-01-02T14:30:00.000Z"],
    ["20250102 22:30:00 Asia/Hong_Kong", "2025-01-02T14:30:00.000Z"],
    ["20250102 20:00:00 Asia/Kolkata", "2025-01-02T14:30:00.000Z"],
    ["20250103 01:30:00 Australia/Sydney", "2025-01-02T14:30:00.000Z"],
    ["20250102 19:30:00 +05:00", "2025-01-02T14:30:00.000Z"],
    ["20250102 09:30:00 GMT-05:00", "2025-01-02T14:30:00.000Z"],
    // UTC forms.
    ["20250102-14:30:00", "2025-01-02T14:30:00.000Z"],
    ["2025-01-02 14:30:00.0", "2025-01-02T14:30:00.000Z"],
    ["2025-01-02 14:30:00.123", "2025-01-02T14:30:00.123Z"],
    ["2025-01-02T14:30:00Z", "2025-01-02T14:30:00.000Z"],
    // No zone: the default (UTC).
    ["20250102 14:30:00", "2025-01-02T14:30:00.000Z"],
    ["20250102  14:30:00", "2025-01-02T14:30:00.000Z"],
    ["20250102 14:30", "2025-01-02T14:30:00.000Z"],
    // Dates: midnight.
    ["20250102", "2025-01-02T00:00:00.000Z"],
    // Epoch seconds.
    ["1735828200", "2025-01-02T14:30:00.000Z"],
    [" 1735828200 ", "2025-01-02T14:30:00.000Z"],
  ])("%j -> %s", (text, expected) => {
    expect(iso(text)).toBe(expected);
  });

  it("reads zone-less times in the gateway's zone when given", () => {
    expect(iso("20250102 09:30:00", "US/Eastern")).toBe("2025-01-02T14:30:00.000Z");
    expect(iso("20250702 09:30:00", "America/New_York")).toBe("2025-07-02T13:30:00.000Z");
    expect(iso("20250102", "US/Eastern")).toBe("2025-01-02T05:00:00.000Z");
    // An explicit zone wins over the default, and the dash form is always UTC.
    expect(iso("20250102 09:30:00 UTC", "US/Eastern")).toBe("2025-01-02T09:30:00.000Z");
    expect(iso("20250102-09:30:00", "US/Eastern")).toBe("2025-01-02T09:30:00.000Z");
  });

  it("keeps fractions as nanoseconds", () => {
    const instant = parseIbTime("2025-01-02 14:30:00.123456789");
    expect(instant.nanos).toBe(123456789);
  });

  it("'' is IB's 'none': absent", () => {
    expect(ibTimeToTimestamp("")).toBeUndefined();
    expect(ibTimeToTimestamp("   ")).toBeUndefined();
  });

  it.each([
    "yesterday",
    "2025010",
    "20251302 09:30:00",
    "20250230 09:30:00",
    "20250102 24:00:00",
    "20250102 09:60:00",
    "20250102 09:30:00 Mars/Olympus",
    "20250102-09:30:00 US/Eastern",
  ])("refuses %j with IbTimeFormatError", (text) => {
    expect(() => parseIbTime(text)).toThrow(IbTimeFormatError);
    expect(ibTimeToTimestampOrUndefined(text)).toBeUndefined();
  });
});

describe("DST transitions (America/New_York, Europe/Berlin, Australia/Sydney)", () => {
  const at = (text: string) => iso(text);

  it("spring forward, New York 2025-03-09: 02:00 EST becomes 03:00 EDT", () => {
    expect(at("20250309 01:59:59 US/Eastern")).toBe("2025-03-09T06:59:59.000Z");
    expect(at("20250309 03:00:00 US/Eastern")).toBe("2025-03-09T07:00:00.000Z");
    // 02:30 does not exist: moved forward by the gap (Java's ZonedDateTime.of), i.e. 03:30 EDT.
    expect(at("20250309 02:30:00 US/Eastern")).toBe("2025-03-09T07:30:00.000Z");
    expect(at("20250309 02:00:00 America/New_York")).toBe("2025-03-09T07:00:00.000Z");
  });

  it("fall back, New York 2025-11-02: 01:30 happens twice, the earlier (EDT) wins", () => {
    expect(at("20251102 00:59:59 US/Eastern")).toBe("2025-11-02T04:59:59.000Z");
    expect(at("20251102 01:30:00 US/Eastern")).toBe("2025-11-02T05:30:00.000Z");
    expect(at("20251102 01:30:00 EST")).toBe("2025-11-02T06:30:00.000Z");
    expect(at("20251102 02:00:00 US/Eastern")).toBe("2025-11-02T07:00:00.000Z");
  });

  it("Europe's transitions (last Sunday of March / October) for MET and CET", () => {
    expect(at("20250330 01:59:59 MET")).toBe("2025-03-30T00:59:59.000Z");
    expect(at("20250330 02:30:00 MET")).toBe("2025-03-30T01:30:00.000Z");
    expect(at("20250330 03:00:00 Europe/Berlin")).toBe("2025-03-30T01:00:00.000Z");
    expect(at("20251026 02:30:00 CET")).toBe("2025-10-26T00:30:00.000Z");
    expect(at("20251026 03:00:00 CET")).toBe("2025-10-26T02:00:00.000Z");
  });

  it("the southern hemisphere (Sydney leaves DST on 2025-04-06 at 03:00)", () => {
    expect(at("20250406 02:30:00 Australia/Sydney")).toBe("2025-04-05T15:30:00.000Z");
    expect(at("20250406 03:30:00 Australia/Sydney")).toBe("2025-04-05T17:30:00.000Z");
  });

  it("offsets around the transition", () => {
    const before = Date.UTC(2025, 2, 9, 6, 59, 59);
    expect(zoneOffsetMs("US/Eastern", before)).toBe(-5 * 3_600_000);
    expect(zoneOffsetMs("US/Eastern", before + 1000)).toBe(-4 * 3_600_000);
    expect(localToEpochMs({ year: 2025, month: 3, day: 9, hour: 12 }, "America/New_York")).toBe(
      Date.UTC(2025, 2, 9, 16),
    );
  });
});

describe("instants -> IB's forms", () => {
  it("epoch seconds, IB's numbers", () => {
    const timestamp = epochSecondsToTimestamp(1735828200);
    expect(timestamp && timestampDate(timestamp).toISOString()).toBe("2025-01-02T14:30:00.000Z");
    expect(timestamp && timestampToEpochSeconds(timestamp)).toBe(1735828200);
    expect(epochSecondsToTimestamp("1735828200")?.seconds).toBe(1735828200n);
    expect(epochSecondsToTimestamp(0)).toBeUndefined();
    expect(epochSecondsToTimestamp("")).toBeUndefined();
    expect(epochSecondsToTimestamp(undefined)).toBeUndefined();
    expect(epochSecondsToTimestamp(2147483647 * 1000)).toBeUndefined();
  });

  it("UTC and zoned request forms that parse back to the same instant", () => {
    const timestamp = epochSecondsToTimestamp(1735828205);
    if (!timestamp) throw new Error("no timestamp");
    expect(timestampToIbUtc(timestamp)).toBe("20250102-14:30:05");
    expect(timestampToIbZoned(timestamp)).toBe("20250102 14:30:05 UTC");
    expect(ibTimeToTimestamp(timestampToIbUtc(timestamp))?.seconds).toBe(1735828205n);
    expect(ibTimeToTimestamp(timestampToIbZoned(timestamp))?.seconds).toBe(1735828205n);
  });
});

describe("the gateway's zone, from its connection time", () => {
  it.each([
    ["20250102 14:30:00 UTC", "UTC"],
    ["20250102 09:30:00 EST", "EST"],
    ["20250702 09:30:00 US/Eastern", "US/Eastern"],
    ["20250102 15:30:00 MET", "MET"],
    ["20250102 14:30:00", undefined],
    ["20250102 14:30:00 Nowhere/Land", undefined],
    ["", undefined],
    [undefined, undefined],
  ])("%j -> %s", (text, zone) => {
    expect(zoneFromConnectionTime(text)).toBe(zone);
  });

  it("reads a zone-less execution time in that zone", () => {
    const defaultZone = zoneFromConnectionTime("20250702 09:30:00 US/Eastern");
    expect(iso("20250702  10:15:00", defaultZone)).toBe("2025-07-02T14:15:00.000Z");
  });
});
