import { Code, ConnectError } from "@connectrpc/connect";
import { type Contract, EventName, SecType } from "@stoqey/ib";
import { afterEach, describe, expect, it } from "vitest";
import { type Gap, GapReason } from "../../gen/ibrpc/v1/common_pb.js";
import { LANE } from "../../src/gateway/exclusive-lane.js";
import type { GatewayConnection } from "../../src/gateway/gateway-connection.js";
import { IbError } from "../../src/gateway/ib-error.js";
import type { FeedSpec } from "../../src/hub/feed-spec.js";
import { Hub, type HubOptions } from "../../src/hub/hub.js";
import {
  connectGateway,
  type Market,
  type MarketOptions,
  StreamReader,
  startMarket,
  until,
  untilReady,
} from "./harness.js";

/**
 * The hub's machinery on the real IBApi against the simulator, with a minimal feed of the test's own (tick type and
 * price of tickPrice): sharing, state for late joiners, linger, budgets, Gaps after drops / 1101 / IB cancels,
 * liveness, and per-stream buffers.
 */
type Msg = { kind: "price"; type: number; price: number } | { kind: "gap"; gap: Gap } | { kind: "row"; n: number };

const stock = (symbol: string): Contract => ({ symbol, secType: SecType.STK, exchange: "SMART", currency: "USD" });

function ticks(symbol: string, extra: Partial<FeedSpec<Msg>> = {}): FeedSpec<Msg> {
  return {
    key: `mktData|${symbol}`,
    kind: "mktData",
    describe: `market data ${symbol}`,
    resource: "marketDataLines",
    open: (ib, reqId) => ib.reqMktData(reqId, stock(symbol), "", false, false),
    cancel: (ib, reqId) => ib.cancelMktData(reqId),
    model: () => {
      const latest = new Map<string, Msg>();
      return {
        onEvent(name, args, sink) {
          if (name !== EventName.tickPrice) return;
          const message: Msg = { kind: "price", type: args[1] as number, price: args[2] as number };
          const slot = `p${message.type}`;
          latest.set(slot, message);
          sink.emit(message, slot);
        },
        snapshot: () => [...latest].map(([slot, message]) => ({ message, slot })),
        reset: () => latest.clear(),
      };
    },
    gap: (gap) => ({ kind: "gap", gap }),
    missed: "ticks",
    overflow: "resync",
    ...extra,
  };
}

const isPrice = (m: Msg) => m.kind === "price";
const isGap = (m: Msg): m is { kind: "gap"; gap: Gap } => m.kind === "gap";

let market: Market;
let gw: GatewayConnection;
let hub: Hub;
const controllers: AbortController[] = [];

async function setUp(opts: HubOptions = {}, limits?: MarketOptions["limits"]): Promise<void> {
  market = await startMarket({ limits });
  gw = await connectGateway(market.port);
  hub = new Hub(gw, { lingerMs: 50, ...opts });
}

function open(spec: FeedSpec<Msg>): { reader: StreamReader<Msg>; cancel: () => void } {
  const controller = new AbortController();
  controllers.push(controller);
  const reader = new StreamReader(hub.subscribe(spec, controller.signal));
  return { reader, cancel: () => controller.abort(new ConnectError("client left", Code.Canceled)) };
}

afterEach(async () => {
  for (const c of controllers.splice(0)) c.abort();
  hub?.close(new Error("test over"));
  await gw?.close();
  await market?.stop();
});

describe("sharing one IB subscription", () => {
  it("serves 30 streams of one instrument from one IB subscription and cancels it after the last leaves", async () => {
    await setUp();
    const streams = Array.from({ length: 30 }, () => open(ticks("AAPL")));
    await Promise.all(streams.map((s) => s.reader.until(isPrice, "a tick")));
    expect(market.subscriptionsAtIb()).toBe(1);
    expect(hub.status().feeds).toMatchObject([{ key: "mktData|AAPL", streams: 30 }]);
    expect(hub.status().inUse.marketDataLines).toBe(1);

    for (const s of streams) s.cancel();
    await until("the IB subscription is cancelled", () => market.subscriptionsAtIb() === 0);
    expect(hub.status().feeds).toEqual([]);
    expect(hub.status().inUse.marketDataLines).toBe(0);
  });

  it("gives a late joiner the latest value per tick type at once, before any new tick", async () => {
    await setUp();
    const first = open(ticks("AAPL"));
    await first.reader.until((m) => m.kind === "price" && m.type === 1, "a bid");
    await first.reader.until((m) => m.kind === "price" && m.type === 2, "an ask");
    market.pause();
    const late = open(ticks("AAPL"));
    const bid = await late.reader.until((m) => m.kind === "price" && m.type === 1, "the bid from the state");
    const ask = await late.reader.until((m) => m.kind === "price" && m.type === 2, "the ask from the state");
    expect(bid).toBeDefined();
    expect(ask).toBeDefined();
    expect(market.subscriptionsAtIb()).toBe(1);
  });

  it("keeps the IB subscription through a quick re-subscribe (linger) instead of churning it", async () => {
    await setUp({ lingerMs: 60_000 });
    const a = open(ticks("AAPL"));
    await a.reader.until(isPrice, "a tick");
    const reqId = hub.status().feeds[0]?.reqId;
    a.cancel();
    await a.reader.ending("the first stream ends");
    expect(hub.status().feeds).toMatchObject([{ streams: 0, lingering: true }]);
    const b = open(ticks("AAPL"));
    await b.reader.until(isPrice, "a tick on the re-subscribed stream");
    expect(hub.status().feeds).toMatchObject([{ reqId, streams: 1, lingering: false }]);
    expect(market.subscriptionsAtIb()).toBe(1);
  });
});

describe("budgets of scarce resources", () => {
  it("refuses a request past the line budget at once, naming the limit and what holds it", async () => {
    await setUp({ limits: { marketDataLines: 2 } });
    open(ticks("AAPL"));
    open(ticks("AAPL"));
    open(ticks("MSFT"));
    let refused: unknown;
    try {
      hub.subscribe(ticks("IBM"), new AbortController().signal);
    } catch (err) {
      refused = err;
    }
    const err = ConnectError.from(refused);
    expect(err.code).toBe(Code.ResourceExhausted);
    expect(err.rawMessage).toContain("market data lines: all 2 of gateway sim are in use");
    expect(err.rawMessage).toContain("market data AAPL (2 streams)");
    expect(err.rawMessage).toContain("market data MSFT (1 stream)");
    expect(hub.status().inUse.marketDataLines).toBe(2);
  });

  it("gives a lingering subscription's line to a new request instead of refusing it", async () => {
    await setUp({ limits: { marketDataLines: 1 }, lingerMs: 60_000 });
    const a = open(ticks("AAPL"));
    await a.reader.until(isPrice, "an AAPL tick");
    a.cancel();
    await a.reader.ending("the AAPL stream ends");
    const b = open(ticks("MSFT"));
    await b.reader.until(isPrice, "an MSFT tick");
    expect(hub.status().feeds.map((f) => f.key)).toEqual(["mktData|MSFT"]);
    await until("AAPL is cancelled at IB", () => market.subscriptionsAtIb() === 1);
  });

  it("maps IB's own refusal (101 past the simulator's lines) to RESOURCE_EXHAUSTED on the stream", async () => {
    await setUp({}, { marketDataLines: 1 });
    const a = open(ticks("AAPL"));
    await a.reader.until(isPrice, "an AAPL tick");
    const b = open(ticks("MSFT"));
    const err = await b.reader.ending("MSFT is refused by IB");
    expect(err).toBeInstanceOf(IbError);
    expect(err).toMatchObject({ ibCode: 101, grpcCode: Code.ResourceExhausted });
    expect(hub.status().inUse.marketDataLines).toBe(1);
  });

  it("fails the streams of an unknown contract with NOT_FOUND (IB 200) and frees its line", async () => {
    await setUp();
    const a = open(ticks("NOSUCHSYMBOL"));
    const err = await a.reader.ending("IB refuses the contract");
    expect(err).toMatchObject({ ibCode: 200, grpcCode: Code.NotFound });
    expect(hub.status().feeds).toEqual([]);
    expect(hub.status().inUse.marketDataLines).toBe(0);
  });

  it("refuses a stream at once while the gateway is down", async () => {
    await setUp();
    await gw.close();
    expect(() => hub.subscribe(ticks("AAPL"), new AbortController().signal)).toThrow(/not connected/);
  });
});

describe("gaps, not silence", () => {
  it("after the gateway drops, every stream gets a Gap (reconnected) then ticks again, on one IB subscription", async () => {
    await setUp();
    const streams = [open(ticks("AAPL")), open(ticks("AAPL")), open(ticks("MSFT"))];
    await Promise.all(streams.map((s) => s.reader.until(isPrice, "a tick")));
    const marks = streams.map((s) => s.reader.mark);
    market.sim.dropConnections();
    for (const [i, s] of streams.entries()) {
      const gap = await s.reader.until(isGap, "a Gap", { from: marks[i] });
      expect(gap.gap.reason).toBe(GapReason.GATEWAY_RECONNECTED);
      expect(gap.gap.since).toBeDefined();
      expect(gap.gap.until).toBeDefined();
      await s.reader.until(isPrice, "a tick after the Gap", { from: s.reader.received.indexOf(gap) });
    }
    await untilReady(gw);
    expect(market.subscriptionsAtIb()).toBe(2);
    expect(streams.every((s) => !s.reader.ended)).toBe(true);
  });

  it("after 1101 (data lost) re-requests every feed: a Gap with IB's message as cause, then ticks", async () => {
    await setUp();
    const s = open(ticks("AAPL"));
    await s.reader.until(isPrice, "a tick");
    const mark = s.reader.mark;
    market.sim.control.connectivityLost({ restore: "data-lost", afterMs: 500 });
    const gap = await s.reader.until(isGap, "a Gap", { from: mark });
    expect(gap.gap.reason).toBe(GapReason.IB_DATA_LOST);
    expect(gap.gap.cause?.code).toBe(1101);
    await s.reader.until(isPrice, "a tick after the Gap", { from: s.reader.received.indexOf(gap) });
    expect(market.subscriptionsAtIb()).toBe(1);
  });

  it("after 1102 (data maintained) re-requests nothing and sends no Gap", async () => {
    await setUp();
    const s = open(ticks("AAPL"));
    await s.reader.until(isPrice, "a tick");
    const reqId = hub.status().feeds[0]?.reqId;
    const restored = new Promise<void>((resolve) => gw.on("notice", (n) => n.code === 1102 && resolve()));
    market.sim.control.connectivityLost({ restore: "data-maintained", afterMs: 500 });
    await restored;
    const mark = s.reader.mark;
    await s.reader.until(isPrice, "a tick after the restore", { from: mark });
    expect(s.reader.received.some(isGap)).toBe(false);
    expect(hub.status().feeds[0]?.reqId).toBe(reqId);
  });

  it("re-requests a feed IB cancelled (10197-like) with backoff; its streams wait and get a Gap", async () => {
    await setUp({ retry: { initialMs: 20, maxMs: 100 } });
    const s = open(ticks("AAPL"));
    await s.reader.until(isPrice, "a tick");
    const reqId = hub.status().feeds[0]?.reqId as number;
    const mark = s.reader.mark;
    // What IBApi emits when IB stops a feed for a competing live session.
    gw.emit("event", EventName.error, [new Error("No market data during competing live session"), 10197, reqId]);
    const gap = await s.reader.until(isGap, "a Gap", { from: mark });
    expect(gap.gap.reason).toBe(GapReason.IB_DATA_LOST);
    expect(gap.gap.cause?.code).toBe(10197);
    await s.reader.until(isPrice, "ticks again", { from: s.reader.received.indexOf(gap) });
    expect(hub.status().feeds[0]?.reqId).not.toBe(reqId);
    await until("one subscription at IB", () => market.subscriptionsAtIb() === 1);
  });

  it("re-requests a feed that goes quiet past its liveness window, saying so in the Gap", async () => {
    await setUp({ livenessCheckMs: 20 });
    const s = open(ticks("AAPL", { livenessMs: 150 }));
    await s.reader.until(isPrice, "a tick");
    market.pause();
    const mark = s.reader.mark;
    const gap = await s.reader.until(isGap, "a liveness Gap", { from: mark });
    expect(gap.gap.reason).toBe(GapReason.UNSPECIFIED);
    expect(gap.gap.missed).toMatch(/nothing arrived for/);
    expect(market.subscriptionsAtIb()).toBe(1);
  });
});

describe("exclusive lanes", () => {
  it("lends a held lane to a request waiting for it, then re-opens behind it with a Gap", async () => {
    await setUp({ livenessCheckMs: 20 });
    const positions: FeedSpec<Msg> = {
      ...ticks("positions"),
      key: "positions",
      kind: "positions",
      resource: undefined,
      lane: LANE.positions,
      reqIdLess: [EventName.position, EventName.positionEnd],
      open: (ib) => ib.reqPositions(),
      cancel: (ib) => ib.cancelPositions(),
      model: () => ({
        onEvent(name, _args, sink) {
          if (name === EventName.positionEnd) sink.emit({ kind: "row", n: 0 });
        },
        snapshot: () => [],
        reset: () => {},
      }),
    };
    const s = open(positions);
    await s.reader.until((m) => m.kind === "row", "PositionEnd");
    // What a unary ReqPositions does: queue for the lane the feed holds.
    const release = await gw.correlator.lanes.get(LANE.positions).acquire(AbortSignal.timeout(5_000));
    release();
    const gap = await s.reader.until(isGap, "a Gap after lending the lane");
    expect(gap.gap.missed).toMatch(/another request needed it/);
    await s.reader.until((m) => m.kind === "row", "PositionEnd again", { from: s.reader.received.indexOf(gap) });
    expect(market.subscriptionsAtIb()).toBe(1);
  });
});

describe("per-stream buffers", () => {
  it("bounds a stalled stream by conflation while another stream keeps receiving", async () => {
    await setUp();
    const controller = new AbortController();
    controllers.push(controller);
    const stalled = hub.subscribe(ticks("AAPL"), controller.signal);
    const live = open(ticks("AAPL"));
    for (let i = 0; i < 5; i++) await live.reader.until(isPrice, "ticks", { from: live.reader.mark });
    const count = live.reader.mark;
    await live.reader.until(isPrice, "many more ticks", { from: count + 200, ms: 10_000 });
    // The stalled stream read nothing: it holds at most one message per tick type.
    const feed = hub.status().feeds[0];
    expect(feed?.streams).toBe(2);
    const first = await stalled.next();
    expect(first.done).toBe(false);
    await stalled.return(undefined);
  });

  it("cuts off a client too far behind on a feed that never drops, with RESOURCE_EXHAUSTED", async () => {
    await setUp({ streamCapacity: 5 });
    let n = 0;
    const rows = ticks("AAPL", {
      key: "rows|AAPL",
      overflow: "cut",
      model: () => ({
        onEvent(name, _args, sink) {
          if (name === EventName.tickPrice && _args[1] === 1) sink.emit({ kind: "row", n: n++ });
        },
        snapshot: () => [],
        reset: () => {},
      }),
    });
    const controller = new AbortController();
    controllers.push(controller);
    const stalled = hub.subscribe(rows, controller.signal);
    const live = open(rows);
    await until("the stalled stream is cut off", () => hub.status().feeds[0]?.streams === 1, 10_000);
    await expect(
      (async () => {
        for await (const _ of stalled) {
          /* drain what was queued */
        }
      })(),
    ).rejects.toMatchObject({ code: Code.ResourceExhausted });
    expect(live.reader.ended).toBe(false);
  });
});
