import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { App } from "../../src/app.js";
import { Simulator } from "../../src/sim/index.js";
import { allReady, postJson, startTestApp } from "../e2e/app-harness.js";

/**
 * Below server version 177 @stoqey/ib 1.6.10 misreads completedOrder (faProfile's version gate): ibrpc refuses
 * ReqCompletedOrders there with a reason, instead of answering a list shortened by decode errors (which order
 * reconciliation would have trusted).
 */
describe("ReqCompletedOrders against a server version 176 gateway", () => {
  let sim: Simulator;
  let app: App;

  beforeAll(async () => {
    sim = new Simulator({ seed: 42, serverVersion: 176 });
    const { host, port } = await sim.start();
    app = await startTestApp({ IB_GW: `old=${host}:${port}` });
    await allReady(app);
  }, 60_000);

  afterAll(async () => {
    await app?.close();
    await sim?.stop();
  });

  it("is FAILED_PRECONDITION naming the server version, and the gateway stays connected", async () => {
    const since = app.pool.gateways[0]?.snapshot().stateSince;
    const res = await postJson(app.server.url, "/ibrpc.v1.OrderService/ReqCompletedOrders", "{}", {
      "connect-timeout-ms": "10000",
    });
    expect(res.json.code).toBe("failed_precondition");
    expect(String(res.json.message)).toMatch(/server version 176/);
    expect(app.pool.gateways[0]?.snapshot().stateSince).toEqual(since);
  });
});
