import { type ChildProcess, spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { BarSizeSetting, EventName, OrderAction, OrderType, SecType, WhatToShow } from "@stoqey/ib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { IbClient } from "../sim/helpers.js";
import { freePort } from "../support/wait.js";

/**
 * Issue #3's acceptance: an independent trading program on the real @stoqey/ib client, against `ibrpc sim` run as
 * a separate process, in real time, the way a user would point their own code at it.
 */
const MAIN = fileURLToPath(new URL("../../dist/src/main.js", import.meta.url));
const AAPL = { symbol: "AAPL", secType: SecType.STK, exchange: "SMART", currency: "USD" };

let sim: ChildProcess;
let port: number;
let ib: IbClient;

beforeAll(async () => {
  port = await freePort();
  // --always-open: `ibrpc sim` follows the real trading calendar by default, and this program must not depend on when
  // it runs (a weekend run would see no ticks move and no market order fill).
  sim = spawn(process.execPath, [MAIN, "sim", "--port", String(port), "--seed", "42", "--always-open"], {
    stdio: ["ignore", "pipe", "pipe"],
    env: { PATH: process.env.PATH ?? "", LOG_LEVEL: "warn" },
  });
  let out = "";
  sim.stdout?.on("data", (d) => (out += d));
  sim.stderr?.on("data", (d) => (out += d));
  const started = Date.now();
  for (;;) {
    ib = new IbClient(port, 1);
    ib.api.on(EventName.error, () => {});
    ib.connect();
    try {
      await ib.ready();
      break;
    } catch (err) {
      ib.disconnect();
      if (Date.now() - started > 20_000) throw new Error(`simulator never came up: ${String(err)}\n${out}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}, 30_000);

afterAll(async () => {
  ib?.disconnect();
  sim?.kill("SIGTERM");
});

describe("a trading program against ibrpc sim --seed 42", () => {
  it("sees at least 3 managed accounts with a NetLiquidation each, and positions", async () => {
    const accounts = String((await ib.next(EventName.managedAccounts, "accounts")).args[0]).split(",");
    expect(accounts.length).toBeGreaterThanOrEqual(3);
    const mark = ib.mark();
    ib.api.reqAccountSummary(9001, "All", "NetLiquidation");
    await ib.next(EventName.accountSummaryEnd, "accountSummaryEnd", mark);
    const netLiq = ib.events
      .slice(mark)
      .filter((e) => e.name === EventName.accountSummary && e.args[2] === "NetLiquidation");
    expect(new Set(netLiq.map((e) => e.args[1]))).toEqual(new Set(accounts));
    for (const e of netLiq) expect(Number(e.args[3])).toBeGreaterThan(0);
    ib.api.cancelAccountSummary(9001);
    const p = ib.mark();
    ib.api.reqPositions();
    await ib.next(EventName.positionEnd, "positionEnd", p);
    expect(ib.events.slice(p).filter((e) => e.name === EventName.position).length).toBeGreaterThan(0);
    ib.api.cancelPositions();
  });

  it("gets AAPL contract details and error 200 for a made-up symbol", async () => {
    const mark = ib.mark();
    ib.api.reqContractDetails(9002, AAPL);
    const details = await ib.next(EventName.contractDetails, "AAPL details", mark);
    expect((details.args[1] as { contract: { symbol: string; conId: number } }).contract.symbol).toBe("AAPL");
    await ib.next(EventName.contractDetailsEnd, "contractDetailsEnd", mark);
    ib.api.reqContractDetails(9003, { ...AAPL, symbol: "ZZZNOPE" });
    const err = await ib.next(EventName.error, "error 200", mark, (a) => a[2] === 9003);
    expect(err.args[1]).toBe(200);
  });

  it("streams bid, ask and last ticks for 3 s", async () => {
    const mark = ib.mark();
    ib.api.reqMktData(9004, AAPL, "", false, false);
    await new Promise((r) => setTimeout(r, 3_000));
    ib.api.cancelMktData(9004);
    const types = new Set(
      ib.events
        .slice(mark)
        .filter((e) => e.name === EventName.tickPrice && e.args[0] === 9004)
        .map((e) => e.args[1]),
    );
    expect(types).toContain(1); // bid
    expect(types).toContain(2); // ask
    expect(types).toContain(4); // last
  });

  it("fills a MKT order, visible in reqExecutions and in positions", async () => {
    const orderId = Number((await ib.next(EventName.nextValidId, "order id")).args[0]);
    const mark = ib.mark();
    const account = String((await ib.next(EventName.managedAccounts, "accounts")).args[0]).split(",")[0] as string;
    ib.api.placeOrder(orderId, AAPL, {
      action: OrderAction.BUY,
      orderType: OrderType.MKT,
      totalQuantity: 10,
      account,
      transmit: true,
    });
    await ib.next(EventName.orderStatus, "Filled", mark, (a) => a[0] === orderId && a[1] === "Filled");
    const ex = ib.mark();
    ib.api.reqExecutions(9005, {});
    await ib.next(EventName.execDetailsEnd, "execDetailsEnd", ex);
    const fills = ib.events
      .slice(ex)
      .filter((e) => e.name === EventName.execDetails && (e.args[2] as { orderId: number }).orderId === orderId);
    expect(fills.length).toBeGreaterThan(0);
    const p = ib.mark();
    ib.api.reqPositions();
    await ib.next(EventName.positionEnd, "positionEnd", p);
    const aapl = ib.events
      .slice(p)
      .find(
        (e) =>
          e.name === EventName.position && e.args[0] === account && (e.args[1] as { symbol: string }).symbol === "AAPL",
      );
    expect(Number(aapl?.args[2])).toBeGreaterThanOrEqual(10);
    ib.api.cancelPositions();
    ib.api.reqIds(1);
  });

  it("keeps a far LMT order working, then cancels it", async () => {
    const mark = ib.mark();
    ib.api.reqIds(1);
    const orderId = Number((await ib.next(EventName.nextValidId, "order id", mark)).args[0]);
    ib.api.placeOrder(orderId, AAPL, {
      action: OrderAction.BUY,
      orderType: OrderType.LMT,
      lmtPrice: 1,
      totalQuantity: 5,
      transmit: true,
    });
    await ib.next(EventName.orderStatus, "Submitted", mark, (a) => a[0] === orderId && a[1] === "Submitted");
    ib.api.cancelOrder(orderId);
    await ib.next(EventName.orderStatus, "Cancelled", mark, (a) => a[0] === orderId && a[1] === "Cancelled");
  });

  it("returns a day of 5-minute bars with consistent OHLC", async () => {
    const mark = ib.mark();
    ib.api.reqHistoricalData(9006, AAPL, "", "1 D", BarSizeSetting.MINUTES_FIVE, WhatToShow.TRADES, 0, 1, false);
    await ib.next(
      EventName.historicalData,
      "last bar",
      mark,
      (a) => a[0] === 9006 && String(a[1]).startsWith("finished"),
    );
    const bars = ib.events
      .slice(mark)
      .filter(
        (e) => e.name === EventName.historicalData && e.args[0] === 9006 && !String(e.args[1]).startsWith("finished"),
      );
    expect(bars.length).toBeGreaterThanOrEqual(78); // a regular session at least
    for (const { args } of bars) {
      const [, , open, high, low, close] = args as [number, string, number, number, number, number];
      expect(low).toBeLessThanOrEqual(Math.min(open, close));
      expect(high).toBeGreaterThanOrEqual(Math.max(open, close));
    }
  });

  it("streams depth updates", async () => {
    const mark = ib.mark();
    ib.api.reqMktDepth(9007, AAPL, 5, false);
    await ib.next(EventName.updateMktDepth, "depth", mark, (a) => a[0] === 9007);
    ib.api.cancelMktDepth(9007, false);
  });

  it("saw zero decode errors", () => {
    expect(ib.decodeErrors()).toEqual([]);
  });

  it("answers a client that ignores the 50 msg/s limit with error 100 or a drop", async () => {
    const flooder = new IbClient(port, 2, { maxReqPerSec: 10_000 });
    flooder.api.on(EventName.error, () => {});
    flooder.connect();
    await flooder.ready();
    for (let i = 0; i < 400; i++) flooder.api.reqCurrentTime();
    const verdict = await Promise.race([
      flooder.next(EventName.info, "error 100", 0, (a) => a[1] === 100).then(() => "100"),
      flooder.next(EventName.disconnected, "drop").then(() => "drop"),
    ]);
    expect(["100", "drop"]).toContain(verdict);
    flooder.disconnect();
  });
});
