import { EventName, SecType } from "@stoqey/ib";
import { afterEach, describe, expect, it } from "vitest";
import { createWorld } from "../../src/sim/world/index.js";
import { AAPL, eventsFor, MARKET_START, type MarketBench, openMarketBench } from "./market-harness.js";

/** reqMktData through the real IBApi on a manual clock: the line's first picture, its updates, cancel and snapshot. */
describe.each([176, 187, 193])("market data lines at server version %i", (serverVersion) => {
  let bench: MarketBench;

  afterEach(async () => {
    await bench.close();
  });

  function expectClean(): void {
    expect(bench.client.decodeErrors()).toEqual([]);
    expect(bench.simulator.violations).toEqual([]);
  }

  it("streams bid, ask and last with the bid size as its own tickSize, and stops after cancel", async () => {
    bench = await openMarketBench(serverVersion);
    const { client } = bench;
    client.api.reqMktData(1, AAPL, "", false, false);
    await bench.settle();

    const params = eventsFor(client, EventName.tickReqParams, 1);
    expect(params[0]?.args).toEqual([1, 0, "9c0001", 3]);
    expect(eventsFor(client, EventName.marketDataType, 1)[0]?.args).toEqual([1, 1]);
    const prices = new Map(eventsFor(client, EventName.tickPrice, 1).map((event) => [event.args[1], event.args[2]]));
    const bid = prices.get(1) as number;
    const ask = prices.get(2) as number;
    const last = prices.get(4) as number;
    expect(bid).toBeGreaterThan(0);
    expect(ask).toBeGreaterThan(bid);
    expect(last).toBeGreaterThan(0);
    for (const tickType of [6, 7, 9, 14]) expect(prices.get(tickType)).toBeGreaterThan(0);
    expect(prices.get(7) as number).toBeLessThanOrEqual(prices.get(6) as number);
    const sizes = new Map(eventsFor(client, EventName.tickSize, 1).map((event) => [event.args[1], event.args[2]]));
    // IBApi never derives the bid size from tickPrice: it arrives only because the simulator sends it.
    expect(sizes.get(0)).toBeGreaterThan(0);
    expect(sizes.get(3)).toBeGreaterThan(0);
    expect(sizes.get(8)).toBeGreaterThan(0);
    const timestamp = eventsFor(client, EventName.tickString, 1).find((event) => event.args[1] === 45);
    expect(Number(timestamp?.args[2])).toBeLessThanOrEqual(MARKET_START / 1000);

    let mark = client.mark();
    await bench.advance(3000);
    const moving =
      eventsFor(client, EventName.tickPrice, 1, mark).length + eventsFor(client, EventName.tickSize, 1, mark).length;
    expect(moving).toBeGreaterThan(0);

    client.api.cancelMktData(1);
    await bench.settle();
    mark = client.mark();
    await bench.advance(3000);
    expect(eventsFor(client, EventName.tickPrice, 1, mark)).toEqual([]);
    expect(eventsFor(client, EventName.tickSize, 1, mark)).toEqual([]);
    expect(bench.simulator.violations).toEqual([]);
    expectClean();
  });

  it("answers a snapshot with one picture and tickSnapshotEnd, and an unknown contract with 200", async () => {
    bench = await openMarketBench(serverVersion);
    const { client } = bench;
    client.api.reqMktData(2, AAPL, "", true, false);
    await client.next(EventName.tickSnapshotEnd, "tickSnapshotEnd", 0, (args) => args[0] === 2);
    expect(eventsFor(client, EventName.tickPrice, 2).length).toBeGreaterThan(3);
    const mark = client.mark();
    await bench.advance(2000);
    expect(eventsFor(client, EventName.tickPrice, 2, mark)).toEqual([]);

    client.api.reqMktData(
      3,
      { symbol: "NOSUCHSYM", secType: SecType.STK, exchange: "SMART", currency: "USD" },
      "",
      false,
      false,
    );
    const refusal = await client.next(EventName.error, "error 200", 0, (args) => args[2] === 3);
    expect(refusal.args[1]).toBe(200);
    expectClean();
  });

  it("serves delayed ticks after reqMarketDataType(3), and shortable and halted generic ticks", async () => {
    bench = await openMarketBench(serverVersion);
    const { client } = bench;
    client.api.reqMarketDataType(3);
    client.api.reqMktData(4, AAPL, "236", false, false);
    await bench.settle();
    expect(eventsFor(client, EventName.marketDataType, 4)[0]?.args).toEqual([4, 3]);
    const types = new Set(eventsFor(client, EventName.tickPrice, 4).map((event) => event.args[1]));
    expect([...types].sort()).toEqual([66, 67, 68, 72, 73, 75, 76]);
    const sizeTypes = new Set(eventsFor(client, EventName.tickSize, 4).map((event) => event.args[1]));
    for (const type of [69, 70, 74, 89]) expect(sizeTypes).toContain(type);
    const generic = eventsFor(client, EventName.tickGeneric, 4).map((event) => [event.args[1], event.args[2]]);
    expect(generic).toContainEqual([46, 3]);
    expect(generic).toContainEqual([90, 0]);
    expectClean();
  });

  it("holds a frozen picture still, and streams headlines as tickNews for generic tick 292", async () => {
    bench = await openMarketBench(serverVersion);
    const { client } = bench;
    client.api.reqMarketDataType(2);
    client.api.reqMktData(6, AAPL, "292", false, false);
    await bench.settle();
    expect(eventsFor(client, EventName.marketDataType, 6)[0]?.args).toEqual([6, 2]);
    expect(eventsFor(client, EventName.tickPrice, 6).length).toBeGreaterThan(3);
    const news = eventsFor(client, EventName.tickNews, 6).map((event) => event.args);
    expect(news.length).toBeGreaterThan(0);
    for (const [, timeStamp, providerCode, articleId, headline] of news) {
      expect(timeStamp as number).toBeLessThanOrEqual(MARKET_START);
      expect(providerCode).toMatch(/^(BRFG|DJNL|BRFUPDN)$/);
      expect(String(articleId).length).toBeGreaterThan(0);
      expect(String(headline).length).toBeGreaterThan(0);
    }
    const mark = client.mark();
    await bench.advance(3000);
    expect(eventsFor(client, EventName.tickPrice, 6, mark)).toEqual([]);
    expectClean();
  });

  it("sends option computations with Black-Scholes greeks for an option", async () => {
    bench = await openMarketBench(serverVersion);
    const { client } = bench;
    const world = createWorld(42, [], MARKET_START);
    const option = world.catalog.instruments.find((instrument) => instrument.contract.secType === "OPT");
    expect(option).toBeDefined();
    client.api.reqMktData(5, { conId: option?.contract.conId, exchange: "SMART" }, "", false, false);
    await bench.settle();
    const computations = eventsFor(client, EventName.tickOptionComputation, 5);
    expect(new Set(computations.map((event) => event.args[1]))).toEqual(new Set([10, 11, 12, 13]));
    const model = computations.find((event) => event.args[1] === 13)?.args as number[];
    const [, , , impliedVol, delta, optPrice, , gamma, vega, , undPrice] = model;
    expect(impliedVol).toBeGreaterThan(0);
    expect(Math.abs(delta as number)).toBeLessThanOrEqual(1);
    expect(optPrice).toBeGreaterThanOrEqual(0);
    expect(gamma).toBeGreaterThanOrEqual(0);
    expect(vega).toBeGreaterThanOrEqual(0);
    expect(undPrice).toBeGreaterThan(0);
    expectClean();
  });
});

describe("market data line limit", () => {
  let bench: MarketBench;

  afterEach(async () => {
    await bench.close();
  });

  it("refuses a line beyond the limit with 101 and frees a line on cancel", async () => {
    bench = await openMarketBench(193, { marketDataLines: 2 });
    const { client } = bench;
    client.api.reqMktData(1, AAPL, "", false, false);
    client.api.reqMktData(2, AAPL, "", false, false);
    client.api.reqMktData(3, AAPL, "", false, false);
    const refusal = await client.next(EventName.error, "error 101", 0, (args) => args[2] === 3);
    expect(refusal.args[1]).toBe(101);
    client.api.cancelMktData(1);
    const mark = client.mark();
    client.api.reqMktData(3, AAPL, "", false, false);
    await client.next(EventName.tickPrice, "ticks on the freed line", mark, (args) => args[0] === 3);
    expect(bench.client.decodeErrors()).toEqual([]);
    expect(bench.simulator.violations).toEqual([]);
  });
});
