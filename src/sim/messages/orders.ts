import { ServerVersion } from "../server-version.js";
import { bool, decimal, double, group, int, optBool, optDouble, optInt, str, version, when } from "../wire/fields.js";
import { defineMessage, type MessageValues } from "../wire/layout.js";
import { contractIdentity, requestContractFields } from "./contract-fields.js";

/**
 * Orders, both directions: placeOrder / cancelOrder / the open- and completed-order requests, and openOrder /
 * orderStatus / completedOrder. Request layouts follow @stoqey/ib's encoder.placeOrder token by token; answer layouts
 * follow IB's EOrderDecoder (openOrder reads with version = serverVersion, completedOrder with version = MAX, so the
 * two differ in which blocks they read). Both carry faProfile below FA_PROFILE_DESUPPORT (177): IB gates it on the
 * server version in both; @stoqey/ib 1.6.10 gates completedOrder's on its message version (MAX) and so never reads it,
 * which shifts every later field of a completedOrder at 176 (docs/sim-conformance.md: ibrpc needs 177+ for them).
 *
 * Field names are shared between placeOrder and the answers where the value is the same, so an answer can echo the
 * order as placed (`{ ...request, status, ... }`).
 */

const isBag = (values: Readonly<Record<string, unknown>>) => String(values.secType ?? "").toUpperCase() === "BAG";
const nonEmpty = (name: string) => (values: Readonly<Record<string, unknown>>) =>
  typeof values[name] === "string" && values[name] !== "";
const orderTypeIs =
  (...types: string[]) =>
  (values: Readonly<Record<string, unknown>>) =>
    types.includes(String(values.orderType ?? "").toUpperCase());

/** OrderConditionType values (Price 1, Time 3, Margin 4, Execution 5, Volume 6, PercentChange 7). */
const ConditionType = { PRICE: 1, TIME: 3, MARGIN: 4, EXECUTION: 5, VOLUME: 6, PERCENT_CHANGE: 7 } as const;
const conditionTypeIn =
  (...types: number[]) =>
  (values: Readonly<Record<string, unknown>>) =>
    types.includes(values.type as number);

/**
 * One order condition, the same both ways. `value` stays a string: the client sends strValue and reads it back as
 * int (margin, volume), double (price, percent) or string (time), so echoing the token keeps it exact.
 */
const orderConditions = group("conditions", [
  int("type"),
  str("conjunctionConnection"),
  when(conditionTypeIn(ConditionType.EXECUTION), [str("secType"), str("exchange"), str("symbol")]),
  when((values) => values.type !== ConditionType.EXECUTION, [bool("isMore"), str("value")]),
  when(conditionTypeIn(ConditionType.PRICE, ConditionType.VOLUME, ConditionType.PERCENT_CHANGE), [
    int("conId"),
    str("exchange"),
  ]),
  when(conditionTypeIn(ConditionType.PRICE), [int("triggerMethod")]),
]);
const conditionFlags = when(
  (values) => ((values.conditions as unknown[] | undefined)?.length ?? 0) > 0,
  [bool("conditionsIgnoreRth"), bool("conditionsCancelOrder")],
);

const algoBlock = [
  str("algoStrategy"),
  when(nonEmpty("algoStrategy"), [group("algoParams", [str("tag"), str("value")])]),
];
const hedgeBlock = [str("hedgeType"), when(nonEmpty("hedgeType"), [str("hedgeParam")])];
const smartComboRoutingParams = group("smartComboRoutingParams", [str("tag"), str("value")]);
const orderComboLegs = group("orderComboLegs", [optDouble("price")]);
const comboLegs = group("comboLegs", [
  int("conId"),
  int("ratio"),
  str("action"),
  str("exchange"),
  int("openClose"),
  int("shortSaleSlot"),
  str("designatedLocation"),
  int("exemptCode"),
]);
const deltaNeutralContract = [
  bool("deltaNeutralContractPresent"),
  when(
    (values) => values.deltaNeutralContractPresent === true,
    [int("deltaNeutralContractConId"), double("deltaNeutralContractDelta"), double("deltaNeutralContractPrice")],
  ),
];
const pegToBenchmark = when(orderTypeIs("PEG BENCH", "PEGBENCH"), [
  int("referenceContractId"),
  bool("isPeggedChangeAmountDecrease"),
  optDouble("peggedChangeAmount"),
  optDouble("referenceChangeAmount"),
  str("referenceExchangeId"),
]);
const scaleExtras = [
  optDouble("scalePriceAdjustValue"),
  optInt("scalePriceAdjustInterval"),
  optDouble("scaleProfitOffset"),
  bool("scaleAutoReset"),
  optInt("scaleInitPosition"),
  optInt("scaleInitFillQty"),
  bool("scaleRandomPercent"),
] as const;

/** The delta-neutral attributes placeOrder and openOrder carry when deltaNeutralOrderType is set. */
const deltaNeutralBlock = when(nonEmpty("deltaNeutralOrderType"), [
  int("deltaNeutralConId"),
  str("deltaNeutralSettlingFirm"),
  str("deltaNeutralClearingAccount"),
  str("deltaNeutralClearingIntent"),
  str("deltaNeutralOpenClose"),
  bool("deltaNeutralShortSale"),
  int("deltaNeutralShortSaleSlot"),
  str("deltaNeutralDesignatedLocation"),
]);

/** The order fields placeOrder and openOrder both start with, from action to orderRef. */
const orderHead = [
  str("action"),
  decimal("totalQuantity"),
  str("orderType"),
  optDouble("lmtPrice"),
  optDouble("auxPrice"),
  str("tif"),
  str("ocaGroup"),
  str("account"),
  str("openClose"),
  int("origin"),
  str("orderRef"),
] as const;

/**
 * competeAgainstBestOffset "up to mid" is +infinity: Java and @stoqey/ib send "Infinity", Python's ibapi "inf",
 * ib_async "Infinite". The mid offsets follow only then.
 */
function isUpToMid(token: unknown): boolean {
  return typeof token === "string" && /^\+?inf(inity|inite)?$/i.test(token);
}

/** placeOrder at 176..193 (no version token since ORDER_CONTAINER): 115 tokens for a plain LMT at 176, 118 later. */
export const placeOrder = defineMessage(3, "placeOrder", [
  int("orderId"),
  ...requestContractFields,
  str("secIdType"),
  str("secId"),
  ...orderHead,
  optBool("transmit"),
  int("parentId"),
  bool("blockOrder"),
  bool("sweepToFill"),
  optInt("displaySize"),
  int("triggerMethod"),
  bool("outsideRth"),
  bool("hidden"),
  when(isBag, [comboLegs, orderComboLegs, smartComboRoutingParams]),
  str("sharesAllocation"),
  optDouble("discretionaryAmt"),
  str("goodAfterTime"),
  str("goodTillDate"),
  str("faGroup"),
  str("faMethod"),
  str("faPercentage"),
  str("faProfile").until(ServerVersion.FA_PROFILE_DESUPPORT),
  str("modelCode"),
  int("shortSaleSlot"),
  str("designatedLocation"),
  int("exemptCode"),
  int("ocaType"),
  str("rule80A"),
  str("settlingFirm"),
  bool("allOrNone"),
  optInt("minQty"),
  optDouble("percentOffset"),
  bool("eTradeOnly"),
  bool("firmQuoteOnly"),
  optDouble("nbboPriceCap"),
  optInt("auctionStrategy"),
  optDouble("startingPrice"),
  optDouble("stockRefPrice"),
  optDouble("delta"),
  optDouble("stockRangeLower"),
  optDouble("stockRangeUpper"),
  bool("overridePercentageConstraints"),
  optDouble("volatility"),
  optInt("volatilityType"),
  str("deltaNeutralOrderType"),
  optDouble("deltaNeutralAuxPrice"),
  deltaNeutralBlock,
  int("continuousUpdate"),
  optInt("referencePriceType"),
  optDouble("trailStopPrice"),
  optDouble("trailingPercent"),
  optInt("scaleInitLevelSize"),
  optInt("scaleSubsLevelSize"),
  optDouble("scalePriceIncrement"),
  // The encoder sends these whenever scalePriceIncrement is defined, even 0: a non-empty token is the only sign.
  when((values) => values.scalePriceIncrement !== undefined, scaleExtras),
  str("scaleTable"),
  str("activeStartTime"),
  str("activeStopTime"),
  ...hedgeBlock,
  bool("optOutSmartRouting"),
  str("clearingAccount"),
  str("clearingIntent"),
  bool("notHeld"),
  ...deltaNeutralContract,
  ...algoBlock,
  str("algoId"),
  bool("whatIf"),
  str("orderMiscOptions"),
  bool("solicited"),
  bool("randomizeSize"),
  bool("randomizePrice"),
  pegToBenchmark,
  orderConditions,
  conditionFlags,
  str("adjustedOrderType"),
  optDouble("triggerPrice"),
  optDouble("lmtPriceOffset"),
  optDouble("adjustedStopPrice"),
  optDouble("adjustedStopLimitPrice"),
  optDouble("adjustedTrailingAmount"),
  int("adjustableTrailingUnit"),
  str("extOperator"),
  str("softDollarTierName"),
  str("softDollarTierValue"),
  optDouble("cashQty"),
  str("mifid2DecisionMaker"),
  str("mifid2DecisionAlgo"),
  str("mifid2ExecutionTrader"),
  str("mifid2ExecutionAlgo"),
  bool("dontUseAutoPriceForHedge"),
  bool("isOmsContainer"),
  bool("discretionaryUpToLimitPrice"),
  optBool("usePriceMgmtAlgo"),
  optInt("duration"),
  optInt("postToAts"),
  bool("autoCancelParent"),
  str("advancedErrorOverride"),
  str("manualOrderTime"),
  when((values) => String(values.exchange ?? "") === "IBKRATS", [optInt("minTradeQty")]),
  when(orderTypeIs("PEG BEST", "PEGBEST"), [
    optInt("minCompeteSize"),
    // A string, because "Infinity" (compete up to mid) decides whether the mid offsets follow.
    str("competeAgainstBestOffset"),
  ]),
  when(
    (values) =>
      orderTypeIs("PEG MID", "PEGMID")(values) ||
      (orderTypeIs("PEG BEST", "PEGBEST")(values) && isUpToMid(values.competeAgainstBestOffset)),
    [optDouble("midOffsetAtWhole"), optDouble("midOffsetAtHalf")],
  ),
  str("customerAccount").since(ServerVersion.CUSTOMER_ACCOUNT).orAbsent(),
  bool("professionalCustomer").since(ServerVersion.PROFESSIONAL_CUSTOMER).orAbsent(),
  // Two placeholders the 187..189 encoders send ("" and Integer.MAX) for RFQ fields TWS withdrew in 190.
  str("rfqPlaceholder").since(ServerVersion.RFQ_FIELDS).until(ServerVersion.UNDO_RFQ_FIELDS).orAbsent(),
  optInt("rfqPlaceholderId").since(ServerVersion.RFQ_FIELDS).until(ServerVersion.UNDO_RFQ_FIELDS).orAbsent(),
  bool("includeOvernight").since(ServerVersion.INCLUDE_OVERNIGHT).orAbsent(),
  optInt("manualOrderIndicator").since(ServerVersion.CME_TAGGING_FIELDS).orAbsent(),
]);

export type PlaceOrderRequest = MessageValues<typeof placeOrder>;

/** cancelOrder: 4 tokens at 176, 7 at 187 (RFQ placeholders), 5 at 193 (no version from 192). */
export const cancelOrder = defineMessage(4, "cancelOrder", [
  version().until(ServerVersion.CME_TAGGING_FIELDS),
  int("orderId"),
  // Trailing fields a client written for an older server version leaves out (ib_async sends only the cancel time).
  str("manualOrderCancelTime").orAbsent(),
  str("rfqPlaceholder").since(ServerVersion.RFQ_FIELDS).until(ServerVersion.UNDO_RFQ_FIELDS).orAbsent(),
  str("rfqPlaceholder2").since(ServerVersion.RFQ_FIELDS).until(ServerVersion.UNDO_RFQ_FIELDS).orAbsent(),
  optInt("rfqPlaceholderId").since(ServerVersion.RFQ_FIELDS).until(ServerVersion.UNDO_RFQ_FIELDS).orAbsent(),
  str("extOperator").since(ServerVersion.CME_TAGGING_FIELDS).orAbsent(),
  optInt("manualOrderIndicator").since(ServerVersion.CME_TAGGING_FIELDS).orAbsent(),
]);

export const reqGlobalCancel = defineMessage(58, "reqGlobalCancel", [
  version().until(ServerVersion.CME_TAGGING_FIELDS),
  str("extOperator").since(ServerVersion.CME_TAGGING_FIELDS).orAbsent(),
  optInt("manualOrderIndicator").since(ServerVersion.CME_TAGGING_FIELDS).orAbsent(),
]);

export const reqOpenOrders = defineMessage(5, "reqOpenOrders", [version()]);
export const reqAllOpenOrders = defineMessage(16, "reqAllOpenOrders", [version()]);
export const reqAutoOpenOrders = defineMessage(15, "reqAutoOpenOrders", [version(), bool("autoBind")]);
export const reqCompletedOrders = defineMessage(99, "reqCompletedOrders", [bool("apiOnly")]);

/** No version token (since MARKET_CAP_PRICE). */
export const orderStatus = defineMessage(3, "orderStatus", [
  int("orderId"),
  str("status"),
  decimal("filled"),
  decimal("remaining"),
  double("avgFillPrice"),
  int("permId"),
  int("parentId"),
  double("lastFillPrice"),
  int("clientId"),
  str("whyHeld"),
  double("mktCapPrice"),
]);

/** The 11 contract fields openOrder and completedOrder start with (no primaryExch, multiplier as a string). */
const orderContractFields = [
  ...contractIdentity,
  str("multiplier"),
  str("exchange"),
  str("currency"),
  str("localSymbol"),
  str("tradingClass"),
] as const;

/** completedOrder reads the delta-neutral block without the open-order attributes (settling firm... open/close). */
const completedOrderDeltaNeutral = when(nonEmpty("deltaNeutralOrderType"), [
  int("deltaNeutralConId"),
  bool("deltaNeutralShortSale"),
  int("deltaNeutralShortSaleSlot"),
  str("deltaNeutralDesignatedLocation"),
]);

/** Both answers send the 7 extra scale fields only for a positive increment (unlike placeOrder). */
const scaleBlock = [
  optInt("scaleInitLevelSize"),
  optInt("scaleSubsLevelSize"),
  optDouble("scalePriceIncrement"),
  when((values) => ((values.scalePriceIncrement as number | undefined) ?? 0) > 0, scaleExtras),
] as const;

const comboBlock = [str("comboLegsDescription"), comboLegs, orderComboLegs, smartComboRoutingParams] as const;

const pegBestPegMid = [
  optInt("minTradeQty"),
  optInt("minCompeteSize"),
  optDouble("competeAgainstBestOffset"),
  optDouble("midOffsetAtWhole"),
  optDouble("midOffsetAtHalf"),
] as const;

/** The what-if / state block of openOrder (OrderState). */
const orderStateBlock = [
  bool("whatIf"),
  str("status"),
  optDouble("initMarginBefore"),
  optDouble("maintMarginBefore"),
  optDouble("equityWithLoanBefore"),
  optDouble("initMarginChange"),
  optDouble("maintMarginChange"),
  optDouble("equityWithLoanChange"),
  optDouble("initMarginAfter"),
  optDouble("maintMarginAfter"),
  optDouble("equityWithLoanAfter"),
  optDouble("commission"),
  optDouble("minCommission"),
  optDouble("maxCommission"),
  str("commissionCurrency"),
  str("warningText"),
] as const;

/** openOrder (no version token since ORDER_CONTAINER): 128 tokens for a plain LMT at 176, 130 at 187, 133 at 193. */
export const openOrder = defineMessage(5, "openOrder", [
  int("orderId"),
  ...orderContractFields,
  ...orderHead,
  int("clientId"),
  int("permId"),
  bool("outsideRth"),
  bool("hidden"),
  double("discretionaryAmt"),
  str("goodAfterTime"),
  str("sharesAllocation"),
  str("faGroup"),
  str("faMethod"),
  str("faPercentage"),
  str("faProfile").until(ServerVersion.FA_PROFILE_DESUPPORT),
  str("modelCode"),
  str("goodTillDate"),
  str("rule80A"),
  optDouble("percentOffset"),
  str("settlingFirm"),
  int("shortSaleSlot"),
  str("designatedLocation"),
  int("exemptCode"),
  int("auctionStrategy"),
  optDouble("startingPrice"),
  optDouble("stockRefPrice"),
  optDouble("delta"),
  optDouble("stockRangeLower"),
  optDouble("stockRangeUpper"),
  optInt("displaySize"),
  bool("blockOrder"),
  bool("sweepToFill"),
  bool("allOrNone"),
  optInt("minQty"),
  int("ocaType"),
  bool("eTradeOnly"),
  bool("firmQuoteOnly"),
  optDouble("nbboPriceCap"),
  int("parentId"),
  int("triggerMethod"),
  optDouble("volatility"),
  int("volatilityType"),
  str("deltaNeutralOrderType"),
  optDouble("deltaNeutralAuxPrice"),
  deltaNeutralBlock,
  int("continuousUpdate"),
  int("referencePriceType"),
  optDouble("trailStopPrice"),
  optDouble("trailingPercent"),
  optDouble("basisPoints"),
  optInt("basisPointsType"),
  ...comboBlock,
  ...scaleBlock,
  ...hedgeBlock,
  bool("optOutSmartRouting"),
  str("clearingAccount"),
  str("clearingIntent"),
  bool("notHeld"),
  ...deltaNeutralContract,
  ...algoBlock,
  bool("solicited"),
  ...orderStateBlock,
  bool("randomizeSize"),
  bool("randomizePrice"),
  pegToBenchmark,
  orderConditions,
  conditionFlags,
  str("adjustedOrderType"),
  optDouble("triggerPrice"),
  // The client reads trailStopPrice a second time here (as the Java EDecoder does): the same value goes out twice.
  optDouble("trailStopPrice"),
  optDouble("lmtPriceOffset"),
  optDouble("adjustedStopPrice"),
  optDouble("adjustedStopLimitPrice"),
  optDouble("adjustedTrailingAmount"),
  int("adjustableTrailingUnit"),
  str("softDollarTierName"),
  str("softDollarTierValue"),
  str("softDollarTierDisplayName"),
  optDouble("cashQty"),
  bool("dontUseAutoPriceForHedge"),
  bool("isOmsContainer"),
  bool("discretionaryUpToLimitPrice"),
  bool("usePriceMgmtAlgo"),
  int("duration"),
  optInt("postToAts"),
  bool("autoCancelParent"),
  ...pegBestPegMid,
  str("customerAccount").since(ServerVersion.CUSTOMER_ACCOUNT),
  bool("professionalCustomer").since(ServerVersion.PROFESSIONAL_CUSTOMER),
  str("bondAccruedInterest").since(ServerVersion.BOND_ACCRUED_INTEREST),
  bool("includeOvernight").since(ServerVersion.INCLUDE_OVERNIGHT),
  str("extOperator").since(ServerVersion.CME_TAGGING_FIELDS_IN_OPEN_ORDER),
  optInt("manualOrderIndicator").since(ServerVersion.CME_TAGGING_FIELDS_IN_OPEN_ORDER),
]);

export type OpenOrderValues = MessageValues<typeof openOrder>;

export const openOrderEnd = defineMessage(53, "openOrderEnd", [version()]);

/** completedOrder: no order id, client id, auction strategy, block order... and a trailing completion block. */
export const completedOrder = defineMessage(101, "completedOrder", [
  ...orderContractFields,
  ...orderHead,
  int("permId"),
  bool("outsideRth"),
  bool("hidden"),
  double("discretionaryAmt"),
  str("goodAfterTime"),
  str("faGroup"),
  str("faMethod"),
  str("faPercentage"),
  // IB's reference decoder reads this on the server version, as in openOrder (see the header).
  str("faProfile").until(ServerVersion.FA_PROFILE_DESUPPORT),
  str("modelCode"),
  str("goodTillDate"),
  str("rule80A"),
  optDouble("percentOffset"),
  str("settlingFirm"),
  int("shortSaleSlot"),
  str("designatedLocation"),
  int("exemptCode"),
  optDouble("startingPrice"),
  optDouble("stockRefPrice"),
  optDouble("delta"),
  optDouble("stockRangeLower"),
  optDouble("stockRangeUpper"),
  optInt("displaySize"),
  bool("sweepToFill"),
  bool("allOrNone"),
  optInt("minQty"),
  int("ocaType"),
  int("triggerMethod"),
  optDouble("volatility"),
  int("volatilityType"),
  str("deltaNeutralOrderType"),
  optDouble("deltaNeutralAuxPrice"),
  completedOrderDeltaNeutral,
  int("continuousUpdate"),
  int("referencePriceType"),
  optDouble("trailStopPrice"),
  optDouble("trailingPercent"),
  ...comboBlock,
  ...scaleBlock,
  ...hedgeBlock,
  str("clearingAccount"),
  str("clearingIntent"),
  bool("notHeld"),
  ...deltaNeutralContract,
  ...algoBlock,
  bool("solicited"),
  str("status"),
  bool("randomizeSize"),
  bool("randomizePrice"),
  pegToBenchmark,
  orderConditions,
  conditionFlags,
  optDouble("trailStopPrice"),
  optDouble("lmtPriceOffset"),
  optDouble("cashQty"),
  bool("dontUseAutoPriceForHedge"),
  bool("isOmsContainer"),
  str("autoCancelDate"),
  decimal("filledQuantity"),
  int("refFuturesConId"),
  bool("autoCancelParent"),
  str("shareholder"),
  bool("imbalanceOnly"),
  bool("routeMarketableToBbo"),
  int("parentPermId"),
  str("completedTime"),
  str("completedStatus"),
  ...pegBestPegMid,
  str("customerAccount").since(ServerVersion.CUSTOMER_ACCOUNT),
  bool("professionalCustomer").since(ServerVersion.PROFESSIONAL_CUSTOMER),
]);

export type CompletedOrderValues = MessageValues<typeof completedOrder>;

export const completedOrdersEnd = defineMessage(102, "completedOrdersEnd", []);
