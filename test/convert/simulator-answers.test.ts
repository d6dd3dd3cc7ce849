import type { Message } from "@bufbuild/protobuf";
import { create } from "@bufbuild/protobuf";
import {
  BarSizeSetting,
  type CommissionReport,
  type Contract,
  type ContractDetails,
  EventName,
  type Execution,
  type HistoricalTickLast,
  type Order,
  OrderAction,
  type OrderState,
  OrderType,
  SecType,
  WhatToShow,
} from "@stoqey/ib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ContractSchema } from "../../gen/ibrpc/v1/common_pb.js";
import { OrderSchema } from "../../gen/ibrpc/v1/order_pb.js";
import {
  accountSummaryFromIb,
  barFromIb,
  barToIb,
  commissionReportFromIb,
  commissionReportToIb,
  completedOrderFromIb,
  contractDescriptionFromIb,
  contractDetailsFromIb,
  contractDetailsToIb,
  contractFromIb,
  contractToIb,
  execDetailsFromIb,
  executionToIb,
  historicalDataEndFromIb,
  historicalTickLastFromIb,
  isHistoricalDataEnd,
  newsProvidersFromIb,
  openOrderFromIb,
  orderStateToIb,
  orderStatusFromIb,
  orderToIb,
  pnlFromIb,
  positionFromIb,
  positionToIb,
  priceIncrementsFromIb,
  securityDefinitionOptionalParameterFromIb,
  tickPriceFromIb,
  tickSizeFromIb,
  updateAccountValueFromIb,
  updatePortfolioFromIb,
  updatePortfolioToIb,
} from "../../src/convert/index.js";
import { ManualClock, Simulator } from "../../src/sim/index.js";
import { FIXED_NOW, IbClient, type RecordedEvent, testLogger } from "../sim/helpers.js";
import { ONE_CONDITION_OF_EACH_TYPE } from "./order-conditions.js";
import { expectNoSentinels, expectSameWhereSet } from "./sentinels.js";

const ACCOUNT = "DU1000002";
const AAPL: Contract = { symbol: "AAPL", secType: SecType.STK, exchange: "SMART", currency: "USD" };

/**
 * The simulator's real answers, decoded by the real IBApi over TCP, converted: no sentinel reaches a proto, and the
 * proto converted back equals what IBApi decoded wherever IB set a value.
 */
describe.each([176, 193])("converting the simulator's answers (server version %i)", (serverVersion) => {
  let simulator: Simulator;
  let clock: ManualClock;
  let client: IbClient;
  let nextReqId = 100;

  beforeAll(async () => {
    clock = new ManualClock(FIXED_NOW);
    simulator = new Simulator({ seed: 42, serverVersion, clock, logger: testLogger });
    const { port } = await simulator.start();
    client = new IbClient(port, 1).connect();
    await client.ready();
  });

  afterAll(async () => {
    client.disconnect();
    await simulator.stop();
    expect(client.decodeErrors()).toEqual([]);
  });

  /** Events named one of `names` between `mark` and the first `end` event passing `isEnd`. */
  async function gather(
    names: readonly string[],
    end: string,
    mark: number,
    isEnd: (args: readonly unknown[]) => boolean = () => true,
  ): Promise<RecordedEvent[]> {
    const endEvent = await client.next(end, end, mark, isEnd);
    return client.events.slice(mark, client.events.indexOf(endEvent)).filter((event) => names.includes(event.name));
  }

  async function details(contract: Contract): Promise<ContractDetails[]> {
    const reqId = nextReqId++;
    const mark = client.mark();
    client.api.reqContractDetails(reqId, contract);
    const rows = await gather(
      [EventName.contractDetails, EventName.bondContractDetails],
      EventName.contractDetailsEnd,
      mark,
      (args) => args[0] === reqId,
    );
    return rows.filter((row) => row.args[0] === reqId).map((row) => row.args[1] as ContractDetails);
  }

  function checkDetails(rows: readonly ContractDetails[]): void {
    expect(rows.length).toBeGreaterThan(0);
    for (const row of rows) {
      const proto = contractDetailsFromIb(row);
      expectNoSentinels(proto);
      expectSameWhereSet(row, contractDetailsToIb(proto));
      expect(contractDetailsFromIb(contractDetailsToIb(proto))).toEqual(proto);
    }
  }

  it("contract details of a stock, a bond, a fund and options", async () => {
    const aapl = await details(AAPL);
    checkDetails(aapl);
    const proto = contractDetailsFromIb(aapl[0] as ContractDetails);
    expect(proto.contract?.conId).toBe(265598);
    expect(proto.longName).not.toBe("");
    expect(proto.minTick).toBeGreaterThan(0);
    expect(proto.contract?.multiplier).toBe("");
    expect(proto.contract?.strike).toBeUndefined();

    const bond = await details({ conId: 573123951, exchange: "SMART" });
    checkDetails(bond);
    expect(contractDetailsFromIb(bond[0] as ContractDetails).contract?.secType).toBe("BOND");

    const fund = await details({ symbol: "VFIAX", secType: SecType.FUND });
    checkDetails(fund);
    if (serverVersion >= 179) expect(contractDetailsFromIb(fund[0] as ContractDetails).fundName).not.toBe("");

    const options = await details({ symbol: "AAPL", secType: SecType.OPT, exchange: "SMART", right: "C" as never });
    checkDetails(options.slice(0, 20));
    const option = contractDetailsFromIb(options[0] as ContractDetails);
    expect(option.contract?.multiplier).toBe("100");
    expect(option.contract?.strike).toBeGreaterThan(0);

    // A request built from the converted proto finds the same instrument again.
    const again = await details(
      contractToIb(create(ContractSchema, { conId: option.contract?.conId, exchange: "SMART" })),
    );
    expect(contractDetailsFromIb(again[0] as ContractDetails).contract?.conId).toBe(option.contract?.conId);
  });

  it("symbol samples, option chain parameters and a market rule", async () => {
    let reqId = nextReqId++;
    let mark = client.mark();
    client.api.reqMatchingSymbols(reqId, "AAP");
    const samples = await client.next(EventName.symbolSamples, "symbolSamples", mark);
    for (const description of samples.args[1] as Parameters<typeof contractDescriptionFromIb>[0][]) {
      expectNoSentinels(contractDescriptionFromIb(description));
    }

    reqId = nextReqId++;
    mark = client.mark();
    client.api.reqSecDefOptParams(reqId, "AAPL", "", SecType.STK, 265598);
    const chains = await gather(
      [EventName.securityDefinitionOptionParameter],
      EventName.securityDefinitionOptionParameterEnd,
      mark,
    );
    expect(chains.length).toBeGreaterThan(0);
    for (const { args } of chains) {
      const [, exchange, underlyingConId, tradingClass, multiplier, expirations, strikes] = args as [
        number,
        string,
        number,
        string,
        string,
        string[],
        number[],
      ];
      const chain = securityDefinitionOptionalParameterFromIb({
        exchange,
        underlyingConId,
        tradingClass,
        multiplier,
        expirations,
        strikes,
      });
      expectNoSentinels(chain);
      expect(chain.underlyingConId).toBe(265598);
      expect(chain.strikes).toEqual(strikes);
    }

    mark = client.mark();
    client.api.reqMarketRule(26);
    const rule = await client.next(EventName.marketRule, "marketRule", mark);
    const increments = priceIncrementsFromIb(rule.args[1] as never);
    expect(increments.length).toBeGreaterThan(0);
    for (const increment of increments) expectNoSentinels(increment);
  });

  it("an order's openOrder, orderStatus, execution, commission report and completed order after a fill", async () => {
    const orderId = 1;
    const placed: Order = {
      action: OrderAction.BUY,
      orderType: OrderType.MKT,
      totalQuantity: 10,
      account: ACCOUNT,
      transmit: true,
    };
    // The order is placed from a proto, as OrderService will.
    const order = orderToIb(
      openOrderFromIb({ orderId, contract: AAPL, order: placed, orderState: { status: "PendingSubmit" } as OrderState })
        .order as never,
    );
    const mark = client.mark();
    client.api.placeOrder(orderId, AAPL, order);
    await client.next(EventName.openOrder, "openOrder", mark, (args) => args[0] === orderId);
    clock.advance(60_000);
    await client.next(EventName.orderStatus, "Filled", mark, (args) => args[0] === orderId && args[1] === "Filled");
    await client.next(EventName.commissionReport, "commissionReport", mark);

    for (const event of client.events.slice(mark)) {
      if (event.name === EventName.openOrder) {
        const [id, contract, ibOrder, state] = event.args as [number, Contract, Order, OrderState];
        const proto = openOrderFromIb({ orderId: id, contract, order: ibOrder, orderState: state });
        expectNoSentinels(proto);
        expectSameWhereSet(contract, contractToIb(proto.contract as never));
        expectSameWhereSet(ibOrder, orderToIb(proto.order as never));
        expectSameWhereSet(state, orderStateToIb(proto.orderState as never));
        expect(proto.order?.totalQuantity).toBe("10");
        expect(proto.order?.permId).toBeGreaterThan(0n);
      }
      if (event.name === EventName.orderStatus) {
        const [id, status, filled, remaining, avgFillPrice, permId, parentId, lastFillPrice, clientId, whyHeld] =
          event.args as [number, string, number, number, number, number, number, number, number, string];
        const proto = orderStatusFromIb({
          orderId: id,
          status,
          filled,
          remaining,
          avgFillPrice,
          permId,
          parentId,
          lastFillPrice,
          clientId,
          whyHeld,
        });
        expectNoSentinels(proto);
        if (status === "Filled") {
          expect(proto.filled).toBe("10");
          expect(proto.remaining).toBe("0");
          expect(proto.avgFillPrice).toBeGreaterThan(0);
          expect(proto.permId).toBe(BigInt(permId));
        }
      }
      if (event.name === EventName.execDetails) {
        const [, contract, execution] = event.args as [number, Contract, Execution];
        const proto = execDetailsFromIb({ contract, execution });
        expectNoSentinels(proto);
        expectSameWhereSet(contract, contractToIb(proto.contract as never));
        expectSameWhereSet(execution, executionToIb(proto.execution as never));
        // The fill's instant, from IB's "yyyyMMdd HH:mm:ss zone": between the order and now on the simulated clock.
        const filledAt = Number(proto.execution?.time?.seconds) * 1000;
        expect(filledAt).toBeGreaterThanOrEqual(FIXED_NOW);
        expect(filledAt).toBeLessThanOrEqual(clock.now());
      }
      if (event.name === EventName.commissionReport) {
        const report = event.args[0] as CommissionReport;
        const proto = commissionReportFromIb(report);
        expectNoSentinels(proto);
        expectSameWhereSet(report, commissionReportToIb(proto));
        expect(proto.commission).toBeGreaterThan(0);
      }
    }

    // @stoqey/ib 1.6.10 misreads completedOrder below server version 177 (DESIGN.md, known limits).
    if (serverVersion < 177) return;
    const completedMark = client.mark();
    client.api.reqCompletedOrders(false);
    const completed = await gather([EventName.completedOrder], EventName.completedOrdersEnd, completedMark);
    expect(completed.length).toBeGreaterThan(0);
    for (const { args } of completed) {
      const [contract, ibOrder, state] = args as [Contract, Order, OrderState];
      const proto = completedOrderFromIb({ contract, order: ibOrder, orderState: state });
      expectNoSentinels(proto);
      expectSameWhereSet(ibOrder, orderToIb(proto.order as never));
      expectSameWhereSet(state, orderStateToIb(proto.orderState as never));
    }
  });

  it("an order placed from a proto with every condition type and algo parameters comes back the same in openOrder", async () => {
    const orderId = 2;
    // The plain fields, sent and expected back as they are.
    const plain = {
      action: "BUY",
      totalQuantity: "5",
      orderType: "LMT",
      lmtPrice: 1,
      tif: "GTC",
      account: ACCOUNT,
      orderRef: "conditions",
      algoStrategy: "Adaptive",
    };
    const proto = create(OrderSchema, {
      ...plain,
      algoParams: [{ tag: "adaptivePriority", value: "Normal" }],
      conditions: ONE_CONDITION_OF_EACH_TYPE,
      conditionsIgnoreRth: true,
    });
    const mark = client.mark();
    client.api.placeOrder(orderId, AAPL, orderToIb(proto));
    const open = await client.next(EventName.openOrder, "openOrder", mark, (args) => args[0] === orderId);
    const [, contract, ibOrder, state] = open.args as [number, Contract, Order, OrderState];
    const back = openOrderFromIb({ orderId, contract, order: ibOrder, orderState: state });
    expectNoSentinels(back);
    expect(back.order?.conditions).toEqual(proto.conditions);
    expect(back.order?.conditionsIgnoreRth).toBe(true);
    expect(back.order?.algoParams).toEqual(proto.algoParams);
    expect(back.order).toMatchObject(plain);
    client.api.cancelOrder(orderId);
  });

  it("account values, portfolio rows, positions, account summary and PnL", async () => {
    let mark = client.mark();
    client.api.reqAccountUpdates(true, ACCOUNT);
    const updates = await gather(
      [EventName.updateAccountValue, EventName.updatePortfolio],
      EventName.accountDownloadEnd,
      mark,
    );
    client.api.reqAccountUpdates(false, ACCOUNT);
    const portfolio = updates.filter((event) => event.name === EventName.updatePortfolio);
    expect(portfolio.length).toBeGreaterThan(0);
    for (const { name, args } of updates) {
      if (name === EventName.updateAccountValue) {
        const [key, value, currency, accountName] = args as [string, string, string, string];
        expectNoSentinels(updateAccountValueFromIb({ key, value, currency, accountName }));
      } else {
        const [contract, position, marketPrice, marketValue, averageCost, unrealizedPNL, realizedPNL, accountName] =
          args as [Contract, number, number, number, number, number, number, string];
        const event = {
          contract,
          position,
          marketPrice,
          marketValue,
          averageCost,
          unrealizedPNL,
          realizedPNL,
          accountName,
        };
        const proto = updatePortfolioFromIb(event);
        expectNoSentinels(proto);
        expectSameWhereSet(event, updatePortfolioToIb(proto));
      }
    }

    mark = client.mark();
    client.api.reqPositions();
    const positions = await gather([EventName.position], EventName.positionEnd, mark);
    client.api.cancelPositions();
    expect(positions.length).toBeGreaterThan(0);
    for (const { args } of positions) {
      const [account, contract, pos, avgCost] = args as [string, Contract, number, number];
      const proto = positionFromIb({ account, contract, pos, avgCost });
      expectNoSentinels(proto);
      expect(proto.pos).toMatch(/^-?\d+(\.\d+)?$/);
      expectSameWhereSet({ account, contract, pos, avgCost }, positionToIb(proto));
    }

    const summaryId = nextReqId++;
    mark = client.mark();
    client.api.reqAccountSummary(summaryId, "All", "NetLiquidation,TotalCashValue,BuyingPower");
    const summary = await gather([EventName.accountSummary], EventName.accountSummaryEnd, mark);
    client.api.cancelAccountSummary(summaryId);
    expect(summary.length).toBeGreaterThan(0);
    for (const { args } of summary) {
      const [, account, tag, value, currency] = args as [number, string, string, string, string];
      const proto = accountSummaryFromIb({ account, tag, value, currency });
      expectNoSentinels(proto);
      expect(proto.value).toBe(value);
    }

    const pnlId = nextReqId++;
    mark = client.mark();
    client.api.reqPnL(pnlId, ACCOUNT, "");
    clock.advance(1_000);
    const pnl = await client.next(EventName.pnl, "pnl", mark, (args) => args[0] === pnlId);
    client.api.cancelPnL(pnlId);
    const [, dailyPnL, unrealizedPnL, realizedPnL] = pnl.args as [number, number, number, number];
    expectNoSentinels(pnlFromIb({ dailyPnL, unrealizedPnL, realizedPnL }));
  });

  it("historical bars (formatDate 1 and 2, daily), the end row, and historical ticks", async () => {
    // Different durations: IB (and the simulator) refuse an identical request within 15 s with 162.
    for (const [barSize, duration, formatDate] of [
      [BarSizeSetting.MINUTES_FIVE, "2 D", 1],
      [BarSizeSetting.MINUTES_FIVE, "1 D", 2],
      [BarSizeSetting.DAYS_ONE, "5 D", 1],
    ] as const) {
      const reqId = nextReqId++;
      const mark = client.mark();
      client.api.reqHistoricalData(reqId, AAPL, "", duration, barSize, WhatToShow.TRADES, 1, formatDate, false);
      const end = await client.next(
        EventName.historicalData,
        "finished",
        mark,
        (args) => args[0] === reqId && String(args[1]).startsWith("finished"),
      );
      const rows = client.events
        .slice(mark, client.events.indexOf(end))
        .filter((event) => event.name === EventName.historicalData && event.args[0] === reqId);
      expect(rows.length).toBeGreaterThan(0);
      for (const { args } of rows) {
        const [, time, open, high, low, close, volume, count, WAP] = args as [
          number,
          string,
          number,
          number,
          number,
          number,
          number,
          number,
          number,
        ];
        const row = { time, open, high, low, close, volume, count, WAP };
        expect(isHistoricalDataEnd(row)).toBe(false);
        const bar = barFromIb(row);
        expectNoSentinels(bar);
        expectSameWhereSet(row, barToIb(bar));
        expect(Number(bar.volume)).toBeGreaterThan(0);
      }
      const endRow = { time: String(end.args[1]) };
      expect(isHistoricalDataEnd(endRow)).toBe(true);
      const marker = historicalDataEndFromIb(endRow);
      expectNoSentinels(marker);
      expect(`finished-${marker.startDateStr}-${marker.endDateStr}`).toBe(endRow.time);
      expect(marker.endDateStr).toMatch(/^\d{8}/);
    }

    const reqId = nextReqId++;
    const mark = client.mark();
    client.api.reqHistoricalTicks(reqId, AAPL, "", "20250102 14:00:00 UTC", 50, WhatToShow.TRADES, 1, false);
    const ticks = await client.next(EventName.historicalTicksLast, "historicalTicksLast", mark);
    const list = ticks.args[1] as HistoricalTickLast[];
    expect(list.length).toBeGreaterThan(0);
    for (const tick of list) {
      const proto = historicalTickLastFromIb(tick);
      expectNoSentinels(proto);
      expect(proto.time?.seconds).toBe(BigInt(tick.time as number));
    }
  });

  it("market data ticks and news providers", async () => {
    const reqId = nextReqId++;
    const mark = client.mark();
    client.api.reqMktData(reqId, AAPL, "", true, false);
    clock.advance(1_000);
    await client.next(EventName.tickSnapshotEnd, "tickSnapshotEnd", mark, (args) => args[0] === reqId);
    const ticks = client.events.slice(mark).filter((event) => event.args[0] === reqId);
    const prices = ticks.filter((event) => event.name === EventName.tickPrice);
    expect(prices.length).toBeGreaterThan(0);
    const converted: Message[] = [];
    for (const { name, args } of ticks) {
      if (name === EventName.tickPrice) {
        converted.push(tickPriceFromIb({ field: args[1] as number, value: args[2] as number, attribs: args[3] }));
      }
      if (name === EventName.tickSize) {
        converted.push(tickSizeFromIb({ field: args[1] as number, value: args[2] as number }));
      }
    }
    for (const message of converted) expectNoSentinels(message);

    const newsMark = client.mark();
    client.api.reqNewsProviders();
    const providers = await client.next(EventName.newsProviders, "newsProviders", newsMark);
    const list = newsProvidersFromIb(providers.args[0] as never);
    expect(list.length).toBeGreaterThan(0);
    for (const provider of list) expectNoSentinels(provider);
  });

  it("maps the contract IBApi decodes from the wire, whatever the multiplier token", () => {
    for (const multiplier of [Number.MAX_VALUE, 0, Number.NaN]) {
      expectNoSentinels(contractFromIb({ ...AAPL, multiplier }));
    }
  });
});
