import type { PlaceOrderRequest } from "../messages/orders.js";
import type { Instrument } from "../world/index.js";

/**
 * One order as the simulated gateway holds it: the request as last (re-)placed, plus the state TWS reports in
 * openOrder / orderStatus / completedOrder.
 */

/** The statuses this simulator reports, in TWS's spelling. */
export type OrderStatus = "PendingSubmit" | "PreSubmitted" | "Submitted" | "Filled" | "Cancelled" | "Inactive";

/** Order types the matching engine works; others are refused when placed. */
export type WorkedOrderType = "MKT" | "LMT" | "STP" | "STP LMT";

export interface SimOrder {
  readonly clientId: number;
  readonly orderId: number;
  /** Unique across the login; kept below 2^31 so every client (and IBApi's readInt) holds it exactly. */
  readonly permId: number;
  /** The placeOrder request as last placed: answers echo it, so the client reads back what it sent. */
  request: PlaceOrderRequest;
  readonly instrument: Instrument;
  /** Where it routes: the requested exchange, or the instrument's default. */
  readonly exchange: string;
  account: string;
  orderType: WorkedOrderType;
  /** +1 buy, -1 sell. */
  side: 1 | -1;
  quantity: number;
  limitPrice: number | undefined;
  stopPrice: number | undefined;
  filled: number;
  /** Sum of price x quantity over fills, for the average fill price. */
  filledValue: number;
  lastFillPrice: number;
  status: OrderStatus;
  /** False while held by transmit=false (a bracket's parent and first children wait for the last child). */
  transmitted: boolean;
  /** A stop whose trigger price has traded: it now works as a market (STP) or limit (STP LMT) order. */
  triggered: boolean;
  /** Bracket parent; a child works only once its parent has filled. */
  readonly parent: SimOrder | undefined;
  readonly placedAt: number;
  /** Set when the order reaches Filled / Cancelled / Inactive (completedOrder's completedTime and status text). */
  completedAt: number | undefined;
  completedStatus: string;
}

export function remaining(order: SimOrder): number {
  return Math.max(0, order.quantity - order.filled);
}

export function averageFillPrice(order: SimOrder): number {
  return order.filled > 0 ? order.filledValue / order.filled : 0;
}

/** Filled, Cancelled and Inactive orders are done: they show in completed orders, never again in open orders. */
export function isDone(order: SimOrder): boolean {
  return order.status === "Filled" || order.status === "Cancelled" || order.status === "Inactive";
}

/** The key orders are stored under: order ids are per API client id. */
export function orderKey(clientId: number, orderId: number): string {
  return `${clientId}:${orderId}`;
}
