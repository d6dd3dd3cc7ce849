import { type Contract, SecType } from "@stoqey/ib";
import { ManualClock } from "../../src/sim/clock.js";
import { type LimitOptions, Simulator } from "../../src/sim/index.js";
import { FIXED_NOW, IbClient, testLogger } from "./helpers.js";

/** 2025-01-02 14:30 UTC: a Thursday, 09:30 in New York, the moment the regular session opens. */
export const MARKET_START = FIXED_NOW;

export const AAPL: Contract = {
  symbol: "AAPL",
  secType: SecType.STK,
  exchange: "SMART",
  currency: "USD",
};

/** A simulator on a ManualClock and one IBApi client on it; `close` ends both. */
export interface MarketBench {
  readonly simulator: Simulator;
  readonly clock: ManualClock;
  readonly client: IbClient;
  /** Moves simulated time on, then lets the batched frames reach the client. */
  advance(ms: number): Promise<void>;
  /** Resolves once every request sent so far has been served (requests are handled in order). */
  settle(): Promise<void>;
  close(): Promise<void>;
}

export async function openMarketBench(serverVersion: number, limits?: LimitOptions): Promise<MarketBench> {
  const clock = new ManualClock(MARKET_START);
  const simulator = new Simulator({ serverVersion, clock, logger: testLogger, limits });
  const { port } = await simulator.start();
  const client = new IbClient(port, 1).connect();
  await client.ready();
  const settle = async () => {
    const mark = client.mark();
    client.api.reqCurrentTime();
    await client.next("currentTime", "currentTime (settle)", mark);
  };
  return {
    simulator,
    clock,
    client,
    settle,
    async advance(ms) {
      clock.advance(ms);
      await settle();
    },
    async close() {
      client.disconnect();
      await simulator.stop();
    },
  };
}

/** The events named `name` after `mark` whose first argument (the request id) is `id`. */
export function eventsFor(client: IbClient, name: string, id: number, mark = 0) {
  return client.events.slice(mark).filter((event) => event.name === name && event.args[0] === id);
}
