import { afterEach, describe, expect, it } from "vitest";
import { ManualClock } from "../../src/sim/clock.js";
import { Simulator } from "../../src/sim/index.js";
import { FIXED_NOW, RawClient, testLogger } from "./helpers.js";
import { referenceViolations } from "./reference-decoder/decoder.js";
import { placeOrder, type RefContract, ref } from "./reference-decoder/encoder.js";

/**
 * The second, independent conformance check: requests encoded as IB's reference clients encode them, and every frame
 * the simulator sends read back with a table of IB's reference layouts (test/sim/reference-decoder), neither sharing
 * anything with @stoqey/ib or with src/sim's own tables. A broad trading program at 176, at 178 (ib_async's own
 * maximum), 187 and 193 must produce zero violations either way: no request the simulator misreads, no frame a
 * reference decoder would misread, no unset sentinel where TWS sends an empty field.
 */
const ACCOUNT = "DU1000001";
const AAPL: RefContract = { conId: 265598, symbol: "AAPL", secType: "STK", exchange: "SMART", currency: "USD" };
const ES: RefContract = { symbol: "ES", secType: "FUT", exchange: "CME", currency: "USD" };
const FUND: RefContract = { symbol: "VFIAX", secType: "FUND", exchange: "FUNDSERV", currency: "USD" };
const EURUSD: RefContract = { symbol: "EUR", secType: "CASH", exchange: "IDEALPRO", currency: "USD" };
/** Notices, not errors: farm status and the delayed/frozen data warnings. */
const NOTICES = new Set(["2104", "2106", "2158", "2100", "10167", "10089", "2119"]);

const is =
  (id: string, reqId?: number, at = 2) =>
  (frame: string[]) =>
    frame[0] === id && (reqId === undefined || frame[at] === String(reqId));

describe.each([176, 178, 187, 193])(
  "the simulator against IB's reference layouts at server version %i",
  (serverVersion) => {
    let simulator: Simulator;
    let client: RawClient | undefined;
    let clock: ManualClock;

    afterEach(async () => {
      client?.destroy();
      await simulator.stop();
    });

    async function start(): Promise<RawClient> {
      clock = new ManualClock(FIXED_NOW);
      // The 50 msg/s guard counts wall time, and this program runs far faster than a real client (which paces itself):
      // every other limit stays on.
      simulator = new Simulator({
        serverVersion,
        clock,
        logger: testLogger,
        limits: { maxMessagesPerSec: Number.POSITIVE_INFINITY },
      });
      const { port } = await simulator.start();
      client = await RawClient.start(port, 21, `v100..${serverVersion}`);
      return client;
    }

    function send(c: RawClient, tokens: string[]): void {
      c.send(tokens);
    }

    /**
     * Waits for a frame, moving simulated time on in 250 ms steps while it has not come (ticks, fills and bars need
     * time to pass); each step waits for a currentTime round trip, so everything the step produced has arrived.
     */
    async function waitFor(c: RawClient, what: string, test: (frame: string[]) => boolean): Promise<string[]> {
      for (let step = 0; step < 400; step++) {
        const found = c.frames.find(test);
        if (found) return found;
        clock.advance(250);
        const mark = c.mark();
        send(c, ref.reqCurrentTime());
        await c.nextFrame(`currentTime while waiting for ${what}`, (f) => f[0] === "49", mark);
      }
      const errors = c.frames.filter((f) => f[0] === "4" && !NOTICES.has(f[3] ?? "")).map((f) => f.join("|"));
      throw new Error(`no ${what} after 100 s of simulated time; errors: ${errors.join(", ") || "none"}`);
    }

    function expectClean(c: RawClient, expectedErrors: readonly string[] = []): void {
      const frames = c.frames.slice(1); // frame 0 is the handshake answer [serverVersion, connectionTime]
      expect(c.frames[0]?.[0]).toBe(String(serverVersion));
      expect(referenceViolations(frames, serverVersion)).toEqual([]);
      const errors = frames.filter((f) => f[0] === "4" && !NOTICES.has(f[3] ?? "")).map((f) => f[3]);
      expect(errors).toEqual(expectedErrors);
      expect(simulator.violations).toEqual([]);
    }

    it("accounts, positions, PnL, contracts and reference data", async () => {
      const c = await start();
      send(c, ref.reqManagedAccts());
      send(c, ref.reqCurrentTime());
      send(c, ref.reqUserInfo(1));
      send(c, ref.reqAccountSummary(2, "All", "NetLiquidation,TotalCashValue,BuyingPower,$LEDGER"));
      send(c, ref.reqAccountUpdates(true, ACCOUNT));
      send(c, ref.reqPositions());
      send(c, ref.reqPositionsMulti(3, ACCOUNT, ""));
      send(c, ref.reqAccountUpdatesMulti(4, ACCOUNT, "", true));
      send(c, ref.reqPnL(5, ACCOUNT));
      send(c, ref.reqPnLSingle(6, ACCOUNT, 265598));
      send(c, ref.reqFamilyCodes());
      await waitFor(c, "accountSummaryEnd", is("64", 2));
      await waitFor(c, "accountDownloadEnd", is("54"));
      await waitFor(c, "positionEnd", is("62"));
      await waitFor(c, "positionMultiEnd", is("72", 3));
      await waitFor(c, "accountUpdateMultiEnd", is("74", 4));
      await waitFor(c, "pnl", is("94", 5, 1));
      await waitFor(c, "pnlSingle", is("95", 6, 1));
      await waitFor(c, "familyCodes", is("78"));
      send(c, ref.cancelAccountSummary(2));
      send(c, ref.reqAccountUpdates(false, ACCOUNT));
      send(c, ref.cancelPositions());
      send(c, ref.cancelPnL(5));
      send(c, ref.cancelPnLSingle(6));

      send(c, ref.reqContractDetails(10, AAPL));
      send(c, ref.reqContractDetails(11, ES));
      send(c, ref.reqContractDetails(12, FUND));
      send(c, ref.reqContractDetails(13, EURUSD));
      send(c, ref.reqContractDetails(14, { symbol: "AAPL", secType: "OPT", exchange: "SMART", currency: "USD" }));
      send(c, ref.reqMatchingSymbols(15, "AA"));
      send(c, ref.reqSecDefOptParams(16, "AAPL", "STK", 265598));
      send(c, ref.reqMarketRule(26));
      send(c, ref.reqSmartComponents(17, "a6"));
      send(c, ref.reqMktDepthExchanges());
      for (const reqId of [10, 11, 12, 13, 14]) await waitFor(c, `contractDataEnd ${reqId}`, is("52", reqId));
      await waitFor(c, "symbolSamples", is("79", 15, 1));
      await waitFor(c, "securityDefinitionOptionParameterEnd", is("76", 16, 1));
      await waitFor(c, "marketRule", is("93", 26, 1));
      await waitFor(c, "mktDepthExchanges", is("80"));
      await waitFor(c, "smartComponents or its error", (f) => is("82", 17, 1)(f) || is("4", 17)(f));

      send(c, ref.reqScannerParameters());
      send(c, ref.reqScannerSubscription(30, "STK", "STK.US.MAJOR", "TOP_PERC_GAIN", 5));
      await waitFor(c, "scannerParameters", is("19"));
      await waitFor(c, "scannerData", is("20", 30, 2));
      send(c, ref.cancelScannerSubscription(30));

      send(c, ref.reqNewsProviders());
      send(c, ref.reqHistoricalNews(31, 265598, "BRFG", 3));
      send(c, ref.reqNewsBulletins(true));
      await waitFor(c, "newsProviders", is("85"));
      const headline = await waitFor(c, "historicalNews", is("86", 31, 1));
      await waitFor(c, "historicalNewsEnd", is("87", 31, 1));
      send(c, ref.reqNewsArticle(32, headline[3] ?? "", headline[4] ?? ""));
      await waitFor(c, "newsArticle", is("83", 32, 1));
      send(c, ref.cancelNewsBulletins());

      send(c, ref.reqFundamentalData(33, AAPL, "ReportsFinSummary"));
      send(c, ref.reqWshMetaData(34));
      send(c, ref.queryDisplayGroups(35));
      await waitFor(c, "fundamentalData", is("51", 33));
      await waitFor(c, "wshMetaData", is("104", 34, 1));
      await waitFor(c, "displayGroupList", is("67", 35));

      const option = c.frames.find((f) => is("10", 14, 1)(f));
      const optionConId = Number(option?.[serverVersion >= 182 ? 13 : 12]);
      const optionContract: RefContract = { conId: optionConId, exchange: "SMART" };
      send(c, ref.calculateOptionPrice(37, optionContract, 0.3, 190));
      const priced = await waitFor(c, "option price", is("21", 37, 1));
      // [21, reqId, tickType, tickAttrib, impliedVol, delta, optPrice, ...]: back out the volatility from that price.
      send(c, ref.calculateImpliedVolatility(36, optionContract, Number(priced[6]), 190));
      await waitFor(c, "implied volatility", is("21", 36, 1));

      send(c, ref.reqCurrentTime());
      await waitFor(c, "currentTime", is("49"));
      expectClean(c);
    });

    it("market data, tick-by-tick, depth, real-time bars and history", async () => {
      const c = await start();
      send(c, ref.reqMarketDataType(1));
      send(c, ref.reqMktData(40, AAPL, "100,101,104,106,165,221,225,233,236,258,293,294,295,318,411", false));
      send(c, ref.reqMktData(41, AAPL, "", true));
      send(c, ref.reqTickByTickData(42, AAPL, "AllLast"));
      send(c, ref.reqTickByTickData(43, AAPL, "BidAsk"));
      send(c, ref.reqTickByTickData(44, AAPL, "MidPoint"));
      send(c, ref.reqMktDepth(45, AAPL, 5, true));
      send(c, ref.reqRealTimeBars(46, AAPL, "TRADES"));
      send(c, ref.reqHistoricalData(47, AAPL, "", "2 D", "1 hour", "TRADES", true));
      send(c, ref.reqHistoricalData(48, AAPL, "", "1 D", "5 mins", "BID_ASK", false));
      send(c, ref.reqHistoricalData(49, AAPL, "", "3600 S", "1 min", "TRADES", false, true));
      send(c, ref.reqHeadTimestamp(50, AAPL, "TRADES"));
      send(c, ref.reqHistogramData(51, AAPL, "1 week"));
      send(c, ref.reqHistoricalTicks(52, AAPL, "", "20250102 14:00:00 UTC", 20, "TRADES"));
      send(c, ref.reqHistoricalTicks(53, AAPL, "", "20250102 14:00:00 UTC", 20, "BID_ASK"));
      send(c, ref.reqHistoricalTicks(54, AAPL, "", "20250102 14:00:00 UTC", 20, "MIDPOINT"));

      await waitFor(c, "tickReqParams", is("81", 40, 1));
      await waitFor(c, "tickPrice", is("1", 40));
      await waitFor(c, "tickSize", is("2", 40));
      await waitFor(c, "tickString", is("46", 40));
      await waitFor(c, "tickGeneric", is("45", 40));
      await waitFor(c, "tickSnapshotEnd", is("57", 41));
      for (const reqId of [42, 43, 44]) await waitFor(c, `tickByTick ${reqId}`, is("99", reqId, 1));
      await waitFor(c, "depth", (f) => (f[0] === "12" || f[0] === "13") && f[2] === "45");
      await waitFor(c, "historicalData 47", is("17", 47, 1));
      await waitFor(c, "historicalData 48", is("17", 48, 1));
      await waitFor(c, "historicalData 49", is("17", 49, 1));
      await waitFor(c, "headTimestamp", is("88", 50, 1));
      await waitFor(c, "histogramData", is("89", 51, 1));
      await waitFor(c, "historicalTicksLast", is("98", 52, 1));
      await waitFor(c, "historicalTicksBidAsk", is("97", 53, 1));
      await waitFor(c, "historicalTicks midpoint", is("96", 54, 1));
      await waitFor(c, "realtimeBar", is("50", 46));
      await waitFor(c, "historicalDataUpdate", is("90", 49, 1));

      send(c, ref.cancelMktData(40));
      send(c, ref.cancelTickByTickData(42));
      send(c, ref.cancelTickByTickData(43));
      send(c, ref.cancelTickByTickData(44));
      send(c, ref.cancelMktDepth(45, true));
      send(c, ref.cancelRealTimeBars(46));
      send(c, ref.cancelHistoricalData(49));
      send(c, ref.reqCurrentTime());
      await waitFor(c, "currentTime", is("49"));
      expectClean(c);
    });

    it("orders, fills, executions, commissions, what-if and completed orders", async () => {
      const c = await start();
      const firstId = Number((c.frames.find((f) => f[0] === "9") ?? [])[2]);
      const market = firstId;
      const resting = firstId + 1;
      const whatIf = firstId + 2;
      send(
        c,
        placeOrder(serverVersion, market, AAPL, {
          action: "BUY",
          totalQuantity: 10,
          orderType: "MKT",
          account: ACCOUNT,
        }),
      );
      await waitFor(c, "execDetails", is("11", market, 2));
      await waitFor(c, "commissionReport", is("59"));
      await waitFor(c, "orderStatus Filled", (f) => f[0] === "3" && f[1] === String(market) && f[2] === "Filled");

      send(
        c,
        placeOrder(serverVersion, resting, AAPL, {
          action: "BUY",
          totalQuantity: 5,
          orderType: "LMT",
          lmtPrice: 1.5,
          tif: "GTC",
          account: ACCOUNT,
        }),
      );
      await waitFor(
        c,
        "resting order Submitted",
        (f) => f[0] === "3" && f[1] === String(resting) && f[2] === "Submitted",
      );
      send(
        c,
        placeOrder(serverVersion, whatIf, AAPL, {
          action: "SELL",
          totalQuantity: 3,
          orderType: "LMT",
          lmtPrice: 500,
          account: ACCOUNT,
          whatIf: true,
        }),
      );
      await waitFor(c, "what-if openOrder", (f) => f[0] === "5" && f[1] === String(whatIf));

      send(c, ref.reqOpenOrders());
      await waitFor(c, "openOrderEnd", is("53"));
      send(c, ref.reqAllOpenOrders());
      send(c, ref.reqExecutions(60));
      await waitFor(c, "execDetailsEnd", is("55", 60));
      send(c, ref.cancelOrder(serverVersion, resting));
      await waitFor(c, "Cancelled", (f) => f[0] === "3" && f[1] === String(resting) && f[2] === "Cancelled");
      send(c, ref.reqCompletedOrders(false));
      await waitFor(c, "completedOrdersEnd", is("102"));
      expect(c.frames.filter((f) => f[0] === "101").length).toBeGreaterThanOrEqual(2);

      send(c, ref.reqCurrentTime());
      await waitFor(c, "currentTime", is("49"));
      // TWS confirms a cancel with error 202 "Order Canceled - reason:": the one error this program expects.
      expectClean(c, ["202"]);
    });
  },
);
