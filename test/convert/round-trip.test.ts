import { create } from "@bufbuild/protobuf";
import { timestampFromMs } from "@bufbuild/protobuf/wkt";
import {
  type Contract as IbContract,
  type Order as IbOrder,
  PriceCondition as IbPriceCondition,
  OrderConditionType,
} from "@stoqey/ib";
import { describe, expect, it } from "vitest";
import { PositionSchema, UpdatePortfolioSchema } from "../../gen/ibrpc/v1/account_pb.js";
import {
  CommissionReportSchema,
  ContractDetailsSchema,
  ContractSchema,
  ExecutionSchema,
} from "../../gen/ibrpc/v1/common_pb.js";
import { BarSchema } from "../../gen/ibrpc/v1/historical_data_pb.js";
import { OrderSchema, OrderStateSchema } from "../../gen/ibrpc/v1/order_pb.js";
import {
  barFromIb,
  barToIb,
  commissionReportFromIb,
  commissionReportToIb,
  contractDetailsFromIb,
  contractDetailsToIb,
  contractFromIb,
  contractToIb,
  executionFromIb,
  executionToIb,
  orderCancelToIb,
  orderConditionsToIb,
  orderFromIb,
  orderStateFromIb,
  orderStateToIb,
  orderToIb,
  positionFromIb,
  positionToIb,
  updatePortfolioFromIb,
  updatePortfolioToIb,
} from "../../src/convert/index.js";
import { ONE_CONDITION_OF_EACH_TYPE } from "./order-conditions.js";
import { expectNoSentinels, findSentinels } from "./sentinels.js";

const OPTION = create(ContractSchema, {
  conId: 712345678,
  symbol: "AAPL",
  secType: "OPT",
  lastTradeDateOrContractMonth: "20250117",
  lastTradeDate: "20250117",
  strike: 190,
  right: "C",
  multiplier: "100",
  exchange: "SMART",
  primaryExch: "CBOE",
  currency: "USD",
  localSymbol: "AAPL  250117C00190000",
  tradingClass: "AAPL",
  includeExpired: true,
  secIdType: "ISIN",
  secId: "US0378331005",
  description: "an option",
  issuerId: "e1234",
});

const COMBO = create(ContractSchema, {
  symbol: "AAPL",
  secType: "BAG",
  exchange: "SMART",
  currency: "USD",
  comboLegsDescrip: "712345678|1,712345679|-1",
  comboLegs: [
    { conId: 712345678, ratio: 1, action: "BUY", exchange: "SMART", openClose: 0, shortSaleSlot: 0 },
    {
      conId: 712345679,
      ratio: 2,
      action: "SELL",
      exchange: "SMART",
      openClose: 2,
      shortSaleSlot: 2,
      designatedLocation: "LOC",
      exemptCode: 3,
    },
  ],
  deltaNeutralContract: { conId: 265598, delta: 0.5, price: 187.25 },
});

describe("proto -> IB -> proto is the identity", () => {
  it.each([
    ["option", OPTION],
    ["combo with legs and delta-neutral", COMBO],
    ["stock (no strike)", create(ContractSchema, { conId: 265598, symbol: "AAPL", secType: "STK", currency: "USD" })],
    ["fractional multiplier", create(ContractSchema, { secType: "FUT", symbol: "ES", multiplier: "0.1" })],
  ])("Contract: %s", (_, contract) => {
    expect(contractFromIb(contractToIb(contract))).toEqual(contract);
    expectNoSentinels(contract);
  });

  it("ContractDetails, with bond and fund fields", () => {
    const details = create(ContractDetailsSchema, {
      contract: OPTION,
      marketName: "AAPL",
      minTick: 0.01,
      priceMagnifier: 1,
      orderTypes: "LMT,MKT",
      validExchanges: "SMART,CBOE",
      underConId: 265598,
      longName: "APPLE INC",
      contractMonth: "202501",
      industry: "Technology",
      category: "Computers",
      subcategory: "Hardware",
      timeZoneId: "US/Eastern",
      tradingHours: "20250102:0930-20250102:1600;20250104:CLOSED",
      liquidHours: "20250102:0930-20250102:1600",
      evRule: "aapl",
      evMultiplier: 2,
      aggGroup: 4,
      secIdList: [{ tag: "ISIN", value: "US0378331005" }],
      underSymbol: "AAPL",
      underSecType: "STK",
      marketRuleIds: "26,26",
      realExpirationDate: "20250117",
      lastTradeTime: "16:00:00",
      stockType: "COMMON",
      minSize: "0.0001",
      sizeIncrement: "0.0001",
      suggestedSizeIncrement: "100",
      cusip: "912810TM0",
      ratings: "AAA",
      descAppend: "T 4 1/4",
      bondType: "GOVT",
      couponType: "FIXED",
      callable: true,
      putable: true,
      coupon: 4.25,
      convertible: true,
      maturity: "20341115",
      issueDate: "20241115",
      nextOptionDate: "20300101",
      nextOptionType: "CALL",
      nextOptionPartial: true,
      notes: "notes",
      fundName: "VANGUARD 500",
      fundFamily: "Vanguard",
      fundType: "Equity",
      fundFrontLoad: "0",
      fundBackLoad: "0",
      fundBackLoadTimeInterval: "0",
      fundManagementFee: "0.04",
      fundClosed: false,
      fundClosedForNewInvestors: true,
      fundClosedForNewMoney: false,
      fundNotifyAmount: "1000",
      fundMinimumInitialPurchase: "3000",
      fundSubsequentMinimumPurchase: "1",
      fundBlueSkyStates: "CA,NY",
      fundBlueSkyTerritories: "PR",
      fundDistributionPolicyIndicator: "Y",
      fundAssetType: "N",
      ineligibilityReasonList: [{ id: "1", description: "no permission" }],
    });
    expect(contractDetailsFromIb(contractDetailsToIb(details))).toEqual(details);
    expectNoSentinels(details);
  });

  it("Order with every group of fields, conditions of each type, TagValue lists, combo legs and a soft dollar tier", () => {
    const order = create(OrderSchema, {
      orderId: 12,
      clientId: 0,
      permId: 1987654321n,
      action: "BUY",
      totalQuantity: "100.5",
      orderType: "LMT",
      lmtPrice: 0,
      auxPrice: 1.5,
      tif: "GTD",
      cashQty: 1000,
      outsideRth: true,
      goodAfterTime: "20250102 09:45:00 US/Eastern",
      goodTillDate: "20250103 16:00:00 US/Eastern",
      parentId: 11,
      ocaGroup: "oca1",
      ocaType: 2,
      transmit: false,
      account: "DU1000002",
      orderRef: "ref",
      blockOrder: true,
      sweepToFill: true,
      displaySize: 10,
      triggerMethod: 0,
      hidden: true,
      overridePercentageConstraints: true,
      rule80a: "I",
      allOrNone: true,
      minQty: 5,
      percentOffset: 0.01,
      trailStopPrice: 180,
      trailingPercent: 2,
      faGroup: "group",
      faMethod: "NetLiq",
      faPercentage: "10",
      modelCode: "model",
      openClose: "O",
      origin: 0,
      shortSaleSlot: 0,
      designatedLocation: "loc",
      exemptCode: 0,
      settlingFirm: "firm",
      clearingAccount: "clear",
      clearingIntent: "IB",
      discretionaryAmt: 0.05,
      eTradeOnly: true,
      firmQuoteOnly: true,
      nbboPriceCap: 200,
      optOutSmartRouting: true,
      smartComboRoutingParams: [{ tag: "NonGuaranteed", value: "1" }],
      orderComboLegs: [{ price: 1.25 }, {}],
      orderMiscOptions: [{ tag: "a", value: "b" }],
      auctionStrategy: 1,
      startingPrice: 1,
      stockRefPrice: 2,
      delta: 0.5,
      stockRangeLower: 100,
      stockRangeUpper: 200,
      volatility: 0.3,
      volatilityType: 2,
      continuousUpdate: true,
      referencePriceType: 1,
      deltaNeutralOrderType: "MKT",
      deltaNeutralAuxPrice: 1,
      deltaNeutralConId: 265598,
      deltaNeutralSettlingFirm: "f",
      deltaNeutralClearingAccount: "c",
      deltaNeutralClearingIntent: "Away",
      deltaNeutralOpenClose: "C",
      deltaNeutralShortSale: true,
      deltaNeutralShortSaleSlot: 1,
      deltaNeutralDesignatedLocation: "d",
      basisPoints: 5,
      basisPointsType: 1,
      scaleInitLevelSize: 100,
      scaleSubsLevelSize: 50,
      scalePriceIncrement: 0.1,
      scalePriceAdjustValue: 0.2,
      scalePriceAdjustInterval: 60,
      scaleProfitOffset: 0.5,
      scaleAutoReset: true,
      scaleInitPosition: 10,
      scaleInitFillQty: 5,
      scaleRandomPercent: true,
      scaleTable: "table",
      hedgeType: "D",
      hedgeParam: "0.5",
      algoStrategy: "Adaptive",
      algoParams: [{ tag: "adaptivePriority", value: "Normal" }],
      algoId: "algo",
      activeStartTime: "09:30:00 US/Eastern",
      activeStopTime: "16:00:00 US/Eastern",
      whatIf: true,
      notHeld: true,
      solicited: true,
      conditions: ONE_CONDITION_OF_EACH_TYPE,
      conditionsIgnoreRth: true,
      conditionsCancelOrder: true,
      referenceContractId: 265598,
      isPeggedChangeAmountDecrease: true,
      peggedChangeAmount: 0.1,
      referenceChangeAmount: 0.2,
      referenceExchangeId: "NASDAQ",
      adjustedOrderType: "STP",
      triggerPrice: 185,
      lmtPriceOffset: 0.1,
      adjustedStopPrice: 180,
      adjustedStopLimitPrice: 179,
      adjustedTrailingAmount: 1,
      adjustableTrailingUnit: 1,
      softDollarTier: { name: "tier", value: "1", displayName: "Tier 1" },
      mifid2DecisionMaker: "dm",
      mifid2DecisionAlgo: "da",
      mifid2ExecutionTrader: "et",
      mifid2ExecutionAlgo: "ea",
      dontUseAutoPriceForHedge: true,
      isOmsContainer: true,
      discretionaryUpToLimitPrice: true,
      autoCancelDate: "20250110",
      filledQuantity: "50",
      refFuturesConId: 495512551,
      autoCancelParent: true,
      shareholder: "sh",
      imbalanceOnly: true,
      routeMarketableToBbo: true,
      parentPermId: 1987654320n,
      randomizeSize: true,
      randomizePrice: true,
      usePriceMgmtAlgo: false,
      duration: 60,
      postToAts: 1,
      advancedErrorOverride: "8229",
      manualOrderTime: "20250102 09:30:00",
      minTradeQty: 1,
      minCompeteSize: 100,
      competeAgainstBestOffset: 0.02,
      midOffsetAtWhole: 0.01,
      midOffsetAtHalf: 0.005,
      customerAccount: "cust",
      professionalCustomer: true,
      bondAccruedInterest: "1.5",
      includeOvernight: true,
      manualOrderIndicator: 0,
      extOperator: "op",
    });
    const ib = orderToIb(order);
    expect(orderFromIb(ib)).toEqual(order);
    expectNoSentinels(order);
    // What @stoqey/ib's encoder needs: conditions as its classes (it reads strValue), IB's conjunction letters.
    expect(ib.conditions?.[0]).toBeInstanceOf(IbPriceCondition);
    expect(ib.conditions?.map((condition) => [condition.type, condition.conjunctionConnection])).toEqual([
      [OrderConditionType.Price, "a"],
      [OrderConditionType.Time, "o"],
      [OrderConditionType.Margin, "a"],
      [OrderConditionType.Execution, "a"],
      [OrderConditionType.Volume, "o"],
      [OrderConditionType.PercentChange, "a"],
    ]);
    expect((ib.conditions?.[0] as IbPriceCondition | undefined)?.strValue).toBe("190.5");
    expect(ib.lmtPrice).toBe(0);
    expect(ib.continuousUpdate).toBe(1);
    expect(ib.activeStartTime as unknown).toBe("09:30:00 US/Eastern");
  });

  it("a minimal order: absent fields stay undefined toward IB, except transmit (IB's default true)", () => {
    const order = create(OrderSchema, { action: "BUY", orderType: "MKT", totalQuantity: "10" });
    const ib: IbOrder = orderToIb(order);
    expect(ib.lmtPrice).toBeUndefined();
    expect(ib.auxPrice).toBeUndefined();
    expect(ib.ocaType).toBeUndefined();
    expect(ib.transmit).toBe(true);
    expect(ib.totalQuantity).toBe(10);
    expect(orderFromIb(ib)).toEqual(create(OrderSchema, { ...order, transmit: true }));
  });

  it("cancel fields as IB's OrderCancel", () => {
    expect(orderCancelToIb({ manualOrderCancelTime: "", extOperator: "" })).toEqual({});
    expect(
      orderCancelToIb({ manualOrderCancelTime: "20250102 10:00:00 UTC", extOperator: "op", manualOrderIndicator: 1 }),
    ).toEqual({ manualOrderCancelTime: "20250102 10:00:00 UTC", extOperator: "op", manualOrderIndicator: 1 });
  });

  it("OrderState with margins as decimal strings", () => {
    const state = create(OrderStateSchema, {
      status: "PreSubmitted",
      initMarginBefore: "1000.5",
      maintMarginBefore: "900",
      equityWithLoanBefore: "100000",
      initMarginChange: "-10.25",
      maintMarginChange: "0",
      equityWithLoanChange: "0.0000001",
      initMarginAfter: "990.25",
      maintMarginAfter: "900",
      equityWithLoanAfter: "100000",
      commission: 1,
      minCommission: 0.5,
      maxCommission: 2,
      commissionCurrency: "USD",
      warningText: "careful",
      completedTime: "20250102 14:30:00 UTC",
      completedStatus: "Filled",
    });
    expect(orderStateFromIb(orderStateToIb(state))).toEqual(state);
  });

  it("Execution (time as an instant) and CommissionReport", () => {
    const execution = create(ExecutionSchema, {
      orderId: 1,
      clientId: 1,
      execId: "0000e0d5.6776f9a1.01.01",
      time: timestampFromMs(Date.UTC(2025, 0, 2, 14, 30)),
      acctNumber: "DU1000002",
      exchange: "NASDAQ",
      side: "BOT",
      shares: "10",
      price: 187.25,
      permId: 1234567890n,
      liquidation: 0,
      cumQty: "10",
      avgPrice: 187.25,
      orderRef: "ref",
      evRule: "rule",
      evMultiplier: 1,
      modelCode: "m",
      lastLiquidity: 2,
      pendingPriceRevision: true,
    });
    const ib = executionToIb(execution);
    expect(ib.time).toBe("20250102 14:30:00 UTC");
    expect(executionFromIb(ib)).toEqual(execution);
    const report = create(CommissionReportSchema, {
      execId: execution.execId,
      commission: 1,
      currency: "USD",
      realizedPnl: -12.5,
      yield: 0.04,
      yieldRedemptionDate: 20341115,
    });
    expect(commissionReportFromIb(commissionReportToIb(report))).toEqual(report);
  });

  it("account rows and bars", () => {
    const portfolio = create(UpdatePortfolioSchema, {
      contract: OPTION,
      position: "-3",
      marketPrice: 5.25,
      marketValue: -1575,
      averageCost: 510,
      unrealizedPnl: 15,
      realizedPnl: 0,
      accountName: "DU1000002",
    });
    expect(updatePortfolioFromIb(updatePortfolioToIb(portfolio))).toEqual(portfolio);
    const position = create(PositionSchema, {
      account: "DU1000002",
      contract: OPTION,
      pos: "0.5",
      avgCost: 100,
    });
    expect(positionFromIb(positionToIb(position))).toEqual(position);
    const bar = create(BarSchema, {
      time: "20250102 09:30:00 US/Eastern",
      open: 1,
      high: 2,
      low: 0.5,
      close: 1.5,
      volume: "12345",
      wap: "1.25",
      count: 17,
    });
    expect(barFromIb(barToIb(bar))).toEqual(bar);
  });
});

describe("IB's sentinels never reach a proto", () => {
  it("contract: MAX multiplier (and its text), 0 multiplier, strike 0 on a stock, right '?'", () => {
    const fromSim: IbContract = {
      conId: 265598,
      symbol: "AAPL",
      secType: "STK" as IbContract["secType"],
      strike: 0,
      right: "?" as IbContract["right"],
      multiplier: Number.MAX_VALUE,
    };
    const contract = contractFromIb(fromSim);
    expect(contract.multiplier).toBe("");
    expect(contract.strike).toBeUndefined();
    expect(contract.right).toBe("");
    expect(contractFromIb({ multiplier: "1.7976931348623157E308" as unknown as number }).multiplier).toBe("");
    expect(contractFromIb({ multiplier: 0 }).multiplier).toBe("");
    expect(contractFromIb({ secType: "OPT" as IbContract["secType"], strike: 0 }).strike).toBe(0);
    expectNoSentinels(contract);
  });

  it("order: MAX doubles, Integer.MAX ints, IB's 0 'none' values and the 'None' delta-neutral type", () => {
    const order = orderFromIb({
      orderId: 0,
      orderType: "LMT" as IbOrder["orderType"],
      lmtPrice: Number.MAX_VALUE,
      auxPrice: 0,
      minQty: 2147483647,
      ocaType: 0,
      parentId: 0,
      exemptCode: -1,
      volatilityType: 0,
      deltaNeutralOrderType: "None",
      totalQuantity: Number.MAX_VALUE,
      permId: 0,
      origin: 0,
      softDollarTier: { name: "", value: "", displayName: "" },
      conditions: orderConditionsToIb([]),
    });
    expect(order.orderId).toBeUndefined();
    expect(order.lmtPrice).toBeUndefined();
    expect(order.auxPrice).toBe(0);
    expect(order.minQty).toBeUndefined();
    expect(order.ocaType).toBeUndefined();
    expect(order.parentId).toBeUndefined();
    expect(order.exemptCode).toBeUndefined();
    expect(order.volatilityType).toBeUndefined();
    expect(order.deltaNeutralOrderType).toBe("");
    expect(order.totalQuantity).toBe("");
    expect(order.permId).toBeUndefined();
    expect(order.origin).toBe(0);
    expect(order.softDollarTier).toBeUndefined();
    expectNoSentinels(order);
  });

  it("commission report before a closing trade: realizedPNL and yield MAX are absent", () => {
    const report = commissionReportFromIb({
      execId: "x",
      commission: 1,
      currency: "USD",
      realizedPNL: Number.MAX_VALUE,
      yield: Number.MAX_VALUE,
      yieldRedemptionDate: 0,
    });
    expect(report.realizedPnl).toBeUndefined();
    expect(report.yield).toBeUndefined();
    expect(report.yieldRedemptionDate).toBeUndefined();
    expectNoSentinels(report);
  });
});

describe("expectNoSentinels (the helper) finds what it must", () => {
  it("reports the path of each sentinel, nested and repeated", () => {
    const contract = create(ContractSchema, {
      strike: Number.MAX_VALUE,
      conId: 2147483647,
      multiplier: "1.7976931348623157E308",
      comboLegs: [{ ratio: 2147483647 }],
      deltaNeutralContract: { price: Number.POSITIVE_INFINITY },
    });
    const order = create(OrderSchema, { permId: 9223372036854775807n, totalQuantity: "1e-7" });
    expect(findSentinels(contract).sort()).toEqual(
      [
        "conId = 2147483647 (Integer.MAX_VALUE)",
        "strike = 1.7976931348623157e+308",
        'multiplier = "1.7976931348623157E308"',
        "comboLegs[0].ratio = 2147483647 (Integer.MAX_VALUE)",
        "deltaNeutralContract.price = Infinity",
      ].sort(),
    );
    expect(findSentinels(order).sort()).toEqual(['totalQuantity = "1e-7"', "permId = 9223372036854775807n"].sort());
  });
});
