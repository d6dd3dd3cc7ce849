import { MethodOptions_IdempotencyLevel } from "@bufbuild/protobuf/wkt";
import { Code, type ConnectError } from "@connectrpc/connect";
import * as grpc from "@grpc/grpc-js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ErrorInfoSchema } from "../../gen/google/rpc/error_details_pb.js";
import {
  HistoricalDataService,
  ReqHistoricalDataRequestSchema,
  ReqHistoricalDataResponseSchema,
} from "../../gen/ibrpc/v1/historical_data_pb.js";
import type { App } from "../../src/app.js";
import type { GatewayConnection } from "../../src/gateway/gateway-connection.js";
import { sessionsBefore } from "../../src/sim/market-data/trading-sessions.js";
import { clientFor, postJson, transports } from "../e2e/app-harness.js";
import { grpcJsUnary } from "../server/helpers.js";
import { ibSentinelsIn } from "../support/ib-sentinels.js";
import { connectGet, startServiceApp } from "../support/service-app.js";

/**
 * HistoricalDataService as a new user meets it: the built-in simulator (which enforces IB's historical pacing and
 * answers 162 to a violation) behind `npm start`, gRPC and plain Connect JSON.
 */

const AAPL = { symbol: "AAPL", secType: "STK", exchange: "SMART", currency: "USD" };
const AAPL_CON_ID = 265598;
const FIVE_MINUTES = 300;
const RTH_MS = 6.5 * 3_600_000;
/** A regular US session, 09:30-16:00, in 5-minute bars. */
const BARS_PER_RTH_DAY = 78;

let app: App;
let gw: GatewayConnection;
let url: string;

beforeAll(async () => {
  app = await startServiceApp();
  gw = app.pool.gateways[0] as GatewayConnection;
  url = app.server.url;
}, 90_000);

afterAll(async () => {
  await app?.close();
});

/** A Connect JSON POST that must succeed and carry no IB sentinel. */
async function call(method: string, body: unknown): Promise<Record<string, unknown>> {
  const res = await postJson(url, `/ibrpc.v1.HistoricalDataService/${method}`, JSON.stringify(body));
  expect(res.status, res.text).toBe(200);
  expect(ibSentinelsIn(res.json)).toEqual([]);
  return res.json;
}

/**
 * The dates ("yyyyMMdd") of AAPL's last `count` complete regular sessions, newest first, from the simulator's own
 * calendar (weekdays without its exchange holidays).
 */
function pastSessions(count: number): string[] {
  const { schedule } = app.simulators[0]?.world.catalog.get(AAPL_CON_ID).details ?? {};
  if (!schedule) throw new Error("the simulator has no AAPL");
  const dates: string[] = [];
  const now = Date.now();
  for (const session of sessionsBefore(schedule, true, now)) {
    if (session.end >= now || session.end - session.start < RTH_MS) continue;
    dates.push(session.date);
    if (dates.length === count) break;
  }
  return dates;
}

/** A day of 5-minute RTH bars ending at that day's close, for protobuf clients (field names as in TS). */
function dayOfBars(day: string, formatDate = 2) {
  return {
    contract: AAPL,
    endDateTime: `${day} 16:00:00 US/Eastern`,
    durationStr: "1 D",
    barSizeSetting: "5 mins",
    whatToShow: "TRADES",
    useRth: true,
    formatDate,
  };
}

/** The same request as Connect JSON (IB's names: useRTH). */
function dayOfBarsJson(day: string, formatDate = 2) {
  const { useRth, ...rest } = dayOfBars(day, formatDate);
  return { ...rest, useRTH: useRth };
}

describe("HistoricalDataService against the built-in simulator", () => {
  it("ReqHistoricalData (@grpc/grpc-js) answers a day of 5-minute RTH bars with consistent OHLC", async () => {
    const client = new grpc.Client(url.replace("http://", ""), grpc.credentials.createInsecure());
    try {
      const res = await grpcJsUnary(
        client,
        "/ibrpc.v1.HistoricalDataService/ReqHistoricalData",
        ReqHistoricalDataRequestSchema,
        ReqHistoricalDataResponseSchema,
        dayOfBars(pastSessions(1)[0] as string),
        30_000,
      );
      expect(res.bars).toHaveLength(BARS_PER_RTH_DAY);
      let previous: number | undefined;
      for (const bar of res.bars) {
        const [open, high, low, close] = [bar.open, bar.high, bar.low, bar.close] as number[];
        expect(low).toBeLessThanOrEqual(Math.min(open as number, close as number));
        expect(high).toBeGreaterThanOrEqual(Math.max(open as number, close as number));
        expect(bar.volume).toMatch(/^\d+(\.\d+)?$/);
        const start = Number(bar.time);
        if (previous !== undefined) expect(start - previous).toBe(FIVE_MINUTES);
        previous = start;
      }
      expect(res.end?.startDateStr).not.toBe("");
      expect(res.end?.endDateStr).not.toBe("");
    } finally {
      client.close();
    }
  });

  it("ReqHistoricalData over Connect JSON, POST and GET, with no sentinel", async () => {
    const day = pastSessions(2)[1] as string;
    const request = dayOfBarsJson(day, 1);
    const post = await call("ReqHistoricalData", request);
    const bars = post.bars as Array<{ time: string }>;
    expect(bars).toHaveLength(BARS_PER_RTH_DAY);
    expect(bars[0]?.time).toBe(`${day} 09:30:00 US/Eastern`);
    const message = encodeURIComponent(JSON.stringify(request));
    const get = await fetch(
      `${url}/ibrpc.v1.HistoricalDataService/ReqHistoricalData?connect=v1&encoding=json&message=${message}`,
    );
    expect(get.status).toBe(200);
    expect(((await get.json()) as typeof post).bars).toEqual(post.bars);
  });

  it("24 different concurrent ReqHistoricalData all succeed, none refused by pacing; the same again within 15 s is served", async () => {
    const client = clientFor(HistoricalDataService, transports(url).grpc);
    const before = gw.historicalPacer.stats;
    // One contract and tick type: IB's "at most 5 in 2 seconds" rule binds, so ibrpc must queue rather than send.
    // Days the tests above did not ask for: each of these must reach IB.
    const requests = pastSessions(26)
      .slice(2)
      .map((day) => dayOfBars(day));
    const answers = await Promise.all(requests.map((r) => client.reqHistoricalData(r, { timeoutMs: 60_000 })));
    for (const a of answers) expect(a.bars).toHaveLength(BARS_PER_RTH_DAY);
    expect(new Set(answers.map((a) => a.bars[0]?.time)).size).toBe(24);
    const after = gw.historicalPacer.stats;
    expect(after.sent - before.sent).toBe(24);
    expect(after.waits["same-contract-burst"]).toBeGreaterThan(before.waits["same-contract-burst"]);

    // The last of them was answered moments ago: IB would refuse it again for 15 s, ibrpc replays its answer.
    const last = requests.length - 1;
    const again = await client.reqHistoricalData(requests[last] as (typeof requests)[0], { timeoutMs: 10_000 });
    expect(again.bars).toEqual(answers[last]?.bars);
    expect(gw.historicalPacer.stats.cacheHits).toBe(after.cacheHits + 1);
    expect(gw.historicalPacer.stats.sent).toBe(after.sent);
  });

  it("a period without data is NOT_FOUND with IB's 162 text; an unknown symbol NOT_FOUND with IB's 200", async () => {
    const client = clientFor(HistoricalDataService, transports(url).grpc);
    // A Sunday: the simulator, as IB, has no bars for it.
    const sunday = new Date();
    sunday.setUTCDate(sunday.getUTCDate() - ((sunday.getUTCDay() + 7) % 7 || 7));
    const day = sunday.toISOString().slice(0, 10).replaceAll("-", "");
    const empty = await client
      .reqHistoricalData({ ...dayOfBars(day), endDateTime: `${day} 12:00:00 US/Eastern`, durationStr: "3600 S" })
      .catch((e: unknown) => e as ConnectError);
    expect((empty as ConnectError).code).toBe(Code.NotFound);
    const info = (empty as ConnectError).findDetails(ErrorInfoSchema)[0];
    expect(info?.metadata.ibCode).toBe("162");
    expect(info?.metadata.ibMessage).toMatch(/no data/i);

    const unknown = await client
      .reqHistoricalData({ ...dayOfBars(day), contract: { ...AAPL, symbol: "NOSUCHSYM" } })
      .catch((e: unknown) => e as ConnectError);
    expect((unknown as ConnectError).code).toBe(Code.NotFound);
    expect((unknown as ConnectError).findDetails(ErrorInfoSchema)[0]?.metadata.ibCode).toBe("200");
  });

  it("a duration IB refuses is INVALID_ARGUMENT with IB's code", async () => {
    const res = await postJson(
      url,
      "/ibrpc.v1.HistoricalDataService/ReqHistoricalData",
      JSON.stringify({ ...dayOfBarsJson(pastSessions(1)[0] as string), durationStr: "fortnight" }),
    );
    expect(res.status).toBe(400);
    expect(res.json.code).toBe("invalid_argument");
    expect(JSON.stringify(res.json.details)).toContain("321");
  });

  it("ReqHistoricalTicks answers TRADES, BID_ASK and MIDPOINT ticks in their own lists", async () => {
    const day = pastSessions(1)[0] as string;
    const start = `${day} 10:00:00 US/Eastern`;
    const base = { contract: AAPL, startDateTime: start, numberOfTicks: 20, useRTH: true };
    const trades = await call("ReqHistoricalTicks", { ...base, whatToShow: "TRADES" });
    const last = trades.ticksLast as Array<{ time: string; price: number; size: string; exchange: string }>;
    expect(last.length).toBeGreaterThan(0);
    expect(last.length).toBeLessThanOrEqual(20);
    expect(trades.ticks ?? []).toEqual([]);
    for (const t of last) {
      expect(Date.parse(t.time)).toBeGreaterThanOrEqual(
        Date.parse(`${day.replace(/(\d{4})(\d\d)(\d\d)/, "$1-$2-$3")}T00:00:00Z`),
      );
      expect(t.price).toBeGreaterThan(0);
      expect(t.size).toMatch(/^\d+(\.\d+)?$/);
    }
    const quotes = await call("ReqHistoricalTicks", { ...base, whatToShow: "BID_ASK" });
    const bidAsk = quotes.ticksBidAsk as Array<{ priceBid: number; priceAsk: number }>;
    expect(bidAsk.length).toBeGreaterThan(0);
    for (const q of bidAsk) expect(q.priceAsk).toBeGreaterThanOrEqual(q.priceBid);
    const mids = await call("ReqHistoricalTicks", { ...base, whatToShow: "MIDPOINT" });
    expect((mids.ticks as unknown[]).length).toBeGreaterThan(0);
  });

  it("ReqHistoricalTicks needs exactly one of start and end", async () => {
    const client = clientFor(HistoricalDataService, transports(url).connectJson);
    const err = await client
      .reqHistoricalTicks({ contract: AAPL, numberOfTicks: 10, whatToShow: "TRADES" })
      .catch((e: unknown) => e as ConnectError);
    expect((err as ConnectError).code).toBe(Code.InvalidArgument);
  });

  it("ReqHeadTimestamp answers an instant years back", async () => {
    const res = await call("ReqHeadTimestamp", { contract: AAPL, whatToShow: "TRADES", useRTH: true });
    const head = Date.parse(res.headTimestamp as string);
    expect(head).toBeLessThan(Date.now() - 365 * 86_400_000);
    expect(head).toBeGreaterThan(Date.parse("1980-01-01T00:00:00Z"));
  });

  it("ReqHistogramData answers volume at each price, prices ascending", async () => {
    const res = await call("ReqHistogramData", { contract: AAPL, useRTH: true, timePeriod: "3 days" });
    const items = res.items as Array<{ price: number; size: string }>;
    expect(items.length).toBeGreaterThan(0);
    for (let i = 1; i < items.length; i++) {
      expect((items[i] as { price: number }).price).toBeGreaterThan((items[i - 1] as { price: number }).price);
    }
    for (const item of items) expect(Number(item.size)).toBeGreaterThan(0);
    const client = clientFor(HistoricalDataService, transports(url).grpc);
    const err = await client
      .reqHistogramData({ contract: AAPL, timePeriod: "3 fortnights" })
      .catch((e: unknown) => e as ConnectError);
    expect((err as ConnectError).code).toBe(Code.InvalidArgument);
  });

  it("every unary HistoricalDataService RPC is read-only and answers a Connect GET", async () => {
    const day = pastSessions(1)[0] as string;
    const requests: Record<string, unknown> = {
      ReqHistoricalData: { ...dayOfBarsJson(day), barSizeSetting: "1 hour" },
      ReqHistoricalTicks: {
        contract: AAPL,
        endDateTime: `${day} 15:00:00 US/Eastern`,
        numberOfTicks: 5,
        whatToShow: "MIDPOINT",
      },
      ReqHeadTimestamp: { contract: AAPL, whatToShow: "MIDPOINT" },
      ReqHistogramData: { contract: AAPL, timePeriod: "1 day" },
    };
    for (const [name, request] of Object.entries(requests)) {
      const method = HistoricalDataService.methods.find((m) => m.name === name);
      expect(method?.idempotency, name).toBe(MethodOptions_IdempotencyLevel.NO_SIDE_EFFECTS);
      const res = await connectGet(url, `ibrpc.v1.HistoricalDataService/${name}`, request);
      expect(res.status, `${name}: ${JSON.stringify(res.json)}`).toBe(200);
      expect(ibSentinelsIn(res.json)).toEqual([]);
    }
  });
});
