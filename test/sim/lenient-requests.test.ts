import { afterEach, describe, expect, it } from "vitest";
import { Simulator } from "../../src/sim/index.js";
import { reqFundamentalData } from "../../src/sim/messages/fundamentals.js";
import { reqHistoricalData } from "../../src/sim/messages/historical.js";
import { reqMktData } from "../../src/sim/messages/market-data.js";
import { reqCalcImpliedVolatility } from "../../src/sim/messages/option-calculations.js";
import { cancelOrder } from "../../src/sim/messages/orders.js";
import { decodeMessage } from "../../src/sim/wire/layout.js";
import { FIXED_NOW, RawClient, testLogger } from "./helpers.js";

/**
 * TWS reads requests leniently where IB's own clients differ from each other: optional trailing fields one client sends
 * and another omits, and a TagValue options list spelled as one string, as a count and a string, or as a count and
 * pairs. The simulator must read all of them, or a client written against IB's reference gets 320 where TWS answers.
 */
const AAPL = ["265598", "AAPL", "STK", "", "0.0", "", "", "SMART", "", "USD", "", ""];
const FUNDAMENTALS_HEAD = ["52", "2", "7", "265598", "AAPL", "STK", "SMART", "", "USD", "", "ReportSnapshot"];

describe("trailing TagValue lists", () => {
  it.each([
    ["one string (@stoqey/ib)", ["a=1;b=2;"], "a=1;b=2;"],
    ["a count then the string (IB's reference clients)", ["2", "a=1;b=2;"], "a=1;b=2;"],
    ["a count then pairs", ["2", "a", "1", "b", "2"], "a=1;b=2;"],
    ["an empty list as count 0 and an empty string", ["0", ""], ""],
    ["absent", [], ""],
  ])("reads reqFundamentalData options given as %s", (_, tail, expected) => {
    const { values, problems } = decodeMessage(reqFundamentalData, [...FUNDAMENTALS_HEAD, ...tail], 193);
    expect(problems).toEqual([]);
    expect(values.fundamentalDataOptions).toBe(expected);
    expect(values.reportType).toBe("ReportSnapshot");
  });

  it("refuses a count that matches neither spelling", () => {
    const { problems } = decodeMessage(reqFundamentalData, [...FUNDAMENTALS_HEAD, "3", "a", "1"], 193);
    expect(problems.map((problem) => problem.kind)).toEqual(["malformed-field"]);
  });

  it("reads calculateImpliedVolatility version 3 with its option count, as IB's reference clients send it", () => {
    const tokens = ["54", "3", "9", ...AAPL, "5.5", "190.25", "0", ""];
    const { values, problems } = decodeMessage(reqCalcImpliedVolatility, tokens, 187);
    expect(problems).toEqual([]);
    expect(values.optionPrice).toBe(5.5);
    expect(values.impliedVolatilityOptions).toBe("");
  });
});

describe("optional trailing fields", () => {
  it("reads reqMktData with or without regulatorySnapshot and mktDataOptions, and Python's float spelling", () => {
    const head = ["1", "11", "3", ...AAPL, "0", "233", "0"];
    for (const tail of [["0", ""], ["0"], []]) {
      const { values, problems } = decodeMessage(reqMktData, [...head, ...tail], 193);
      expect(problems).toEqual([]);
      expect(values.genericTickList).toBe("233");
      expect(values.strike).toBe(0);
      expect(values.regulatorySnapshot).toBe(false);
    }
  });

  it("reads reqHistoricalData without keepUpToDate and chartOptions", () => {
    const tokens = ["20", "4", ...AAPL, "0", "", "1 hour", "1 D", "1", "TRADES", "1"];
    const { values, problems } = decodeMessage(reqHistoricalData, tokens, 193);
    expect(problems).toEqual([]);
    expect(values.keepUpToDate).toBe(false);
    expect(values.chartOptions).toBe("");
  });

  it.each([187, 193])(
    "reads a cancelOrder that ends after the cancel time at %i (ib_async's form)",
    (serverVersion) => {
      const tokens = serverVersion >= 192 ? ["4", "12", ""] : ["4", "1", "12", ""];
      const { values, problems } = decodeMessage(cancelOrder, tokens, serverVersion);
      expect(problems).toEqual([]);
      expect(values.orderId).toBe(12);
    },
  );

  it("still reports a request cut short before a required field", () => {
    const { problems } = decodeMessage(reqMktData, ["1", "11", "3", ...AAPL], 193);
    expect(problems.map((problem) => problem.kind)).toEqual(["missing-field"]);
  });
});

describe("over the socket", () => {
  let simulator: Simulator;
  let client: RawClient | undefined;

  afterEach(async () => {
    client?.destroy();
    await simulator.stop();
  });

  it.each([176, 178, 187, 193])(
    "answers reqFundamentalData sent with an option count at %i, where it used to answer 320",
    async (serverVersion) => {
      simulator = new Simulator({ serverVersion, now: () => FIXED_NOW, logger: testLogger });
      const { port } = await simulator.start();
      client = await RawClient.start(port, 3);
      client.send([...FUNDAMENTALS_HEAD, "0", ""]);
      const answer = await client.nextFrame("fundamentalData", (f) => f[0] === "51" || (f[0] === "4" && f[2] === "7"));
      expect(answer[0]).toBe("51");
      expect(answer[2]).toBe("7");
      expect(answer[3]).toContain("<ReportSnapshot");
      expect(simulator.violations).toEqual([]);
    },
  );
});
