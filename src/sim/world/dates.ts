/** Calendar helpers for expiries. All UTC, so the catalog does not depend on the host's time zone. */

export const DAY_MS = 86_400_000;
export const YEAR_MS = 365 * DAY_MS;

/** yyyyMMdd of an epoch instant (UTC). */
export function yyyymmdd(epochMs: number): string {
  const at = new Date(epochMs);
  return `${at.getUTCFullYear()}${String(at.getUTCMonth() + 1).padStart(2, "0")}${String(at.getUTCDate()).padStart(2, "0")}`;
}

/** The third Friday of a month (month 0-based, may overflow into later years), at 00:00 UTC. */
export function thirdFriday(year: number, month: number): number {
  const first = Date.UTC(year, month, 1);
  const weekday = new Date(first).getUTCDay(); // 0 = Sunday
  const firstFriday = 1 + ((5 - weekday + 7) % 7);
  return Date.UTC(year, month, firstFriday + 14);
}

/** US equity-derivative expiry instant: 16:00 New York, taken as 21:00 UTC (EST; good enough for pricing). */
export function usExpiryInstant(dayStartMs: number): number {
  return dayStartMs + 21 * 3_600_000;
}

/** The next `count` third Fridays whose expiry instant is after `fromMs`, in months `monthFilter` accepts (0-based). */
export function nextThirdFridays(fromMs: number, count: number, monthFilter: (month: number) => boolean = () => true) {
  const from = new Date(fromMs);
  const found: number[] = [];
  for (let offset = 0; found.length < count; offset++) {
    const month = from.getUTCMonth() + offset;
    if (!monthFilter(month % 12)) continue;
    const day = thirdFriday(from.getUTCFullYear(), month);
    if (usExpiryInstant(day) > fromMs) found.push(day);
  }
  return found;
}
