import { create } from "@bufbuild/protobuf";
import { timestampDate } from "@bufbuild/protobuf/wkt";
import { describe, expect, it } from "vitest";
import { ExecutionFilterSchema } from "../../gen/ibrpc/v1/execution_pb.js";
import { WshEventDataSchema } from "../../gen/ibrpc/v1/fundamental_data_pb.js";
import { ScannerSubscriptionSchema } from "../../gen/ibrpc/v1/scanner_pb.js";
import {
  barFromIb,
  barTimeToTimestamp,
  depthMktDataDescriptionFromIb,
  executionFilterToIb,
  histogramEntryFromIb,
  historicalDataEndFromIb,
  historicalNewsFromIb,
  historicalTickBidAskFromIb,
  isHistoricalDataEnd,
  realtimeBarFromIb,
  scannerSubscriptionFromIb,
  scannerSubscriptionToIb,
  securityDefinitionOptionalParameterFromIb,
  smartComponentsFromIb,
  tickAttribFromIb,
  tickByTickAllLastFromIb,
  tickByTickBidAskFromIb,
  tickNewsFromIb,
  tickOptionComputationFromIb,
  tickPriceFromIb,
  tickReqParamsFromIb,
  tickSizeFromIb,
  updateMktDepthL2FromIb,
  wshEventDataToIb,
} from "../../src/convert/index.js";
import { expectNoSentinels } from "./sentinels.js";

const isoOf = (timestamp: Parameters<typeof timestampDate>[0] | undefined) =>
  timestamp ? timestampDate(timestamp).toISOString() : undefined;

describe("ticks", () => {
  it("tickPrice: -1 and MAX are no price, 0 is a price; attributes from a mask, IBApi's boolean or an object", () => {
    expect(tickPriceFromIb({ field: 1, value: -1 }).price).toBeUndefined();
    expect(tickPriceFromIb({ field: 1, value: Number.MAX_VALUE }).price).toBeUndefined();
    expect(tickPriceFromIb({ field: 1, value: 0 }).price).toBe(0);
    expect(tickPriceFromIb({ field: 2, value: 187.25, attribs: true })).toMatchObject({
      tickType: 2,
      price: 187.25,
      attribs: { canAutoExecute: true, pastLimit: false, preOpen: false },
    });
    expect(tickAttribFromIb(6)).toMatchObject({ canAutoExecute: false, pastLimit: true, preOpen: true });
    expect(tickAttribFromIb({ pastLimit: true })).toMatchObject({ canAutoExecute: false, pastLimit: true });
    expect(tickAttribFromIb(undefined)).toMatchObject({ canAutoExecute: false, pastLimit: false, preOpen: false });
  });

  it("tickSize: -1 is no size, decimals are plain strings", () => {
    expect(tickSizeFromIb({ field: 0, value: -1 }).size).toBe("");
    expect(tickSizeFromIb({ field: 8, value: 1e-7 }).size).toBe("0.0000001");
    expect(tickSizeFromIb({ field: 8, value: undefined }).size).toBe("");
  });

  it("option computations: -1 / -2 'not computed' and MAX are absent, real values kept", () => {
    const computation = tickOptionComputationFromIb({
      field: 13,
      tickAttrib: 1,
      impliedVolatility: -1,
      delta: -2,
      optPrice: 5.5,
      pvDividend: Number.MAX_VALUE,
      gamma: -2,
      vega: 0.1,
      theta: -0.05,
      undPrice: -1,
    });
    expect(computation).toMatchObject({ tickType: 13, tickAttrib: 1, optPrice: 5.5, vega: 0.1, theta: -0.05 });
    expect(computation.impliedVol).toBeUndefined();
    expect(computation.delta).toBeUndefined();
    expect(computation.pvDividend).toBeUndefined();
    expect(computation.gamma).toBeUndefined();
    expect(computation.undPrice).toBeUndefined();
    expectNoSentinels(computation);
  });

  it("tickReqParams: @stoqey/ib's readInt turns 0.01 into 0, reported absent", () => {
    expect(tickReqParamsFromIb({ minTick: 0, bboExchange: "9c0001", snapshotPermissions: 3 })).toMatchObject({
      bboExchange: "9c0001",
      snapshotPermissions: 3,
    });
    expect(tickReqParamsFromIb({ minTick: 0, bboExchange: "", snapshotPermissions: 0 }).minTick).toBeUndefined();
  });

  it("tickNews time is epoch milliseconds; tick-by-tick times are epoch seconds (text or number)", () => {
    const news = tickNewsFromIb({
      timeStamp: Date.UTC(2025, 0, 2, 14, 30, 0, 250),
      providerCode: "BRFG",
      articleId: "BRFG$1",
      headline: "h",
      extraData: "K:0.5",
    });
    expect(isoOf(news.timeStamp)).toBe("2025-01-02T14:30:00.250Z");
    const last = tickByTickAllLastFromIb({
      tickType: 1,
      time: "1735828200",
      price: 187.25,
      size: 100,
      tickAttribLast: { pastLimit: false, unreported: true },
      exchange: "NASDAQ",
      specialConditions: "",
    });
    expect(isoOf(last.time)).toBe("2025-01-02T14:30:00.000Z");
    expect(last).toMatchObject({ price: 187.25, size: "100", tickAttribLast: { unreported: true } });
    const quote = tickByTickBidAskFromIb({
      time: 1735828200,
      bidPrice: -1,
      askPrice: 187.3,
      bidSize: 0,
      askSize: 200,
      tickAttribBidAsk: { bidPastLow: true, askPastHigh: false },
    });
    expect(quote.bidPrice).toBeUndefined();
    expect(quote).toMatchObject({ askPrice: 187.3, bidSize: "0", askSize: "200" });
  });

  it("historical BID_ASK ticks", () => {
    const tick = historicalTickBidAskFromIb({
      time: 1735828200,
      tickAttribBidAsk: { bidPastLow: false, askPastHigh: true },
      priceBid: 187.2,
      priceAsk: 187.3,
      sizeBid: 100,
      sizeAsk: Number.MAX_VALUE,
    });
    expect(tick).toMatchObject({ priceBid: 187.2, priceAsk: 187.3, sizeBid: "100", sizeAsk: "" });
    expectNoSentinels(tick);
  });

  it("depth rows and exchanges", () => {
    const row = updateMktDepthL2FromIb({
      position: 0,
      marketMaker: "NSDQ",
      operation: 2,
      side: 1,
      price: 187.25,
      size: 0,
      isSmartDepth: true,
    });
    expect(row).toMatchObject({ position: 0, operation: 2, side: 1, price: 187.25, size: "0", isSmartDepth: true });
    expect(
      depthMktDataDescriptionFromIb({ exchange: "NASDAQ", secType: "STK" as never, aggGroup: 2147483647 }).aggGroup,
    ).toBeUndefined();
  });
});

describe("bars", () => {
  it("MIDPOINT bars have no volume, WAP or count (IB's -1): absent", () => {
    const bar = barFromIb({ time: "20250102", open: 1, high: 2, low: 0.5, close: 1.5, volume: -1, WAP: -1, count: -1 });
    expect(bar).toMatchObject({ time: "20250102", volume: "", wap: "", open: 1 });
    expect(bar.count).toBeUndefined();
  });

  it.each([
    [
      "finished-20250101 09:30:00 US/Eastern-20250102 09:30:00 US/Eastern",
      "20250101 09:30:00 US/Eastern",
      "20250102 09:30:00 US/Eastern",
    ],
    ["finished-20250101  09:30:00-20250102  09:30:00", "20250101  09:30:00", "20250102  09:30:00"],
    ["finished-20250101-14:30:00-20250102-14:30:00", "20250101-14:30:00", "20250102-14:30:00"],
    ["finished-20241228-20250102", "20241228", "20250102"],
    ["finished-1735741800-1735828200", "1735741800", "1735828200"],
    ["finished", "", ""],
  ])("the end row %j", (time, startDateStr, endDateStr) => {
    expect(isHistoricalDataEnd({ time })).toBe(true);
    expect(historicalDataEndFromIb({ time })).toMatchObject({ startDateStr, endDateStr });
  });

  it("bar times as instants: zoned, epoch seconds, dates in the instrument's zone", () => {
    expect(isoOf(barTimeToTimestamp("20250102 09:30:00 US/Eastern"))).toBe("2025-01-02T14:30:00.000Z");
    expect(isoOf(barTimeToTimestamp("1735828200"))).toBe("2025-01-02T14:30:00.000Z");
    expect(isoOf(barTimeToTimestamp("20250102", { defaultZone: "US/Eastern" }))).toBe("2025-01-02T05:00:00.000Z");
    expect(barTimeToTimestamp("finished")).toBeUndefined();
  });

  it("real-time bars and histogram entries", () => {
    const bar = realtimeBarFromIb({
      time: 1735828200,
      open: 1,
      high: 1,
      low: 1,
      close: 1,
      volume: 0,
      WAP: 1,
      count: 0,
    });
    expect(isoOf(bar.time)).toBe("2025-01-02T14:30:00.000Z");
    expect(bar).toMatchObject({ volume: "0", wap: "1", count: 0 });
    expect(histogramEntryFromIb({ price: 187.25, size: 1500 })).toMatchObject({ price: 187.25, size: "1500" });
  });
});

describe("reference data and requests", () => {
  it("historical news times are UTC 'yyyy-MM-dd HH:mm:ss.0'", () => {
    const news = historicalNewsFromIb({
      time: "2025-01-02 14:30:00.0",
      providerCode: "BRFG",
      articleId: "BRFG$1",
      headline: "h",
    });
    expect(isoOf(news.time)).toBe("2025-01-02T14:30:00.000Z");
  });

  it("option chain parameters: multiplier text, no sentinel strikes", () => {
    const chain = securityDefinitionOptionalParameterFromIb({
      exchange: "SMART",
      underlyingConId: 265598,
      tradingClass: "AAPL",
      multiplier: "100",
      expirations: ["20250117"],
      strikes: [180, 190, Number.MAX_VALUE],
    });
    expect(chain).toMatchObject({ multiplier: "100", strikes: [180, 190], underlyingConId: 265598 });
  });

  it("SMART components in bit order", () => {
    const components = smartComponentsFromIb(
      new Map([
        [2, ["ARCA", "P"]],
        [1, ["NYSE", "N"]],
      ]),
    );
    expect(components.map((c) => [c.bitNumber, c.exchange, c.exchangeLetter])).toEqual([
      [1, "NYSE", "N"],
      [2, "ARCA", "P"],
    ]);
  });

  it("scanner subscriptions round-trip; absent filters stay undefined toward IB", () => {
    const subscription = create(ScannerSubscriptionSchema, {
      numberOfRows: 10,
      instrument: "STK",
      locationCode: "STK.US.MAJOR",
      scanCode: "TOP_PERC_GAIN",
      abovePrice: 5,
      aboveVolume: 100000,
      excludeConvertible: true,
      stockTypeFilter: "CORP",
    });
    const ib = scannerSubscriptionToIb(subscription);
    expect(ib.belowPrice).toBeUndefined();
    expect(ib.marketCapAbove).toBeUndefined();
    expect(scannerSubscriptionFromIb(ib)).toEqual(subscription);
  });

  it("execution filters: clientId as IB's token, '' fields left out", () => {
    expect(executionFilterToIb(undefined)).toEqual({});
    expect(executionFilterToIb(create(ExecutionFilterSchema, { clientId: 0, symbol: "AAPL", side: "BUY" }))).toEqual({
      clientId: "0",
      symbol: "AAPL",
      side: "BUY",
    });
  });

  it("WSH event requests: absent numbers are left for IB's empty token", () => {
    const ib = wshEventDataToIb(
      create(WshEventDataSchema, { filter: '{"watchlist":["265598"]}', fillWatchlist: true }),
    );
    expect(ib.conId).toBeUndefined();
    expect(ib.totalLimit).toBeUndefined();
    expect(ib.filter).toBe('{"watchlist":["265598"]}');
    expect(wshEventDataToIb(create(WshEventDataSchema, { conId: 265598, totalLimit: 10 }))).toMatchObject({
      conId: 265598,
      totalLimit: 10,
    });
  });
});
