import { DAY_MS } from "./dates.js";
import { isHoliday } from "./holidays.js";
import type { TradingSchedule } from "./instruments.js";

/**
 * TWS's tradingHours / liquidHours strings (the 970+ format): one entry per local day, "yyyyMMdd:HHmm-yyyyMMdd:HHmm"
 * or "yyyyMMdd:CLOSED", joined with ";", starting on the instrument's local date at `at`.
 */
export function renderSessions(schedule: TradingSchedule, hours: string, at: number, days = 7): string {
  const [open = "0000", close = "2400"] = hours.split("-");
  const entries: string[] = [];
  for (let day = 0; day < days; day++) {
    const { date, isoWeekday } = localDate(schedule.timeZoneId, at + day * DAY_MS);
    const holiday =
      schedule.holidays !== undefined &&
      isHoliday(schedule.holidays, Number(date.slice(0, 4)), Number(date.slice(4, 6)), Number(date.slice(6, 8)));
    if (!schedule.weekdays.includes(isoWeekday) || holiday) {
      entries.push(`${date}:CLOSED`);
      continue;
    }
    // "2400" is not a time of day: a session to midnight ends at 0000 of the next local day.
    const end =
      close === "2400" ? `${localDate(schedule.timeZoneId, at + (day + 1) * DAY_MS).date}:0000` : `${date}:${close}`;
    entries.push(`${date}:${open}-${end}`);
  }
  return entries.join(";");
}

const formatters = new Map<string, Intl.DateTimeFormat>();

/** The calendar date and ISO weekday (1 = Monday) in `timeZone` at an instant; host-zone independent. */
function localDate(timeZone: string, at: number): { date: string; isoWeekday: number } {
  let formatter = formatters.get(timeZone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat("en-US", {
      timeZone,
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      weekday: "short",
    });
    formatters.set(timeZone, formatter);
  }
  const parts = Object.fromEntries(formatter.formatToParts(at).map((part) => [part.type, part.value]));
  const isoWeekday = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"].indexOf(parts.weekday ?? "") + 1;
  return { date: `${parts.year}${parts.month}${parts.day}`, isoWeekday };
}
