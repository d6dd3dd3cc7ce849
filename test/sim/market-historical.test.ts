import { BarSizeSetting, DurationUnit, EventName, SecType, WhatToShow } from "@stoqey/ib";
import { afterEach, describe, expect, it } from "vitest";
import type { RecordedEvent } from "./helpers.js";
import { AAPL, eventsFor, MARKET_START, type MarketBench, openMarketBench } from "./market-harness.js";

type Bar = { date: string; open: number; high: number; low: number; close: number; volume: number; count: number };

/** Waits for a historicalData answer and returns its bars (IBApi emits one event per bar, then "finished..."). */
async function barsOf(bench: MarketBench, reqId: number): Promise<Bar[]> {
  await bench.client.next(
    EventName.historicalData,
    `bars of ${reqId}`,
    0,
    (args) => args[0] === reqId && String(args[1]).startsWith("finished"),
  );
  return eventsFor(bench.client, EventName.historicalData, reqId)
    .filter((event) => !String(event.args[1]).startsWith("finished"))
    .map(({ args }) => {
      const [, date, open, high, low, close, volume, count] = args as [
        number,
        string,
        number,
        number,
        number,
        number,
        number,
        number,
      ];
      return { date, open, high, low, close, volume, count };
    });
}

const errorCode = (event: RecordedEvent) => event.args[1];

describe.each([176, 187, 193])("historical data at server version %i", (serverVersion) => {
  let bench: MarketBench;

  afterEach(async () => {
    await bench.close();
  });

  it("answers a day of 5-minute bars with consistent OHLC that agree with the same day's 1-minute bars", async () => {
    bench = await openMarketBench(serverVersion);
    const { client } = bench;
    // 09:30 New York on Thursday 2 January 2025: the regular session has just opened, and Wednesday was New Year's
    // Day (a US exchange holiday), so "1 D" is Tuesday's session.
    client.api.reqHistoricalData(1, AAPL, "", "1 D", BarSizeSetting.MINUTES_FIVE, WhatToShow.TRADES, 1, 1, false);
    const fives = await barsOf(bench, 1);
    expect(fives).toHaveLength(78);
    expect(fives[0]?.date).toBe("20241231 09:30:00 US/Eastern");
    expect(fives.at(-1)?.date).toBe("20241231 15:55:00 US/Eastern");
    for (const bar of fives) {
      expect(bar.low).toBeLessThanOrEqual(Math.min(bar.open, bar.close));
      expect(bar.high).toBeGreaterThanOrEqual(Math.max(bar.open, bar.close));
      expect(bar.volume).toBeGreaterThan(0);
    }

    client.api.reqHistoricalData(2, AAPL, "", "1 D", BarSizeSetting.MINUTES_ONE, WhatToShow.TRADES, 1, 2, false);
    const ones = await barsOf(bench, 2);
    expect(ones).toHaveLength(390);
    expect(Number(ones[0]?.date)).toBe(Date.UTC(2024, 11, 31, 14, 30) / 1000);
    fives.forEach((five, index) => {
      const minutes = ones.slice(index * 5, index * 5 + 5);
      expect(five.open).toBe(minutes[0]?.open);
      expect(five.close).toBe(minutes[4]?.close);
      expect(five.high).toBe(Math.max(...minutes.map((bar) => bar.high)));
      expect(five.low).toBe(Math.min(...minutes.map((bar) => bar.low)));
      expect(five.volume).toBe(minutes.reduce((sum, bar) => sum + bar.volume, 0));
    });

    client.api.reqHistoricalData(3, AAPL, "", "1 W", BarSizeSetting.DAYS_ONE, WhatToShow.TRADES, 1, 1, false);
    const days = await barsOf(bench, 3);
    // Christmas (25th) and New Year's Day (1st) are US exchange holidays: no session, no bar.
    expect(days.map((bar) => bar.date)).toEqual(["20241226", "20241227", "20241230", "20241231"]);
    expect(days.at(-1)?.open).toBe(fives[0]?.open);
    expect(days.at(-1)?.close).toBe(fives.at(-1)?.close);

    // The identical request again within 15 seconds breaks historical pacing.
    client.api.reqHistoricalData(1, AAPL, "", "1 D", BarSizeSetting.MINUTES_FIVE, WhatToShow.TRADES, 1, 1, false);
    const paced = await client.next(EventName.error, "error 162", 0, (args) => args[2] === 1);
    expect(errorCode(paced)).toBe(162);
    expect(client.decodeErrors()).toEqual([]);
    expect(bench.simulator.violations).toEqual([]);
  });

  it("keeps the bar in progress up to date, with close before high on the wire", async () => {
    bench = await openMarketBench(serverVersion);
    const { client } = bench;
    await bench.advance(5 * 60_000 + 30_000);
    client.api.reqHistoricalData(4, AAPL, "", "3600 S", BarSizeSetting.MINUTES_FIVE, WhatToShow.MIDPOINT, 0, 2, true);
    const bars = await barsOf(bench, 4);
    expect(bars).toHaveLength(13);
    const partial = bars.at(-1) as Bar;
    expect(Number(partial.date)).toBe(MARKET_START / 1000 + 300);
    expect(partial.volume).toBe(-1);

    await bench.advance(60_000);
    const updates = eventsFor(client, EventName.historicalDataUpdate, 4).map((event) => event.args as number[]);
    expect(updates.length).toBeGreaterThan(0);
    for (const [, date, open, high, low, close] of updates) {
      expect(Number(date)).toBe(MARKET_START / 1000 + 300);
      expect(open).toBe(partial.open);
      expect(low).toBeLessThanOrEqual(Math.min(open as number, close as number));
      expect(high).toBeGreaterThanOrEqual(Math.max(open as number, close as number));
    }

    client.api.cancelHistoricalData(4);
    await bench.settle();
    const mark = client.mark();
    await bench.advance(30_000);
    expect(eventsFor(client, EventName.historicalDataUpdate, 4, mark)).toEqual([]);
    expect(client.decodeErrors()).toEqual([]);
    expect(bench.simulator.violations).toEqual([]);
  });

  it("answers head timestamp, histogram and historical ticks of each kind", async () => {
    bench = await openMarketBench(serverVersion);
    const { client } = bench;
    client.api.reqHeadTimestamp(1, AAPL, WhatToShow.TRADES, true, 1);
    const head = await client.next(EventName.headTimestamp, "headTimestamp");
    expect(head.args[1]).toMatch(/^\d{8}-\d{2}:\d{2}:\d{2}$/);
    expect(String(head.args[1]) < "20200101").toBe(true);

    client.api.reqHistogramData(2, AAPL, true, 3, DurationUnit.DAY);
    const histogram = (await client.next(EventName.histogramData, "histogramData")).args[1] as Array<{
      price: number;
      size: number;
    }>;
    expect(histogram.length).toBeGreaterThan(10);
    expect(histogram.map((item) => item.price)).toEqual([...histogram.map((item) => item.price)].sort((a, b) => a - b));

    client.api.reqHistoricalTicks(3, AAPL, "20250102 14:00:00 UTC", "", 20, WhatToShow.TRADES, 0, false);
    client.api.reqHistoricalTicks(4, AAPL, "", "20250102 14:00:00 UTC", 20, WhatToShow.BID_ASK, 0, false);
    client.api.reqHistoricalTicks(5, AAPL, "", "20250102 14:00:00 UTC", 20, WhatToShow.MIDPOINT, 0, false);
    const trades = await client.next(EventName.historicalTicksLast, "historicalTicksLast");
    const quotes = await client.next(EventName.historicalTicksBidAsk, "historicalTicksBidAsk");
    const mids = await client.next(EventName.historicalTicks, "historicalTicks");
    const start = Date.UTC(2025, 0, 2, 14) / 1000;
    const tradeTicks = trades.args[1] as Array<{ time: number; price: number }>;
    expect(tradeTicks).toHaveLength(20);
    expect(tradeTicks.every((tick) => tick.time >= start)).toBe(true);
    expect(trades.args[2]).toBe(true);
    const quoteTicks = quotes.args[1] as Array<{ time: number; priceBid: number; priceAsk: number }>;
    expect(quoteTicks).toHaveLength(20);
    expect(quoteTicks.every((tick) => tick.time < start && tick.priceAsk > tick.priceBid)).toBe(true);
    expect((mids.args[1] as unknown[]).length).toBe(20);

    client.api.reqHistoricalData(
      6,
      { symbol: "NOSUCHSYM", secType: SecType.STK, exchange: "SMART", currency: "USD" },
      "",
      "1 D",
      BarSizeSetting.MINUTES_FIVE,
      WhatToShow.TRADES,
      1,
      1,
      false,
    );
    const unknown = await client.next(EventName.error, "error 200", 0, (args) => args[2] === 6);
    expect(errorCode(unknown)).toBe(200);
    expect(client.decodeErrors()).toEqual([]);
    expect(bench.simulator.violations).toEqual([]);
  });
});
