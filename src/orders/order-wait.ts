import { Code, ConnectError } from "@connectrpc/connect";
import { OrderWait } from "../../gen/ibrpc/v1/order_pb.js";
import { isFinalStatus, type TrackedOrder } from "./order-book.js";

/**
 * The decisions PlaceOrder makes while it waits on the order book after IB's acknowledgement: when the order is
 * working, when it is filled, when it never will be, and what a deadline says. Pure functions of what the book holds.
 */

/** Statuses that mean "working" for ORDER_WAIT_SUBMITTED. */
const WORKING = new Set(["Submitted", "Filled"]);
/** Order types IB holds (PreSubmitted) until their trigger: PreSubmitted is their working state. */
const TRIGGERED_TYPES = new Set(["STP", "STP LMT", "TRAIL", "TRAIL LIMIT", "MIT", "LIT"]);

/**
 * Whether `order` satisfies `wait`: true when it does, false while it still may, or a ConnectError when it never
 * will (cancelled or inactive before the fill).
 */
export function waitSatisfied(order: TrackedOrder | undefined, wait: OrderWait): boolean | ConnectError {
  const status = order?.status?.status;
  if (wait === OrderWait.UNSPECIFIED) return true;
  if (!order || status === undefined) return false;
  if (wait === OrderWait.FILLED) {
    if (status === "Filled") return true;
  } else {
    if (WORKING.has(status)) return true;
    if (status === "PreSubmitted" && isHeldByDesign(order)) return true;
  }
  if (isFinalStatus(status)) {
    return new ConnectError(
      `order ${order.orderId} is ${status}${filledText(order)}: it will not ${wait === OrderWait.FILLED ? "fill" : "work"}` +
        (order.error ? ` (IB ${order.error.code}: ${order.error.message})` : ""),
      Code.FailedPrecondition,
    );
  }
  return false;
}

function isHeldByDesign(order: TrackedOrder): boolean {
  const o = order.openOrder?.order;
  return (o?.parentId ?? 0) > 0 || TRIGGERED_TYPES.has(o?.orderType ?? "");
}

/** " (filled 3 of 10)" when IB said how much is filled. */
export function filledText(order: TrackedOrder): string {
  const s = order.status;
  if (!s || s.filled === "") return "";
  const total = order.openOrder?.order?.totalQuantity;
  return total ? ` (filled ${s.filled} of ${total})` : ` (filled ${s.filled}, remaining ${s.remaining})`;
}

/** What the DEADLINE_EXCEEDED of a waiting PlaceOrder says: the order id and its last status, and that it stands. */
export function stillWorkingText(orderId: number, order: TrackedOrder | undefined, wait: OrderWait): string {
  const goal = wait === OrderWait.FILLED ? "filled" : wait === OrderWait.SUBMITTED ? "working" : "acknowledged";
  const last = order?.status?.status;
  const state = last && order ? `its last status is ${last}${filledText(order)}` : "IB has not acknowledged it yet";
  return (
    `order ${orderId} not ${goal} yet: ${state}; ` +
    "it was NOT cancelled (retry with the same idempotency key to keep waiting, or cancel it)"
  );
}
