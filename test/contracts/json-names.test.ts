import { create, toJson } from "@bufbuild/protobuf";
import { describe, expect, it } from "vitest";
import { PnLSchema, UpdatePortfolioSchema } from "../../gen/ibrpc/v1/account_pb.js";
import { ContractDetailsSchema, ContractSchema } from "../../gen/ibrpc/v1/common_pb.js";
import { OrderSchema } from "../../gen/ibrpc/v1/order_pb.js";

const contract = create(ContractSchema, {
  conId: 265598,
  symbol: "AAPL",
  secType: "OPT",
  lastTradeDateOrContractMonth: "20250117",
  strike: 200,
  right: "C",
  multiplier: "100",
  exchange: "SMART",
  primaryExch: "NASDAQ",
  currency: "USD",
  localSymbol: "AAPL  250117C00200000",
  tradingClass: "AAPL",
  includeExpired: true,
  secIdType: "ISIN",
  secId: "US0378331005",
  issuerId: "e1234567",
  comboLegsDescrip: "x",
  comboLegs: [{ conId: 1, ratio: 1, action: "BUY", exchange: "SMART" }],
  deltaNeutralContract: { conId: 2, delta: 0.5, price: 10 },
});

describe("JSON keys are IB's Java names", () => {
  it("Contract", () => {
    const json = toJson(ContractSchema, contract) as Record<string, unknown>;
    expect(Object.keys(json)).toEqual(
      expect.arrayContaining([
        "conId",
        "symbol",
        "secType",
        "lastTradeDateOrContractMonth",
        "strike",
        "right",
        "multiplier",
        "exchange",
        "primaryExch",
        "currency",
        "localSymbol",
        "tradingClass",
        "includeExpired",
        "secIdType",
        "secId",
        "issuerId",
        "comboLegsDescrip",
        "comboLegs",
        "deltaNeutralContract",
      ]),
    );
    expect((json.comboLegs as Record<string, unknown>[])[0]).toEqual({
      conId: 1,
      ratio: 1,
      action: "BUY",
      exchange: "SMART",
    });
  });

  it("Order", () => {
    const order = create(OrderSchema, {
      orderId: 7,
      permId: 123n,
      action: "BUY",
      totalQuantity: "100",
      cashQty: 1000,
      orderType: "STP LMT",
      lmtPrice: 101.5,
      auxPrice: 100,
      tif: "GTD",
      outsideRth: true,
      goodAfterTime: "20250102 09:45:00 US/Eastern",
      goodTillDate: "20250103 16:00:00 US/Eastern",
      parentId: 6,
      ocaGroup: "g1",
      ocaType: 1,
      transmit: false,
      account: "DU1",
      orderRef: "ref",
      faGroup: "grp",
      faMethod: "NetLiq",
      trailStopPrice: 99,
      trailingPercent: 1,
      hidden: true,
      allOrNone: true,
      minQty: 10,
      rule80a: "I",
      algoStrategy: "Adaptive",
      algoParams: [{ tag: "adaptivePriority", value: "Normal" }],
      whatIf: true,
      eTradeOnly: true,
      mifid2DecisionMaker: "x",
      conditions: [{ conjunctionConnection: "AND", condition: { case: "price", value: { conId: 1, price: 5 } } }],
    });
    const json = toJson(OrderSchema, order) as Record<string, unknown>;
    for (const key of [
      "orderId",
      "permId",
      "action",
      "totalQuantity",
      "cashQty",
      "orderType",
      "lmtPrice",
      "auxPrice",
      "tif",
      "outsideRth",
      "goodAfterTime",
      "goodTillDate",
      "parentId",
      "ocaGroup",
      "ocaType",
      "transmit",
      "account",
      "orderRef",
      "faGroup",
      "faMethod",
      "trailStopPrice",
      "trailingPercent",
      "hidden",
      "allOrNone",
      "minQty",
      "rule80A",
      "algoStrategy",
      "algoParams",
      "whatIf",
      "eTradeOnly",
      "mifid2DecisionMaker",
      "conditions",
    ]) {
      expect(json, key).toHaveProperty(key);
    }
    expect(json.transmit).toBe(false);
    expect(json.algoParams).toEqual([{ tag: "adaptivePriority", value: "Normal" }]);
    expect(json.conditions).toEqual([{ conjunctionConnection: "AND", price: { conId: 1, price: 5 } }]);
  });

  it("ContractDetails", () => {
    const details = create(ContractDetailsSchema, {
      contract,
      marketName: "AAPL",
      minTick: 0.01,
      orderTypes: "LMT,MKT",
      validExchanges: "SMART,NASDAQ",
      underConId: 1,
      longName: "APPLE INC",
      timeZoneId: "US/Eastern",
      tradingHours: "20250102:0930-20250102:1600",
      liquidHours: "20250102:0930-20250102:1600",
      evRule: "r",
      evMultiplier: 1,
      aggGroup: 1,
      secIdList: [{ tag: "ISIN", value: "US0378331005" }],
      marketRuleIds: "26,26",
      realExpirationDate: "20250117",
      minSize: "0.0001",
      sizeIncrement: "0.0001",
      suggestedSizeIncrement: "100",
      fundName: "F",
      fundClosed: false,
      fundDistributionPolicyIndicator: "N",
      ineligibilityReasonList: [{ id: "1", description: "no" }],
    });
    const json = toJson(ContractDetailsSchema, details) as Record<string, unknown>;
    for (const key of [
      "contract",
      "marketName",
      "minTick",
      "orderTypes",
      "validExchanges",
      "underConId",
      "longName",
      "timeZoneId",
      "tradingHours",
      "liquidHours",
      "evRule",
      "evMultiplier",
      "aggGroup",
      "secIdList",
      "marketRuleIds",
      "realExpirationDate",
      "minSize",
      "sizeIncrement",
      "suggestedSizeIncrement",
      "fundName",
      "fundClosed",
      "fundDistributionPolicyIndicator",
      "ineligibilityReasonList",
    ]) {
      expect(json, key).toHaveProperty(key);
    }
    // Set to false explicitly: present (IB sent it), not confused with "not a fund".
    expect(json.fundClosed).toBe(false);
  });

  it("keeps IB's acronyms where snake_case cannot (unrealizedPNL, dailyPnL)", () => {
    const row = toJson(UpdatePortfolioSchema, create(UpdatePortfolioSchema, { unrealizedPnl: 1, realizedPnl: 2 }));
    expect(row).toEqual({ unrealizedPNL: 1, realizedPNL: 2 });
    const pnl = toJson(PnLSchema, create(PnLSchema, { dailyPnl: 1, unrealizedPnl: 2, realizedPnl: 3 }));
    expect(pnl).toEqual({ dailyPnL: 1, unrealizedPnL: 2, realizedPnL: 3 });
  });
});
