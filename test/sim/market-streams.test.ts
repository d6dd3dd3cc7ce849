import { BarSizeSetting, EventName, TickByTickDataType, WhatToShow } from "@stoqey/ib";
import { afterEach, describe, expect, it } from "vitest";
import { AAPL, eventsFor, MARKET_START, type MarketBench, openMarketBench } from "./market-harness.js";

/** Tick-by-tick and 5-second real-time bars through the real IBApi on a manual clock. */
describe.each([176, 187, 193])("tick-by-tick and real-time bars at server version %i", (serverVersion) => {
  let bench: MarketBench;

  afterEach(async () => {
    await bench.close();
  });

  it("sends the requested past trades, then live trades, quotes and midpoints until cancelled", async () => {
    bench = await openMarketBench(serverVersion);
    const { client } = bench;
    client.api.reqTickByTickData(1, AAPL, TickByTickDataType.AllLast, 5, false);
    client.api.reqTickByTickData(2, AAPL, TickByTickDataType.BidAsk, 0, false);
    client.api.reqTickByTickData(3, AAPL, TickByTickDataType.MidPoint, 0, false);
    await bench.settle();
    const history = eventsFor(client, EventName.tickByTickAllLast, 1);
    expect(history).toHaveLength(5);
    const times = history.map((event) => Number(event.args[2]));
    expect(times).toEqual([...times].sort((a, b) => a - b));
    expect(times.at(-1)).toBeLessThanOrEqual(MARKET_START / 1000);

    await bench.advance(60_000);
    const trades = eventsFor(client, EventName.tickByTickAllLast, 1).slice(5);
    expect(trades.length).toBeGreaterThan(0);
    expect(
      trades.every((event) => event.args[1] === 2 && (event.args[3] as number) > 0 && (event.args[4] as number) > 0),
    ).toBe(true);
    const quotes = eventsFor(client, EventName.tickByTickBidAsk, 2);
    expect(quotes.length).toBeGreaterThan(0);
    expect(quotes.every((event) => (event.args[3] as number) > (event.args[2] as number))).toBe(true);
    const mids = eventsFor(client, EventName.tickByTickMidPoint, 3);
    expect(mids.length).toBeGreaterThan(0);

    for (const reqId of [1, 2, 3]) client.api.cancelTickByTickData(reqId);
    await bench.settle();
    const mark = client.mark();
    await bench.advance(10_000);
    for (const name of [EventName.tickByTickAllLast, EventName.tickByTickBidAsk, EventName.tickByTickMidPoint]) {
      expect(client.events.slice(mark).filter((event) => event.name === name)).toEqual([]);
    }
    expect(client.decodeErrors()).toEqual([]);
    expect(bench.simulator.violations).toEqual([]);
  });

  it("closes a real-time bar every 5 seconds on the grid, agreeing with its 1-second history", async () => {
    bench = await openMarketBench(serverVersion);
    const { client } = bench;
    client.api.reqRealTimeBars(7, AAPL, 5, WhatToShow.TRADES, false);
    await bench.settle();
    await bench.advance(15_000);
    const bars = eventsFor(client, EventName.realtimeBar, 7).map((event) => event.args as number[]);
    expect(bars.map((bar) => bar[1])).toEqual([0, 5, 10].map((offset) => MARKET_START / 1000 + offset));
    for (const [, , open, high, low, close] of bars) {
      expect(low).toBeLessThanOrEqual(Math.min(open as number, close as number));
      expect(high).toBeGreaterThanOrEqual(Math.max(open as number, close as number));
    }

    // The same 5 seconds as historical 1-second bars: same open, close and extremes.
    client.api.reqHistoricalData(
      8,
      AAPL,
      "20250102-14:30:05",
      "5 S",
      BarSizeSetting.SECONDS_ONE,
      WhatToShow.TRADES,
      0,
      2,
      false,
    );
    await client.next(
      EventName.historicalData,
      "1-second bars",
      0,
      (args) => args[0] === 8 && String(args[1]).startsWith("finished"),
    );
    const seconds = eventsFor(client, EventName.historicalData, 8)
      .filter((event) => !String(event.args[1]).startsWith("finished"))
      .map((event) => event.args as number[]);
    // TRADES bars exist only for seconds that traded; together they summarize the same trades as the 5-second bar.
    expect(seconds.length).toBeGreaterThan(0);
    expect(seconds.length).toBeLessThanOrEqual(5);
    const first = bars[0] as number[];
    expect(first[2]).toBe(seconds[0]?.[2]);
    expect(first[5]).toBe(seconds.at(-1)?.[5]);
    expect(first[6]).toBe(seconds.reduce((sum, bar) => sum + (bar[6] as number), 0));
    expect(first[3]).toBe(Math.max(...seconds.map((bar) => bar[3] as number)));
    expect(first[4]).toBe(Math.min(...seconds.map((bar) => bar[4] as number)));

    client.api.cancelRealTimeBars(7);
    await bench.settle();
    const mark = client.mark();
    await bench.advance(10_000);
    expect(eventsFor(client, EventName.realtimeBar, 7, mark)).toEqual([]);
    expect(client.decodeErrors()).toEqual([]);
    expect(bench.simulator.violations).toEqual([]);
  });
});
