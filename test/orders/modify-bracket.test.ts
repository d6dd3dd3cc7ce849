import { Code, ConnectError } from "@connectrpc/connect";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { OrderWait } from "../../gen/ibrpc/v1/order_pb.js";
import { deadline, OPEN_CALLER, PlacerHarness, placeRequest } from "./placer-harness.js";

describe("modifications, brackets, OCA groups and global cancel through the placer", () => {
  let h: PlacerHarness;
  beforeAll(async () => {
    h = await new PlacerHarness().start("pglite");
  }, 60_000);
  afterAll(async () => {
    await h?.stop();
  });
  const place = (...args: Parameters<typeof placeRequest>) =>
    h.placer.place(h.desk, placeRequest(...args), OPEN_CALLER, deadline());
  const statusOf = (orderId: number) => h.desk.book.get(orderId)?.status?.status;

  it("modifies a working order by its order id, and refuses an unknown one with NOT_FOUND", async () => {
    const placed = await place(
      { orderType: "LMT", lmtPrice: 1.5, totalQuantity: "2" },
      "to-modify",
      OrderWait.SUBMITTED,
    );
    const modified = await place(
      { orderId: placed.orderId, orderType: "LMT", lmtPrice: 1.6, totalQuantity: "4" },
      "modify-1",
    );
    expect(modified.orderId).toBe(placed.orderId);
    expect(modified.openOrder?.order).toMatchObject({ lmtPrice: 1.6, totalQuantity: "4" });
    const open = await h.desk.openOrders("own", deadline());
    expect(open.openOrders.filter((o) => o.orderId === placed.orderId)).toHaveLength(1);

    const unknown = ConnectError.from(
      await place({ orderId: 777_777, orderType: "LMT", lmtPrice: 1.6 }, "modify-unknown").catch((e) => e),
    );
    expect(unknown.code).toBe(Code.NotFound);
  });

  it("places a bracket (parent and children transmitted last) that works as one", async () => {
    const parent = await place({ orderType: "MKT", totalQuantity: "10", transmit: false }, "bracket-parent");
    const takeProfit = await place(
      {
        action: "SELL",
        orderType: "LMT",
        lmtPrice: 100_000,
        totalQuantity: "10",
        parentId: parent.orderId,
        transmit: false,
      },
      "bracket-tp",
    );
    const stopLoss = await place(
      {
        action: "SELL",
        orderType: "STP",
        auxPrice: 0.01,
        totalQuantity: "10",
        parentId: parent.orderId,
        transmit: true,
      },
      "bracket-sl",
      OrderWait.SUBMITTED,
    );
    await h.desk.book.waitFor(parent.orderId, (o) => (o?.status?.status === "Filled" ? true : undefined), deadline());
    await h.desk.book.waitFor(
      takeProfit.orderId,
      (o) => (o?.status?.status === "Submitted" ? true : undefined),
      deadline(),
    );
    expect(statusOf(stopLoss.orderId)).toMatch(/Submitted|PreSubmitted/);
  });

  it("cancels the rest of an OCA group when one of it fills", async () => {
    const resting = await place(
      { orderType: "LMT", lmtPrice: 1.7, totalQuantity: "1", ocaGroup: "oca-test", ocaType: 1 },
      "oca-resting",
      OrderWait.SUBMITTED,
    );
    const filling = await place(
      { orderType: "MKT", totalQuantity: "1", ocaGroup: "oca-test", ocaType: 1 },
      "oca-filling",
      OrderWait.FILLED,
    );
    expect(filling.orderStatus?.status).toBe("Filled");
    await h.desk.book.waitFor(
      resting.orderId,
      (o) => (o?.status?.status === "Cancelled" ? true : undefined),
      deadline(),
    );
    const err = ConnectError.from(
      await place(
        { orderType: "LMT", lmtPrice: 1.7, totalQuantity: "1", ocaGroup: "oca-test", ocaType: 1 },
        "oca-resting",
        OrderWait.FILLED,
      ).catch((e) => e),
    );
    // The retry of the cancelled order's key answers that order, and says it will not fill.
    expect(err.code).toBe(Code.FailedPrecondition);
    expect(err.message).toContain(`order ${resting.orderId} is Cancelled`);
  });

  it("cancels every open order with a global cancel", async () => {
    const a = await place({ orderType: "LMT", lmtPrice: 1.81, totalQuantity: "1" }, "global-a", OrderWait.SUBMITTED);
    const b = await place({ orderType: "LMT", lmtPrice: 1.82, totalQuantity: "1" }, "global-b", OrderWait.SUBMITTED);
    await h.desk.globalCancel({}, deadline());
    for (const { orderId } of [a, b]) {
      await h.desk.book.waitFor(orderId, (o) => (o?.status?.status === "Cancelled" ? true : undefined), deadline());
    }
    expect((await h.desk.openOrders("all", deadline())).openOrders).toEqual([]);
  });
});
