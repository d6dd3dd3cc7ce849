/** UTC calendar helpers: the simulator's dates never depend on the host's time zone. */

export const DAY_MS = 24 * 60 * 60 * 1000;

const pad = (value: number, width = 2) => String(value).padStart(width, "0");

/** "yyyyMMdd". */
export function compactDate(epochMs: number): string {
  const at = new Date(epochMs);
  return `${at.getUTCFullYear()}${pad(at.getUTCMonth() + 1)}${pad(at.getUTCDate())}`;
}

/** "yyyy-MM-dd". */
export function isoDate(epochMs: number): string {
  return new Date(epochMs).toISOString().slice(0, 10);
}

/** "yyyy-MM-dd HH:mm:ss.0": the time format of historicalNews rows. */
export function newsTime(epochMs: number): string {
  return `${new Date(epochMs).toISOString().slice(0, 19).replace("T", " ")}.0`;
}

const DATE_TIME = /^(\d{4})-?(\d{2})-?(\d{2})(?:[ T-]+(\d{2}):(\d{2})(?::(\d{2}))?(?:\.\d+)?)?(?:\s+(?:UTC|GMT))?$/;

/**
 * Parses the date-times clients send for news and WSH ranges ("2025-01-02 14:30:00.0", "20250102 14:30:00",
 * "20250102"), read as UTC. Undefined for anything else; "" is for the caller to treat as open-ended.
 */
export function parseRequestDateTime(text: string): number | undefined {
  const match = DATE_TIME.exec(text.trim());
  if (!match) return undefined;
  const [, year, month, day, hours = "0", minutes = "0", seconds = "0"] = match;
  const epochMs = Date.UTC(
    Number(year),
    Number(month) - 1,
    Number(day),
    Number(hours),
    Number(minutes),
    Number(seconds),
  );
  return Number.isNaN(epochMs) ? undefined : epochMs;
}
