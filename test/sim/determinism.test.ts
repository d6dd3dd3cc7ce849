import { describe, expect, it } from "vitest";
import { ManualClock } from "../../src/sim/clock.js";
import { Simulator } from "../../src/sim/index.js";
import { FIXED_NOW, RawClient, testLogger } from "./helpers.js";
import { placeOrder, type RefContract, ref } from "./reference-decoder/encoder.js";

/**
 * Same seed, same clock, same requests: byte-for-byte the same answers, in always-open and in real-calendar mode
 * (market data, depth, tick-by-tick, history, an order's fill and its executions).
 */
const AAPL: RefContract = { conId: 265598, symbol: "AAPL", secType: "STK", exchange: "SMART", currency: "USD" };

async function transcript(alwaysOpen: boolean, start: number): Promise<string[][]> {
  const clock = new ManualClock(start);
  const simulator = new Simulator({ seed: 7, clock, logger: testLogger, alwaysOpen });
  const { port } = await simulator.start();
  const client = await RawClient.start(port, 3);
  try {
    client.send(ref.reqMktData(1, AAPL, "233", false));
    client.send(ref.reqMktDepth(2, AAPL, 5, true));
    client.send(ref.reqTickByTickData(3, AAPL, "AllLast"));
    client.send(ref.reqHistoricalData(4, AAPL, "", "1 D", "5 mins", "TRADES", true));
    client.send(placeOrder(193, 1, AAPL, { action: "BUY", totalQuantity: 50, orderType: "MKT", account: "DU1000001" }));
    for (let step = 0; step < 40; step++) {
      clock.advance(250);
      const mark = client.mark();
      client.send(ref.reqCurrentTime());
      await client.nextFrame("currentTime", (f) => f[0] === "49", mark);
    }
    client.send(ref.reqExecutions(5));
    await client.nextFrame("execDetailsEnd", (f) => f[0] === "55" && f[2] === "5");
    return client.frames.slice(1); // the handshake answer carries the wall-clock connection time
  } finally {
    client.destroy();
    await simulator.stop();
  }
}

describe("determinism", () => {
  it.each([
    ["always open", true, FIXED_NOW],
    ["on the real calendar", false, FIXED_NOW],
  ])("answers the same program identically twice, %s", async (_, alwaysOpen, start) => {
    const first = await transcript(alwaysOpen, start);
    const second = await transcript(alwaysOpen, start);
    expect(first.length).toBeGreaterThan(100);
    expect(first.some((f) => f[0] === "11")).toBe(true);
    expect(second).toEqual(first);
  });
});
