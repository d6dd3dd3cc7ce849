import { request } from "node:http";
import { type AddressInfo, createServer } from "node:net";
import { EventName } from "@stoqey/ib";
import { afterEach, describe, expect, it } from "vitest";
import { parseSimArgs, runSimCli } from "../../src/sim/cli.js";
import { type AdminServer, startAdminServer } from "../../src/sim/control/admin-server.js";
import type { SimulatorStatus } from "../../src/sim/control/control.js";
import { Simulator } from "../../src/sim/index.js";
import { freePort } from "../support/wait.js";
import { IbClient, RawClient, testLogger, withTimeout } from "./helpers.js";

let simulator: Simulator | undefined;
let admin: AdminServer | undefined;
const clients: IbClient[] = [];

afterEach(async () => {
  for (const client of clients.splice(0)) client.disconnect();
  await admin?.close();
  await simulator?.stop();
  admin = undefined;
  simulator = undefined;
});

async function startWithAdmin(): Promise<{ port: number; adminUrl: string }> {
  simulator = new Simulator({ logger: testLogger });
  const { port } = await simulator.start();
  admin = await startAdminServer(simulator.control, 0, testLogger);
  return { port, adminUrl: `http://127.0.0.1:${admin.port}` };
}

function post(url: string, body: unknown = {}): Promise<Response> {
  return withTimeout(
    fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) }),
    `POST ${url}`,
  );
}

async function connect(port: number, clientId: number): Promise<IbClient> {
  const client = new IbClient(port, clientId).connect();
  clients.push(client);
  await client.ready();
  return client;
}

describe("admin HTTP API", () => {
  it("reports status and drives faults a real IBApi observes", async () => {
    const { port, adminUrl } = await startWithAdmin();
    const client = await connect(port, 12);
    await connect(port, 3);

    const status = (await (await withTimeout(fetch(`${adminUrl}/status`), "GET /status")).json()) as SimulatorStatus;
    expect(status).toMatchObject({ clientIds: [3, 12], violations: 0, faults: { refusingConnections: false } });
    expect(status.sessions).toHaveLength(2);

    let mark = client.mark();
    expect((await post(`${adminUrl}/faults/farm-broken`)).status).toBe(200);
    await client.next(EventName.info, "2110", mark, (args) => args[1] === 2110);

    mark = client.mark();
    const connectivity = await post(`${adminUrl}/faults/connectivity`, { restore: "data-lost", afterMs: 10 });
    expect(await connectivity.json()).toEqual({ restore: "data-lost", afterMs: 10 });
    await client.next(EventName.info, "1101", mark, (args) => args[1] === 1101);

    const withhold = await post(`${adminUrl}/faults/withhold-end`, { message: "all", forever: true });
    expect(await withhold.json()).toEqual({ message: "all", delayMs: "forever" });
    expect(simulator?.control.status().faults.withheldEnds).toEqual([{ message: "all", delayMs: "forever" }]);
    await post(`${adminUrl}/faults/clear`);
    expect(simulator?.control.status().faults.withheldEnds).toEqual([]);

    mark = client.mark();
    expect(await (await post(`${adminUrl}/faults/refuse`, { ms: 60_000 })).json()).toEqual({ refusingForMs: 60_000 });
    expect((await post(`${adminUrl}/faults/drop`)).status).toBe(200);
    await client.next(EventName.disconnected, "disconnect after POST /faults/drop", mark);
    const refused = await RawClient.connect(port);
    await refused.whenClosed();
    await post(`${adminUrl}/faults/clear`);
    mark = client.mark();
    client.api.connect();
    await client.next(EventName.nextValidId, "reconnect after the refusal was cleared", mark);

    mark = client.mark();
    expect(await (await post(`${adminUrl}/faults/nightly-restart`, { durationMs: 50 })).json()).toEqual({
      durationMs: 50,
    });
    await client.next(EventName.disconnected, "disconnect at the nightly restart", mark);
  });

  it("answers bad requests with 4xx and a reason", async () => {
    const { adminUrl } = await startWithAdmin();
    const cases: Array<[Promise<Response>, number, RegExp]> = [
      [post(`${adminUrl}/faults/refuse`, { ms: "soon" }), 400, /"ms" must be a number/],
      [post(`${adminUrl}/faults/connectivity`, { restore: "maybe", afterMs: 1 }), 400, /"restore"/],
      [post(`${adminUrl}/faults/withhold-end`, { message: "nextValidId", delayMs: 5 }), 400, /not an End marker/],
      [post(`${adminUrl}/faults/nightly-restart`, [1]), 400, /JSON object/],
      [post(`${adminUrl}/faults/explode`), 404, /no route/],
      [fetch(`${adminUrl}/faults/drop`), 405, /use POST/],
      [fetch(`${adminUrl}/status`, { method: "POST" }), 405, /use GET/],
      [fetch(`${adminUrl}/faults/drop`, { method: "POST", body: "{}" }), 415, /application\/json/],
    ];
    for (const [response, status, error] of cases) {
      const answer = await withTimeout(response, "admin answer");
      expect(answer.status).toBe(status);
      expect(((await answer.json()) as { error: string }).error).toMatch(error);
    }
    expect(simulator?.control.status().faults.refusingConnections).toBe(false);
  });

  it("refuses a request naming another host (DNS rebinding from a web page)", async () => {
    await startWithAdmin();
    const status = await withTimeout(
      new Promise<number>((resolve, reject) => {
        const sent = request(
          { host: "127.0.0.1", port: admin?.port, path: "/status", headers: { host: "evil.example:80" } },
          (response) => {
            response.resume();
            resolve(response.statusCode ?? 0);
          },
        );
        sent.on("error", reject);
        sent.end();
      }),
      "request with a foreign Host header",
    );
    expect(status).toBe(403);
  });
});

describe("ibrpc sim --admin-port", () => {
  it("parses the flag", () => {
    expect(parseSimArgs(["--admin-port", "4003"]).adminPort).toBe(4003);
    expect(parseSimArgs([]).adminPort).toBeUndefined();
    expect(() => parseSimArgs(["--admin-port", "x"])).toThrow(/invalid --admin-port "x"/);
  });

  it("serves the admin API next to the simulator and stops both", async () => {
    const [port, adminPort] = [await freePort(), await freePort()];
    const handle = await runSimCli(["--port", String(port), "--admin-port", String(adminPort)], testLogger);
    try {
      const raw = await RawClient.start(port, 1);
      const response = await withTimeout(fetch(`http://127.0.0.1:${adminPort}/status`), "status");
      const status = (await response.json()) as SimulatorStatus;
      expect(status.clientIds).toEqual([1]);
      await post(`http://127.0.0.1:${adminPort}/faults/drop`);
      await raw.whenClosed();
    } finally {
      await handle.stop();
    }
    await expect(fetch(`http://127.0.0.1:${adminPort}/status`)).rejects.toThrow();
  });

  it("fails with a clear error, and leaves no simulator behind, when the admin port is taken", async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, "127.0.0.1", resolve));
    const taken = (blocker.address() as AddressInfo).port;
    const port = await freePort();
    try {
      await expect(runSimCli(["--port", String(port), "--admin-port", String(taken)], testLogger)).rejects.toThrow(
        /cannot serve --admin-port/,
      );
      // The simulator port is free again.
      const probe = createServer();
      await new Promise<void>((resolve, reject) => {
        probe.once("error", reject);
        probe.listen(port, "127.0.0.1", resolve);
      });
      await new Promise((resolve) => probe.close(resolve));
    } finally {
      await new Promise((resolve) => blocker.close(resolve));
    }
  });
});
