import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { createClient } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AccountService } from "../../gen/ibrpc/v1/account_pb.js";
import { ConnectionService } from "../../gen/ibrpc/v1/connection_pb.js";
import { HistoricalDataService } from "../../gen/ibrpc/v1/historical_data_pb.js";
import { type App, startApp } from "../../src/app.js";
import { loadConfig } from "../../src/config.js";
import { allReady } from "../e2e/app-harness.js";

/**
 * What an operator learns about the IB side of calls: the gateway named in each call's log line, and the gateway
 * layer's series on GET /metrics (no tokens configured on loopback: /metrics is open).
 */

interface LogLine {
  msg: string;
  procedure?: string;
  gateway?: string;
  code?: string;
}

const GATEWAY = "paper";
const AAPL = { symbol: "AAPL", secType: "STK", exchange: "SMART", currency: "USD" };
const lines: LogLine[] = [];
let app: App;
let dataDir: string;

beforeAll(async () => {
  dataDir = mkdtempSync(path.join(tmpdir(), "ibrpc-observability-"));
  // The app harness logs nowhere; this one keeps every line to read the call log.
  const logger = pino({ level: "info" }, { write: (line: string) => lines.push(JSON.parse(line) as LogLine) });
  app = await startApp(
    loadConfig({ PORT: "0", SIM_SEED: "42", IB_GW: `${GATEWAY}=sim`, DATA_DIR: dataDir, REQ_TIMEOUT_MS: "30000" }),
    logger,
  );
  await allReady(app, 30_000);
}, 60_000);

afterAll(async () => {
  await app?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

const grpc = () => createGrpcTransport({ baseUrl: app.server.url });

/** The value of one series of a Prometheus text exposition: `name` with (at least) `labels`; undefined if absent. */
function sample(text: string, name: string, labels: Record<string, string>): number | undefined {
  for (const line of text.split("\n")) {
    const m = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m || m[1] !== name) continue;
    const have = new Map([...(m[2] ?? "").matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((l) => [l[1], l[2]]));
    if (Object.entries(labels).every(([k, v]) => have.get(k) === v)) return Number(m[3]);
  }
  return undefined;
}

async function scrape(): Promise<string> {
  const res = await fetch(`${app.server.url}/metrics`, { signal: AbortSignal.timeout(10_000) });
  expect(res.status).toBe(200);
  return res.text();
}

/** The log line of the call to `procedure` (written before the client has its answer). */
function callLine(procedure: string): LogLine | undefined {
  return lines.find((l) => l.msg === "rpc" && l.procedure === procedure);
}

describe("the gateway in each call's log line", () => {
  it("names the gateway a call went to though the client named none", async () => {
    await createClient(ConnectionService, grpc()).reqCurrentTime({}, { timeoutMs: 30_000 });
    expect(callLine("/ibrpc.v1.ConnectionService/ReqCurrentTime")).toMatchObject({ code: "ok", gateway: GATEWAY });
  });

  it("names the gateway a call was routed to by its account", async () => {
    const account = app.simulators[0]?.accounts[0] as string;
    await createClient(AccountService, grpc()).reqAccountUpdates({ acctCode: account }, { timeoutMs: 30_000 });
    expect(callLine("/ibrpc.v1.AccountService/ReqAccountUpdates")).toMatchObject({ code: "ok", gateway: GATEWAY });
  });
});

describe("GET /metrics: the gateway layer's series", () => {
  it("counts IB messages in and out by type, and the pacer's waits, after a ReqCurrentTime", async () => {
    await createClient(ConnectionService, grpc()).reqCurrentTime({}, { timeoutMs: 30_000 });
    const text = await scrape();
    const gw = { gateway: GATEWAY };
    expect(sample(text, "ibrpc_ib_messages_out_total", { ...gw, type: "reqCurrentTime" })).toBeGreaterThan(0);
    expect(sample(text, "ibrpc_ib_messages_in_total", { ...gw, type: "currentTime" })).toBeGreaterThan(0);
    expect(sample(text, "ibrpc_ib_messages_in_total", { ...gw, type: "nextValidId" })).toBeGreaterThan(0);
    expect(sample(text, "ibrpc_pacer_wait_seconds_count", { ...gw, priority: "normal" })).toBeGreaterThan(0);
    expect(sample(text, "ibrpc_pacer_queue_depth", gw)).toBe(0);
    expect(sample(text, "ibrpc_gateway_state", { ...gw, state: "READY" })).toBe(1);
    expect(sample(text, "ibrpc_gateway_reconnects_total", gw) ?? 0).toBe(0);
  });

  it("shows the historical pacer's sends, waits and cache hits", async () => {
    const history = createClient(HistoricalDataService, grpc());
    const request = { contract: AAPL, whatToShow: "TRADES", useRTH: true };
    await history.reqHeadTimestamp(request, { timeoutMs: 30_000 });
    await history.reqHeadTimestamp(request, { timeoutMs: 30_000 }); // the identical request: from the cache
    const text = await scrape();
    const gw = { gateway: GATEWAY };
    expect(sample(text, "ibrpc_ib_messages_out_total", { ...gw, type: "reqHeadTimestamp" })).toBe(1);
    expect(sample(text, "ibrpc_historical_pacer_wait_seconds_count", gw)).toBe(1);
    expect(sample(text, "ibrpc_historical_cache_hits_total", gw)).toBe(1);
    expect(sample(text, "ibrpc_historical_pacer_queue_depth", gw)).toBe(0);
    expect(sample(text, "ibrpc_historical_pacer_open", gw)).toBe(0);
  });
});
