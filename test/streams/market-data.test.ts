import { create } from "@bufbuild/protobuf";
import { Code, ConnectError, createClient } from "@connectrpc/connect";
import type * as grpc from "@grpc/grpc-js";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { ErrorInfoSchema } from "../../gen/google/rpc/error_details_pb.js";
import { type Contract, ContractSchema, GapReason } from "../../gen/ibrpc/v1/common_pb.js";
import {
  MarketDataService,
  ReqMktDataRequestSchema,
  type ReqMktDataResponse,
  ReqMktDataResponseSchema,
} from "../../gen/ibrpc/v1/market_data_pb.js";
import { MarketDepthService, type ReqMktDepthResponse } from "../../gen/ibrpc/v1/market_depth_pb.js";
import { existingHub } from "../../src/hub/hub-registry.js";
import { StreamReader, until } from "../hub/harness.js";
import { grpcJsClient, grpcJsStream } from "./grpc-js.js";
import { type StreamsBench, startStreamsBench } from "./harness.js";

const stock = (symbol: string, currency = "USD"): Contract =>
  create(ContractSchema, { symbol, secType: "STK", exchange: "SMART", currency });
const AAPL = stock("AAPL");

let bench: StreamsBench;
let grpcJs: grpc.Client | undefined;
const cancels: Array<() => void> = [];

beforeAll(async () => {
  bench = await startStreamsBench();
});
afterAll(async () => {
  // Everything ibrpc sent the simulator was a request it could read exactly.
  const violations = bench.market.sim.violations;
  await bench.close();
  expect(violations).toEqual([]);
});
afterEach(async () => {
  for (const c of cancels.splice(0)) c();
  // Every test starts with nothing held at IB.
  await until("no subscription left at IB", () => bench.market.feedsAtIb() === 0, 10_000);
});

function signal(): AbortSignal {
  const controller = new AbortController();
  cancels.push(() => controller.abort());
  return controller.signal;
}

const priceOf = (type: number) => (m: ReqMktDataResponse) =>
  m.event.case === "tickPrice" && m.event.value.tickType === type && m.event.value.price !== undefined;
const isGap = (m: { event: { case: string | undefined } }) => m.event.case === "gap";

function grpcJsMarketData(contract: Contract): StreamReader<ReqMktDataResponse> {
  if (!grpcJs) {
    grpcJs = grpcJsClient(bench.baseUrl);
    const client = grpcJs;
    cancels.push(() => {
      client.close();
      grpcJs = undefined;
    });
  }
  const { messages, cancel } = grpcJsStream(
    grpcJs,
    "/ibrpc.v1.MarketDataService/ReqMktData",
    ReqMktDataRequestSchema,
    ReqMktDataResponseSchema,
    { contract },
  );
  cancels.push(cancel);
  return new StreamReader(messages);
}

describe("MarketDataService.ReqMktData", () => {
  it("streams bid, ask and last over Connect", async () => {
    const client = createClient(MarketDataService, bench.connect);
    const reader = new StreamReader(client.reqMktData({ contract: AAPL }, { signal: signal() }));
    for (const type of [1, 2, 4]) await reader.until(priceOf(type), `tick type ${type}`);
    expect(reader.received.some((m) => m.event.case === "tickSize")).toBe(true);
  });

  it("30 grpc-js clients on one instrument hold one IB subscription; a late joiner has bid and ask at once; none is left after", async () => {
    const readers = Array.from({ length: 30 }, () => grpcJsMarketData(AAPL));
    await Promise.all(readers.map((r) => r.until(priceOf(4), "a last price")));
    expect(bench.market.feedsAtIb()).toBe(1);

    bench.market.pause();
    try {
      const late = grpcJsMarketData(AAPL);
      await late.until(priceOf(1), "the bid, from the hub's state");
      await late.until(priceOf(2), "the ask, from the hub's state");
    } finally {
      bench.market.resume();
    }
    expect(bench.market.feedsAtIb()).toBe(1);
  });

  it("after the gateway drops, all 30 streams carry a Gap, then ticks again, on one IB subscription", async () => {
    const readers = Array.from({ length: 30 }, () => grpcJsMarketData(AAPL));
    await Promise.all(readers.map((r) => r.until(priceOf(1), "a bid")));
    const marks = readers.map((r) => r.mark);
    bench.market.sim.dropConnections();
    await Promise.all(
      readers.map(async (r, i) => {
        const gap = await r.until(isGap, "a Gap", { from: marks[i], ms: 10_000 });
        expect(gap.event.case === "gap" && gap.event.value.reason).toBe(GapReason.GATEWAY_RECONNECTED);
        await r.until(priceOf(1), "a bid after the Gap", { from: r.received.indexOf(gap) + 1, ms: 10_000 });
      }),
    );
    expect(bench.market.feedsAtIb()).toBe(1);
  });

  it("a snapshot ends by itself after TickSnapshotEnd and leaves nothing at IB", async () => {
    const client = createClient(MarketDataService, bench.grpc);
    const reader = new StreamReader(client.reqMktData({ contract: AAPL, snapshot: true }, { signal: signal() }));
    expect(await reader.ending("the snapshot's end")).toBeUndefined();
    expect(reader.received.at(-1)?.event.case).toBe("tickSnapshotEnd");
    expect(reader.received.some(priceOf(1))).toBe(true);
  });

  it("delayed data (market data type 3) says so, with delayed tick types", async () => {
    const client = createClient(MarketDataService, bench.grpc);
    const reader = new StreamReader(client.reqMktData({ contract: AAPL, marketDataType: 3 }, { signal: signal() }));
    const type = await reader.until((m) => m.event.case === "marketDataType", "MarketDataType");
    expect(type.event.case === "marketDataType" && type.event.value.marketDataType).toBe(3);
    await reader.until(priceOf(66), "a delayed bid (tick type 66)");
    // A real-time request for the same instrument is another subscription, of the right type.
    const live = new StreamReader(client.reqMktData({ contract: AAPL }, { signal: signal() }));
    const liveType = await live.until((m) => m.event.case === "marketDataType", "MarketDataType");
    expect(liveType.event.case === "marketDataType" && liveType.event.value.marketDataType).toBe(1);
    await live.until(priceOf(1), "a live bid");
  });

  it("an unknown contract fails with NOT_FOUND and IB's 200 in ErrorInfo", async () => {
    const client = createClient(MarketDataService, bench.connect);
    const reader = new StreamReader(client.reqMktData({ contract: stock("NOSUCHSYM") }, { signal: signal() }));
    const err = ConnectError.from(await reader.ending("the refusal"));
    expect(err.code).toBe(Code.NotFound);
    expect(err.findDetails(ErrorInfoSchema)[0]?.metadata.ibCode).toBe("200");
  });
});

describe("Connect streaming JSON with plain fetch (as curl sends it)", () => {
  /** Connect's envelope: a flag byte, a big-endian length, the message. */
  const envelope = (json: string) => {
    const body = Buffer.from(json);
    const head = Buffer.alloc(5);
    head.writeUInt32BE(body.length, 1);
    return Buffer.concat([head, body]);
  };
  const messages = (bytes: Buffer) => {
    const out: Array<{ flags: number; json: Record<string, unknown> }> = [];
    for (let at = 0; at + 5 <= bytes.length; ) {
      const length = bytes.readUInt32BE(at + 1);
      out.push({ flags: bytes[at] as number, json: JSON.parse(bytes.subarray(at + 5, at + 5 + length).toString()) });
      at += 5 + length;
    }
    return out;
  };

  it("a snapshot of AAPL streams bid, ask and last, then TickSnapshotEnd and the end of the stream", async () => {
    const res = await fetch(`${bench.baseUrl}/ibrpc.v1.MarketDataService/ReqMktData`, {
      method: "POST",
      headers: { "content-type": "application/connect+json" },
      body: envelope(
        JSON.stringify({
          contract: { symbol: "AAPL", secType: "STK", exchange: "SMART", currency: "USD" },
          snapshot: true,
        }),
      ),
      signal: AbortSignal.timeout(10_000),
    });
    expect(res.status).toBe(200);
    const all = messages(Buffer.from(await res.arrayBuffer()));
    const prices = all.flatMap((m) => {
      const tick = m.json.tickPrice as { tickType?: number; price?: number } | undefined;
      return tick?.price !== undefined ? [tick.tickType] : [];
    });
    expect(prices).toEqual(expect.arrayContaining([1, 2, 4]));
    expect(all.at(-2)?.json).toEqual({ tickSnapshotEnd: {} });
    expect(all.at(-1)).toEqual({ flags: 2, json: {} });
  });
});

describe("MarketDataService.ReqTickByTickData and ReqRealTimeBars", () => {
  it("streams tick-by-tick trades and 5-second bars", async () => {
    const client = createClient(MarketDataService, bench.grpc);
    const ticks = new StreamReader(
      client.reqTickByTickData({ contract: AAPL, tickType: "AllLast" }, { signal: signal() }),
    );
    const bars = new StreamReader(
      client.reqRealTimeBars({ contract: AAPL, whatToShow: "TRADES", barSize: 5 }, { signal: signal() }),
    );
    const trade = await ticks.until((m) => m.event.case === "tickByTickAllLast", "a trade");
    expect(trade.event.case === "tickByTickAllLast" && trade.event.value.price).toBeGreaterThan(0);
    const bar = await bars.until((m) => m.event.case === "realtimeBar", "a bar");
    expect(bar.event.case === "realtimeBar" && bar.event.value.high).toBeGreaterThan(0);
  });
});

describe("MarketDepthService", () => {
  const isRow = (m: ReqMktDepthResponse) => m.event.case === "updateMktDepth" || m.event.case === "updateMktDepthL2";

  it("streams L1 and SMART L2 depth; a late joiner gets the book as inserts", async () => {
    const client = createClient(MarketDepthService, bench.grpc);
    const l1 = new StreamReader(client.reqMktDepth({ contract: AAPL, numRows: 5 }, { signal: signal() }));
    const l2 = new StreamReader(
      client.reqMktDepth({ contract: stock("MSFT"), numRows: 5, isSmartDepth: true }, { signal: signal() }),
    );
    await l1.until((m) => m.event.case === "updateMktDepth", "an L1 depth row");
    await l2.until((m) => m.event.case === "updateMktDepthL2", "an L2 depth row");
    bench.market.pause();
    const late = new StreamReader(client.reqMktDepth({ contract: AAPL, numRows: 5 }, { signal: signal() }));
    await late.until(isRow, "the book");
    const rows = late.received.filter(isRow);
    expect(rows.every((m) => (m.event.value as { operation?: number }).operation === 0)).toBe(true);
    bench.market.resume();
  });

  it("refuses a 4th depth instrument at once with RESOURCE_EXHAUSTED naming the limit and its holders", async () => {
    const client = createClient(MarketDepthService, bench.connect);
    const held = ["AAPL", "MSFT", "IBM"].map(
      (symbol) => new StreamReader(client.reqMktDepth({ contract: stock(symbol), numRows: 5 }, { signal: signal() })),
    );
    await Promise.all(held.map((r) => r.until(isRow, "a depth row")));
    const fourth = new StreamReader(client.reqMktDepth({ contract: stock("GOOG"), numRows: 5 }, { signal: signal() }));
    const err = ConnectError.from(await fourth.ending("the refusal"));
    expect(err.code).toBe(Code.ResourceExhausted);
    expect(err.rawMessage).toContain("market depth subscriptions: all 3");
    expect(err.rawMessage).toContain("depth AAPL STK SMART USD");
    expect(err.findDetails(ErrorInfoSchema)[0]?.metadata).toMatchObject({ limit: "depth", max: "3", ibCode: "309" });
  });

  it("ReqMktDepthExchanges lists the exchanges that offer depth", async () => {
    const client = createClient(MarketDepthService, bench.grpc);
    const res = await client.reqMktDepthExchanges({});
    expect(res.depthMktDataDescriptions.length).toBeGreaterThan(0);
    expect(res.depthMktDataDescriptions[0]?.exchange).not.toBe("");
  });

  it("the hub is empty once every stream has gone", async () => {
    const gw = bench.app.pool.gateways[0];
    if (!gw) throw new Error("no gateway");
    await until("the hub released everything", () => (existingHub(gw)?.status().feeds.length ?? 0) === 0, 10_000);
  });
});
