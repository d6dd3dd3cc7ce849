import { ServerVersion } from "../server-version.js";
import { bool, decimal, double, group, int, optInt, str, version, when } from "../wire/fields.js";
import { defineMessage } from "../wire/layout.js";
import { requestContractFields } from "./contract-fields.js";

/**
 * Contract reference data, both directions: contract details, symbol search, option chain parameters, market rules,
 * SMART components and depth exchanges. Layouts for server versions 176..193 (all past SIZE_RULES, so contractData and
 * bondContractData carry no version token).
 */

export const reqContractDetails = defineMessage(9, "reqContractDetails", [
  version(8),
  int("reqId"),
  ...requestContractFields,
  bool("includeExpired"),
  str("secIdType"),
  str("secId"),
  str("issuerId").orAbsent(),
]);

const secIdList = group("secIdList", [str("tag"), str("value")]);

/** The 17 FUND fields, sent only when secType is FUND (the client decides on the secType it just read). */
const fundFields = [
  str("fundName"),
  str("fundFamily"),
  str("fundType"),
  str("fundFrontLoad"),
  str("fundBackLoad"),
  str("fundBackLoadTimeInterval"),
  str("fundManagementFee"),
  bool("fundClosed"),
  bool("fundClosedForNewInvestors"),
  bool("fundClosedForNewMoney"),
  str("fundNotifyAmount"),
  str("fundMinimumInitialPurchase"),
  str("fundSubsequentMinimumPurchase"),
  str("fundBlueSkyStates"),
  str("fundBlueSkyTerritories"),
  str("fundDistributionPolicyIndicator"),
  str("fundAssetType"),
] as const;

export const contractData = defineMessage(10, "contractData", [
  int("reqId"),
  str("symbol"),
  str("secType"),
  str("lastTradeDateOrContractMonth"),
  str("lastTradeDate").since(ServerVersion.LAST_TRADE_DATE),
  double("strike"),
  str("right"),
  str("exchange"),
  str("currency"),
  str("localSymbol"),
  str("marketName"),
  str("tradingClass"),
  int("conId"),
  double("minTick"),
  // A string at IB (EDecoder readStr): "" for a stock, "100" for an option. Never the unset-double sentinel.
  str("multiplier"),
  str("orderTypes"),
  str("validExchanges"),
  int("priceMagnifier"),
  int("underConId"),
  str("longName"),
  str("primaryExch"),
  str("contractMonth"),
  str("industry"),
  str("category"),
  str("subcategory"),
  str("timeZoneId"),
  str("tradingHours"),
  str("liquidHours"),
  str("evRule"),
  // TWS sends "" when the contract has no economic-value multiplier (every reference decoder reads "" as 0 / unset),
  // and an integer otherwise: IB's Python decoder reads it with int(), so "2.5" would throw there.
  optInt("evMultiplier"),
  secIdList,
  int("aggGroup"),
  str("underSymbol"),
  str("underSecType"),
  str("marketRuleIds"),
  str("realExpirationDate"),
  str("stockType"),
  decimal("minSize"),
  decimal("sizeIncrement"),
  decimal("suggestedSizeIncrement"),
  when((values) => values.secType === "FUND", fundFields, { since: ServerVersion.FUND_DATA_FIELDS }),
  group("ineligibilityReasons", [str("id"), str("description")]).since(ServerVersion.INELIGIBILITY_REASONS),
]);

/** Bonds answer reqContractDetails with this instead of contractData (IBApi emits bondContractDetails). */
export const bondContractData = defineMessage(18, "bondContractData", [
  int("reqId"),
  str("symbol"),
  str("secType"),
  str("cusip"),
  double("coupon"),
  str("maturity"),
  str("issueDate"),
  str("ratings"),
  str("bondType"),
  str("couponType"),
  bool("convertible"),
  bool("callable"),
  bool("putable"),
  str("descAppend"),
  str("exchange"),
  str("currency"),
  str("marketName"),
  str("tradingClass"),
  int("conId"),
  double("minTick"),
  str("orderTypes"),
  str("validExchanges"),
  str("nextOptionDate"),
  str("nextOptionType"),
  bool("nextOptionPartial"),
  str("notes"),
  str("longName"),
  str("timeZoneId").since(ServerVersion.BOND_TRADING_HOURS),
  str("tradingHours").since(ServerVersion.BOND_TRADING_HOURS),
  str("liquidHours").since(ServerVersion.BOND_TRADING_HOURS),
  str("evRule"),
  // TWS sends "" when the contract has no economic-value multiplier (every reference decoder reads "" as 0 / unset),
  // and an integer otherwise: IB's Python decoder reads it with int(), so "2.5" would throw there.
  optInt("evMultiplier"),
  secIdList,
  int("aggGroup"),
  str("marketRuleIds"),
  decimal("minSize"),
  decimal("sizeIncrement"),
  decimal("suggestedSizeIncrement"),
]);

export const contractDataEnd = defineMessage(52, "contractDataEnd", [version(), int("reqId")]);

export const reqMatchingSymbols = defineMessage(81, "reqMatchingSymbols", [int("reqId"), str("pattern")]);

export const symbolSamples = defineMessage(79, "symbolSamples", [
  int("reqId"),
  group("contractDescriptions", [
    int("conId"),
    str("symbol"),
    str("secType"),
    str("primaryExch"),
    str("currency"),
    group("derivativeSecTypes", [str("secType")]),
    str("description"),
    str("issuerId"),
  ]),
]);

export const reqSecDefOptParams = defineMessage(78, "reqSecDefOptParams", [
  int("reqId"),
  str("underlyingSymbol"),
  str("futFopExchange"),
  str("underlyingSecType"),
  int("underlyingConId"),
]);

export const securityDefinitionOptionParameter = defineMessage(75, "securityDefinitionOptionParameter", [
  int("reqId"),
  str("exchange"),
  int("underlyingConId"),
  str("tradingClass"),
  // A string at IB (EDecoder readStr), e.g. "100".
  str("multiplier"),
  group("expirations", [str("expiration")]),
  group("strikes", [double("strike")]),
]);

export const securityDefinitionOptionParameterEnd = defineMessage(76, "securityDefinitionOptionParameterEnd", [
  int("reqId"),
]);

export const reqMarketRule = defineMessage(91, "reqMarketRule", [int("marketRuleId")]);

export const marketRule = defineMessage(93, "marketRule", [
  int("marketRuleId"),
  group("priceIncrements", [double("lowEdge"), double("increment")]),
]);

export const reqSmartComponents = defineMessage(83, "reqSmartComponents", [int("reqId"), str("bboExchange")]);

export const smartComponents = defineMessage(82, "smartComponents", [
  int("reqId"),
  group("components", [int("bitNumber"), str("exchange"), str("exchangeLetter")]),
]);

export const reqMktDepthExchanges = defineMessage(82, "reqMktDepthExchanges", []);

export const mktDepthExchanges = defineMessage(80, "mktDepthExchanges", [
  group("descriptions", [
    str("exchange"),
    str("secType"),
    str("listingExch"),
    str("serviceDataType"),
    optInt("aggGroup"),
  ]),
]);
