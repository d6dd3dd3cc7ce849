import { Code, ConnectError } from "@connectrpc/connect";
import { EventName, OrderAction, OrderType, SecType } from "@stoqey/ib";
import { afterEach, describe, expect, it } from "vitest";
import { GatewayState } from "../../gen/ibrpc/v1/connection_pb.js";
import { FIRST_REQ_ID } from "../../src/gateway/request-correlator.js";
import { OrderIdAllocator } from "../../src/orders/order-id-allocator.js";
import { IbClient } from "../sim/helpers.js";
import { withTimeout } from "../support/wait.js";
import { GatewayHarness, reach } from "./gateway-harness.js";

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function setUp(): Promise<{ harness: GatewayHarness; allocator: OrderIdAllocator }> {
  const harness = new GatewayHarness();
  cleanups.push(() => harness.stop());
  const gateway = await harness.connect();
  const allocator = new OrderIdAllocator(gateway);
  cleanups.push(() => allocator.dispose());
  return { harness, allocator };
}

describe("OrderIdAllocator", () => {
  it("starts at nextValidId, only grows, and stays below the correlator's request ids", async () => {
    const { harness, allocator } = await setUp();
    const announced = harness.gateway?.snapshot().nextValidId as number;
    const ids = Array.from({ length: 5 }, () => allocator.allocate());
    expect(ids[0]).toBeGreaterThanOrEqual(announced);
    expect(ids).toEqual([...ids].sort((a, b) => a - b));
    expect(new Set(ids).size).toBe(5);
    for (const id of ids) expect(id).toBeLessThan(FIRST_REQ_ID);
    allocator.raiseFloor(3); // lower than what was handed out: ignored
    expect(allocator.allocate()).toBe((ids[4] as number) + 1);
    allocator.raiseFloor(FIRST_REQ_ID + 5); // inside the reqId range: never taken
    expect(allocator.allocate()).toBeLessThan(FIRST_REQ_ID);
  });

  it("goes above the ids of orders placed by another client, seen in openOrder", async () => {
    const { harness, allocator } = await setUp();
    const { port } = harness.sim.address as { port: number };
    const other = new IbClient(port, 7).connect();
    cleanups.push(() => {
      other.api.disconnect();
    });
    await other.ready();
    other.api.placeOrder(
      5_000,
      { symbol: "AAPL", secType: SecType.STK, exchange: "SMART", currency: "USD" },
      { action: OrderAction.BUY, orderType: OrderType.LMT, lmtPrice: 1, totalQuantity: 1, account: "DU1000002" },
    );
    await other.next(EventName.openOrder, "the other client's openOrder");
    const gateway = harness.gateway;
    if (!gateway) throw new Error("no gateway");
    const seen = new Promise<void>((resolve) =>
      gateway.on("event", (name) => {
        if (name === EventName.openOrderEnd) resolve();
      }),
    );
    await gateway.send(() => gateway.ib.reqAllOpenOrders());
    await withTimeout(seen, "openOrderEnd");
    expect(allocator.allocate()).toBe(5_001);
  });

  it("refuses ids between sessions and never reuses one after a reconnect", async () => {
    const { harness, allocator } = await setUp();
    const gateway = harness.gateway;
    if (!gateway) throw new Error("no gateway");
    const before = [allocator.allocate(), allocator.allocate()];
    const down = reach(gateway, GatewayState.DISCONNECTED);
    harness.sim.dropConnections();
    await down;
    expect(allocator.isSynced).toBe(false);
    const refused = (() => {
      try {
        allocator.allocate();
        return undefined;
      } catch (err) {
        return ConnectError.from(err);
      }
    })();
    expect(refused?.code).toBe(Code.Unavailable);
    await reach(gateway, GatewayState.READY);
    const after = allocator.allocate();
    expect(after).toBeGreaterThan(Math.max(...before));
  });
});
