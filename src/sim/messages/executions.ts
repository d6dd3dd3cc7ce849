import { ServerVersion } from "../server-version.js";
import { bool, decimal, double, int, optDouble, optInt, str, version } from "../wire/fields.js";
import { defineMessage, type MessageValues } from "../wire/layout.js";
import { contractIdentity } from "./contract-fields.js";

/** Executions, both directions: reqExecutions and its answers, and the commission report that follows each fill. */

/** The filter fields arrive as the client's ExecutionFilter; "" (unset) matches everything. */
export const reqExecutions = defineMessage(7, "reqExecutions", [
  version(3),
  int("reqId"),
  optInt("clientId"),
  str("acctCode"),
  str("time"),
  str("symbol"),
  str("secType"),
  str("exchange"),
  str("side"),
]);

export type ExecutionFilterRequest = MessageValues<typeof reqExecutions>;

/**
 * execDetails (no version token since LAST_LIQUIDITY): 31 tokens at 176, 32 from 178. reqId is -1 for a live fill.
 * `exchange` is the contract's, `executionExchange` where it traded.
 */
export const execDetails = defineMessage(11, "execDetails", [
  int("reqId"),
  int("orderId"),
  ...contractIdentity,
  // A string at IB (EDecoder readStr from version 9): "" for a stock, never the unset-double sentinel.
  str("multiplier"),
  str("exchange"),
  str("currency"),
  str("localSymbol"),
  str("tradingClass"),
  str("execId"),
  str("time"),
  str("acctNumber"),
  str("executionExchange"),
  str("side"),
  decimal("shares"),
  double("price"),
  int("permId"),
  int("clientId"),
  int("liquidation"),
  decimal("cumQty"),
  double("avgPrice"),
  str("orderRef"),
  str("evRule"),
  // "" when not applicable, as TWS sends it.
  optDouble("evMultiplier"),
  str("modelCode"),
  int("lastLiquidity"),
  bool("pendingPriceRevision").since(ServerVersion.PENDING_PRICE_REVISION),
]);

export type ExecDetailsValues = MessageValues<typeof execDetails>;

export const execDetailsEnd = defineMessage(55, "execDetailsEnd", [version(), int("reqId")]);

/** realizedPNL and yield unset go out as MAX (the client reads them with readDouble, "" would read as 0). */
export const commissionReport = defineMessage(59, "commissionReport", [
  version(),
  str("execId"),
  double("commission"),
  str("currency"),
  double("realizedPNL"),
  double("yield"),
  int("yieldRedemptionDate"),
]);
