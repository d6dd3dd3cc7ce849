import { connect as http2Connect } from "node:http2";
import { create, toBinary } from "@bufbuild/protobuf";
import { createClient } from "@connectrpc/connect";
import type * as grpc from "@grpc/grpc-js";
import { afterEach, describe, expect, it } from "vitest";
import { type Contract, ContractSchema, GapReason } from "../../gen/ibrpc/v1/common_pb.js";
import {
  MarketDataService,
  ReqMktDataRequestSchema,
  type ReqMktDataResponse,
  ReqMktDataResponseSchema,
} from "../../gen/ibrpc/v1/market_data_pb.js";
import { existingHub } from "../../src/hub/hub-registry.js";
import { StreamReader, until } from "../hub/harness.js";
import { grpcJsClient, grpcJsStream } from "./grpc-js.js";
import { type StreamsBench, startStreamsBench } from "./harness.js";

/** Issue #10's reliability checks: many streams through repeated gateway drops, and a client that never reads. */

const stock = (symbol: string): Contract =>
  create(ContractSchema, { symbol, secType: "STK", exchange: "SMART", currency: "USD" });
// The simulator's US stocks.
const SYMBOLS = ["AAPL", "MSFT", "IBM"];

let bench: StreamsBench | undefined;
let grpcJs: grpc.Client | undefined;
const cancels: Array<() => void> = [];

afterEach(async () => {
  for (const c of cancels.splice(0)) c();
  grpcJs?.close();
  grpcJs = undefined;
  await bench?.close();
  bench = undefined;
});

const isTick = (m: ReqMktDataResponse) => m.event.case === "tickPrice" || m.event.case === "tickSize";
const isGap = (m: ReqMktDataResponse) => m.event.case === "gap";

function hubOf(b: StreamsBench) {
  const gw = b.app.pool.gateways[0];
  const hub = gw && existingHub(gw);
  if (!hub) throw new Error("no hub");
  return hub;
}

describe("reliability", () => {
  it("the gateway dropped 20 times under 50 streams: each stream gets a Gap each time and resumes; no IB subscription leaks", async () => {
    const b = await startStreamsBench();
    bench = b;
    grpcJs = grpcJsClient(b.baseUrl);
    const client = createClient(MarketDataService, b.grpc);
    const readers = Array.from({ length: 50 }, (_, i) => {
      const contract = stock(SYMBOLS[i % SYMBOLS.length] as string);
      if (i % 2 === 0) {
        const { messages, cancel } = grpcJsStream(
          grpcJs as grpc.Client,
          "/ibrpc.v1.MarketDataService/ReqMktData",
          ReqMktDataRequestSchema,
          ReqMktDataResponseSchema,
          { contract },
        );
        cancels.push(cancel);
        return new StreamReader(messages);
      }
      const controller = new AbortController();
      cancels.push(() => controller.abort());
      return new StreamReader(client.reqMktData({ contract }, { signal: controller.signal }));
    });
    await Promise.all(readers.map((r) => r.until(isTick, "a first tick", { ms: 10_000 })));
    expect(b.market.feedsAtIb()).toBe(SYMBOLS.length);

    for (let drop = 1; drop <= 20; drop++) {
      const marks = readers.map((r) => r.mark);
      b.market.sim.dropConnections();
      await Promise.all(
        readers.map(async (r, i) => {
          const gap = await r.until(isGap, `Gap ${drop}`, { from: marks[i], ms: 15_000 });
          expect(gap.event.case === "gap" && gap.event.value.reason).toBe(GapReason.GATEWAY_RECONNECTED);
          await r.until(isTick, `a tick after Gap ${drop}`, { from: r.received.indexOf(gap) + 1, ms: 15_000 });
        }),
      );
      expect(b.market.feedsAtIb()).toBe(SYMBOLS.length);
    }
    expect(readers.every((r) => !r.ended)).toBe(true);
    expect(hubOf(b).status().inUse.marketDataLines).toBe(SYMBOLS.length);

    for (const c of cancels.splice(0)) c();
    await until("no subscription left at IB", () => b.market.feedsAtIb() === 0, 10_000);
    await until("the hub holds nothing", () => hubOf(b).status().feeds.length === 0, 10_000);
    expect(hubOf(b).status().inUse.marketDataLines).toBe(0);
    expect(b.market.sim.violations).toEqual([]);
  }, 180_000);

  it("a stalled client (reads nothing) is held to one message per tick type while the others keep streaming", async () => {
    const b = await startStreamsBench({ periodMs: 1 });
    bench = b;
    // A raw HTTP/2 gRPC call whose response is never read: HTTP/2 flow control stops the server's writes.
    const session = http2Connect(b.baseUrl);
    cancels.push(() => session.destroy());
    const stalled = session.request({
      ":method": "POST",
      ":path": "/ibrpc.v1.MarketDataService/ReqMktData",
      "content-type": "application/grpc",
      te: "trailers",
    });
    const body = toBinary(ReqMktDataRequestSchema, create(ReqMktDataRequestSchema, { contract: stock("AAPL") }));
    const frame = Buffer.alloc(5 + body.length);
    frame.writeUInt32BE(body.length, 1);
    Buffer.from(body).copy(frame, 5);
    stalled.end(frame);
    stalled.pause();

    const client = createClient(MarketDataService, b.connect);
    const controller = new AbortController();
    cancels.push(() => controller.abort());
    const live = new StreamReader(client.reqMktData({ contract: stock("AAPL") }, { signal: controller.signal }));
    await live.until(isTick, "a tick on the live stream");

    // Enough market for the stalled stream's HTTP/2 windows to fill and its buffer to conflate.
    await until(
      "the stalled stream's buffer conflates",
      () =>
        hubOf(b)
          .status()
          .feeds[0]?.buffers.some((buf) => buf.conflated > 20) ?? false,
      20_000,
    );
    const from = live.mark;
    await live.until(isTick, "ticks keep coming on the live stream", { from: from + 200 });
    const buffers = hubOf(b).status().feeds[0]?.buffers ?? [];
    expect(buffers).toHaveLength(2);
    // Bounded: at most one unread message per tick type (and a few events), however long it stalls.
    for (const buf of buffers) expect(buf.queued).toBeLessThan(64);
    expect(b.market.feedsAtIb()).toBe(1);
  }, 60_000);
});
