import { EventName } from "@stoqey/ib";
import { afterEach, describe, expect, it } from "vitest";
import { encodeFrame, Simulator } from "../../src/sim/index.js";
import {
  MAX_DEPTH_REQUESTS_MESSAGE,
  MAX_TICKERS_MESSAGE,
  SimulatorLimits,
} from "../../src/sim/limits/simulator-limits.js";
import { IbClient, RawClient, testLogger } from "./helpers.js";

let simulator: Simulator;
const ibs: IbClient[] = [];
const raws: RawClient[] = [];

afterEach(async () => {
  for (const ib of ibs.splice(0)) ib.disconnect();
  for (const raw of raws.splice(0)) raw.destroy();
  await simulator.stop();
});

async function startSimulator(options: ConstructorParameters<typeof Simulator>[0] = {}): Promise<number> {
  simulator = new Simulator({ logger: testLogger, ...options });
  return (await simulator.start()).port;
}

function ib(port: number, clientId: number, options: ConstructorParameters<typeof IbClient>[2] = {}): IbClient {
  const client = new IbClient(port, clientId, options).connect();
  ibs.push(client);
  return client;
}

const MAX_RATE = /^Max rate of messages per second has been exceeded:max=50 rec=(\d+) \((\d+)\)$/;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("50 messages per second", () => {
  it("warns a flooding IBApi with 100, drops it when it keeps going, and serves a polite client throughout", async () => {
    const port = await startSimulator({ serverVersion: 193 });
    const polite = ib(port, 1);
    // IBApi paces itself to 40/s unless told otherwise: this one is told otherwise.
    const flooder = ib(port, 2, { maxReqPerSec: 1000 });
    await Promise.all([polite.ready(), flooder.ready()]);

    for (let i = 0; i < 80; i++) flooder.api.reqCurrentTime();
    const warning = await flooder.next(EventName.info, "error 100", 0, (args) => args[1] === 100);
    const [, received, violation] = MAX_RATE.exec(String(warning.args[0])) ?? [];
    expect(Number(received)).toBe(51);
    expect(violation).toBe("1");
    // Over the limit is still served until the drop, as TWS does.
    await expect.poll(() => flooder.events.filter((event) => event.name === EventName.currentTime).length).toBe(80);
    expect(flooder.events.some((event) => event.name === EventName.disconnected)).toBe(false);

    // The polite client, pacing itself, is untouched.
    let mark = polite.mark();
    polite.api.reqCurrentTime();
    await polite.next(EventName.currentTime, "currentTime on the polite client", mark);

    await sleep(1000); // the next warning may come one second after the first
    mark = flooder.mark();
    for (let i = 0; i < 80; i++) flooder.api.reqCurrentTime();
    const second = await flooder.next(EventName.info, "second error 100", mark, (args) => args[1] === 100);
    expect(MAX_RATE.exec(String(second.args[0]))?.[2]).toBe("2");
    await flooder.next(EventName.disconnected, "the flooder dropped", mark);

    mark = polite.mark();
    polite.api.reqCurrentTime();
    await polite.next(EventName.currentTime, "currentTime after the flooder was dropped", mark);
    await expect.poll(() => simulator.sessionCount).toBe(1);
    expect(polite.errors()).toEqual([]);
    expect(polite.events.some((event) => event.args[1] === 100)).toBe(false);
    expect(flooder.decodeErrors()).toEqual([]);
    expect(simulator.violations).toEqual([]);
  });

  it("counts frames from a raw socket, whatever they carry, and honours a configured limit", async () => {
    const port = await startSimulator({ limits: { maxMessagesPerSec: 10, dropAfterViolations: 1 } });
    const flooder = await RawClient.start(port, 3);
    raws.push(flooder);
    const mark = flooder.mark();
    flooder.write(Buffer.concat(Array.from({ length: 11 }, () => encodeFrame(["49", "1"]))));
    const warning = await flooder.nextFrame("error 100", (fields) => fields[0] === "4" && fields[3] === "100", mark);
    expect(warning).toEqual([
      "4",
      "2",
      "-1",
      "100",
      "Max rate of messages per second has been exceeded:max=10 rec=11 (1)",
      "",
    ]);
    await flooder.whenClosed();
    // The 11th request was not served: the connection ended with the warning.
    expect(flooder.frames.slice(mark).filter((fields) => fields[0] === "49")).toHaveLength(10);
  });

  it("lets anything through with enforce: false", async () => {
    const port = await startSimulator({ limits: { enforce: false } });
    const client = await RawClient.start(port, 4);
    raws.push(client);
    const mark = client.mark();
    client.write(Buffer.concat(Array.from({ length: 500 }, () => encodeFrame(["49", "1"]))));
    await expect
      .poll(() => client.frames.slice(mark).filter((fields) => fields[0] === "49").length, { timeout: 5000 })
      .toBe(500);
    expect(client.frames.some((fields) => fields[0] === "4" && fields[3] === "100")).toBe(false);
    expect(client.closed).toBe(false);
  });
});

describe("market data lines and depth books", () => {
  // No market data handler exists yet: the quotas are exercised through the API handlers will call.
  class Holder {
    readonly errors: unknown[][] = [];
    sendError(...args: unknown[]): void {
      this.errors.push(args);
    }
  }
  const clocks = { simulated: () => 0, monotonic: () => 0 };

  it("refuses the 101st line with 101 and the 4th depth book with 309, shared by every client", () => {
    const limits = new SimulatorLimits(undefined, clocks);
    const [first, second] = [new Holder(), new Holder()];
    for (let reqId = 1; reqId <= 50; reqId++) {
      expect(limits.marketDataLines.acquire(first, reqId)).toBe(true);
      expect(limits.marketDataLines.acquire(second, reqId)).toBe(true);
    }
    expect(limits.marketDataLines.acquire(second, 51)).toBe(false);
    expect(second.errors).toEqual([[51, 101, MAX_TICKERS_MESSAGE]]);
    expect(MAX_TICKERS_MESSAGE).toBe("Max number of tickers has been reached");

    for (const reqId of [1, 2, 3]) expect(limits.depth.acquire(first, reqId)).toBe(true);
    expect(limits.depth.acquire(second, 9)).toBe(false);
    expect(second.errors.at(-1)).toEqual([9, 309, MAX_DEPTH_REQUESTS_MESSAGE]);
    expect(MAX_DEPTH_REQUESTS_MESSAGE).toBe("Max number of market depth requests has been reached");

    limits.releaseSession(first); // what the simulator does when a session closes
    expect(limits.marketDataLines.used).toBe(50);
    expect(limits.depth.used).toBe(0);
    expect(limits.depth.acquire(second, 9)).toBe(true);
  });

  it("takes its capacities from the options", () => {
    const limits = new SimulatorLimits({ marketDataLines: 2, depthSubscriptions: 1 }, clocks);
    const holder = new Holder();
    expect([1, 2, 3].map((reqId) => limits.marketDataLines.acquire(holder, reqId))).toEqual([true, true, false]);
    expect([1, 2].map((reqId) => limits.depth.acquire(holder, reqId))).toEqual([true, false]);
    expect(holder.errors.map((error) => error[1])).toEqual([101, 309]);
  });
});
