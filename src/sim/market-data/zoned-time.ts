/**
 * Wall-clock time in an instrument's zone, host-zone independent (Intl only). Historical requests and bar dates speak
 * in local time ("20250102 09:30:00 US/Eastern"), while the world runs on epoch milliseconds.
 */

export interface LocalDateTime {
  readonly year: number;
  /** 1..12 */
  readonly month: number;
  readonly day: number;
  readonly hour: number;
  readonly minute: number;
  readonly second: number;
  /** 1 = Monday .. 7 = Sunday */
  readonly isoWeekday: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();
const WEEKDAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat("en-US", {
      timeZone,
      hourCycle: "h23",
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      second: "2-digit",
      weekday: "short",
    });
    formatters.set(timeZone, formatter);
  }
  return formatter;
}

/** Whether Intl knows the zone name ("US/Eastern", "Europe/London", "UTC"...). */
export function isKnownZone(timeZone: string): boolean {
  try {
    formatterFor(timeZone);
    return true;
  } catch {
    return false;
  }
}

export function localTime(timeZone: string, at: number): LocalDateTime {
  const parts: Record<string, string> = {};
  for (const part of formatterFor(timeZone).formatToParts(at)) parts[part.type] = part.value;
  return {
    year: Number(parts.year),
    month: Number(parts.month),
    day: Number(parts.day),
    hour: Number(parts.hour),
    minute: Number(parts.minute),
    second: Number(parts.second),
    isoWeekday: WEEKDAYS.indexOf(parts.weekday ?? "") + 1,
  };
}

/** The instant a local wall time names (the earlier one in a DST fold; a time in a DST gap moves forward). */
export function zonedInstant(
  timeZone: string,
  year: number,
  month: number,
  day: number,
  hour = 0,
  minute = 0,
  second = 0,
): number {
  const wall = Date.UTC(year, month - 1, day, hour, minute, second);
  let guess = wall;
  // Two rounds settle the offset, also across a DST change between the wall time and the first guess.
  for (let round = 0; round < 2; round++) guess = wall - offsetAt(timeZone, guess);
  return guess;
}

/** Local minus UTC at an instant, in ms. */
function offsetAt(timeZone: string, at: number): number {
  const local = localTime(timeZone, at);
  const asUtc = Date.UTC(local.year, local.month - 1, local.day, local.hour, local.minute, local.second);
  return asUtc - Math.floor(at / 1000) * 1000;
}

const pad = (value: number, width = 2) => String(value).padStart(width, "0");

/** "yyyyMMdd" of a local date. */
export function formatLocalDate(local: Pick<LocalDateTime, "year" | "month" | "day">): string {
  return `${pad(local.year, 4)}${pad(local.month)}${pad(local.day)}`;
}

/** TWS's bar time for formatDate=1: "yyyyMMdd HH:mm:ss zone" in the instrument's zone. */
export function formatZoned(timeZone: string, at: number): string {
  const local = localTime(timeZone, at);
  return `${formatLocalDate(local)} ${pad(local.hour)}:${pad(local.minute)}:${pad(local.second)} ${timeZone}`;
}

/** "yyyyMMdd-HH:mm:ss" in UTC: the form TWS uses for head timestamps and accepts for UTC request times. */
export function formatUtcDash(at: number): string {
  return formatUtc(at, "-");
}

function formatUtc(at: number, separator: string): string {
  const d = new Date(at);
  const date = `${pad(d.getUTCFullYear(), 4)}${pad(d.getUTCMonth() + 1)}${pad(d.getUTCDate())}`;
  return `${date}${separator}${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
}

const DATE_TIME = /^(\d{4})(\d{2})(\d{2})(?:([ -])\s*(\d{1,2}):(\d{2})(?::(\d{2}))?)?(?:\s+(\S+))?$/;

/**
 * Parses a request's date-time: "" (undefined: now), "yyyyMMdd HH:mm:ss" (the gateway's zone, which the simulator
 * reports as UTC), "yyyyMMdd HH:mm:ss US/Eastern", "yyyyMMdd-HH:mm:ss" (UTC) or "yyyyMMdd" (midnight). Returns an
 * Error with TWS-like wording for anything else.
 */
export function parseRequestTime(text: string): number | undefined | Error {
  const trimmed = text.trim();
  if (trimmed === "") return undefined;
  const match = DATE_TIME.exec(trimmed);
  if (!match) return new Error(`invalid date-time ${JSON.stringify(text)}`);
  const [, year, month, day, separator, hour = "0", minute = "0", second = "0", zone] = match;
  const timeZone = separator === "-" || zone === undefined ? "UTC" : zone;
  if (!isKnownZone(timeZone)) return new Error(`unknown time zone ${JSON.stringify(zone)}`);
  const fields = [year, month, day, hour, minute, second].map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  if (fields[1] < 1 || fields[1] > 12 || fields[2] < 1 || fields[2] > 31 || fields[3] > 23 || fields[4] > 59) {
    return new Error(`invalid date-time ${JSON.stringify(text)}`);
  }
  return zonedInstant(timeZone, ...fields);
}
