import { isHoliday } from "../world/holidays.js";
import type { TradingSchedule } from "../world/instruments.js";
import { formatLocalDate, localTime, zonedInstant } from "./zoned-time.js";

/** One trading session as UTC instants, labelled with its local date (what a daily bar is called). */
export interface TradingSession {
  readonly start: number;
  readonly end: number;
  /** "yyyyMMdd" in the instrument's zone. */
  readonly date: string;
  /** Local midnight that starts the session's day, for aligning intraday bars to the local clock. */
  readonly dayStart: number;
}

/** How far back a search for sessions may look: a schedule with no trading days must not loop forever. */
const MAX_DAYS_SEARCHED = 3 * 366;

/**
 * The sessions of `schedule` (regular hours when `regularOnly`, the full trading day otherwise), newest first, that
 * start before `end`; each is clipped to `end`. TWS's "N D" durations count these rather than calendar days, so a
 * request on a Sunday still gets Friday's bars, and one the day after Thanksgiving skips Thursday. A session is
 * named by its local date (the session date, not the UTC date).
 */
export function* sessionsBefore(
  schedule: TradingSchedule,
  regularOnly: boolean,
  end: number,
): Generator<TradingSession> {
  const hours = regularOnly ? schedule.liquid : schedule.trading;
  const [open = "0000", close = "2400"] = hours.split("-");
  const local = localTime(schedule.timeZoneId, end);
  for (let back = 0; back < MAX_DAYS_SEARCHED; back++) {
    // Date.UTC normalises day underflow into earlier months and years.
    const date = new Date(Date.UTC(local.year, local.month - 1, local.day - back));
    const isoWeekday = ((date.getUTCDay() + 6) % 7) + 1;
    if (!schedule.weekdays.includes(isoWeekday)) continue;
    const [y, m, d] = [date.getUTCFullYear(), date.getUTCMonth() + 1, date.getUTCDate()];
    if (schedule.holidays && isHoliday(schedule.holidays, y, m, d)) continue;
    const dayStart = zonedInstant(schedule.timeZoneId, y, m, d);
    const start = atLocal(schedule.timeZoneId, y, m, d, open);
    const sessionEnd =
      close === "2400" ? zonedInstant(schedule.timeZoneId, y, m, d + 1) : atLocal(schedule.timeZoneId, y, m, d, close);
    if (start >= end) continue;
    yield { start, end: Math.min(sessionEnd, end), date: formatLocalDate({ year: y, month: m, day: d }), dayStart };
  }
}

function atLocal(timeZone: string, year: number, month: number, day: number, hhmm: string): number {
  return zonedInstant(timeZone, year, month, day, Number(hhmm.slice(0, 2)), Number(hhmm.slice(2, 4)));
}

/** Whether `at` falls inside a session (the keepUpToDate and real-time streams pause outside them when asked). */
export function inSession(schedule: TradingSchedule, regularOnly: boolean, at: number): boolean {
  const latest = sessionsBefore(schedule, regularOnly, at + 1).next();
  return !latest.done && latest.value.end > at;
}
