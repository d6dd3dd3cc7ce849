/** Milliseconds since the epoch. Injected so tests decide what currentTime and connectionTime say. */
export type Clock = () => number;

export const systemClock: Clock = () => Date.now();

const pad = (value: number) => String(value).padStart(2, "0");

/**
 * TWS's connection-time format, "yyyyMMdd HH:mm:ss zone". Always UTC: a simulator whose answers depend on the host's
 * time zone would not be deterministic.
 */
export function formatConnectionTime(epochMs: number): string {
  const at = new Date(epochMs);
  const date = `${at.getUTCFullYear()}${pad(at.getUTCMonth() + 1)}${pad(at.getUTCDate())}`;
  return `${date} ${pad(at.getUTCHours())}:${pad(at.getUTCMinutes())}:${pad(at.getUTCSeconds())} UTC`;
}
