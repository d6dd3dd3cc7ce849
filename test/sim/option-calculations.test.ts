import { EventName, SecType } from "@stoqey/ib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Simulator } from "../../src/sim/index.js";
import { blackScholes } from "../../src/sim/world/black-scholes.js";
import { impliedVolatility } from "../../src/sim/world/implied-volatility.js";
import { FIXED_NOW, IbClient, testLogger } from "./helpers.js";

describe("impliedVolatility", () => {
  it("inverts Black-Scholes across moneyness and expiries", () => {
    for (const [isCall, spot, strike, years, vol] of [
      [true, 100, 100, 0.5, 0.3],
      [false, 100, 80, 0.1, 0.6],
      [true, 100, 150, 2, 0.15],
      [false, 250, 260, 0.02, 0.9],
    ] as const) {
      const price = blackScholes(isCall, spot, strike, years, vol).price;
      expect(impliedVolatility(isCall, price, spot, strike, years)).toBeCloseTo(vol, 5);
    }
  });

  it("refuses prices no volatility reaches", () => {
    expect(impliedVolatility(true, 0.5, 100, 50, 1)).toBeUndefined(); // below intrinsic value 50
    expect(impliedVolatility(true, 120, 100, 100, 1)).toBeUndefined(); // above the spot
    expect(impliedVolatility(true, 0, 100, 100, 1)).toBeUndefined();
  });
});

/** EClient.calculateOptionPrice / calculateImpliedVolatility through the real IBApi. */
describe.each([176, 187, 193])("option calculations at server version %i", (serverVersion) => {
  let simulator: Simulator;
  let client: IbClient;
  let option: Record<string, unknown>;

  beforeAll(async () => {
    simulator = new Simulator({ serverVersion, now: () => FIXED_NOW, logger: testLogger });
    const { port } = await simulator.start();
    const found = simulator.world.catalog.find({ symbol: "AAPL", secType: "OPT" });
    option = { conId: found[0]?.instrument.contract.conId, exchange: "SMART" };
    client = new IbClient(port, 1).connect();
    await client.ready();
  });

  afterAll(async () => {
    client.disconnect();
    await simulator.stop();
    expect(client.decodeErrors()).toEqual([]);
    expect(simulator.violations).toEqual([]);
  });

  async function computation(reqId: number, send: () => void) {
    const mark = client.mark();
    send();
    const event = await client.next(
      EventName.tickOptionComputation,
      `computation ${reqId}`,
      mark,
      (a) => a[0] === reqId,
    );
    const [, field, , impliedVol, delta, optPrice, , gamma, vega, theta, undPrice] = event.args as number[];
    return { field, impliedVol, delta, optPrice, gamma, vega, theta, undPrice };
  }

  it("prices an option at a volatility, and recovers that volatility from the price", async () => {
    const priced = await computation(1, () => client.api.calculateOptionPrice(1, option, 0.3, 200));
    expect(priced.field).toBe(53);
    expect(priced.impliedVol).toBe(0.3);
    expect(priced.undPrice).toBe(200);
    expect(priced.optPrice).toBeGreaterThan(0);
    expect(Math.abs(priced.delta)).toBeLessThanOrEqual(1);
    expect(priced.gamma).toBeGreaterThan(0);
    const implied = await computation(2, () =>
      client.api.calculateImpliedVolatility(2, option, priced.optPrice as number, 200),
    );
    expect(implied.impliedVol).toBeCloseTo(0.3, 5);
    expect(implied.optPrice).toBeCloseTo(priced.optPrice as number, 10);
    client.api.cancelCalculateImpliedVolatility(2);
    client.api.cancelCalculateOptionPrice(1);
    client.api.setServerLogLevel(3);
  });

  it("refuses a stock (321), an unknown contract (200) and an impossible price (321)", async () => {
    const errorFor = async (reqId: number, send: () => void) => {
      const mark = client.mark();
      send();
      return (await client.next(EventName.error, `error ${reqId}`, mark, (a) => a[2] === reqId)).args[1];
    };
    const stock = { symbol: "AAPL", secType: SecType.STK, exchange: "SMART", currency: "USD" };
    expect(await errorFor(3, () => client.api.calculateOptionPrice(3, stock, 0.3, 200))).toBe(321);
    expect(await errorFor(4, () => client.api.calculateOptionPrice(4, { ...stock, symbol: "ZZZNOPE" }, 0.3, 200))).toBe(
      200,
    );
    expect(await errorFor(5, () => client.api.calculateImpliedVolatility(5, option, 10_000, 200))).toBe(321);
  });
});
