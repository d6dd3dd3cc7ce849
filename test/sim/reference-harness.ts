import { afterEach, expect } from "vitest";
import { ManualClock, Simulator, type SimulatorOptions } from "../../src/sim/index.js";
import { FIXED_NOW, IbClient, type RecordedEvent, testLogger } from "./helpers.js";

/** The server versions whose layouts differ: every reference-data answer must decode at each. */
export const SERVER_VERSIONS = [176, 187, 193] as const;

/**
 * One simulator on a ManualClock per test, and the IBApi clients connected to it; both closed after each test.
 * Streams (bulletins, scanner refreshes) advance only when the test moves the clock.
 */
export function referenceHarness() {
  let simulator: Simulator | undefined;
  let clock: ManualClock | undefined;
  const clients: IbClient[] = [];

  afterEach(async () => {
    for (const client of clients.splice(0)) client.disconnect();
    await simulator?.stop();
    simulator = undefined;
  });

  return {
    async start(serverVersion: number, options: SimulatorOptions = {}): Promise<void> {
      clock = new ManualClock(FIXED_NOW);
      simulator = new Simulator({ serverVersion, clock, logger: testLogger, ...options });
      await simulator.start();
    },
    async connect(clientId: number): Promise<IbClient> {
      const address = simulator?.address;
      if (!address) throw new Error("start the simulator first");
      const client = new IbClient(address.port, clientId).connect();
      clients.push(client);
      await client.ready();
      return client;
    },
    get clock(): ManualClock {
      if (!clock) throw new Error("start the simulator first");
      return clock;
    },
    get simulator(): Simulator {
      if (!simulator) throw new Error("start the simulator first");
      return simulator;
    },
    /** No decode error in any client, no violation in the simulator. */
    expectClean(): void {
      for (const client of clients) expect(client.decodeErrors()).toEqual([]);
      expect(simulator?.violations).toEqual([]);
    },
  };
}

/** Events named `name` between `after` and the first `end` event passing `isEnd` (which is awaited). */
export async function collectUntil(
  client: IbClient,
  name: string,
  end: string,
  after: number,
  isEnd: (args: readonly unknown[]) => boolean = () => true,
): Promise<RecordedEvent[]> {
  const endEvent = await client.next(end, end, after, isEnd);
  const endIndex = client.events.indexOf(endEvent);
  return client.events.slice(after, endIndex).filter((event) => event.name === name);
}

/** A round trip: once currentTime answers, every request sent before it has been handled. */
export async function roundTrip(client: IbClient): Promise<void> {
  const mark = client.mark();
  client.api.reqCurrentTime();
  await client.next("currentTime", "currentTime round trip", mark);
}

/** The IB error event with `code` for `reqId` after `after`. */
export function nextError(client: IbClient, code: number, reqId: number, after: number): Promise<RecordedEvent> {
  return client.next("error", `error ${code} for ${reqId}`, after, (args) => args[1] === code && args[2] === reqId);
}
