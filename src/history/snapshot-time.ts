import { create } from "@bufbuild/protobuf";
import { type Timestamp, TimestampSchema } from "@bufbuild/protobuf/wkt";

/**
 * Snapshot times: microseconds since the epoch (UTC) in a bigint, so no step (JS Date, a double) can round them.
 * The database holds them as timestamptz (microseconds); between the two they travel as ISO text.
 */
export type Micros = bigint;

const MICROS_PER_SECOND = 1_000_000n;

/** "2026-11-30T16:23:46.123456Z": six fractional digits, what the database reads back through isoUtc. */
export function microsToIso(us: Micros): string {
  const seconds = floorDiv(us, MICROS_PER_SECOND);
  const fraction = us - seconds * MICROS_PER_SECOND;
  const whole = new Date(Number(seconds) * 1000).toISOString().slice(0, 19);
  return `${whole}.${fraction.toString().padStart(6, "0")}Z`;
}

/**
 * RFC 3339 with up to nine fractional digits and a Z or +hh:mm offset (Go's RFC3339Nano, ibconnect's URLs) to
 * whole nanoseconds since the epoch; undefined when `text` is not such a time.
 */
export function parseRfc3339Nanos(text: string): bigint | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(?:([Zz])|([+-])(\d{2}):(\d{2}))$/.exec(
    text,
  );
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s, frac = "", , sign, oh, om] = m;
  const ms = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s));
  const check = new Date(ms);
  // Date.UTC rolls Feb 30 over into March: a date that does not exist is not a time.
  if (Number.isNaN(ms) || check.getUTCDate() !== Number(d) || check.getUTCHours() !== Number(h) || Number(s) > 59) {
    return undefined;
  }
  const offsetMinutes = sign ? (sign === "-" ? -1 : 1) * (Number(oh) * 60 + Number(om)) : 0;
  const seconds = BigInt(ms / 1000 - offsetMinutes * 60);
  return seconds * 1_000_000_000n + BigInt(frac.padEnd(9, "0"));
}

/** Nanoseconds to microseconds; undefined unless exact (a snapshot time never has sub-microsecond digits). */
export function nanosToMicros(nanos: bigint): Micros | undefined {
  return nanos % 1000n === 0n ? nanos / 1000n : undefined;
}

/** Parses the ISO text the database returns (isoUtc) or any RFC 3339 time with whole microseconds. */
export function isoToMicros(text: string): Micros {
  const nanos = parseRfc3339Nanos(text);
  const us = nanos === undefined ? undefined : nanosToMicros(nanos);
  if (us === undefined) throw new Error(`not a microsecond RFC 3339 time: ${text}`);
  return us;
}

/** Go's RFC3339Nano of ibconnect's URLs: UTC, trailing zeros of the fraction dropped (".776394", none if whole). */
export function microsToRfc3339Nano(us: Micros): string {
  const iso = microsToIso(us);
  const [whole, fraction = ""] = iso.slice(0, -1).split(".");
  const trimmed = fraction.replace(/0+$/, "");
  return `${whole}${trimmed ? `.${trimmed}` : ""}Z`;
}

export function microsToTimestamp(us: Micros): Timestamp {
  const seconds = floorDiv(us, MICROS_PER_SECOND);
  return create(TimestampSchema, { seconds, nanos: Number(us - seconds * MICROS_PER_SECOND) * 1000 });
}

/** A Timestamp as microseconds; undefined when it has sub-microsecond nanos (no snapshot is at such a time). */
export function timestampToMicros(ts: Timestamp): Micros | undefined {
  if (ts.nanos % 1000 !== 0) return undefined;
  return ts.seconds * MICROS_PER_SECOND + BigInt(ts.nanos / 1000);
}

/**
 * The clock of snapshot times: the wall clock's milliseconds (kept in step with NTP, unlike a monotonic clock over
 * days), microseconds filled from the high-resolution clock, strictly increasing within the process so that two
 * snapshots of one account taken back to back never share an instant (UNIQUE(account, time) would fold them).
 */
export function microClock(now: () => number = Date.now): () => Micros {
  let last = 0n;
  return () => {
    const us = BigInt(now()) * 1000n + ((process.hrtime.bigint() / 1000n) % 1000n);
    last = us > last ? us : last + 1n;
    return last;
  };
}

function floorDiv(a: bigint, b: bigint): bigint {
  const q = a / b;
  return a % b !== 0n && a < 0n ? q - 1n : q;
}
