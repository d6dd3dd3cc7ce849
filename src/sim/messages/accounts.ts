import { bool, decimal, double, group, int, str, version } from "../wire/fields.js";
import { defineMessage } from "../wire/layout.js";
import { contractIdentity } from "./contract-fields.js";

/**
 * Accounts and portfolio, both directions: account updates, account summary, positions (plain and multi), PnL and
 * family codes. Requests follow @stoqey/ib's encoder, answers its decoder (decodeMsg_ACCT_VALUE, _PORTFOLIO_VALUE...).
 * None of these layouts changes between server versions 176 and 193.
 */

// Client -> simulator.

/** One account at a time per client: subscribing another switches; `subscribe` false stops. */
export const reqAccountUpdates = defineMessage(6, "reqAccountUpdates", [
  version(2),
  bool("subscribe"),
  str("acctCode"),
]);
export const reqPositions = defineMessage(61, "reqPositions", [version()]);
/** `tags` is a comma list (AccountSummaryTags, "$LEDGER", "$LEDGER:ALL", "$LEDGER:EUR"...). */
export const reqAccountSummary = defineMessage(62, "reqAccountSummary", [
  version(),
  int("reqId"),
  str("group"),
  str("tags"),
]);
export const cancelAccountSummary = defineMessage(63, "cancelAccountSummary", [version(), int("reqId")]);
export const cancelPositions = defineMessage(64, "cancelPositions", [version()]);
export const reqPositionsMulti = defineMessage(74, "reqPositionsMulti", [
  version(),
  int("reqId"),
  str("account"),
  str("modelCode"),
]);
export const cancelPositionsMulti = defineMessage(75, "cancelPositionsMulti", [version(), int("reqId")]);
export const reqAccountUpdatesMulti = defineMessage(76, "reqAccountUpdatesMulti", [
  version(2),
  int("reqId"),
  str("account"),
  str("modelCode"),
  bool("ledgerAndNLV"),
]);
export const cancelAccountUpdatesMulti = defineMessage(77, "cancelAccountUpdatesMulti", [version(2), int("reqId")]);
export const reqFamilyCodes = defineMessage(80, "reqFamilyCodes", []);
export const reqPnL = defineMessage(92, "reqPnL", [int("reqId"), str("account"), str("modelCode")]);
export const cancelPnL = defineMessage(93, "cancelPnL", [int("reqId")]);
export const reqPnLSingle = defineMessage(94, "reqPnLSingle", [
  int("reqId"),
  str("account"),
  str("modelCode"),
  int("conId"),
]);
export const cancelPnLSingle = defineMessage(95, "cancelPnLSingle", [int("reqId")]);

// Simulator -> client.

/** Values are strings on the wire ("123456.78", "true", "USD"); currency "" for unitless keys, "BASE" for totals. */
export const updateAccountValue = defineMessage(6, "updateAccountValue", [
  version(2),
  str("key"),
  str("value"),
  str("currency"),
  str("accountName"),
]);

/**
 * The contract as position-style messages carry it. Java reads the multiplier as a string, IBApi with readDouble:
 * TWS's "" for a stock reads as 0, "100" as 100; sending the catalog's string keeps both faithful.
 */
const heldContract = (exchangeField: "exchange" | "primaryExch") =>
  [
    ...contractIdentity,
    str("multiplier"),
    str(exchangeField),
    str("currency"),
    str("localSymbol"),
    str("tradingClass"),
  ] as const;

/** Version 8: conId, multiplier, primaryExch, localSymbol, tradingClass, the PnL columns and the account. */
export const updatePortfolio = defineMessage(7, "updatePortfolio", [
  version(8),
  ...heldContract("primaryExch"),
  decimal("position"),
  double("marketPrice"),
  double("marketValue"),
  double("averageCost"),
  double("unrealizedPNL"),
  double("realizedPNL"),
  str("accountName"),
]);
/** "HH:mm": when the account values were last computed. */
export const updateAccountTime = defineMessage(8, "updateAccountTime", [version(), str("timeStamp")]);
export const accountDownloadEnd = defineMessage(54, "accountDownloadEnd", [version(), str("accountName")]);

export const position = defineMessage(61, "position", [
  version(3),
  str("account"),
  ...heldContract("exchange"),
  decimal("position"),
  double("avgCost"),
]);
export const positionEnd = defineMessage(62, "positionEnd", [version()]);
export const accountSummary = defineMessage(63, "accountSummary", [
  version(),
  int("reqId"),
  str("account"),
  str("tag"),
  str("value"),
  str("currency"),
]);
export const accountSummaryEnd = defineMessage(64, "accountSummaryEnd", [version(), int("reqId")]);

export const positionMulti = defineMessage(71, "positionMulti", [
  version(),
  int("reqId"),
  str("account"),
  ...heldContract("exchange"),
  decimal("position"),
  double("avgCost"),
  str("modelCode"),
]);
export const positionMultiEnd = defineMessage(72, "positionMultiEnd", [version(), int("reqId")]);
export const accountUpdateMulti = defineMessage(73, "accountUpdateMulti", [
  version(),
  int("reqId"),
  str("account"),
  str("modelCode"),
  str("key"),
  str("value"),
  str("currency"),
]);
export const accountUpdateMultiEnd = defineMessage(74, "accountUpdateMultiEnd", [version(), int("reqId")]);

export const familyCodes = defineMessage(78, "familyCodes", [
  group("familyCodes", [str("accountID"), str("familyCode")]),
]);

/** Both from server version 135 on (UNREALIZED_PNL 129, REALIZED_PNL 135), so unconditional at 176+. */
export const pnl = defineMessage(94, "pnl", [
  int("reqId"),
  double("dailyPnL"),
  double("unrealizedPnL"),
  double("realizedPnL"),
]);
export const pnlSingle = defineMessage(95, "pnlSingle", [
  int("reqId"),
  decimal("position"),
  double("dailyPnL"),
  double("unrealizedPnL"),
  double("realizedPnL"),
  double("value"),
]);
