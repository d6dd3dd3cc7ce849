/**
 * The vocabulary of historical requests: barSizeSetting ("5 mins"), durationStr ("2 D") and a histogram's period
 * ("3 days"), parsed into what the bar builder needs. Unknown spellings are errors, as TWS answers 321 for them.
 */

export type BarSize =
  | { readonly kind: "intraday"; readonly ms: number }
  | { readonly kind: "day" }
  | { readonly kind: "week" }
  | { readonly kind: "month" };

const UNIT_MS: Record<string, number> = {
  sec: 1000,
  secs: 1000,
  min: 60_000,
  mins: 60_000,
  hour: 3_600_000,
  hours: 3_600_000,
};

/** TWS's accepted bar sizes ("1 secs" .. "1 month"); anything else is undefined. */
export function parseBarSize(setting: string): BarSize | undefined {
  const match = /^(\d+)\s+([a-z]+)$/i.exec(setting.trim());
  if (!match) return undefined;
  const count = Number(match[1]);
  const unit = (match[2] as string).toLowerCase();
  if (unit === "day" || unit === "days") return count === 1 ? { kind: "day" } : undefined;
  if (unit === "week" || unit === "weeks" || unit === "w") return count === 1 ? { kind: "week" } : undefined;
  if (unit === "month" || unit === "months") return count === 1 ? { kind: "month" } : undefined;
  const unitMs = UNIT_MS[unit];
  if (unitMs === undefined || count < 1) return undefined;
  const ms = count * unitMs;
  // Only sizes that tile a day (TWS lists 1/5/10/15/30 secs, 1..30 mins, 1..8 hours).
  return 86_400_000 % ms === 0 ? { kind: "intraday", ms } : undefined;
}

/** durationStr: seconds are a plain window; days count sessions; weeks, months and years are calendar spans. */
export type Duration =
  | { readonly kind: "seconds"; readonly ms: number }
  | { readonly kind: "sessions"; readonly count: number }
  | { readonly kind: "calendar"; readonly unit: "W" | "M" | "Y"; readonly count: number };

export function parseDuration(text: string): Duration | undefined {
  const match = /^(\d+)\s*([SDWMY])$/i.exec(text.trim());
  if (!match) return undefined;
  const count = Number(match[1]);
  if (count < 1) return undefined;
  const unit = (match[2] as string).toUpperCase();
  if (unit === "S") return { kind: "seconds", ms: count * 1000 };
  if (unit === "D") return { kind: "sessions", count };
  return { kind: "calendar", unit: unit as "W" | "M" | "Y", count };
}

/** The calendar instant `count` weeks / months / years before `end` (UTC calendar: a span, not a label). */
export function calendarStart(end: number, unit: "W" | "M" | "Y", count: number): number {
  const at = new Date(end);
  if (unit === "W") return end - count * 7 * 86_400_000;
  if (unit === "M") at.setUTCMonth(at.getUTCMonth() - count);
  else at.setUTCFullYear(at.getUTCFullYear() - count);
  return at.getTime();
}

/** reqHistogramData's period: "3 days", "1 weeks", "2 months"... as a number of sessions. */
export function parseHistogramPeriod(text: string): number | undefined {
  const match = /^(\d+)\s*(days?|weeks?|months?|years?)$/i.exec(text.trim());
  if (!match) return undefined;
  const count = Number(match[1]);
  const unit = (match[2] as string).toLowerCase();
  const sessions = unit.startsWith("day") ? 1 : unit.startsWith("week") ? 5 : unit.startsWith("month") ? 21 : 252;
  return count >= 1 ? count * sessions : undefined;
}
