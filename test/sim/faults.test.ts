import { EventName } from "@stoqey/ib";
import { afterEach, describe, expect, it } from "vitest";
import {
  CONNECTIVITY_BROKEN_MESSAGE,
  CONNECTIVITY_LOST_MESSAGE,
  CONNECTIVITY_RESTORED_DATA_LOST_MESSAGE,
  CONNECTIVITY_RESTORED_DATA_MAINTAINED_MESSAGE,
} from "../../src/sim/control/control.js";
import { ManualClock, Simulator } from "../../src/sim/index.js";
import { FIXED_NOW, IbClient, RawClient, testLogger } from "./helpers.js";

const AAPL = 265598;

/** Each fault as a real IBApi sees it over real TCP, at every server version whose layouts differ. */
describe.each([176, 187, 193])("faults observed by IBApi at server version %i", (serverVersion) => {
  let simulator: Simulator;
  const clients: IbClient[] = [];

  afterEach(async () => {
    for (const client of clients.splice(0)) client.disconnect();
    await simulator.stop();
  });

  async function start(): Promise<number> {
    simulator = new Simulator({ serverVersion, logger: testLogger });
    return (await simulator.start()).port;
  }

  async function connect(port: number, clientId: number): Promise<IbClient> {
    const client = new IbClient(port, clientId).connect();
    clients.push(client);
    await client.ready();
    return client;
  }

  const infoCodes = (client: IbClient, after: number) =>
    client.events
      .slice(after)
      .filter((event) => event.name === EventName.info)
      .map((event) => event.args[1]);

  it("1100 then 1102 (data maintained) to every client", async () => {
    const port = await start();
    const [first, second] = [await connect(port, 1), await connect(port, 2)];
    const marks = [first.mark(), second.mark()];
    simulator.control.connectivityLost({ restore: "data-maintained", afterMs: 50 });
    for (const [index, client] of [first, second].entries()) {
      const lost = await client.next(EventName.info, "1100", marks[index], (args) => args[1] === 1100);
      expect(lost.args[0]).toBe(CONNECTIVITY_LOST_MESSAGE);
      const restored = await client.next(EventName.info, "1102", marks[index], (args) => args[1] === 1102);
      expect(restored.args[0]).toBe(CONNECTIVITY_RESTORED_DATA_MAINTAINED_MESSAGE);
      expect(infoCodes(client, marks[index])).toEqual([1100, 1102]);
      expect(client.decodeErrors()).toEqual([]);
    }
    // The connection itself survived.
    const mark = first.mark();
    first.api.reqCurrentTime();
    await first.next(EventName.currentTime, "currentTime after the outage", mark);
  });

  it("tells a client that connects during the outage: 1100 instead of farm OK, then the restore", async () => {
    const port = await start();
    simulator.control.connectivityLost({ restore: "data-maintained", afterMs: 500 });
    const late = await connect(port, 3);
    await late.next(EventName.info, "1100 at connect", 0, (args) => args[1] === 1100);
    await late.next(EventName.info, "1102", 0, (args) => args[1] === 1102);
    expect(infoCodes(late, 0)).toEqual([1100, 1102]);
    const after = await connect(port, 4);
    await after.next(EventName.info, "farm OK", 0, (args) => args[1] === 2104);
    expect(infoCodes(after, 0)).not.toContain(1100);
  });

  it("1100 then 1101 (data lost)", async () => {
    const port = await start();
    const client = await connect(port, 3);
    const mark = client.mark();
    simulator.control.connectivityLost({ restore: "data-lost", afterMs: 20 });
    const restored = await client.next(EventName.info, "1101", mark, (args) => args[1] === 1101);
    expect(restored.args[0]).toBe(CONNECTIVITY_RESTORED_DATA_LOST_MESSAGE);
    expect(infoCodes(client, mark)).toEqual([1100, 1101]);
  });

  it("2110 farm broken", async () => {
    const port = await start();
    const client = await connect(port, 4);
    const mark = client.mark();
    simulator.control.farmBroken();
    const notice = await client.next(EventName.info, "2110", mark, (args) => args[1] === 2110);
    expect(notice.args[0]).toBe(CONNECTIVITY_BROKEN_MESSAGE);
    expect(client.decodeErrors()).toEqual([]);
  });

  it("withholds an End marker forever, or delays it on the simulator clock, while other requests work", async () => {
    const clock = new ManualClock(FIXED_NOW);
    simulator = new Simulator({ serverVersion, clock, logger: testLogger });
    const { port } = await simulator.start();
    const client = await connect(port, 6);
    const ends = (after: number) =>
      client.events.slice(after).filter((event) => event.name === EventName.historicalNewsEnd);

    simulator.control.withholdEnd("historicalNewsEnd", "forever");
    let mark = client.mark();
    client.api.reqHistoricalNews(21, AAPL, "BRFG", "", "", 3);
    client.api.reqCurrentTime();
    // Frames leave in order: once currentTime is here, an End sent before it would be too.
    await client.next(EventName.currentTime, "currentTime after the withheld request", mark);
    expect(client.events.slice(mark).filter((event) => event.name === EventName.historicalNews)).toHaveLength(3);
    expect(ends(mark)).toEqual([]);
    clock.advance(60_000);

    simulator.control.clearFaults(); // a named rule would win over "all"
    simulator.control.withholdEnd("all", { delayMs: 2000 });
    mark = client.mark();
    client.api.reqHistoricalNews(22, AAPL, "BRFG", "", "", 3);
    client.api.reqCurrentTime();
    await client.next(EventName.currentTime, "currentTime after the delayed request", mark);
    expect(ends(mark)).toEqual([]);
    clock.advance(1999);
    const beforeSecond = client.mark();
    client.api.reqCurrentTime();
    await client.next(EventName.currentTime, "a second currentTime", beforeSecond);
    expect(ends(mark)).toEqual([]);
    clock.advance(1);
    const delayed = await client.next(EventName.historicalNewsEnd, "the delayed End", mark);
    expect(delayed.args[0]).toBe(22);
    expect(ends(0).map((event) => event.args[0])).toEqual([22]); // 21's never came
    expect(client.decodeErrors()).toEqual([]);
    expect(simulator.violations).toEqual([]);
  });

  it("nightly restart: dropped, refused during the outage, accepted after", async () => {
    const port = await start();
    const client = await connect(port, 5);
    const mark = client.mark();
    simulator.control.nightlyRestart({ durationMs: 400 });
    await client.next(EventName.disconnected, "disconnect at the restart", mark);
    expect(simulator.control.status().faults.refusingConnections).toBe(true);

    const refused = await RawClient.connect(port);
    await refused.whenClosed();
    expect(refused.frames).toEqual([]);

    await expect.poll(() => simulator.control.refusingConnections, { timeout: 3000 }).toBe(false);
    const again = client.mark();
    client.api.connect();
    await client.next(EventName.nextValidId, "nextValidId after the restart", again);
    expect(simulator.sessionCount).toBe(1);
    expect(simulator.violations).toEqual([]);
  });
});
