import { createClient } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-node";
import { pino } from "pino";
import { afterEach, describe, expect, it } from "vitest";
import { ConnectionService } from "../../gen/ibrpc/v1/connection_pb.js";
import { GatewayPool } from "../../src/gateway/gateway-pool.js";
import { connectionService } from "../../src/services/connection-service.js";
import { Simulator } from "../../src/sim/index.js";
import { startTestServer } from "../server/helpers.js";
import { eventually } from "../support/wait.js";

const logger = pino({ level: "silent" });
const cleanups: Array<() => Promise<unknown>> = [];

afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

describe("ConnectionService over Connect JSON against the simulator", () => {
  it("answers today's time to every concurrent ReqCurrentTime, even while the heartbeat's reqCurrentTime is in flight", async () => {
    const sim = new Simulator({ port: 0, logger });
    const { host, port } = await sim.start();
    cleanups.push(() => sim.stop());
    // A heartbeat every millisecond: its reqCurrentTime (mapped to `true`) is nearly always the one in flight.
    const pool = new GatewayPool({
      endpoints: [{ name: "sim", host, port }],
      baseClientId: 7,
      logger,
      heartbeat: { intervalMs: 1, timeoutMs: 5_000 },
    });
    cleanups.push(() => pool.close());
    pool.start();
    await eventually("gateway ready", 5_000, async () => pool.anyReady);
    const shutdown = new AbortController();
    const deps = { pool, requestTimeoutMs: 5_000, shutdown: shutdown.signal };
    const server = await startTestServer({
      routes: (router) => {
        router.service(ConnectionService, connectionService(deps));
      },
    });
    cleanups.push(() => server.close(0));
    const client = createClient(ConnectionService, createConnectTransport({ baseUrl: server.url, httpVersion: "1.1" }));

    const now = Date.now();
    for (let round = 0; round < 10; round++) {
      const answers = await Promise.all(
        Array.from({ length: 40 }, () => client.reqCurrentTime({}, { timeoutMs: 5_000 })),
      );
      for (const a of answers) {
        const secs = Number(a.time?.seconds ?? 0n);
        expect(Math.abs(secs - now / 1000)).toBeLessThan(3_600);
        expect(a.gateway).toBe("sim");
      }
    }
  });
});
