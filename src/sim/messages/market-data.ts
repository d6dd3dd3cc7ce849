import { bool, decimal, double, group, int, str, tagValues, version, when } from "../wire/fields.js";
import { defineMessage } from "../wire/layout.js";
import { requestContractFields } from "./contract-fields.js";

/** Market data lines (reqMktData) and their ticks, both directions, as @stoqey/ib 1.6.10 encodes and decodes them. */

// Client -> simulator.
export const reqMktData = defineMessage(1, "reqMktData", [
  version(11),
  int("tickerId"),
  ...requestContractFields,
  // BAG contracts carry their legs; the simulator has no combos, but a BAG request must still parse.
  when(
    (values) => String(values.secType).toUpperCase() === "BAG",
    [group("comboLegs", [int("conId"), int("ratio"), str("action"), str("exchange")])],
  ),
  bool("hasDeltaNeutralContract"),
  when(
    (values) => values.hasDeltaNeutralContract === true,
    [int("deltaNeutralConId"), double("deltaNeutralDelta"), double("deltaNeutralPrice")],
  ),
  str("genericTickList"),
  bool("snapshot"),
  bool("regulatorySnapshot").orAbsent(),
  /** mktDataOptions: @stoqey/ib and IB's reference clients send one (empty) string; tolerated absent or as pairs. */
  tagValues("options"),
]);
export const cancelMktData = defineMessage(2, "cancelMktData", [version(), int("tickerId")]);
/** 1 live, 2 frozen, 3 delayed, 4 delayed-frozen; applies to later reqMktData of the connection. */
export const reqMarketDataType = defineMessage(59, "reqMarketDataType", [version(), int("marketDataType")]);

// Simulator -> client.
/**
 * attrMask bit 0 canAutoExecute, 1 pastLimit, 2 preOpen (IBApi reads the whole mask as one boolean). IBApi turns the
 * size of an ask or last into a tickSize event, never the size of a bid.
 */
export const tickPrice = defineMessage(1, "tickPrice", [
  version(3),
  int("tickerId"),
  int("tickType"),
  double("price"),
  decimal("size"),
  int("attrMask"),
]);
export const tickSize = defineMessage(2, "tickSize", [version(), int("tickerId"), int("tickType"), decimal("size")]);
/** From server version 156 (PRICE_BASED_VOLATILITY) the message has no version and carries tickAttrib. */
export const tickOptionComputation = defineMessage(21, "tickOptionComputation", [
  int("tickerId"),
  int("tickType"),
  /** 0 return-based, 1 price-based implied volatility. */
  int("tickAttrib"),
  /** -1 = not computed */
  double("impliedVol"),
  /** -2 = not computed */
  double("delta"),
  double("optPrice"),
  double("pvDividend"),
  double("gamma"),
  double("vega"),
  double("theta"),
  double("undPrice"),
]);
export const tickGeneric = defineMessage(45, "tickGeneric", [
  version(),
  int("tickerId"),
  int("tickType"),
  double("value"),
]);
export const tickString = defineMessage(46, "tickString", [version(), int("tickerId"), int("tickType"), str("value")]);
export const tickSnapshotEnd = defineMessage(57, "tickSnapshotEnd", [version(), int("reqId")]);
export const marketDataType = defineMessage(58, "marketDataType", [version(), int("reqId"), int("marketDataType")]);
/** IBApi parses minTick with readInt (0.01 reads as 0); the token still says what TWS says. */
export const tickReqParams = defineMessage(81, "tickReqParams", [
  int("tickerId"),
  str("minTick"),
  str("bboExchange"),
  int("snapshotPermissions"),
]);
