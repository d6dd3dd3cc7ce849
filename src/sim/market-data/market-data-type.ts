import type { ClientSession } from "../handlers/registry.js";

/** reqMarketDataType's values. */
export const MarketDataType = { LIVE: 1, FROZEN: 2, DELAYED: 3, DELAYED_FROZEN: 4 } as const;
export type MarketDataTypeId = (typeof MarketDataType)[keyof typeof MarketDataType];

/** How far behind delayed data runs, as at IB. */
export const DELAY_MS = 15 * 60_000;

/**
 * The market data type each connection asked for (TWS keeps it per connection, applies it to later requests and
 * defaults to live). Kept beside the session so the session class needs no market-data field.
 */
const chosen = new WeakMap<ClientSession, MarketDataTypeId>();

export function setMarketDataType(session: ClientSession, type: MarketDataTypeId): void {
  chosen.set(session, type);
}

export function marketDataTypeOf(session: ClientSession): MarketDataTypeId {
  return chosen.get(session) ?? MarketDataType.LIVE;
}

export function isMarketDataType(value: number): value is MarketDataTypeId {
  return value >= MarketDataType.LIVE && value <= MarketDataType.DELAYED_FROZEN && Number.isInteger(value);
}

export const isDelayed = (type: MarketDataTypeId) =>
  type === MarketDataType.DELAYED || type === MarketDataType.DELAYED_FROZEN;
export const isFrozen = (type: MarketDataTypeId) =>
  type === MarketDataType.FROZEN || type === MarketDataType.DELAYED_FROZEN;
