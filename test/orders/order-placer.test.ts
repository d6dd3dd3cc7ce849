import { Code, ConnectError } from "@connectrpc/connect";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { OrderWait } from "../../gen/ibrpc/v1/order_pb.js";
import { IbError } from "../../src/gateway/ib-error.js";
import { OrderDesk } from "../../src/orders/order-desk.js";
import type { OrderPlacer } from "../../src/orders/order-placer.js";
import { ENGINES } from "../store/test-databases.js";
import { OPEN_CALLER as caller, deadline, placeRequest as order, PlacerHarness } from "./placer-harness.js";

describe.each(ENGINES)("OrderPlacer against the simulator, keys on %s", (engine) => {
  let h: PlacerHarness;
  let desk: OrderDesk;
  let placer: OrderPlacer;
  let audited: Record<string, unknown>[];
  const held = () => h.held();

  beforeAll(async () => {
    h = await new PlacerHarness().start(engine);
    ({ desk, placer, audited } = h);
  }, 60_000);
  afterAll(async () => {
    await h?.stop();
  });

  it("places a MKT order and waits for the fill", async () => {
    const before = held();
    const res = await placer.place(desk, order({}, "fill-1", OrderWait.FILLED), caller, deadline());
    expect(res.replayed).toBe(false);
    expect(res.orderStatus?.status).toBe("Filled");
    expect(res.orderStatus?.filled).toBe("5");
    expect(held() - before).toBe(5);
    expect(audited.at(-1)).toMatchObject({ audit: "order", action: "place", outcome: "placed", orderId: res.orderId });
  });

  it("answers a retry of the key from the store, and refuses the key for another order", async () => {
    const first = await placer.place(desk, order({}, "retry-1"), caller, deadline());
    const again = await placer.place(desk, order({}, "retry-1", OrderWait.FILLED), caller, deadline());
    expect(again.orderId).toBe(first.orderId);
    expect(again.replayed).toBe(true);
    expect(again.orderStatus?.status).toBe("Filled");
    const other = await placer
      .place(desk, order({ totalQuantity: "6" }, "retry-1"), caller, deadline())
      .catch((e) => e);
    expect(ConnectError.from(other).code).toBe(Code.AlreadyExists);
  });

  it("answers a replay that waits for the fill after a restart (empty book) from IB's completed orders", async () => {
    const fresh = new OrderDesk(desk.gateway); // what a restarted ibrpc has: a book that heard nothing yet
    try {
      const res = await placer.place(fresh, order({}, "fill-1", OrderWait.FILLED), caller, deadline());
      expect(res).toMatchObject({ replayed: true, orderStatus: { status: "Filled", filled: "5" } });
    } finally {
      fresh.dispose();
    }
  });

  it("places one order for 20 concurrent calls and 1,000 retries of one key", async () => {
    const before = held();
    const concurrent = await Promise.all(
      Array.from({ length: 20 }, () => placer.place(desk, order({ totalQuantity: "3" }, "burst"), caller, deadline())),
    );
    const ids = new Set(concurrent.map((r) => r.orderId));
    expect(ids.size).toBe(1);
    expect(concurrent.filter((r) => !r.replayed)).toHaveLength(1);
    for (let i = 0; i < 1_000; i++) {
      const r = await placer.place(desk, order({ totalQuantity: "3" }, "burst"), caller, deadline());
      expect(r.orderId).toBe(concurrent[0]?.orderId);
    }
    const filled = await placer.place(
      desk,
      order({ totalQuantity: "3" }, "burst", OrderWait.FILLED),
      caller,
      deadline(),
    );
    expect(filled.orderStatus?.filled).toBe("3");
    expect(held() - before).toBe(3);
  }, 60_000);

  it("fails a rejected order with IB's code, and replays the refusal", async () => {
    const huge = order({ totalQuantity: "100000000" }, "huge");
    const err = await placer.place(desk, huge, caller, deadline()).catch((e) => e);
    expect(err).toBeInstanceOf(IbError);
    expect(err).toMatchObject({ ibCode: 201, grpcCode: Code.FailedPrecondition });
    const again = await placer.place(desk, huge, caller, deadline()).catch((e) => e);
    expect(again).toMatchObject({ ibCode: 201, grpcCode: Code.FailedPrecondition });
    expect(audited.at(-1)).toMatchObject({ action: "place", outcome: "rejected", ibCode: 201, replayed: true });
  });

  it("answers DEADLINE_EXCEEDED naming the order and its status, and leaves the order working", async () => {
    // Acknowledged first, so the deadline below can only hit the wait for the fill, however loaded the machine.
    const { orderId } = await placer.place(desk, order({ orderType: "LMT", lmtPrice: 1 }, "far-1"), caller, deadline());
    const far = order({ orderType: "LMT", lmtPrice: 1 }, "far-1", OrderWait.FILLED);
    const err = ConnectError.from(await placer.place(desk, far, caller, deadline(300)).catch((e) => e));
    expect(err.code).toBe(Code.DeadlineExceeded);
    expect(err.message).toContain(`order ${orderId} not filled yet`);
    expect(err.message).toMatch(/last status is (Submitted|PreSubmitted|PendingSubmit) \(filled 0 of 5\)/);
    expect(err.message).toContain("NOT cancelled");
    const open = await desk.openOrders("own", deadline());
    expect(open.openOrders.map((o) => o.orderId)).toContain(orderId);
  });

  it("previews margins with what_if and places nothing", async () => {
    const before = held();
    const res = await placer.place(desk, order({ whatIf: true }, "preview"), caller, deadline());
    expect(res.openOrder?.orderState?.initMarginChange).not.toBe("");
    expect(res.orderStatus).toBeUndefined();
    expect(held()).toBe(before);
  });

  it("recovers from IB's 103 (an id used behind its back): re-syncs with reqIds and places once under a fresh id", async () => {
    // A second desk on the same connection starts from the session's first nextValidId: ids the first one used.
    const stale = new OrderDesk(desk.gateway);
    try {
      const before = held();
      const res = await placer.place(
        stale,
        order({ totalQuantity: "2" }, "dup-id", OrderWait.FILLED),
        caller,
        deadline(),
      );
      expect(res.orderStatus?.status).toBe("Filled");
      expect(held() - before).toBe(2);
      expect(res.orderId).toBeGreaterThan(
        Math.max(
          ...desk.book
            .all()
            .map((o) => o.orderId)
            .filter((id) => id !== res.orderId),
        ),
      );
    } finally {
      stale.dispose();
    }
  });
});
