import pino, { type DestinationStream, type Logger } from "pino";

/**
 * The process logger: one JSON line per event on stdout (pino), at LOG_LEVEL, with an ISO-8601 UTC `time` and the
 * level by name, so `journalctl -o cat`, `docker logs` or jq read them without a lookup table.
 */
export function createLogger(level: string, destination?: DestinationStream): Logger {
  const options: pino.LoggerOptions = {
    level,
    base: { service: "ibrpc" },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
  };
  return destination ? pino(options, destination) : pino(options);
}
