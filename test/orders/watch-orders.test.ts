import { Code, ConnectError } from "@connectrpc/connect";
import { afterEach, describe, expect, it } from "vitest";
import { GapReason } from "../../gen/ibrpc/v1/common_pb.js";
import { GatewayState } from "../../gen/ibrpc/v1/connection_pb.js";
import type { WatchOrdersResponse } from "../../gen/ibrpc/v1/order_pb.js";
import { watchOrders } from "../../src/orders/watch-orders.js";
import { withTimeout } from "../support/wait.js";
import { reach } from "./gateway-harness.js";
import { deadline, OPEN_CALLER, PlacerHarness, placeRequest } from "./placer-harness.js";

const cleanups: Array<() => Promise<unknown> | unknown> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function started(): Promise<PlacerHarness> {
  const h = new PlacerHarness();
  cleanups.push(() => h.stop());
  return h.start("pglite");
}

/** Reads `stream` until `until` holds for a message; returns everything read. */
async function readUntil(
  stream: AsyncGenerator<WatchOrdersResponse>,
  until: (m: WatchOrdersResponse) => boolean,
  what: string,
): Promise<WatchOrdersResponse[]> {
  const read: WatchOrdersResponse[] = [];
  await withTimeout(
    (async () => {
      for (;;) {
        const next = await stream.next();
        if (next.done) throw new Error(`stream ended before ${what}`);
        read.push(next.value);
        if (until(next.value)) return;
      }
    })(),
    what,
    10_000,
  );
  return read;
}

describe("WatchOrders", () => {
  it("starts with the open orders and OpenOrderEnd, then follows every event of an order to its fill", async () => {
    const h = await started();
    await h.placer.place(
      h.desk,
      placeRequest({ orderType: "LMT", lmtPrice: 1.11 }, "resting"),
      OPEN_CALLER,
      deadline(),
    );
    const abort = new AbortController();
    cleanups.push(() => abort.abort());
    const stream = watchOrders(h.desk, "", abort.signal, abort.signal);
    const initial = await readUntil(stream, (m) => m.event.case === "openOrderEnd", "OpenOrderEnd");
    expect(initial.some((m) => m.event.case === "openOrder" && m.event.value.order?.lmtPrice === 1.11)).toBe(true);

    const filled = await h.placer.place(h.desk, placeRequest({}, "watched-fill"), OPEN_CALLER, deadline());
    const live = await readUntil(
      stream,
      (m) => m.event.case === "commissionReport",
      "the fill's execDetails and commissionReport",
    );
    expect(live.some((m) => m.event.case === "openOrder" && m.event.value.orderId === filled.orderId)).toBe(true);
    expect(
      live.some((m) => m.event.case === "execDetails" && m.event.value.execution?.orderId === filled.orderId),
    ).toBe(true);
  });

  it("after a reconnect sends a Gap, then the open orders again, then OpenOrderEnd", async () => {
    const h = await started();
    const resting = await h.placer.place(
      h.desk,
      placeRequest({ orderType: "LMT", lmtPrice: 1.22 }, "resting-2"),
      OPEN_CALLER,
      deadline(),
    );
    const abort = new AbortController();
    cleanups.push(() => abort.abort());
    const stream = watchOrders(h.desk, "", abort.signal, abort.signal);
    await readUntil(stream, (m) => m.event.case === "openOrderEnd", "the first OpenOrderEnd");
    const down = reach(h.desk.gateway, GatewayState.DISCONNECTED);
    h.gateway.sim.dropConnections();
    await down;
    const after = await readUntil(stream, (m) => m.event.case === "openOrderEnd", "the Gap and the open orders again");
    expect(after[0]?.event.case).toBe("gap");
    if (after[0]?.event.case === "gap") expect(after[0].event.value.reason).toBe(GapReason.GATEWAY_RECONNECTED);
    expect(after.some((m) => m.event.case === "openOrder" && m.event.value.orderId === resting.orderId)).toBe(true);
  });

  it("cuts a client that does not keep up with RESOURCE_EXHAUSTED instead of dropping order events", async () => {
    const h = await started();
    const abort = new AbortController();
    cleanups.push(() => abort.abort());
    const stream = watchOrders(h.desk, "", abort.signal, abort.signal, 8);
    await readUntil(stream, (m) => m.event.case === "openOrderEnd", "OpenOrderEnd");
    // The client stops reading; orders keep coming (each is several events).
    for (let i = 0; i < 5; i++) {
      await h.placer.place(
        h.desk,
        placeRequest({ orderType: "LMT", lmtPrice: 1.3 + i / 100 }, `slow-${i}`),
        OPEN_CALLER,
        deadline(),
      );
    }
    const err = await withTimeout(
      (async () => {
        for (;;) {
          const next = await stream.next();
          if (next.done) return new Error("ended without an error");
        }
      })().catch((e) => e),
      "the cut-off",
    );
    expect(ConnectError.from(err).code).toBe(Code.ResourceExhausted);
    expect(String(err)).toContain("never dropped");
  });
});
