/**
 * Exchange holidays, by rule (so any year works, no table to go stale): the full-day closures of the exchanges the
 * simulated world lists. Early closes (the day after Thanksgiving, Christmas Eve in the US) are not modelled. Dates
 * are the exchange's local calendar dates.
 *
 * - US (NYSE/Nasdaq, US options, CME's equity futures, whose Globex session closes on the same days): New Year's Day,
 *   Martin Luther King Jr. Day, Washington's Birthday, Good Friday, Memorial Day, Juneteenth (from 2022),
 *   Independence Day, Labor Day, Thanksgiving, Christmas; a Sunday holiday moves to Monday, a Saturday one to Friday
 *   (except New Year's Day, which then has no weekday closure: NYSE rule 7.2).
 * - LSE: New Year's Day, Good Friday, Easter Monday, early May, spring and summer bank holidays, Christmas, Boxing Day
 *   (weekend ones move to the next weekdays).
 * - XETRA (Frankfurt): New Year's Day, Good Friday, Easter Monday, Labour Day, Christmas Eve, Christmas, Boxing Day,
 *   New Year's Eve.
 * - TSE (Tokyo): the year-end closure (Dec 31 - Jan 3) and Japan's national holidays, with the Monday substitute for
 *   one on a Sunday.
 * - FX (IDEALPRO): Christmas Day and New Year's Day.
 */
export type HolidayCalendar = "US" | "LSE" | "XETRA" | "TSE" | "FX";

const cache = new Map<string, boolean>();

/** Whether `calendar` is closed all day on the local date year-month-day (month 1..12). */
export function isHoliday(calendar: HolidayCalendar, year: number, month: number, day: number): boolean {
  const key = `${calendar}:${year}-${month}-${day}`;
  let closed = cache.get(key);
  if (closed === undefined) {
    closed = holidaysOf(calendar, year).has(dayKey(month, day));
    if (cache.size > 50_000) cache.clear();
    cache.set(key, closed);
  }
  return closed;
}

const yearCache = new Map<string, Set<string>>();

function holidaysOf(calendar: HolidayCalendar, year: number): Set<string> {
  const key = `${calendar}:${year}`;
  let days = yearCache.get(key);
  if (!days) {
    days = new Set(RULES[calendar](year).map(([month, day]) => dayKey(month, day)));
    yearCache.set(key, days);
  }
  return days;
}

type MonthDay = readonly [month: number, day: number];

const dayKey = (month: number, day: number) => `${month}-${day}`;

/** 0 = Sunday .. 6 = Saturday. */
function weekday(year: number, month: number, day: number): number {
  return new Date(Date.UTC(year, month - 1, day)).getUTCDay();
}

function shift(year: number, month: number, day: number, by: number): MonthDay {
  const at = new Date(Date.UTC(year, month - 1, day + by));
  return [at.getUTCMonth() + 1, at.getUTCDate()];
}

/** The n-th (1-based) `dow` of a month; n = -1 for the last. */
function nthWeekday(year: number, month: number, dow: number, n: number): MonthDay {
  if (n > 0) {
    const first = weekday(year, month, 1);
    return [month, 1 + ((dow - first + 7) % 7) + (n - 1) * 7];
  }
  const lastDay = new Date(Date.UTC(year, month, 0)).getUTCDate();
  const last = weekday(year, month, lastDay);
  return [month, lastDay - ((last - dow + 7) % 7)];
}

/** Easter Sunday (Gregorian, anonymous algorithm). */
function easter(year: number): MonthDay {
  const a = year % 19;
  const b = Math.floor(year / 100);
  const c = year % 100;
  const d = Math.floor(b / 4);
  const e = b % 4;
  const f = Math.floor((b + 8) / 25);
  const g = Math.floor((b - f + 1) / 3);
  const h = (19 * a + b - d - g + 15) % 30;
  const i = Math.floor(c / 4);
  const k = c % 4;
  const l = (32 + 2 * e + 2 * i - h - k) % 7;
  const m = Math.floor((a + 11 * h + 22 * l) / 451);
  const month = Math.floor((h + l - 7 * m + 114) / 31);
  const day = ((h + l - 7 * m + 114) % 31) + 1;
  return [month, day];
}

/** US rule: Saturday -> Friday, Sunday -> Monday. */
function usObserved(year: number, month: number, day: number): MonthDay[] {
  const dow = weekday(year, month, day);
  if (dow === 6) return [shift(year, month, day, -1)];
  if (dow === 0) return [shift(year, month, day, 1)];
  return [[month, day]];
}

function us(year: number): MonthDay[] {
  const [em, ed] = easter(year);
  const days: MonthDay[] = [
    nthWeekday(year, 1, 1, 3),
    nthWeekday(year, 2, 1, 3),
    shift(year, em, ed, -2),
    nthWeekday(year, 5, 1, -1),
    ...usObserved(year, 7, 4),
    nthWeekday(year, 9, 1, 1),
    nthWeekday(year, 11, 4, 4),
    ...usObserved(year, 12, 25),
  ];
  // New Year's Day on a Saturday is not made up on Friday Dec 31 (NYSE rule); on a Sunday it moves to Monday.
  if (weekday(year, 1, 1) !== 6) days.push(...usObserved(year, 1, 1));
  if (year >= 2022) days.push(...usObserved(year, 6, 19));
  return days;
}

/** UK rule: a weekend holiday moves to the next weekday not already a holiday. */
function ukSubstitutes(year: number, fixed: readonly MonthDay[]): MonthDay[] {
  const taken = new Set<string>();
  const out: MonthDay[] = [];
  for (const [month, day] of fixed) {
    let at: MonthDay = [month, day];
    while (weekday(year, at[0], at[1]) % 6 === 0 || taken.has(dayKey(at[0], at[1]))) at = shift(year, at[0], at[1], 1);
    taken.add(dayKey(at[0], at[1]));
    out.push(at);
  }
  return out;
}

function lse(year: number): MonthDay[] {
  const [em, ed] = easter(year);
  return [
    ...ukSubstitutes(year, [[1, 1]]),
    shift(year, em, ed, -2),
    shift(year, em, ed, 1),
    nthWeekday(year, 5, 1, 1),
    nthWeekday(year, 5, 1, -1),
    nthWeekday(year, 8, 1, -1),
    ...ukSubstitutes(year, [
      [12, 25],
      [12, 26],
    ]),
  ];
}

function xetra(year: number): MonthDay[] {
  const [em, ed] = easter(year);
  return [[1, 1], shift(year, em, ed, -2), shift(year, em, ed, 1), [5, 1], [12, 24], [12, 25], [12, 26], [12, 31]];
}

function tse(year: number): MonthDay[] {
  const sinceEpoch = year - 1980;
  const leapShift = Math.floor(sinceEpoch / 4);
  const vernal = Math.floor(20.8431 + 0.242194 * sinceEpoch - leapShift);
  const autumnal = Math.floor(23.2488 + 0.242194 * sinceEpoch - leapShift);
  const national: MonthDay[] = [
    [1, 1],
    nthWeekday(year, 1, 1, 2),
    [2, 11],
    [2, 23],
    [3, vernal],
    [4, 29],
    [5, 3],
    [5, 4],
    [5, 5],
    nthWeekday(year, 7, 1, 3),
    [8, 11],
    nthWeekday(year, 9, 1, 3),
    [9, autumnal],
    nthWeekday(year, 10, 1, 2),
    [11, 3],
    [11, 23],
  ];
  const taken = new Set(national.map(([month, day]) => dayKey(month, day)));
  const substitutes: MonthDay[] = [];
  for (const [month, day] of national) {
    if (weekday(year, month, day) !== 0) continue;
    // The substitute is the next day that is not itself a holiday (Golden Week pushes it to May 6).
    let at = shift(year, month, day, 1);
    while (taken.has(dayKey(at[0], at[1]))) at = shift(year, at[0], at[1], 1);
    taken.add(dayKey(at[0], at[1]));
    substitutes.push(at);
  }
  return [...national, ...substitutes, [1, 2], [1, 3], [12, 31]];
}

function fx(_year: number): MonthDay[] {
  return [
    [1, 1],
    [12, 25],
  ];
}

const RULES: Record<HolidayCalendar, (year: number) => MonthDay[]> = {
  US: us,
  LSE: lse,
  XETRA: xetra,
  TSE: tse,
  FX: fx,
};
