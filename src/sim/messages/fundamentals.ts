import { int, str, tagValues, version } from "../wire/fields.js";
import { defineMessage } from "../wire/layout.js";

/** Fundamental data (Reuters/Refinitiv XML reports), both directions. */

// Client -> simulator: the contract is the short form (no expiry, strike, right, multiplier, trading class).
export const reqFundamentalData = defineMessage(52, "reqFundamentalData", [
  version(2),
  int("reqId"),
  int("conId"),
  str("symbol"),
  str("secType"),
  str("exchange"),
  str("primaryExch"),
  str("currency"),
  str("localSymbol"),
  str("reportType"),
  /** @stoqey/ib sends one string; IB's reference clients a count, then the string. Both read here. */
  tagValues("fundamentalDataOptions"),
]);
export const cancelFundamentalData = defineMessage(53, "cancelFundamentalData", [version(), int("reqId")]);

// Simulator -> client.
export const fundamentalData = defineMessage(51, "fundamentalData", [version(), int("reqId"), str("data")]);
