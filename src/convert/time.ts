/**
 * IB's time strings <-> google.protobuf.Timestamp.
 *
 * IB writes instants in several forms, all handled here:
 * - "yyyyMMdd HH:mm:ss zone" (execution time, bars with formatDate=1, completed time), zone being a tzdata id
 *   ("US/Eastern", "America/New_York", "MET", "Japan"), a Java alias ("CST", "PST", "JST") or an abbreviation Java
 *   prints for a daylight phase ("EDT", "CEST", "HKT");
 * - "yyyyMMdd HH:mm:ss" / "yyyyMMdd  HH:mm:ss" without a zone: the gateway's zone, which the caller passes
 *   (`defaultZone`, UTC when unknown);
 * - "yyyyMMdd-HH:mm:ss": UTC (IB's own "explicitly UTC" form, also what it recommends for requests);
 * - "yyyy-MM-dd HH:mm:ss.0" (historical news, UTC unless a zone follows);
 * - epoch seconds as text (bars with formatDate=2, tick-by-tick, historical ticks, head timestamps);
 * - "yyyyMMdd": midnight of that day in the zone.
 *
 * Zones are read the way TWS (a Java program) reads them: tzdata through Intl (no dependency), with DST; "EST",
 * "MST" and "HST" are fixed offsets there as in Java. A local time in a DST gap moves forward by the gap and an
 * ambiguous one (the repeated hour) takes the earlier instant, as java.time's ZonedDateTime.of does.
 */

import { create } from "@bufbuild/protobuf";
import { type Timestamp, TimestampSchema } from "@bufbuild/protobuf/wkt";

/** A time string IB sent (or a client passed) that none of IB's forms matches. */
export class IbTimeFormatError extends Error {
  override readonly name = "IbTimeFormatError";
}

/** An instant: whole seconds since the epoch and nanoseconds within the second. */
export interface Instant {
  readonly seconds: number;
  readonly nanos: number;
}

export interface IbTimeOptions {
  /**
   * The zone of a time written without one ("yyyyMMdd HH:mm:ss", "yyyyMMdd"): TWS's login zone.
   * @default "UTC"
   */
  readonly defaultZone?: string;
}

const MS_PER_MINUTE = 60_000;
const MS_PER_HOUR = 3_600_000;

/**
 * Abbreviations Java prints for a zone's daylight (or otherwise non-id) phase: fixed offsets. They win over tzdata
 * where ICU knows the name as something else ("BST" is Asia/Dhaka for Java's old aliases, but in an IB time string
 * it is London's summer time).
 */
const FIXED_ABBREVIATIONS: ReadonlyMap<string, number> = new Map([
  ["UTC", 0],
  ["GMT", 0],
  ["Z", 0],
  ["UT", 0],
  ["EDT", -4 * MS_PER_HOUR],
  ["CDT", -5 * MS_PER_HOUR],
  ["MDT", -6 * MS_PER_HOUR],
  ["PDT", -7 * MS_PER_HOUR],
  ["AKST", -9 * MS_PER_HOUR],
  ["AKDT", -8 * MS_PER_HOUR],
  ["HKT", 8 * MS_PER_HOUR],
  ["SGT", 8 * MS_PER_HOUR],
  ["KST", 9 * MS_PER_HOUR],
  ["BST", 1 * MS_PER_HOUR],
  ["WEST", 1 * MS_PER_HOUR],
  ["CEST", 2 * MS_PER_HOUR],
  ["MEST", 2 * MS_PER_HOUR],
  ["EEST", 3 * MS_PER_HOUR],
  ["MSK", 3 * MS_PER_HOUR],
  ["AEST", 10 * MS_PER_HOUR],
  ["AEDT", 11 * MS_PER_HOUR],
  ["NZST", 12 * MS_PER_HOUR],
  ["NZDT", 13 * MS_PER_HOUR],
]);

/** "+05:30", "-0500", "UTC+8", "GMT-03:00": offsets with their natural sign (Java's "GMT+5" is five hours east). */
const OFFSET = /^(?:UTC|GMT)?([+-])(\d{1,2})(?::?(\d{2}))?$/;

/** A resolved zone: a fixed offset, or a tzdata zone read through Intl. */
type Zone = { readonly fixedOffsetMs: number } | { readonly formatter: Intl.DateTimeFormat };

const zoneCache = new Map<string, Zone>();

function resolveZone(name: string): Zone {
  const cached = zoneCache.get(name);
  if (cached) return cached;
  let zone: Zone;
  const fixed = FIXED_ABBREVIATIONS.get(name.toUpperCase());
  const offset = OFFSET.exec(name);
  if (fixed !== undefined) zone = { fixedOffsetMs: fixed };
  else if (offset) {
    const [, sign, hours = "0", minutes = "0"] = offset;
    zone = { fixedOffsetMs: (sign === "-" ? -1 : 1) * (Number(hours) * MS_PER_HOUR + Number(minutes) * MS_PER_MINUTE) };
  } else {
    try {
      zone = {
        formatter: new Intl.DateTimeFormat("en-US", {
          timeZone: name,
          hourCycle: "h23",
          year: "numeric",
          month: "numeric",
          day: "numeric",
          hour: "numeric",
          minute: "numeric",
          second: "numeric",
        }),
      };
    } catch {
      throw new IbTimeFormatError(`unknown time zone ${JSON.stringify(name)}`);
    }
  }
  zoneCache.set(name, zone);
  return zone;
}

/** True when `name` is a zone this module can read (tzdata id, Java alias, abbreviation or offset). */
export function isKnownZone(name: string): boolean {
  try {
    resolveZone(name);
    return true;
  } catch {
    return false;
  }
}

/** The zone's offset from UTC at `epochMs`, in ms (e.g. -5 h for New York in January). */
export function zoneOffsetMs(zoneName: string, epochMs: number): number {
  return offsetAt(resolveZone(zoneName), epochMs);
}

function offsetAt(zone: Zone, epochMs: number): number {
  if ("fixedOffsetMs" in zone) return zone.fixedOffsetMs;
  const wholeSecond = Math.floor(epochMs / 1000) * 1000;
  const parts: Record<string, number> = {};
  for (const part of zone.formatter.formatToParts(wholeSecond)) {
    if (part.type !== "literal") parts[part.type] = Number(part.value);
  }
  const asUtc = Date.UTC(
    parts.year as number,
    (parts.month as number) - 1,
    parts.day as number,
    parts.hour as number,
    parts.minute as number,
    parts.second as number,
  );
  return asUtc - wholeSecond;
}

/** A wall-clock time in a zone. */
export interface LocalDateTime {
  readonly year: number;
  /** 1-12. */
  readonly month: number;
  readonly day: number;
  readonly hour?: number;
  readonly minute?: number;
  readonly second?: number;
}

/**
 * The instant (epoch ms) of a wall-clock time in `zoneName`. In a DST gap (02:30 on the spring-forward night) the
 * time moves forward by the gap (03:30); in an overlap (01:30 on the fall-back night) the earlier instant wins.
 */
export function localToEpochMs(local: LocalDateTime, zoneName: string): number {
  const zone = resolveZone(zoneName);
  const asUtc = Date.UTC(local.year, local.month - 1, local.day, local.hour ?? 0, local.minute ?? 0, local.second ?? 0);
  if ("fixedOffsetMs" in zone) return asUtc - zone.fixedOffsetMs;
  // The offsets in force a day around the wall time cover every transition (zones change at most once a day).
  const before = offsetAt(zone, asUtc - 86_400_000);
  const after = offsetAt(zone, asUtc + 86_400_000);
  const valid = [before, after].filter((offset) => offsetAt(zone, asUtc - offset) === offset);
  if (valid.length === 0) return asUtc - before; // the gap: pushed forward by its length
  return Math.min(...valid.map((offset) => asUtc - offset)); // the overlap: the earlier instant
}

/** "yyyyMMdd[ HH:mm[:ss]][ zone]" or "yyyyMMdd-HH:mm:ss" (dash: UTC). IB pads with two spaces for formatDate=1. */
const COMPACT = /^(\d{4})(\d{2})(\d{2})(?:( +|-)(\d{1,2}):(\d{2})(?::(\d{2}))?)?(?: +(\S+))?$/;
/** "yyyy-MM-dd[ HH:mm[:ss[.fraction]]][ zone]" (historical news; also ISO's "T" and "Z"). */
const DASHED = /^(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?)?(?: *(Z)| +(\S+))?$/;
/** Epoch seconds: nine digits or more (March 1973 onwards), so a short date-like number is an error, not 1970. */
const EPOCH_SECONDS = /^\d{9,}$/;

/**
 * Parses any of IB's time forms (see the module comment) into an instant; throws IbTimeFormatError for text that
 * matches none, names an unknown zone, or is not a real calendar time.
 */
export function parseIbTime(text: string, options: IbTimeOptions = {}): Instant {
  const trimmed = text.trim();
  const defaultZone = options.defaultZone ?? "UTC";
  const compact = COMPACT.exec(trimmed);
  if (compact) {
    const [, year, month, day, separator, hour, minute, second, zoneName] = compact;
    if (separator === "-" && zoneName !== undefined) {
      throw new IbTimeFormatError(`"yyyyMMdd-HH:mm:ss" is UTC and takes no zone: ${JSON.stringify(text)}`);
    }
    const zone = separator === "-" ? "UTC" : (zoneName ?? defaultZone);
    return zoned(text, zone, year, month, day, hour, minute, second, undefined);
  }
  const dashed = DASHED.exec(trimmed);
  if (dashed) {
    const [, year, month, day, hour, minute, second, fraction, z, zoneName] = dashed;
    return zoned(text, z ? "UTC" : (zoneName ?? defaultZone), year, month, day, hour, minute, second, fraction);
  }
  if (EPOCH_SECONDS.test(trimmed)) return { seconds: Number(trimmed), nanos: 0 };
  throw new IbTimeFormatError(`not an IB time: ${JSON.stringify(text)}`);
}

function zoned(
  text: string,
  zone: string,
  ...fields: [string?, string?, string?, string?, string?, string?, string?]
): Instant {
  const [year, month, day, hour, minute, second] = fields.slice(0, 6).map((field) => Number(field ?? "0")) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const fraction = fields[6];
  const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate();
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth || hour > 23 || minute > 59 || second > 59) {
    throw new IbTimeFormatError(`not a calendar time: ${JSON.stringify(text)}`);
  }
  const epochMs = localToEpochMs({ year, month, day, hour, minute, second }, zone);
  return { seconds: epochMs / 1000, nanos: fraction ? Number(fraction.padEnd(9, "0")) : 0 };
}

/**
 * The gateway's zone from its connection time (EClient.serverConnectionTime / the `server` event, e.g.
 * "20250102 09:30:00 EST" or "20250102 14:30:00 UTC"): the zone TWS writes zone-less times in (older execution times
 * "yyyyMMdd  HH:mm:ss"), to pass as `defaultZone`. Undefined when the text names no zone this module knows.
 */
export function zoneFromConnectionTime(connectionTime: string | null | undefined): string | undefined {
  const zone = /^\d{8}[ -]+\d{1,2}:\d{2}(?::\d{2})? +(\S+)$/.exec((connectionTime ?? "").trim())?.[1];
  return zone !== undefined && isKnownZone(zone) ? zone : undefined;
}

/**
 * An IB time string as a Timestamp; undefined for "" (IB's "none"). Throws IbTimeFormatError for text in no IB form
 * (callers converting IB's answers use ibTimeToTimestampOrUndefined so one odd value cannot fail a whole answer).
 */
export function ibTimeToTimestamp(text: string, options: IbTimeOptions = {}): Timestamp | undefined {
  if (text.trim() === "") return undefined;
  return instantToTimestamp(parseIbTime(text, options));
}

/** Like ibTimeToTimestamp, but undefined (absent) for text it cannot read instead of a throw: for IB's answers. */
export function ibTimeToTimestampOrUndefined(
  text: string | null | undefined,
  options: IbTimeOptions = {},
): Timestamp | undefined {
  if (text === undefined || text === null) return undefined;
  try {
    return ibTimeToTimestamp(text, options);
  } catch {
    return undefined;
  }
}

/** Epoch seconds (number or IB's text) as a Timestamp; undefined for undefined, "", 0 and sentinels. */
export function epochSecondsToTimestamp(seconds: number | string | null | undefined): Timestamp | undefined {
  if (seconds === undefined || seconds === null || seconds === "") return undefined;
  const value = typeof seconds === "string" ? Number(seconds) : seconds;
  if (!Number.isFinite(value) || value === 0 || Math.abs(value) >= 2147483647 * 1000) return undefined;
  const whole = Math.floor(value);
  return create(TimestampSchema, { seconds: BigInt(whole), nanos: Math.round((value - whole) * 1e9) });
}

/** Epoch milliseconds (IB's Java longs, e.g. tickNews) as a Timestamp; undefined for undefined, 0 and sentinels. */
export function timestampFromEpochMs(ms: number | null | undefined): Timestamp | undefined {
  if (ms === undefined || ms === null || !Number.isFinite(ms) || ms === 0 || Math.abs(ms) >= Number.MAX_SAFE_INTEGER) {
    return undefined;
  }
  const seconds = Math.floor(ms / 1000);
  return create(TimestampSchema, { seconds: BigInt(seconds), nanos: Math.round(ms - seconds * 1000) * 1_000_000 });
}

/** A Timestamp as epoch seconds (whole seconds; IB's integer times). */
export function timestampToEpochSeconds(timestamp: Timestamp): number {
  return Number(timestamp.seconds);
}

/** A Timestamp as IB's UTC request form "yyyyMMdd-HH:mm:ss" (sub-second dropped: IB's resolution is seconds). */
export function timestampToIbUtc(timestamp: Timestamp): string {
  const at = new Date(Number(timestamp.seconds) * 1000);
  const pad = (value: number, width = 2) => String(value).padStart(width, "0");
  return (
    `${pad(at.getUTCFullYear(), 4)}${pad(at.getUTCMonth() + 1)}${pad(at.getUTCDate())}-` +
    `${pad(at.getUTCHours())}:${pad(at.getUTCMinutes())}:${pad(at.getUTCSeconds())}`
  );
}

/**
 * A Timestamp as IB's zoned form "yyyyMMdd HH:mm:ss UTC" (what the simulator, and TWS logged in as UTC, write in
 * execution times).
 */
export function timestampToIbZoned(timestamp: Timestamp): string {
  return `${timestampToIbUtc(timestamp).replace("-", " ")} UTC`;
}

/** An instant as a Timestamp. */
export function instantToTimestamp(instant: Instant): Timestamp {
  return create(TimestampSchema, { seconds: BigInt(instant.seconds), nanos: instant.nanos });
}
