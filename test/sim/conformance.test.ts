import { EventName } from "@stoqey/ib";
import { afterEach, describe, expect, it } from "vitest";
import { Simulator } from "../../src/sim/index.js";
import { FIXED_NOW, IbClient, testLogger } from "./helpers.js";

/**
 * The real @stoqey/ib client over real TCP is the judge: every answer must decode with no 505 and every request must
 * match the simulator's layouts exactly, at each server version whose layouts differ.
 */
describe.each([176, 187, 193])("IBApi against the simulator at server version %i", (serverVersion) => {
  let simulator: Simulator;
  const clients: IbClient[] = [];

  afterEach(async () => {
    for (const client of clients.splice(0)) client.disconnect();
    await simulator.stop();
  });

  async function connect(clientId: number): Promise<IbClient> {
    const { port } = await simulator.start();
    const client = new IbClient(port, clientId).connect();
    clients.push(client);
    await client.ready();
    return client;
  }

  it("handshakes, starts the API and answers the connection requests", async () => {
    simulator = new Simulator({ serverVersion, now: () => FIXED_NOW, logger: testLogger });
    const client = await connect(11);

    const server = await client.next(EventName.server, "server event");
    expect(server.args).toEqual([serverVersion, "20250102 14:30:00 UTC"]);
    expect(client.api.serverVersion).toBe(serverVersion);
    const accounts = (await client.next(EventName.managedAccounts, "managedAccounts")).args;
    expect(accounts).toEqual(["DU1000001,DU1000002,DU1000003"]);
    expect((await client.next(EventName.nextValidId, "nextValidId")).args).toEqual([1]);
    const notices = client.events.filter((event) => event.name === EventName.info).map((event) => event.args[1]);
    expect(notices).toEqual([2104, 2106, 2158]);

    let mark = client.mark();
    client.api.reqCurrentTime();
    expect((await client.next(EventName.currentTime, "currentTime", mark)).args).toEqual([FIXED_NOW / 1000]);

    mark = client.mark();
    client.api.reqIds(5);
    expect((await client.next(EventName.nextValidId, "nextValidId after reqIds", mark)).args).toEqual([1]);

    mark = client.mark();
    client.api.reqManagedAccts();
    expect((await client.next(EventName.managedAccounts, "managedAccounts", mark)).args).toEqual([
      "DU1000001,DU1000002,DU1000003",
    ]);

    mark = client.mark();
    client.api.reqUserInfo(77);
    expect((await client.next(EventName.userInfo, "userInfo", mark)).args).toEqual([77, ""]);

    expect(client.decodeErrors()).toEqual([]);
    expect(client.errors()).toEqual([]);
    expect(simulator.violations).toEqual([]);
  });

  it("refuses a client id already in use with 326, then disconnects only the newcomer", async () => {
    simulator = new Simulator({ serverVersion, logger: testLogger });
    const first = await connect(7);
    const { port } = await simulator.start();
    const second = new IbClient(port, 7).connect();
    clients.push(second);

    const refusal = await second.next(EventName.info, "326 notice", 0, (args) => args[1] === 326);
    expect(refusal.args[0]).toBe(
      "Unable to connect as the client id is already in use. Retry with a unique client id.",
    );
    await second.next(EventName.disconnected, "disconnect after 326");
    expect(second.events.some((event) => event.name === EventName.nextValidId)).toBe(false);

    const mark = first.mark();
    first.api.reqCurrentTime();
    await first.next(EventName.currentTime, "currentTime on the first client", mark);
    expect(simulator.sessionCount).toBe(1);
    expect(first.decodeErrors()).toEqual([]);
    expect(second.decodeErrors()).toEqual([]);
    expect(simulator.violations).toEqual([]);
  });
});

describe("several IBApi clients at once", () => {
  let simulator: Simulator;
  const clients: IbClient[] = [];

  afterEach(async () => {
    for (const client of clients.splice(0)) client.disconnect();
    await simulator.stop();
  });

  it("serves each its own client id and request ids", async () => {
    simulator = new Simulator({ accounts: 1, now: () => FIXED_NOW, logger: testLogger });
    const { port } = await simulator.start();
    for (const clientId of [1, 2, 3, 4]) clients.push(new IbClient(port, clientId).connect());
    await Promise.all(clients.map((client) => client.ready()));
    expect(simulator.sessionCount).toBe(4);

    const answers = await Promise.all(
      clients.map(async (client, index) => {
        const mark = client.mark();
        client.api.reqUserInfo(100 + index);
        client.api.reqCurrentTime();
        const info = await client.next(EventName.userInfo, "userInfo", mark);
        await client.next(EventName.currentTime, "currentTime", mark);
        return info.args[0];
      }),
    );
    expect(answers).toEqual([100, 101, 102, 103]);
    for (const client of clients) {
      expect((await client.next(EventName.managedAccounts, "managedAccounts")).args).toEqual(["DU1000001"]);
      expect(client.errors()).toEqual([]);
    }
    expect(simulator.violations).toEqual([]);

    clients[0]?.disconnect();
    await clients[0]?.next(EventName.disconnected, "disconnect");
    await expect.poll(() => simulator.sessionCount, { timeout: 5000 }).toBe(3);
  });
});
