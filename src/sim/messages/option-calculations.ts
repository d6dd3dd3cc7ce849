import { double, int, tagValues, version } from "../wire/fields.js";
import { defineMessage } from "../wire/layout.js";
import { requestContractFields } from "./contract-fields.js";

/**
 * EClient.calculateImpliedVolatility / calculateOptionPrice and their cancels. TWS answers each with one
 * tickOptionComputation of tick type 53 (custom option computation) on the request id.
 */
export const reqCalcImpliedVolatility = defineMessage(54, "reqCalcImpliedVolatility", [
  version(),
  int("reqId"),
  ...requestContractFields,
  double("optionPrice"),
  double("underPrice"),
  /** @stoqey/ib sends "tag=value;" in one string; IB's reference clients (version 3) a count, then the string. */
  tagValues("impliedVolatilityOptions"),
]);

export const reqCalcOptionPrice = defineMessage(55, "reqCalcOptionPrice", [
  version(),
  int("reqId"),
  ...requestContractFields,
  double("volatility"),
  double("underPrice"),
  tagValues("optionPriceOptions"),
]);

export const cancelCalcImpliedVolatility = defineMessage(56, "cancelCalcImpliedVolatility", [version(), int("reqId")]);
export const cancelCalcOptionPrice = defineMessage(57, "cancelCalcOptionPrice", [version(), int("reqId")]);

/** EClient.setServerLogLevel: TWS adjusts its own log; there is no answer. */
export const setServerLogLevel = defineMessage(14, "setServerLogLevel", [version(), int("logLevel")]);
