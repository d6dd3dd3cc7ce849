import { afterEach, describe, expect, it } from "vitest";
import { Simulator } from "../../src/sim/index.js";
import { FIXED_NOW, RawClient, testLogger } from "./helpers.js";
import { placeOrder } from "./reference-decoder/encoder.js";

/**
 * TWS sends an empty field where a value does not apply (a stock's multiplier, an evMultiplier nobody set); the
 * unset-double literal goes out only where IB's own gateway sends it (a commission report's realizedPNL and yield on
 * an opening fill). A client that keeps multiplier as a string, as IB's reference clients do, would otherwise send the
 * sentinel back on every later request. Read over a raw socket so no client's decoder hides what is on the wire.
 */
const UNSET_DOUBLE = "1.7976931348623157E308";
const COMMISSION_REPORT = "59";

function sentinelsIn(frames: readonly string[][]): string[] {
  const found: string[] = [];
  for (const frame of frames) {
    frame.forEach((token, index) => {
      if (token.toUpperCase() !== UNSET_DOUBLE.toUpperCase()) return;
      // commissionReport [59, v, execId, commission, currency, realizedPNL, yield, yieldRedemptionDate]
      if (frame[0] === COMMISSION_REPORT && (index === 5 || index === 6)) return;
      found.push(`message ${frame[0]} token ${index}: ${frame.join("|")}`);
    });
  }
  return found;
}

const contract = (conId: number, symbol: string, secType: string, exchange: string) => [
  String(conId),
  symbol,
  secType,
  "",
  "",
  "",
  "",
  exchange,
  "",
  "USD",
  "",
  "",
];

describe.each([176, 187, 193])(
  "no unset sentinel where TWS sends an empty field, server version %i",
  (serverVersion) => {
    let simulator: Simulator;
    let client: RawClient | undefined;

    afterEach(async () => {
      client?.destroy();
      await simulator.stop();
    });

    it("in contract details, option parameters, executions and positions", async () => {
      simulator = new Simulator({ serverVersion, now: () => FIXED_NOW, logger: testLogger });
      const { port } = await simulator.start();
      client = await RawClient.start(port, 9);
      const c = client;

      // Contract details of a stock, a future and the option chain: [9, 8, reqId, contract, includeExpired, secIdType,
      // secId, issuerId] as IB's reference client sends them.
      c.send(["9", "8", "1", ...contract(265598, "AAPL", "STK", "SMART"), "0", "", "", ""]);
      c.send(["9", "8", "2", ...contract(0, "ES", "FUT", "CME"), "0", "", "", ""]);
      c.send(["78", "3", "AAPL", "", "STK", "265598"]);
      for (const reqId of ["1", "2"])
        await c.nextFrame(`contractDataEnd ${reqId}`, (f) => f[0] === "52" && f[2] === reqId);
      await c.nextFrame("securityDefinitionOptionParameterEnd", (f) => f[0] === "76");

      const details = c.frames.filter((f) => f[0] === "10");
      expect(details.length).toBeGreaterThan(1);
      const multiplierAt = serverVersion >= 182 ? 15 : 14;
      expect(details.map((f) => f[multiplierAt])).toContain("");
      expect(details.map((f) => f[multiplierAt])).toContain("50");

      // A market order fills at once (the programmatic simulator is always in session), then reqExecutions and positions.
      c.send(
        placeOrder(
          serverVersion,
          1,
          { conId: 265598, symbol: "AAPL", secType: "STK", exchange: "SMART", currency: "USD" },
          {
            action: "BUY",
            totalQuantity: 10,
            orderType: "MKT",
            account: "DU1000001",
          },
        ),
      );
      await c.nextFrame("execDetails", (f) => f[0] === "11");
      await c.nextFrame("commissionReport", (f) => f[0] === COMMISSION_REPORT);
      c.send(["7", "3", "5", "", "", "", "", "", "", ""]);
      await c.nextFrame("execDetailsEnd", (f) => f[0] === "55" && f[2] === "5");
      c.send(["61", "1"]);
      await c.nextFrame("positionEnd", (f) => f[0] === "62");

      const execution = c.frames.find((f) => f[0] === "11");
      expect(execution?.[9]).toBe(""); // a stock's multiplier
      expect(sentinelsIn(c.frames)).toEqual([]);
      expect(c.frames.filter((f) => f[0] === "4" && !["2104", "2106", "2158"].includes(f[3] ?? ""))).toEqual([]);
      expect(simulator.violations).toEqual([]);
    });
  },
);
