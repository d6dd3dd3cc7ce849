import { pino } from "pino";
import { describe, expect, it } from "vitest";
import { GatewayState } from "../../gen/ibrpc/v1/connection_pb.js";
import { eventually } from "../support/wait.js";
import { connectTo, reach, squatClientIds, startSim } from "./harness.js";

/** One parsed pino line. */
interface LogLine {
  level: number;
  msg: string;
  attempt?: number;
  retryInMs?: number;
  error?: string;
  failedAttempts?: number;
  [field: string]: unknown;
}

const WARN = 40;
const INFO = 30;

/** A logger at debug level whose lines land in `lines`, parsed, as they are written. */
function capturingLogger(lines: LogLine[]) {
  return pino({ level: "debug" }, { write: (line: string) => lines.push(JSON.parse(line) as LogLine) });
}

/** Retries come in microseconds here: the test counts attempts, not time. */
const QUICK_BACKOFF = { initialMs: 1, maxMs: 4, factor: 2, jitter: 0 };

describe("what a gateway that is down writes to the log", () => {
  it("one warning per failed attempt for the first four, then only at attempts 8, 16...; the rest at debug", async () => {
    const sim = await startSim();
    sim.control.refuseConnections(600_000); // accepts and closes every connection, as a restarting gateway
    const lines: LogLine[] = [];
    const conn = connectTo(sim.address?.port as number, { logger: capturingLogger(lines), backoff: QUICK_BACKOFF });
    const failures = () => lines.filter((l) => l.msg === "gateway connection attempt failed");
    await eventually("40 failed attempts", 20_000, async () => failures().length >= 40);

    const first40 = failures().slice(0, 40);
    expect(first40.map((l) => l.attempt)).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
    for (const l of first40) {
      expect(l.error).toBe("the gateway closed the connection during the handshake");
      expect(l.retryInMs).toBeGreaterThanOrEqual(QUICK_BACKOFF.initialMs);
    }
    const warned = first40.filter((l) => l.level === WARN).map((l) => l.attempt);
    expect(warned).toEqual([1, 2, 3, 4, 8, 16, 32]);
    // A warning after the first few says when the next one comes.
    expect(first40.find((l) => l.attempt === 8)?.nextReportedAttempt).toBe(16);

    // What an operator sees at the default level over those 40 attempts: one "connecting", seven failures.
    const upTo40 = lines.slice(0, lines.indexOf(first40[39] as LogLine) + 1);
    const visible = upTo40.filter((l) => l.level >= INFO);
    expect(visible.map((l) => l.msg)).toEqual([
      "connecting to gateway",
      ...Array.from({ length: 7 }, () => "gateway connection attempt failed"),
    ]);

    // The gateway comes back: the connection's open is one line, saying how many attempts failed before it.
    sim.control.clearFaults();
    await reach(conn, GatewayState.READY, 10_000);
    const ready = lines.filter((l) => l.msg === "gateway ready");
    expect(ready).toHaveLength(1);
    expect(ready[0]?.failedAttempts).toBeGreaterThanOrEqual(40);
  });

  it("a port nobody listens on: each failure line carries the socket error, IB's 502 for it is only at debug", async () => {
    const sim = await startSim();
    const port = sim.address?.port as number;
    await sim.stop();
    const lines: LogLine[] = [];
    connectTo(port, { logger: capturingLogger(lines), backoff: QUICK_BACKOFF });
    const failures = () => lines.filter((l) => l.msg === "gateway connection attempt failed");
    await eventually("5 failed attempts", 20_000, async () => failures().length >= 5);
    expect(failures()[0]?.error).toMatch(/ECONNREFUSED/);
    const upTo5 = lines.slice(0, lines.indexOf(failures()[4] as LogLine) + 1);
    expect(
      upTo5.filter((l) => l.level >= INFO && l.msg !== "gateway connection attempt failed").map((l) => l.msg),
    ).toEqual(["connecting to gateway"]);
  });

  it("logs an open connection's close once, with the reason and the retry; the retries after it count from 1", async () => {
    const sim = await startSim();
    const lines: LogLine[] = [];
    const conn = connectTo(sim.address?.port as number, { logger: capturingLogger(lines), backoff: QUICK_BACKOFF });
    await reach(conn, GatewayState.READY);
    const mark = lines.length;
    sim.control.refuseConnections(600_000);
    sim.dropConnections();
    const failures = () => lines.slice(mark).filter((l) => l.msg === "gateway connection attempt failed");
    await eventually("3 failed reconnects", 20_000, async () => failures().length >= 3);
    sim.control.clearFaults();
    await reach(conn, GatewayState.READY, 10_000);
    const after = lines.slice(mark).filter((l) => l.level >= INFO);
    expect(after[0]).toMatchObject({
      msg: "gateway disconnected",
      level: WARN,
      error: "the gateway closed the connection",
    });
    expect(after[0]?.retryInMs).toBeTypeOf("number");
    expect(
      failures()
        .map((l) => l.attempt)
        .slice(0, 3),
    ).toEqual([1, 2, 3]);
    expect(after.filter((l) => l.msg === "gateway disconnected")).toHaveLength(1);
    const ready = after.filter((l) => l.msg === "gateway ready");
    expect(ready).toHaveLength(1);
    expect(ready[0]?.failedAttempts).toBe(failures().length);
    expect(after.at(-1)).toBe(ready[0]);
  });

  it("every client id taken: one warning for the 326s, then one line per failed round of 32 ids", async () => {
    const sim = await startSim();
    const port = sim.address?.port as number;
    const base = 300;
    await squatClientIds(port, base);
    const lines: LogLine[] = [];
    connectTo(port, { logger: capturingLogger(lines), backoff: QUICK_BACKOFF, baseClientId: base });
    const failures = () => lines.filter((l) => l.msg === "gateway connection attempt failed");
    await eventually("3 rounds of 32 refused ids", 20_000, async () => failures().length >= 3);
    const upTo3 = lines.slice(0, lines.indexOf(failures()[2] as LogLine) + 1);
    expect(upTo3.filter((l) => l.msg.startsWith("client id in use")).length).toBeGreaterThanOrEqual(3 * 32 - 1);
    expect(upTo3.filter((l) => l.level >= WARN && l.msg.startsWith("client id in use"))).toHaveLength(1);
    expect(upTo3.filter((l) => l.level >= WARN).map((l) => l.msg)).toEqual([
      "client id in use; trying the next one",
      "gateway connection attempt failed",
      "gateway connection attempt failed",
      "gateway connection attempt failed",
    ]);
    expect(failures()[0]?.error).toMatch(/client id/i);
  });
});
