import { BarSizeSetting, IBApiNext, OrderAction, OrderType, SecType, WhatToShow } from "@stoqey/ib";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Simulator } from "../../src/sim/index.js";
import { withTimeout } from "../support/wait.js";

/**
 * The simulator against @stoqey/ib's other client, IBApiNext (observables over IBApi, with its own bookkeeping of
 * accounts, positions, market data and orders): trading programs use either, so both must work against it.
 */
const AAPL = { symbol: "AAPL", secType: SecType.STK, exchange: "SMART", currency: "USD" };

/** The shape of IBApiNext's rxjs observables this test needs (rxjs itself is @stoqey/ib's dependency, not ours). */
interface Subscribable<T> {
  subscribe(next: (value: T) => void, error: (err: unknown) => void): { unsubscribe(): void };
}

/** The first value of a stream that passes `test`, then unsubscribes (which sends IB's cancel). */
function first<T>(stream: Subscribable<T>, what: string, test: (value: T) => boolean = () => true): Promise<T> {
  let subscription: { unsubscribe(): void } | undefined;
  return withTimeout(
    new Promise<T>((resolve, reject) => {
      subscription = stream.subscribe((v) => test(v) && resolve(v), reject);
    }),
    what,
    10_000,
  ).finally(() => subscription?.unsubscribe());
}

describe("IBApiNext against the simulator", () => {
  let simulator: Simulator;
  let ib: IBApiNext;
  const errors: string[] = [];

  beforeAll(async () => {
    simulator = new Simulator({ seed: 42, logger: pino({ level: "silent" }) });
    const { port } = await simulator.start();
    ib = new IBApiNext({ host: "127.0.0.1", port });
    ib.errorSubject.subscribe((e) => errors.push(`${e.code}: ${e.error?.message}`));
    ib.connect(11);
  });

  afterAll(async () => {
    ib?.disconnect();
    await simulator?.stop();
  });

  it("serves the account, reference, market and order flows a trading program uses", async () => {
    expect(await withTimeout(ib.getManagedAccounts(), "accounts")).toEqual([...simulator.accounts]);
    const summary = await first(ib.getAccountSummary("All", "NetLiquidation"), "summary", (u) => u.all.size >= 3);
    expect(summary.all.size).toBe(simulator.accounts.length);
    const positions = await first(ib.getPositions(), "positions", (u) => u.all.size > 0);
    expect(positions.all.size).toBeGreaterThan(0);
    const [details] = await withTimeout(ib.getContractDetails(AAPL), "contract details");
    expect(details?.contract.conId).toBeGreaterThan(0);
    const bars = await withTimeout(
      ib.getHistoricalData(AAPL, undefined, "1 D", BarSizeSetting.MINUTES_FIVE, WhatToShow.TRADES, 0, 1),
      "historical bars",
    );
    expect(bars.length).toBeGreaterThanOrEqual(78);
    const quote = await first(ib.getMarketData(AAPL, "", false, false), "market data", (u) => u.all.size >= 3);
    expect(quote.all.size).toBeGreaterThanOrEqual(3);
    expect((await withTimeout(ib.getMarketDataSnapshot(AAPL, "", false), "snapshot")).size).toBeGreaterThan(3);
    await first(ib.getMarketDepth(AAPL, 5, false), "depth", (u) => (u.all.bids?.size ?? 0) > 0);
    const account = simulator.accounts[0] as string;
    await first(ib.getPnL(account), "pnl", (p) => p.unrealizedPnL !== undefined);
    await withTimeout(
      ib.placeNewOrder(AAPL, {
        action: OrderAction.BUY,
        orderType: OrderType.MKT,
        totalQuantity: 3,
        account,
        transmit: true,
      }),
      "place order",
    );
    const executions = async () => (await withTimeout(ib.getExecutionDetails({}), "executions")).length;
    for (let i = 0; i < 50 && (await executions()) === 0; i++) await new Promise((r) => setTimeout(r, 100));
    expect(await executions()).toBeGreaterThan(0);
    expect((await withTimeout(ib.getMatchingSymbols("AAP"), "matching symbols")).length).toBeGreaterThan(0);
    expect((await withTimeout(ib.getScannerParameters(), "scanner parameters")).length).toBeGreaterThan(100);
    expect(errors).toEqual([]);
    expect(simulator.violations).toEqual([]);
  });
});
