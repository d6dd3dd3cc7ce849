import { Code, ConnectError } from "@connectrpc/connect";
import { afterEach, describe, expect, it } from "vitest";
import { GatewayState } from "../../gen/ibrpc/v1/connection_pb.js";
import { ENGINES } from "../store/test-databases.js";
import { withTimeout } from "../support/wait.js";
import { reach } from "./gateway-harness.js";
import { HoldingProxy } from "./holding-proxy.js";
import { deadline, OPEN_CALLER, PlacerHarness, placeRequest } from "./placer-harness.js";

const cleanups: Array<() => Promise<unknown> | unknown> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

describe.each(ENGINES)("the gateway dropping mid-order (keys on %s)", (engine) => {
  it("fails the call UNAVAILABLE, and the retry after the reconnect answers the order IB got: never a second one", async () => {
    const h = new PlacerHarness();
    cleanups.push(() => h.stop());
    const simAddress = await h.gateway.sim.start();
    const proxy = new HoldingProxy(simAddress);
    const proxyPort = await proxy.start();
    cleanups.push(() => proxy.stop());
    await h.start(engine, {}, proxyPort);
    const { desk, placer } = h;
    const far = placeRequest({ orderType: "LMT", lmtPrice: 2.34 }, "drop-1");

    proxy.arm();
    const call = placer.place(desk, far, OPEN_CALLER, deadline()).catch((e) => e);
    const sentId = await withTimeout(proxy.placeOrderSeen, "placeOrder on the wire");
    await withTimeout(proxy.answerHeld, "the simulator's answer (held back)");
    // A retry meanwhile joins the placement in flight; at its deadline it names the order and places nothing.
    const impatient = ConnectError.from(await placer.place(desk, far, OPEN_CALLER, deadline(300)).catch((e) => e));
    expect(impatient.code).toBe(Code.DeadlineExceeded);
    expect(impatient.message).toContain(`order ${sentId} not acknowledged yet`);
    expect(impatient.message).toContain("NOT cancelled");
    const down = reach(desk.gateway, GatewayState.DISCONNECTED);
    h.gateway.sim.dropConnections();
    await down;
    const failed = ConnectError.from(await call);
    expect(failed.code).toBe(Code.Unavailable);
    expect(failed.message).toContain(`order ${sentId} was sent`);

    proxy.disarm();
    await reach(desk.gateway, GatewayState.READY);
    const retry = await placer.place(desk, far, OPEN_CALLER, deadline());
    expect(retry).toMatchObject({ orderId: sentId, replayed: true });
    const atIb = (await desk.openOrders("all", deadline())).openOrders.filter((o) => o.order?.lmtPrice === 2.34);
    expect(atIb.map((o) => o.orderId)).toEqual([sentId]);

    // Order ids are never reused across the reconnect.
    const next = await placer.place(
      desk,
      placeRequest({ orderType: "LMT", lmtPrice: 2.35 }, "drop-2"),
      OPEN_CALLER,
      deadline(),
    );
    expect(next.orderId).toBeGreaterThan(sentId);
  }, 60_000);

  it("frees the key when nothing reached IB (gateway down before sending): the retry places once", async () => {
    const h = new PlacerHarness();
    cleanups.push(() => h.stop());
    await h.start(engine);
    const { desk, placer } = h;
    const down = reach(desk.gateway, GatewayState.DISCONNECTED);
    h.gateway.sim.refuseConnections(60_000);
    h.gateway.sim.dropConnections();
    await down;
    const req = placeRequest({ orderType: "LMT", lmtPrice: 3.45 }, "down-1");
    const refused = ConnectError.from(await placer.place(desk, req, OPEN_CALLER, deadline()).catch((e) => e));
    expect(refused.code).toBe(Code.Unavailable);
    h.gateway.sim.control.clearFaults();
    await reach(desk.gateway, GatewayState.READY, 10_000);
    const placed = await placer.place(desk, req, OPEN_CALLER, deadline());
    expect(placed.replayed).toBe(false);
    const atIb = (await desk.openOrders("all", deadline())).openOrders.filter((o) => o.order?.lmtPrice === 3.45);
    expect(atIb).toHaveLength(1);
  }, 60_000);
});
