import type { Quote } from "../world/index.js";
import { remaining, type SimOrder } from "./sim-order.js";

/**
 * When and at what price a working order trades against the seeded market: buys take the ask, sells hit the bid, and
 * one fill takes at most the size shown there, so an order larger than the top of the book fills in parts over
 * successive price steps. Limits fill at the touch when it is at or better than the limit (a marketable limit fills at
 * once, with price improvement); stops trigger when the traded price reaches the stop, then work as market (STP) or
 * limit (STP LMT) orders.
 */

export interface Fill {
  readonly price: number;
  /** Positive; never more than the order's remaining quantity. */
  readonly quantity: number;
}

/** True once a stop's trigger has traded: at or above the stop for a buy, at or below for a sell. */
export function stopTriggers(order: SimOrder, tradedPrice: number): boolean {
  if (order.stopPrice === undefined) return false;
  return order.side > 0 ? tradedPrice >= order.stopPrice : tradedPrice <= order.stopPrice;
}

/** Whether the order is live in the market now (an untriggered stop is not). */
export function isActive(order: SimOrder): boolean {
  return order.orderType === "MKT" || order.orderType === "LMT" || order.triggered;
}

/** The fill an active order gets against `quote`, if any. */
export function fillAgainst(order: SimOrder, quote: Quote): Fill | undefined {
  const buying = order.side > 0;
  const touch = buying ? quote.ask : quote.bid;
  const shown = buying ? quote.askSize : quote.bidSize;
  const limited = order.orderType === "LMT" || order.orderType === "STP LMT";
  if (limited && order.limitPrice !== undefined) {
    const acceptable = buying ? touch <= order.limitPrice : touch >= order.limitPrice;
    if (!acceptable) return undefined;
  }
  const quantity = Math.min(remaining(order), shown);
  return quantity > 0 && touch > 0 ? { price: touch, quantity } : undefined;
}
