import { double, int, str, version } from "../wire/fields.js";
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
  /** TagValues as IBApi flattens them: "tag=value;tag=value;". */
  str("impliedVolatilityOptions"),
]);

export const reqCalcOptionPrice = defineMessage(55, "reqCalcOptionPrice", [
  version(),
  int("reqId"),
  ...requestContractFields,
  double("volatility"),
  double("underPrice"),
  str("optionPriceOptions"),
]);

export const cancelCalcImpliedVolatility = defineMessage(56, "cancelCalcImpliedVolatility", [version(), int("reqId")]);
export const cancelCalcOptionPrice = defineMessage(57, "cancelCalcOptionPrice", [version(), int("reqId")]);

/** EClient.setServerLogLevel: TWS adjusts its own log; there is no answer. */
export const setServerLogLevel = defineMessage(14, "setServerLogLevel", [version(), int("logLevel")]);
