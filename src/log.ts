import pino, { type DestinationStream, type Logger } from "pino";

/**
 * The process logger: one JSON line per event on stdout (pino), at LOG_LEVEL, with an ISO-8601 UTC `time` and the
 * level by name, so `journalctl -o cat`, `docker logs` or jq read them without a lookup table.
 *
 * Written synchronously: pino's default stdout destination is asynchronous (each line an fs.write through libuv's
 * thread pool, plus a wake-up of the event loop for its callback), which costs every call a thread hand-off
 * (bench/unary) and can lose the last lines when the process dies; main.ts relies on nothing being lost on exit.
 */
export function createLogger(level: string, destination?: DestinationStream): Logger {
  const options: pino.LoggerOptions = {
    level,
    base: { service: "ibrpc" },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
  };
  return pino(options, destination ?? pino.destination({ dest: 1, sync: true }));
}
