import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { createClient } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { afterEach, describe, expect, it } from "vitest";
import { Health, HealthCheckResponse_ServingStatus as ServingStatus } from "../../gen/grpc/health/v1/health_pb.js";
import { ConnectionService, GatewayState } from "../../gen/ibrpc/v1/connection_pb.js";
import type { App } from "../../src/app.js";
import { allReady, startTestApp } from "../e2e/app-harness.js";
import { eventually, withTimeout } from "../support/wait.js";

/** Health as a client sees it, over gRPC. */
async function overall(app: App): Promise<ServingStatus> {
  const health = createClient(Health, createGrpcTransport({ baseUrl: app.server.url }));
  return (await health.check({ service: "" }, { timeoutMs: 5000 })).status;
}

describe("health follows what the gateways can serve", () => {
  let app: App | undefined;
  afterEach(async () => {
    await app?.close();
    app = undefined;
  });

  it("stays SERVING through a 2110 (TWS's link to IB's servers flapped; TWS keeps answering and restores it itself)", async () => {
    app = await startTestApp({ DATA_DIR: mkdtempSync(path.join(tmpdir(), "ibrpc-health-")) });
    await allReady(app);
    const gateway = app.pool.gateways[0];
    const noticed = new Promise<void>((resolve) =>
      app?.pool.on("notice", (_name, n) => {
        if (n.code === 2110) resolve();
      }),
    );
    app.simulators[0]?.control.farmBroken();
    await withTimeout(noticed, "2110 at the gateway");
    // Calls still succeed...
    const time = await createClient(ConnectionService, createGrpcTransport({ baseUrl: app.server.url })).reqCurrentTime(
      {},
      { timeoutMs: 5000 },
    );
    expect(time.time).toBeDefined();
    // ...so the server must not tell load balancers it cannot serve.
    expect(await overall(app)).toBe(ServingStatus.SERVING);
    // A farm-level warning: the gateway stays READY, the 2110 is its lastError (until a farm-OK notice).
    expect(gateway?.snapshot()).toMatchObject({ state: GatewayState.READY, lastError: { code: 2110 } });
  });

  it("goes NOT_SERVING during a 1100 outage and back to SERVING on its 1102, which is not recorded as an error", async () => {
    app = await startTestApp({ DATA_DIR: mkdtempSync(path.join(tmpdir(), "ibrpc-health-")) });
    await allReady(app);
    app.simulators[0]?.control.connectivityLost({ restore: "data-maintained", afterMs: 300 });
    const current = app;
    await eventually(
      "NOT_SERVING during the outage",
      5000,
      async () => (await overall(current)) === ServingStatus.NOT_SERVING,
    );
    await eventually("SERVING after 1102", 5000, async () => (await overall(current)) === ServingStatus.SERVING);
    // 1102 says the outage is over: it is not an error, so the last error stays the 1100 that started it.
    expect(current.pool.gateways[0]?.snapshot().lastError?.code).toBe(1100);
  });
});
