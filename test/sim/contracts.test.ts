import { type ContractDetails, EventName, SecType } from "@stoqey/ib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Simulator } from "../../src/sim/index.js";
import { FIXED_NOW, IbClient, testLogger } from "./helpers.js";

const AAPL = 265598;

/**
 * Contract reference data through the real IBApi at every server version whose contractData layout differs: each
 * answer must decode with no 505 and each request must match the simulator's layouts with nothing left over.
 */
describe.each([176, 187, 193])("contracts over the wire at server version %i", (serverVersion) => {
  let simulator: Simulator;
  let client: IbClient;
  let nextReqId = 1000;

  beforeAll(async () => {
    simulator = new Simulator({ serverVersion, now: () => FIXED_NOW, logger: testLogger });
    const { port } = await simulator.start();
    client = new IbClient(port, 1).connect();
    await client.ready();
  });

  afterAll(async () => {
    client.disconnect();
    await simulator.stop();
    expect(client.decodeErrors()).toEqual([]);
    expect(simulator.violations).toEqual([]);
  });

  /** Sends a contract-details request and waits for its End (or, for `outcome` "error", its error). */
  async function details(contract: Record<string, unknown>, outcome: "end" | "error" = "end") {
    const reqId = nextReqId++;
    const mark = client.mark();
    client.api.reqContractDetails(reqId, contract);
    const end =
      outcome === "end"
        ? await client.next(
            EventName.contractDetailsEnd,
            `contractDetailsEnd ${reqId}`,
            mark,
            (args) => args[0] === reqId,
          )
        : await client.next(EventName.error, `error for ${reqId}`, mark, (args) => args[2] === reqId);
    const answers = client.events.slice(mark).filter((event) => event.args[0] === reqId);
    return {
      end,
      details: answers
        .filter((event) => event.name === EventName.contractDetails)
        .map((event) => event.args[1] as ContractDetails),
      bonds: answers
        .filter((event) => event.name === EventName.bondContractDetails)
        .map((event) => event.args[1] as ContractDetails),
    };
  }

  it("answers an AAPL lookup with every contractData field, version-gated", async () => {
    const { details: found, end } = await details({
      symbol: "AAPL",
      secType: SecType.STK,
      exchange: "SMART",
      currency: "USD",
    });
    expect(end.name).toBe(EventName.contractDetailsEnd);
    expect(found).toHaveLength(1);
    const aapl = found[0] as ContractDetails;
    expect(aapl.contract).toMatchObject({
      conId: AAPL,
      symbol: "AAPL",
      secType: "STK",
      exchange: "SMART",
      primaryExch: "NASDAQ",
      currency: "USD",
      localSymbol: "AAPL",
      tradingClass: "AAPL",
    });
    expect(aapl.longName).toBe("APPLE INC");
    expect(aapl.minTick).toBe(0.01);
    expect(aapl.validExchanges?.split(",")[0]).toBe("SMART");
    expect(aapl.marketRuleIds?.split(",")).toHaveLength(aapl.validExchanges?.split(",").length ?? -1);
    expect(aapl.timeZoneId).toBe("US/Eastern");
    // 2025-01-02 is a Thursday: today and Friday trade, the weekend is closed.
    expect(aapl.liquidHours?.split(";").slice(0, 4)).toEqual([
      "20250102:0930-20250102:1600",
      "20250103:0930-20250103:1600",
      "20250104:CLOSED",
      "20250105:CLOSED",
    ]);
    expect(aapl.secIdList).toEqual([{ tag: "ISIN", value: "US0378331005" }]);
    expect(aapl.stockType).toBe("COMMON");
    expect(aapl.minSize).toBe(1);
    expect(aapl.sizeIncrement).toBe(1);
    if (serverVersion >= 186) expect(aapl.ineligibilityReasonList).toEqual([]);
    else expect(aapl.ineligibilityReasonList).toBeUndefined();
  });

  it("answers a partial option spec with several contracts, each a full option definition", async () => {
    const { details: calls } = await details({
      symbol: "AAPL",
      secType: SecType.OPT,
      right: "C",
      strike: 190,
      exchange: "SMART",
    });
    expect(calls.length).toBeGreaterThanOrEqual(3);
    const expiries = calls.map((call) => call.contract.lastTradeDateOrContractMonth);
    expect(new Set(expiries).size).toBe(calls.length);
    for (const call of calls) {
      expect(call.contract).toMatchObject({ symbol: "AAPL", secType: "OPT", right: "C", strike: 190, multiplier: 100 });
      expect(call.underConId).toBe(AAPL);
      expect(call.contract.localSymbol).toMatch(/^AAPL {2}\d{6}C00190000$/);
      if (serverVersion >= 182) expect(call.contract.lastTradeDate).toBe(call.contract.lastTradeDateOrContractMonth);
    }
    const { details: futures } = await details({ symbol: "ES", secType: SecType.FUT, exchange: "CME" });
    expect(futures).toHaveLength(2);
    expect(futures[0]?.contract.multiplier).toBe(50);
    const { details: forex } = await details({
      symbol: "EUR",
      secType: SecType.CASH,
      currency: "USD",
      exchange: "IDEALPRO",
    });
    expect(forex[0]?.contract).toMatchObject({ conId: 12087792, localSymbol: "EUR.USD" });
  });

  it("sends the fund fields for a FUND only from server version 179, and bond details for a BOND", async () => {
    const { details: funds } = await details({ symbol: "VFIAX", secType: "FUND" });
    expect(funds).toHaveLength(1);
    if (serverVersion >= 179) {
      expect(funds[0]).toMatchObject({
        fundFamily: "Vanguard",
        fundClosed: false,
        fundMinimumInitialPurchase: "3000",
        fundAssetType: "Equity",
      });
    } else {
      expect(funds[0]?.fundFamily).toBeUndefined();
    }
    const { bonds, details: notBonds } = await details({ secIdType: "CUSIP", secId: "912810TM0", secType: "BOND" });
    expect(notBonds).toEqual([]);
    expect(bonds).toHaveLength(1);
    expect(bonds[0]).toMatchObject({ cusip: "912810TM0", coupon: 4.25, maturity: "20341115", callable: false });
  });

  it("answers a made-up symbol with error 200 and TWS's text", async () => {
    const { end, details: found } = await details(
      { symbol: "ZZZQX", secType: SecType.STK, exchange: "SMART", currency: "USD" },
      "error",
    );
    expect(found).toEqual([]);
    expect(end.name).toBe(EventName.error);
    expect(
      client.events.some((event) => event.name === EventName.contractDetailsEnd && event.args[0] === end.args[2]),
    ).toBe(false);
    expect(end.args[1]).toBe(200);
    expect((end.args[0] as Error).message).toBe("No security definition has been found for the request");
  });

  it("searches symbols, lists option chain parameters, market rules, SMART components and depth exchanges", async () => {
    let mark = client.mark();
    client.api.reqMatchingSymbols(1, "AA");
    const samples = (await client.next(EventName.symbolSamples, "symbolSamples", mark)).args[1] as Array<{
      contract: { conId: number; symbol: string; description?: string };
      derivativeSecTypes: string[];
    }>;
    expect(samples[0]?.contract).toMatchObject({ conId: AAPL, symbol: "AAPL", description: "APPLE INC" });
    expect(samples[0]?.derivativeSecTypes).toEqual(["OPT"]);

    mark = client.mark();
    client.api.reqSecDefOptParams(2, "AAPL", "", "STK", AAPL);
    await client.next(EventName.securityDefinitionOptionParameterEnd, "secDef end", mark, (args) => args[0] === 2);
    const chains = client.events
      .slice(mark)
      .filter((event) => event.name === EventName.securityDefinitionOptionParameter);
    expect(chains.map((event) => event.args[1])).toContain("SMART");
    const [, , underConId, tradingClass, multiplier, expirations, strikes] = chains[0]?.args ?? [];
    expect([underConId, tradingClass, multiplier]).toEqual([AAPL, "AAPL", 100]);
    expect((expirations as string[]).length).toBeGreaterThanOrEqual(3);
    expect(strikes).toContain(190);

    mark = client.mark();
    client.api.reqMarketRule(26);
    const rule = await client.next(EventName.marketRule, "marketRule", mark);
    expect(rule.args).toEqual([26, [{ lowEdge: 0, increment: 0.01 }]]);

    mark = client.mark();
    client.api.reqSmartComponents(3, "9c0001");
    const components = (await client.next(EventName.smartComponents, "smartComponents", mark)).args[1] as Map<
      number,
      [string, string]
    >;
    expect(components.get(2)).toEqual(["NASDAQ", "Q"]);

    mark = client.mark();
    client.api.reqMktDepthExchanges();
    const exchanges = (await client.next(EventName.mktDepthExchanges, "mktDepthExchanges", mark)).args[0] as Array<{
      exchange: string;
      serviceDataType: string;
    }>;
    expect(exchanges).toContainEqual(expect.objectContaining({ exchange: "NASDAQ", serviceDataType: "Deep2" }));
    expect(client.decodeErrors()).toEqual([]);
  });
});
