import { EventName } from "@stoqey/ib";
import { afterEach, describe, expect, it } from "vitest";
import { Simulator } from "../../src/sim/index.js";
import { IbClient, RawClient, testLogger } from "./helpers.js";

/** Multi-gateway setups (ibrpc routing by account) need simulators that share nothing but the process. */
describe("several simulators at once", () => {
  const simulators: Simulator[] = [];
  const clients: IbClient[] = [];

  afterEach(async () => {
    for (const client of clients.splice(0)) client.disconnect();
    await Promise.all(simulators.splice(0).map((simulator) => simulator.stop()));
  });

  async function gateway(options: ConstructorParameters<typeof Simulator>[0]): Promise<[Simulator, number]> {
    const simulator = new Simulator({ logger: testLogger, ...options });
    simulators.push(simulator);
    return [simulator, (await simulator.start()).port];
  }

  async function connect(port: number, clientId: number): Promise<IbClient> {
    const client = new IbClient(port, clientId).connect();
    clients.push(client);
    await client.ready();
    return client;
  }

  it("keep their own accounts, client ids, limits and faults", async () => {
    const [east, eastPort] = await gateway({ accounts: ["DUEAST1"], seed: 1, limits: { maxMessagesPerSec: 5 } });
    const [west, westPort] = await gateway({ accounts: ["DUWEST1", "DUWEST2"], seed: 2, serverVersion: 187 });
    expect(eastPort).not.toBe(westPort);

    // The same client id on both: client ids are per gateway.
    const [onEast, onWest] = await Promise.all([connect(eastPort, 1), connect(westPort, 1)]);
    expect((await onEast.next(EventName.managedAccounts, "east accounts")).args).toEqual(["DUEAST1"]);
    expect((await onWest.next(EventName.managedAccounts, "west accounts")).args).toEqual(["DUWEST1,DUWEST2"]);
    expect(onWest.api.serverVersion).toBe(187);

    // East's tight rate limit does not apply to west.
    const raw = await RawClient.start(westPort, 2);
    try {
      for (let i = 0; i < 10; i++) raw.send(["49", "1"]);
      await expect.poll(() => raw.frames.filter((fields) => fields[0] === "49").length).toBe(10);
      expect(raw.frames.some((fields) => fields[0] === "4" && fields[3] === "100")).toBe(false);
    } finally {
      raw.destroy();
    }

    // A fault on east leaves west alone.
    let mark = onWest.mark();
    const eastMark = onEast.mark();
    east.control.farmBroken();
    east.control.nightlyRestart({ durationMs: 60_000 });
    await onEast.next(EventName.disconnected, "east dropped", eastMark);
    west.control.connectivityLost({ restore: "data-maintained", afterMs: 0 });
    await onWest.next(EventName.info, "1102 on west", mark, (args) => args[1] === 1102);
    expect(onWest.events.slice(mark).some((event) => event.args[1] === 2110)).toBe(false);
    expect(onWest.events.slice(mark).some((event) => event.name === EventName.disconnected)).toBe(false);

    mark = onWest.mark();
    onWest.api.reqCurrentTime();
    await onWest.next(EventName.currentTime, "west still answers", mark);
    expect(east.control.status()).toMatchObject({ clientIds: [], faults: { refusingConnections: true } });
    expect(west.control.status()).toMatchObject({ clientIds: [1], faults: { refusingConnections: false } });
    expect([...east.violations, ...west.violations]).toEqual([]);
  });
});
