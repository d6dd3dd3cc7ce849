import {
  ConjunctionConnection,
  type Contract,
  EventName,
  ExecutionCondition,
  MarginCondition,
  type Order,
  OrderAction,
  OrderType,
  PercentChangeCondition,
  PriceCondition,
  SecType,
  TimeCondition,
  TriggerMethod,
  VolumeCondition,
} from "@stoqey/ib";
import { afterEach, describe, expect, it } from "vitest";
import { execDetails } from "../../src/sim/messages/executions.js";
import { openOrder } from "../../src/sim/messages/orders.js";
import { encodeMessage } from "../../src/sim/wire/layout.js";
import { AAPL, AAPL_CONID, buy, eventsNamed, OrdersBench, roundTrip } from "./orders-harness.js";

/**
 * The order layouts against IBApi's encoder and decoder: every placeOrder variant it can send parses with no leftover
 * or missing token, and what-if answers echo the exotic blocks back (conditions, algo, scale, hedge, delta neutral),
 * which the client decodes field for field.
 */
describe.each([176, 187, 193])("order layouts at server version %i", (serverVersion) => {
  let bench: OrdersBench;

  afterEach(async () => {
    expect(bench.decodeErrors()).toEqual([]);
    expect(bench.simulator.violations).toEqual([]);
    await bench.stop();
  });

  it("has TWS's token counts for a plain limit order's openOrder and for execDetails", () => {
    bench = new OrdersBench(serverVersion);
    const plain = encodeMessage(openOrder, { orderId: 1 } as never, serverVersion);
    const plainTokens: Record<number, number> = { 176: 128, 187: 130, 193: 133 };
    expect(plain).toHaveLength(plainTokens[serverVersion] as number);
    const fill = encodeMessage(execDetails, { reqId: -1 } as never, serverVersion);
    expect(fill).toHaveLength(serverVersion >= 178 ? 32 : 31);
  });

  it("echoes conditions, algo parameters, scale, hedge and delta-neutral fields in a what-if openOrder", async () => {
    bench = new OrdersBench(serverVersion);
    const client = await bench.connect(1);
    const conditions = [
      new PriceCondition(250, TriggerMethod.Default, AAPL_CONID, "SMART", true, ConjunctionConnection.AND),
      new TimeCondition("20250102 15:00:00 UTC", true, ConjunctionConnection.OR),
      new MarginCondition(30, false, ConjunctionConnection.AND),
      new ExecutionCondition("SMART", SecType.STK, "MSFT", ConjunctionConnection.AND),
      new VolumeCondition(1000, AAPL_CONID, "SMART", true, ConjunctionConnection.AND),
      new PercentChangeCondition(2.5, AAPL_CONID, "SMART", false, ConjunctionConnection.AND),
    ];
    const exotic: Order = buy(OrderType.LMT, 100, {
      lmtPrice: 150,
      whatIf: true,
      algoStrategy: "Adaptive",
      algoParams: [{ tag: "adaptivePriority", value: "Normal" }],
      conditions,
      conditionsIgnoreRth: true,
      scaleInitLevelSize: 10,
      scaleSubsLevelSize: 5,
      scalePriceIncrement: 0.05,
      scaleAutoReset: true,
      scaleRandomPercent: true,
      hedgeType: "D",
      hedgeParam: "0.5",
      deltaNeutralOrderType: "LMT",
      deltaNeutralAuxPrice: 1.5,
      deltaNeutralConId: 8314,
      deltaNeutralShortSale: true,
      orderRef: "exotic",
    });
    const withDeltaNeutral: Contract = { ...AAPL, deltaNeutralContract: { conId: 8314, delta: 0.5, price: 100 } };
    const mark = client.mark();
    client.api.placeOrder(1, withDeltaNeutral, exotic);
    const answer = await client.next(EventName.openOrder, "what-if openOrder", mark);
    const [, contract, order, state] = answer.args as [number, Contract, Order, { status: string }];
    expect(state.status).toBe("PreSubmitted");
    expect(contract.deltaNeutralContract).toEqual({ conId: 8314, delta: 0.5, price: 100 });
    expect(order).toMatchObject({
      whatIf: true,
      orderRef: "exotic",
      algoStrategy: "Adaptive",
      algoParams: [{ tag: "adaptivePriority", value: "Normal" }],
      conditionsIgnoreRth: true,
      conditionsCancelOrder: false,
      scaleInitLevelSize: 10,
      scaleSubsLevelSize: 5,
      scalePriceIncrement: 0.05,
      scaleAutoReset: true,
      scaleRandomPercent: true,
      hedgeType: "D",
      hedgeParam: "0.5",
      deltaNeutralOrderType: "LMT",
      deltaNeutralAuxPrice: 1.5,
      deltaNeutralConId: 8314,
      deltaNeutralShortSale: true,
    });
    expect(order.conditions?.map((condition) => condition.type)).toEqual(conditions.map((each) => each.type));
    expect(order.conditions?.[0]).toMatchObject({ price: 250, conId: AAPL_CONID, isMore: true });
    expect(order.conditions?.[5]).toMatchObject({ percent: 2.5, isMore: false });
  });

  it("parses BAG combos, pegged orders, scale with a zero increment and an ATS minimum without a stray token", async () => {
    bench = new OrdersBench(serverVersion);
    const client = await bench.connect(2);
    const bag: Contract = {
      symbol: "AAPL",
      secType: SecType.BAG,
      exchange: "SMART",
      currency: "USD",
      comboLegs: [
        { conId: AAPL_CONID, ratio: 1, action: OrderAction.BUY, exchange: "SMART" },
        { conId: 272093, ratio: 1, action: OrderAction.SELL, exchange: "SMART" },
      ],
    };
    const variants: Array<[Contract, Order]> = [
      [
        bag,
        buy(OrderType.LMT, 1, {
          lmtPrice: 1,
          orderComboLegs: [{ price: 1 }, { price: 2 }],
          smartComboRoutingParams: [{ tag: "NonGuaranteed", value: "1" }],
        }),
      ],
      [
        { ...AAPL, exchange: "IBKRATS" },
        buy(OrderType.PEG_BEST, 100, {
          minTradeQty: 100,
          minCompeteSize: 100,
          competeAgainstBestOffset: Number.POSITIVE_INFINITY,
          midOffsetAtWhole: 0.01,
          midOffsetAtHalf: 0.005,
        }),
      ],
      [AAPL, buy(OrderType.PEG_MID, 100, { midOffsetAtWhole: 0.01, midOffsetAtHalf: 0.005 })],
      [
        AAPL,
        buy(OrderType.PEG_BENCH, 100, {
          referenceContractId: 8314,
          isPeggedChangeAmountDecrease: false,
          peggedChangeAmount: 0.1,
          referenceChangeAmount: 0.2,
          referenceExchangeId: "NYSE",
        }),
      ],
      [AAPL, buy(OrderType.LMT, 100, { lmtPrice: 1, scalePriceIncrement: 0, whatIf: true })],
    ];
    const mark = client.mark();
    for (const [index, [contract, order]] of variants.entries()) client.api.placeOrder(index + 1, contract, order);
    await client.next(EventName.openOrder, "the zero-increment what-if", mark, (args) => args[0] === variants.length);
    await roundTrip(client);
    const refusals = eventsNamed(client, EventName.error, mark).map((event) => [event.args[2], event.args[1]]);
    // Combos and pegged orders are parsed, then refused: the matching engine works MKT, LMT, STP and STP LMT.
    expect(refusals).toEqual([
      [1, 200],
      [2, 200],
      [3, 321],
      [4, 321],
    ]);
  });
});
