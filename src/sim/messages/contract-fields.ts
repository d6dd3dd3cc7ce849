import { double, int, str } from "../wire/fields.js";

/**
 * How IB serializes a contract's identity, in every message that carries one (requests, positions, executions,
 * orders, scanner rows...): the fields that follow it differ from message to message.
 */
export const contractIdentity = [
  int("conId"),
  str("symbol"),
  str("secType"),
  str("lastTradeDateOrContractMonth"),
  double("strike"),
  str("right"),
] as const;

/**
 * The 12 contract fields most requests carry (reqContractDetails, reqMktData, reqHistoricalData, placeOrder's head...),
 * in @stoqey/ib's encoder order. Spread into a request layout: `[version(), int("reqId"), ...requestContractFields]`.
 * The decoded values fit world's ContractQuery directly.
 */
export const requestContractFields = [
  ...contractIdentity,
  str("multiplier"),
  str("exchange"),
  str("primaryExch"),
  str("currency"),
  str("localSymbol"),
  str("tradingClass"),
] as const;
