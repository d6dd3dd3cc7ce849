import { describe, expect, it } from "vitest";
import { ManualClock } from "../../src/sim/clock.js";
import { SubscriptionRegistry } from "../../src/sim/subscriptions.js";
import { createWorld, MINUTE_MS, NO_SECURITY_DEFINITION } from "../../src/sim/world/index.js";
import { FIXED_NOW } from "./helpers.js";

const ACCOUNTS = ["DU1000001", "DU1000002", "DU1000003"];
const AAPL = 265598;
const HOUR_MS = 3_600_000;

describe("ManualClock", () => {
  it("runs due timers in time order, ties in creation order, each seeing its due time", () => {
    const clock = new ManualClock(1000);
    const seen: string[] = [];
    clock.setTimer(30, () => seen.push(`b@${clock.now()}`));
    clock.setTimer(10, () => {
      seen.push(`a@${clock.now()}`);
      clock.setTimer(5, () => seen.push(`nested@${clock.now()}`));
    });
    clock.setTimer(30, () => seen.push(`c@${clock.now()}`));
    const cancel = clock.setTimer(20, () => seen.push("cancelled"));
    cancel();
    clock.advance(25);
    expect(seen).toEqual(["a@1010", "nested@1015"]);
    expect(clock.now()).toBe(1025);
    clock.set(1030);
    expect(seen).toEqual(["a@1010", "nested@1015", "b@1030", "c@1030"]);
    expect(clock.pendingTimers).toBe(0);
  });

  it("repeats `every` timers until cancelled", () => {
    const clock = new ManualClock(0);
    const times: number[] = [];
    const stop = clock.every(100, () => times.push(clock.now()));
    clock.advance(350);
    stop();
    clock.advance(1000);
    expect(times).toEqual([100, 200, 300]);
    expect(() => clock.set(10)).toThrow(RangeError);
  });
});

describe("SubscriptionRegistry", () => {
  it("cancels on request, on replacement and all at once", () => {
    const registry = new SubscriptionRegistry();
    const cancelled: string[] = [];
    registry.add("mktData", 1, () => cancelled.push("m1"));
    registry.add("mktData", 2, () => cancelled.push("m2"));
    registry.add("pnl", "DU1", () => cancelled.push("p"));
    registry.add("mktData", 2, () => cancelled.push("m2'"));
    expect(cancelled).toEqual(["m2"]);
    expect(registry.count("mktData")).toBe(2);
    expect(registry.cancel("mktData", 1)).toBe(true);
    expect(registry.cancel("mktData", 1)).toBe(false);
    expect(registry.has("pnl", "DU1")).toBe(true);
    registry.cancelAll();
    expect(cancelled).toEqual(["m2", "m1", "m2'", "p"]);
    expect(registry.count()).toBe(0);
  });
});

describe("world: catalog", () => {
  const { catalog } = createWorld(42, ACCOUNTS, FIXED_NOW);

  it("resolves AAPL by symbol with SMART routing and by conId, and knows nothing of a made-up symbol", () => {
    const byName = catalog.find({ symbol: "AAPL", secType: "STK", exchange: "SMART", currency: "USD" });
    expect(byName.map((match) => [match.instrument.contract.conId, match.exchange])).toEqual([[AAPL, "SMART"]]);
    expect(catalog.find({ conId: AAPL, exchange: "NASDAQ" })[0]?.exchange).toBe("NASDAQ");
    expect(catalog.find({ symbol: "ZZZNOPE", secType: "STK" })).toEqual([]);
    expect(catalog.resolve({ symbol: "ZZZNOPE" }).kind).toBe("none");
    expect(NO_SECURITY_DEFINITION).toBe("No security definition has been found for the request");
    expect(catalog.find({ symbol: "AAPL", exchange: "LSE" })).toEqual([]);
  });

  it("answers a partial spec with several contracts, as TWS does", () => {
    const calls = catalog.find({ symbol: "AAPL", secType: "OPT", right: "CALL" });
    expect(calls.length).toBeGreaterThanOrEqual(3 * 17);
    expect(
      new Set(calls.map((match) => match.instrument.contract.lastTradeDateOrContractMonth)).size,
    ).toBeGreaterThanOrEqual(3);
    expect(catalog.resolve({ symbol: "AAPL", secType: "OPT" }).kind).toBe("ambiguous");
    const expiry = calls[0]?.instrument.contract.lastTradeDateOrContractMonth ?? "";
    const month = catalog.find({
      symbol: "AAPL",
      secType: "OPT",
      lastTradeDateOrContractMonth: expiry.slice(0, 6),
      strike: 190,
      right: "P",
    });
    expect(month.length).toBeGreaterThanOrEqual(1);
    expect(catalog.find({ symbol: "ES", secType: "FUT", exchange: "CME" })).toHaveLength(2);
    expect(catalog.optionChains(AAPL)[0]?.strikes).toContain(190);
  });

  it("covers the asset classes and currencies the issue asks for, with unique stable conIds", () => {
    const kinds = new Set(catalog.instruments.map((instrument) => instrument.contract.secType));
    expect([...kinds].sort()).toEqual(["BOND", "CASH", "FUND", "FUT", "IND", "OPT", "STK"]);
    const stockCurrencies = catalog.instruments
      .filter((i) => i.contract.secType === "STK")
      .map((i) => i.contract.currency);
    expect(new Set(stockCurrencies)).toEqual(new Set(["USD", "GBP", "EUR", "JPY"]));
    expect(catalog.find({ symbol: "VFIAX" })[0]?.instrument.details.fund?.fundFamily).toBe("Vanguard");
    const again = createWorld(7, ACCOUNTS, FIXED_NOW).catalog;
    expect(again.instruments.map((i) => i.contract.conId)).toEqual(catalog.instruments.map((i) => i.contract.conId));
  });
});

describe("world: market", () => {
  it("is a function of (seed, conId, t): same across instances and request orders, different across seeds", () => {
    const one = createWorld(42, ACCOUNTS, FIXED_NOW).market;
    const two = createWorld(42, ACCOUNTS, FIXED_NOW).market;
    const other = createWorld(43, ACCOUNTS, FIXED_NOW).market;
    const times = [FIXED_NOW, FIXED_NOW + 1234, FIXED_NOW - 30 * 86_400_000, FIXED_NOW + 7 * HOUR_MS];
    const forward = times.map((t) => one.price(AAPL, t));
    two.price(272093, FIXED_NOW); // another instrument first must not matter
    const backward = [...times]
      .reverse()
      .map((t) => two.price(AAPL, t))
      .reverse();
    expect(backward).toEqual(forward);
    expect(times.map((t) => other.price(AAPL, t))).not.toEqual(forward);
    expect(one.quote(AAPL, FIXED_NOW)).toEqual(two.quote(AAPL, FIXED_NOW));
  });

  it("moves like a stock: stays near its base over a month and changes within minutes", () => {
    const { market } = createWorld(42, ACCOUNTS, FIXED_NOW);
    const prices = Array.from({ length: 30 * 24 }, (_, hour) => market.price(AAPL, FIXED_NOW - hour * HOUR_MS));
    expect(Math.min(...prices)).toBeGreaterThan(190 * 0.6);
    expect(Math.max(...prices)).toBeLessThan(190 * 1.6);
    const minutes = Array.from({ length: 20 }, (_, minute) => market.price(AAPL, FIXED_NOW + minute * MINUTE_MS));
    expect(new Set(minutes).size).toBeGreaterThan(10);
    for (const price of prices) expect(Math.round(price * 100) / 100).toBe(price); // on the 0.01 tick grid
  });

  it("derives a day of 5-minute bars consistent with 1-minute bars, 5-second bars and the trades", () => {
    const { market } = createWorld(42, ACCOUNTS, FIXED_NOW);
    const dayStart = Math.floor(FIXED_NOW / 86_400_000) * 86_400_000;
    const fiveMinute = market.bars(AAPL, dayStart, dayStart + 86_400_000, 5 * MINUTE_MS);
    expect(fiveMinute).toHaveLength(288);
    for (const bar of fiveMinute.slice(100, 110)) {
      const minutes = market.bars(AAPL, bar.start, bar.end, MINUTE_MS);
      expect(bar.open).toBe(minutes[0]?.open);
      expect(bar.close).toBe(minutes.at(-1)?.close);
      expect(bar.high).toBe(Math.max(...minutes.map((m) => m.high)));
      expect(bar.low).toBe(Math.min(...minutes.map((m) => m.low)));
      expect(bar.volume).toBe(minutes.reduce((sum, m) => sum + m.volume, 0));
      const fiveSecond = market.bars(AAPL, bar.start, bar.end, 5000);
      expect(Math.max(...fiveSecond.map((b) => b.high))).toBe(bar.high);
      expect(Math.min(...fiveSecond.map((b) => b.low))).toBe(bar.low);
      const trades = market.trades(AAPL, bar.start, bar.end);
      expect(trades.reduce((sum, trade) => sum + trade.size, 0)).toBe(bar.volume);
      expect(Math.max(...trades.map((trade) => trade.price))).toBe(bar.high);
      expect(Math.min(...trades.map((trade) => trade.price))).toBe(bar.low);
    }
    for (let index = 1; index < fiveMinute.length; index++) {
      expect(fiveMinute[index]?.open).toBe(fiveMinute[index - 1]?.close);
    }
    const day = market.bar(AAPL, dayStart, dayStart + 86_400_000);
    expect(day.high).toBe(Math.max(...fiveMinute.map((b) => b.high)));
    expect(day.low).toBe(Math.min(...fiveMinute.map((b) => b.low)));
  });

  it("quotes bid < ask around the path, prices options by Black-Scholes and futures with carry", () => {
    const { market, catalog } = createWorld(42, ACCOUNTS, FIXED_NOW);
    const quote = market.quote(AAPL, FIXED_NOW);
    expect(quote.bid).toBeLessThan(quote.ask);
    expect(quote.bidSize).toBeGreaterThan(0);
    expect(quote.lastTime).toBeLessThanOrEqual(FIXED_NOW);
    const call = catalog.find({ symbol: "AAPL", secType: "OPT", right: "C" })[0]?.instrument;
    if (!call) throw new Error("no AAPL call");
    const greeks = market.optionGreeks(call.contract.conId, FIXED_NOW);
    expect(greeks.delta).toBeGreaterThan(0);
    expect(greeks.delta).toBeLessThanOrEqual(1);
    expect(greeks.underlyingPrice).toBe(market.price(AAPL, FIXED_NOW));
    expect(Math.abs(market.price(call.contract.conId, FIXED_NOW) - greeks.price)).toBeLessThanOrEqual(0.005 + 1e-9);
    const es = catalog.find({ symbol: "ES", secType: "FUT" })[0]?.instrument;
    if (!es) throw new Error("no ES");
    expect(market.price(es.contract.conId, FIXED_NOW)).toBeGreaterThan(market.price(416904, FIXED_NOW));
    expect(market.usdPer("JPY", FIXED_NOW)).toBeCloseTo(1 / market.price(15016059, FIXED_NOW), 12);
  });
});

describe("world: ledger", () => {
  it("opens seeded books with positions and several currencies", () => {
    const { ledger } = createWorld(42, ACCOUNTS, FIXED_NOW);
    for (const account of ACCOUNTS) expect(ledger.positions(account).length).toBeGreaterThanOrEqual(2);
    expect(ledger.account("DU1000001").cash.has("GBP")).toBe(true);
    expect(ledger.account("DU1000002").cash.has("EUR")).toBe(true);
    const again = createWorld(42, ACCOUNTS, FIXED_NOW).ledger;
    expect(again.positions("DU1000003")).toEqual(ledger.positions("DU1000003"));
  });

  it("books fills with average cost, realized PnL net of commission, and cash", () => {
    const { ledger, market } = createWorld(42, ["DU9"], FIXED_NOW);
    // Toyota (JPY) is never among the seeded holdings, and the account starts with no yen: the arithmetic is ours.
    const TOYOTA = 13905;
    expect(ledger.positions("DU9").some((position) => position.conId === TOYOTA)).toBe(false);
    ledger.applyFill("DU9", TOYOTA, 100, 400, 1);
    ledger.applyFill("DU9", TOYOTA, 100, 410, 1);
    const position = ledger.positions("DU9").find((p) => p.conId === TOYOTA);
    expect(position?.quantity).toBe(200);
    expect(position?.averagePrice).toBeCloseTo(405.01, 10);
    const fill = ledger.applyFill("DU9", TOYOTA, -150, 420, 1);
    expect(fill.realizedPnl).toBeCloseTo(150 * (420 - 405.01) - 1, 8);
    expect(fill.position?.quantity).toBe(50);
    expect(ledger.account("DU9").cash.get("JPY")).toBeCloseTo(-40_001 - 41_001 + 63_000 - 1, 6);

    const valuation = ledger.value("DU9", FIXED_NOW);
    const toyota = valuation.positions.find((p) => p.position.conId === TOYOTA);
    expect(toyota?.marketValue).toBeCloseTo(50 * market.price(TOYOTA, FIXED_NOW), 8);
    expect(toyota?.unrealizedPnl).toBeCloseTo(50 * (market.price(TOYOTA, FIXED_NOW) - 405.01), 8);
    const yen = valuation.currencies.find((c) => c.currency === "JPY");
    expect(yen?.exchangeRate).toBeCloseTo(market.usdPer("JPY", FIXED_NOW), 12);
    const cashInUsd = valuation.currencies.reduce((sum, c) => sum + c.cashBalance * c.exchangeRate, 0);
    expect(valuation.totalCashValue).toBeCloseTo(cashInUsd, 6);
    expect(valuation.netLiquidation).toBeGreaterThan(valuation.totalCashValue);
    expect(valuation.buyingPower).toBeCloseTo(4 * valuation.availableFunds, 6);
    expect(valuation.excessLiquidity).toBeGreaterThan(valuation.availableFunds);
  });

  it("converts cash on forex fills and keeps no position", () => {
    const { ledger } = createWorld(42, ["DU9"], FIXED_NOW);
    const usd = ledger.account("DU9").cash.get("USD") ?? 0;
    const eur = ledger.account("DU9").cash.get("EUR") ?? 0;
    const result = ledger.applyFill("DU9", 12087792, 10_000, 1.1, 2);
    expect(result.position).toBeUndefined();
    expect(ledger.account("DU9").cash.get("EUR")).toBeCloseTo(eur + 10_000, 6);
    expect(ledger.account("DU9").cash.get("USD")).toBeCloseTo(usd - 11_002, 6);
  });
});
