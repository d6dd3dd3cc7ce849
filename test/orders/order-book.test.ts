import { create } from "@bufbuild/protobuf";
import { describe, expect, it } from "vitest";
import { OrderStatusSchema } from "../../gen/ibrpc/v1/order_pb.js";
import { OrderBook } from "../../src/orders/order-book.js";

const status = (orderId: number, s: string) =>
  ({ kind: "orderStatus", orderId, status: create(OrderStatusSchema, { orderId, status: s }) }) as const;

describe("OrderBook", () => {
  it("forgets the oldest finished orders beyond its bound, never a working one", () => {
    const book = new OrderBook(2);
    book.apply(status(1, "Submitted"));
    for (const id of [2, 3, 4]) book.apply(status(id, "Filled"));
    expect(book.all().map((o) => o.orderId)).toEqual([1, 3, 4]);
    book.apply(status(1, "Cancelled"));
    expect(book.all().map((o) => o.orderId)).toEqual([1, 4]);
  });
});
