import { double, int, str } from "../wire/fields.js";

/**
 * The 12 contract fields most requests carry (reqContractDetails, reqMktData, reqHistoricalData, placeOrder's head...),
 * in @stoqey/ib's encoder order. Spread into a request layout: `[version(), int("reqId"), ...requestContractFields]`.
 * The decoded values fit world's ContractQuery directly.
 */
export const requestContractFields = [
  int("conId"),
  str("symbol"),
  str("secType"),
  str("lastTradeDateOrContractMonth"),
  double("strike"),
  str("right"),
  str("multiplier"),
  str("exchange"),
  str("primaryExch"),
  str("currency"),
  str("localSymbol"),
  str("tradingClass"),
] as const;
