import { branch, fields, list, type Step, since, t, unsetOk, type Values } from "./steps.js";

/**
 * Server -> client messages as IB's reference decoder reads them at server versions 176..193 (the text protocol; 201+
 * is protobuf). Sources: EDecoder.java / decoder.py (IB's TWS API 10.19-10.30) and EOrderDecoder / orderdecoder.py,
 * cross-checked with scmhub/ibapi's decoder.go and order_decoder.go (a line-by-line Go port of 10.37+). Gates use IB's
 * MIN_SERVER_VER names below. "v" is a message version token the reference reads and ignores.
 */
const V = {
  FA_PROFILE_DESUPPORT: 177,
  PENDING_PRICE_REVISION: 178,
  FUND_DATA_FIELDS: 179,
  LAST_TRADE_DATE: 182,
  CUSTOMER_ACCOUNT: 183,
  PROFESSIONAL_CUSTOMER: 184,
  BOND_ACCRUED_INTEREST: 185,
  INELIGIBILITY_REASONS: 186,
  BOND_TRADING_HOURS: 188,
  INCLUDE_OVERNIGHT: 189,
  CME_TAGGING_FIELDS_IN_OPEN_ORDER: 193,
} as const;

const version = t("i", "version");

/** conId .. right: the head every contract-carrying message shares. */
const contractHead = fields("i:conId s:symbol s:secType s:lastTradeDateOrContractMonth f:strike s:right");

/** EOrderDecoder.readContractFields (message version >= 32 at 176+). */
const orderContract = [...contractHead, ...fields("s:multiplier s:exchange s:currency s:localSymbol s:tradingClass")];

const isFund = (values: Values) => values.secType === "FUND";

/** The 17 fund fields (FUND_DATA_FIELDS, only for secType FUND). */
const fundFields = fields(`s:fundName s:fundFamily s:fundType s:fundFrontLoad s:fundBackLoad
  s:fundBackLoadTimeInterval s:fundManagementFee b:fundClosed b:fundClosedForNewInvestors b:fundClosedForNewMoney
  s:fundNotifyAmount s:fundMinimumInitialPurchase s:fundSubsequentMinimumPurchase s:fundBlueSkyStates
  s:fundBlueSkyTerritories s:fundDistributionPolicyIndicator s:fundAssetType`);

/** The order fields openOrder and completedOrder share up to the FA block (readAction .. readGoodAfterTime). */
const orderHead = fields("s:action d:totalQuantity s:orderType fm:lmtPrice fm:auxPrice s:tif s:ocaGroup s:account");

const faParams = [
  ...fields("s:faGroup s:faMethod s:faPercentage"),
  t("s", "faProfile", { until: V.FA_PROFILE_DESUPPORT }),
];

/** readVolOrderParams(readOpenOrderAttribs): the settling firm .. open close fields exist only in openOrder. */
function volOrderParams(openOrderAttributes: boolean): Step[] {
  const hasDeltaNeutral = (values: Values) => values.deltaNeutralOrderType !== "";
  return [
    ...fields("fm:volatility i:volatilityType s:deltaNeutralOrderType fm:deltaNeutralAuxPrice"),
    branch(hasDeltaNeutral, [
      t("i", "deltaNeutralConId"),
      ...(openOrderAttributes
        ? fields("s:deltaNeutralSettlingFirm s:deltaNeutralClearingAccount s:deltaNeutralClearingIntent")
        : []),
      ...(openOrderAttributes ? fields("s:deltaNeutralOpenClose") : []),
      ...fields("b:deltaNeutralShortSale i:deltaNeutralShortSaleSlot s:deltaNeutralDesignatedLocation"),
    ]),
    ...fields("b:continuousUpdate i:referencePriceType"),
  ];
}

const comboLegs = [
  t("s", "comboLegsDescrip"),
  list(
    "comboLegs",
    fields("i:conId i:ratio s:action s:exchange i:openClose i:shortSaleSlot s:designatedLocation i:exemptCode"),
  ),
  list("orderComboLegs", fields("fm:price")),
  list("smartComboRoutingParams", fields("s:tag s:value")),
];

const scaleParams = [
  ...fields("im:scaleInitLevelSize im:scaleSubsLevelSize fm:scalePriceIncrement"),
  branch(
    (values) => {
      const increment = values.scalePriceIncrement;
      return typeof increment === "number" && increment > 0;
    },
    fields(`fm:scalePriceAdjustValue im:scalePriceAdjustInterval fm:scaleProfitOffset b:scaleAutoReset
      im:scaleInitPosition im:scaleInitFillQty b:scaleRandomPercent`),
  ),
];

const hedgeParams = [t("s", "hedgeType"), branch((values) => values.hedgeType !== "", fields("s:hedgeParam"))];

const deltaNeutralContract = [
  t("b", "deltaNeutralContractPresent"),
  branch((values) => values.deltaNeutralContractPresent === true, fields("i:dncConId f:dncDelta f:dncPrice")),
];

const algoParams = [
  t("s", "algoStrategy"),
  branch((values) => values.algoStrategy !== "", [list("algoParams", fields("s:tag s:value"))]),
];

const pegBench = branch(
  (values) => values.orderType === "PEG BENCH",
  [
    ...fields("i:referenceContractId b:isPeggedChangeAmountDecrease f:peggedChangeAmount f:referenceChangeAmount"),
    t("s", "referenceExchangeId"),
  ],
);

/**
 * Order conditions (OrderCondition.readFrom): type, then the conjunction and the type's own fields; an operator
 * condition's value is read as a string (valueFromString).
 * 1 price: conId exchange isMore price triggerMethod; 3 time: isMore time; 4 margin: isMore percent;
 * 5 execution: secType exchange symbol; 6 volume: conId exchange isMore volume; 7 percent change: conId exchange
 * isMore changePercent.
 */
const conditionBodies: Record<number, Step[]> = {
  1: fields("s:conjunction b:isMore s:price i:conId s:exchange i:triggerMethod"),
  3: fields("s:conjunction b:isMore s:time"),
  4: fields("s:conjunction b:isMore s:percent"),
  5: fields("s:conjunction s:secType s:exchange s:symbol"),
  6: fields("s:conjunction b:isMore s:volume i:conId s:exchange"),
  7: fields("s:conjunction b:isMore s:changePercent i:conId s:exchange"),
};
const conditions: Step[] = [
  list("conditions", [
    t("i", "type"),
    ...Object.entries(conditionBodies).map(([type, body]) => branch((values) => values.type === Number(type), body)),
  ]),
  branch(
    (values) => Array.isArray(values.conditions) && values.conditions.length > 0,
    fields("b:conditionsIgnoreRth b:conditionsCancelOrder"),
  ),
];

const pegBestPegMid = fields(
  "im:minTradeQty im:minCompeteSize fm:competeAgainstBestOffset fm:midOffsetAtWhole fm:midOffsetAtHalf",
);

/** EDecoder.processOpenOrderMsg (no version token since ORDER_CONTAINER). */
const openOrder: Step[] = [
  t("i", "orderId"),
  ...orderContract,
  ...orderHead,
  ...fields("s:openClose i:origin s:orderRef i:clientId i:permId b:outsideRth b:hidden f:discretionaryAmt"),
  ...fields("s:goodAfterTime s:sharesAllocation"),
  ...faParams,
  ...fields("s:modelCode s:goodTillDate s:rule80A fm:percentOffset s:settlingFirm"),
  ...fields("i:shortSaleSlot s:designatedLocation i:exemptCode i:auctionStrategy"),
  ...fields("fm:startingPrice fm:stockRefPrice fm:delta fm:stockRangeLower fm:stockRangeUpper im:displaySize"),
  ...fields("b:blockOrder b:sweepToFill b:allOrNone im:minQty i:ocaType b:eTradeOnly b:firmQuoteOnly fm:nbboPriceCap"),
  ...fields("i:parentId i:triggerMethod"),
  ...volOrderParams(true),
  ...fields("fm:trailStopPrice fm:trailingPercent fm:basisPoints im:basisPointsType"),
  ...comboLegs,
  ...scaleParams,
  ...hedgeParams,
  ...fields("b:optOutSmartRouting s:clearingAccount s:clearingIntent b:notHeld"),
  ...deltaNeutralContract,
  ...algoParams,
  t("b", "solicited"),
  // readWhatIfInfoAndCommission (WHAT_IF_EXT_FIELDS, 142): status, the nine margin strings, commissions, warning.
  ...fields("b:whatIf s:status"),
  ...fields(`s:initMarginBefore s:maintMarginBefore s:equityWithLoanBefore s:initMarginChange s:maintMarginChange
    s:equityWithLoanChange s:initMarginAfter s:maintMarginAfter s:equityWithLoanAfter`),
  ...fields("fm:commission fm:minCommission fm:maxCommission s:commissionCurrency s:warningText"),
  ...fields("b:randomizeSize b:randomizePrice"),
  pegBench,
  ...conditions,
  ...fields("s:adjustedOrderType f:triggerPrice f:trailStopPrice2 f:lmtPriceOffset f:adjustedStopPrice"),
  ...fields("f:adjustedStopLimitPrice f:adjustedTrailingAmount i:adjustableTrailingUnit"),
  ...fields("s:softDollarTierName s:softDollarTierValue s:softDollarTierDisplayName f:cashQty"),
  ...fields("b:dontUseAutoPriceForHedge b:isOmsContainer b:discretionaryUpToLimitPrice im:usePriceMgmtAlgo"),
  ...fields("im:duration im:postToAts b:autoCancelParent"),
  ...pegBestPegMid,
  since(V.CUSTOMER_ACCOUNT, "s", "customerAccount"),
  since(V.PROFESSIONAL_CUSTOMER, "b", "professionalCustomer"),
  since(V.BOND_ACCRUED_INTEREST, "s", "bondAccruedInterest"),
  since(V.INCLUDE_OVERNIGHT, "b", "includeOvernight"),
  since(V.CME_TAGGING_FIELDS_IN_OPEN_ORDER, "s", "extOperator"),
  since(V.CME_TAGGING_FIELDS_IN_OPEN_ORDER, "im", "manualOrderIndicator"),
];

/** EDecoder.processCompletedOrderMsg: no order id, client id, what-if block; autoCancelParent and imbalanceOnly always. */
const completedOrder: Step[] = [
  ...orderContract,
  ...orderHead,
  ...fields("s:openClose i:origin s:orderRef i:permId b:outsideRth b:hidden f:discretionaryAmt s:goodAfterTime"),
  ...faParams,
  ...fields("s:modelCode s:goodTillDate s:rule80A fm:percentOffset s:settlingFirm"),
  ...fields("i:shortSaleSlot s:designatedLocation i:exemptCode"),
  ...fields("fm:startingPrice fm:stockRefPrice fm:delta fm:stockRangeLower fm:stockRangeUpper im:displaySize"),
  ...fields("b:sweepToFill b:allOrNone im:minQty i:ocaType i:triggerMethod"),
  ...volOrderParams(false),
  ...fields("fm:trailStopPrice fm:trailingPercent"),
  ...comboLegs,
  ...scaleParams,
  ...hedgeParams,
  ...fields("s:clearingAccount s:clearingIntent b:notHeld"),
  ...deltaNeutralContract,
  ...algoParams,
  ...fields("b:solicited s:status b:randomizeSize b:randomizePrice"),
  pegBench,
  ...conditions,
  ...fields("f:trailStopPrice2 f:lmtPriceOffset f:cashQty b:dontUseAutoPriceForHedge b:isOmsContainer"),
  ...fields("s:autoCancelDate d:filledQuantity i:refFuturesConId b:autoCancelParent s:shareholder b:imbalanceOnly"),
  // routeMarketableToBbo is a three-state boolean: "" (unset), 0 or 1.
  ...fields("im:routeMarketableToBbo i:parentPermId s:completedTime s:completedStatus"),
  ...pegBestPegMid,
  since(V.CUSTOMER_ACCOUNT, "s", "customerAccount"),
  since(V.PROFESSIONAL_CUSTOMER, "b", "professionalCustomer"),
];

const contractData: Step[] = [
  t("i", "reqId"),
  ...fields("s:symbol s:secType s:lastTradeDateOrContractMonth"),
  since(V.LAST_TRADE_DATE, "s", "lastTradeDate"),
  ...fields("f:strike s:right s:exchange s:currency s:localSymbol s:marketName s:tradingClass i:conId f:minTick"),
  ...fields("s:multiplier s:orderTypes s:validExchanges i:priceMagnifier i:underConId s:longName s:primaryExch"),
  ...fields("s:contractMonth s:industry s:category s:subcategory s:timeZoneId s:tradingHours s:liquidHours"),
  // evMultiplier: readDouble in Java but decode(int) in Python (a "2.5" would throw there); TWS sends "" for none.
  ...fields("s:evRule im:evMultiplier"),
  list("secIdList", fields("s:tag s:value")),
  ...fields("i:aggGroup s:underSymbol s:underSecType s:marketRuleIds s:realExpirationDate s:stockType"),
  ...fields("d:minSize d:sizeIncrement d:suggestedSizeIncrement"),
  branch((values, serverVersion) => serverVersion >= V.FUND_DATA_FIELDS && isFund(values), fundFields),
  list("ineligibilityReasons", fields("s:id s:description"), { since: V.INELIGIBILITY_REASONS }),
];

const bondContractData: Step[] = [
  ...fields("i:reqId s:symbol s:secType s:cusip f:coupon s:maturity s:issueDate s:ratings s:bondType s:couponType"),
  ...fields("b:convertible b:callable b:putable s:descAppend s:exchange s:currency s:marketName s:tradingClass"),
  ...fields("i:conId f:minTick s:orderTypes s:validExchanges s:nextOptionDate s:nextOptionType b:nextOptionPartial"),
  ...fields("s:notes s:longName"),
  since(V.BOND_TRADING_HOURS, "s", "timeZoneId"),
  since(V.BOND_TRADING_HOURS, "s", "tradingHours"),
  since(V.BOND_TRADING_HOURS, "s", "liquidHours"),
  ...fields("s:evRule im:evMultiplier"),
  list("secIdList", fields("s:tag s:value")),
  ...fields("i:aggGroup s:marketRuleIds d:minSize d:sizeIncrement d:suggestedSizeIncrement"),
];

const execDetails: Step[] = [
  ...fields("i:reqId i:orderId"),
  ...contractHead,
  ...fields("s:multiplier s:exchange s:currency s:localSymbol s:tradingClass"),
  ...fields("s:execId s:time s:acctNumber s:executionExchange s:side d:shares f:price i:permId i:clientId"),
  ...fields("i:liquidation d:cumQty f:avgPrice s:orderRef s:evRule fm:evMultiplier s:modelCode i:lastLiquidity"),
  since(V.PENDING_PRICE_REVISION, "b", "pendingPriceRevision"),
];

const tickByTick: Step[] = [
  ...fields("i:reqId i:tickType i:time"),
  branch(
    (values) => values.tickType === 1 || values.tickType === 2,
    fields("f:price d:size i:mask s:exchange s:specialConditions"),
  ),
  branch((values) => values.tickType === 3, fields("f:bidPrice f:askPrice d:bidSize d:askSize i:mask")),
  branch((values) => values.tickType === 4, fields("f:midPoint")),
];

export interface IncomingLayout {
  readonly name: string;
  readonly steps: readonly Step[];
}

const layout = (name: string, steps: readonly Step[]): IncomingLayout => ({ name, steps });

/** By message id. */
export const INCOMING: ReadonlyMap<number, IncomingLayout> = new Map([
  [1, layout("tickPrice", [version, ...fields("i:tickerId i:tickType f:price d:size i:attrMask")])],
  [2, layout("tickSize", [version, ...fields("i:tickerId i:tickType d:size")])],
  [
    3,
    layout(
      "orderStatus",
      fields(`i:orderId s:status d:filled d:remaining f:avgFillPrice i:permId i:parentId
    f:lastFillPrice i:clientId s:whyHeld f:mktCapPrice`),
    ),
  ],
  [4, layout("errMsg", [version, ...fields("i:id i:code s:message s:advancedOrderRejectJson")])],
  [5, layout("openOrder", openOrder)],
  [6, layout("updateAccountValue", [version, ...fields("s:key s:value s:currency s:accountName")])],
  [
    7,
    layout("updatePortfolio", [
      version,
      ...contractHead,
      ...fields("s:multiplier s:primaryExch s:currency s:localSymbol s:tradingClass d:position f:marketPrice"),
      ...fields("f:marketValue f:averageCost f:unrealizedPNL f:realizedPNL s:accountName"),
    ]),
  ],
  [8, layout("updateAccountTime", [version, t("s", "timeStamp")])],
  [9, layout("nextValidId", [version, t("i", "orderId")])],
  [10, layout("contractData", contractData)],
  [11, layout("execDetails", execDetails)],
  [12, layout("updateMktDepth", [version, ...fields("i:tickerId i:position i:operation i:side f:price d:size")])],
  [
    13,
    layout("updateMktDepthL2", [
      version,
      ...fields("i:tickerId i:position s:marketMaker i:operation i:side f:price d:size b:isSmartDepth"),
    ]),
  ],
  [14, layout("newsBulletins", [version, ...fields("i:msgId i:msgType s:message s:originExchange")])],
  [15, layout("managedAccounts", [version, t("s", "accounts")])],
  [16, layout("receiveFA", [version, ...fields("i:faDataType s:xml")])],
  [
    17,
    layout("historicalData", [
      ...fields("i:reqId s:startDate s:endDate"),
      list("bars", fields("s:date f:open f:high f:low f:close d:volume d:wap i:count")),
    ]),
  ],
  [18, layout("bondContractData", bondContractData)],
  [19, layout("scannerParameters", [version, t("s", "xml")])],
  [
    20,
    layout("scannerData", [
      version,
      t("i", "reqId"),
      list("rows", [
        t("i", "rank"),
        ...contractHead,
        ...fields("s:exchange s:currency s:localSymbol s:marketName s:tradingClass s:distance s:benchmark"),
        ...fields("s:projection s:legsStr"),
      ]),
    ]),
  ],
  [
    21,
    layout(
      "tickOptionComputation",
      fields(`i:tickerId i:tickType i:tickAttrib f:impliedVol f:delta f:optPrice
    f:pvDividend f:gamma f:vega f:theta f:undPrice`),
    ),
  ],
  [45, layout("tickGeneric", [version, ...fields("i:tickerId i:tickType f:value")])],
  [46, layout("tickString", [version, ...fields("i:tickerId i:tickType s:value")])],
  [49, layout("currentTime", [version, t("i", "time")])],
  [
    50,
    layout("realtimeBar", [version, ...fields("i:reqId i:time f:open f:high f:low f:close d:volume d:wap i:count")]),
  ],
  [51, layout("fundamentalData", [version, ...fields("i:reqId s:data")])],
  [52, layout("contractDataEnd", [version, t("i", "reqId")])],
  [53, layout("openOrderEnd", [version])],
  [54, layout("accountDownloadEnd", [version, t("s", "account")])],
  [55, layout("execDetailsEnd", [version, t("i", "reqId")])],
  [56, layout("deltaNeutralValidation", [version, ...fields("i:reqId i:conId f:delta f:price")])],
  [57, layout("tickSnapshotEnd", [version, t("i", "reqId")])],
  [58, layout("marketDataType", [version, ...fields("i:reqId i:marketDataType")])],
  [
    59,
    layout("commissionReport", [
      version,
      ...fields("s:execId f:commission s:currency"),
      unsetOk("realizedPNL"),
      unsetOk("yield"),
      t("i", "yieldRedemptionDate"),
    ]),
  ],
  [
    61,
    layout("position", [
      version,
      t("s", "account"),
      ...contractHead,
      ...fields("s:multiplier s:exchange s:currency s:localSymbol s:tradingClass d:position f:avgCost"),
    ]),
  ],
  [62, layout("positionEnd", [version])],
  [63, layout("accountSummary", [version, ...fields("i:reqId s:account s:tag s:value s:currency")])],
  [64, layout("accountSummaryEnd", [version, t("i", "reqId")])],
  [67, layout("displayGroupList", [version, ...fields("i:reqId s:groups")])],
  [68, layout("displayGroupUpdated", [version, ...fields("i:reqId s:contractInfo")])],
  [
    71,
    layout("positionMulti", [
      version,
      ...fields("i:reqId s:account"),
      ...contractHead,
      ...fields("s:multiplier s:exchange s:currency s:localSymbol s:tradingClass d:position f:avgCost s:modelCode"),
    ]),
  ],
  [72, layout("positionMultiEnd", [version, t("i", "reqId")])],
  [73, layout("accountUpdateMulti", [version, ...fields("i:reqId s:account s:modelCode s:key s:value s:currency")])],
  [74, layout("accountUpdateMultiEnd", [version, t("i", "reqId")])],
  [
    75,
    layout("securityDefinitionOptionParameter", [
      ...fields("i:reqId s:exchange i:underlyingConId s:tradingClass s:multiplier"),
      list("expirations", fields("s:expiration")),
      list("strikes", fields("f:strike")),
    ]),
  ],
  [76, layout("securityDefinitionOptionParameterEnd", [t("i", "reqId")])],
  [77, layout("softDollarTiers", [t("i", "reqId"), list("tiers", fields("s:name s:value s:displayName"))])],
  [78, layout("familyCodes", [list("familyCodes", fields("s:accountId s:familyCode"))])],
  [
    79,
    layout("symbolSamples", [
      t("i", "reqId"),
      list("descriptions", [
        ...fields("i:conId s:symbol s:secType s:primaryExch s:currency"),
        list("derivativeSecTypes", fields("s:secType")),
        ...fields("s:description s:issuerId"),
      ]),
    ]),
  ],
  [
    80,
    layout("mktDepthExchanges", [
      list("descriptions", fields("s:exchange s:secType s:listingExch s:serviceDataType im:aggGroup")),
    ]),
  ],
  [81, layout("tickReqParams", fields("i:tickerId f:minTick s:bboExchange i:snapshotPermissions"))],
  [
    82,
    layout("smartComponents", [t("i", "reqId"), list("components", fields("i:bitNumber s:exchange s:exchangeLetter"))]),
  ],
  [83, layout("newsArticle", fields("i:reqId i:articleType s:articleText"))],
  [84, layout("tickNews", fields("i:tickerId i:timeStamp s:providerCode s:articleId s:headline s:extraData"))],
  [85, layout("newsProviders", [list("providers", fields("s:code s:name"))])],
  [86, layout("historicalNews", fields("i:reqId s:time s:providerCode s:articleId s:headline"))],
  [87, layout("historicalNewsEnd", fields("i:reqId b:hasMore"))],
  [88, layout("headTimestamp", fields("i:reqId s:headTimestamp"))],
  [89, layout("histogramData", [t("i", "reqId"), list("items", fields("f:price d:size"))])],
  [90, layout("historicalDataUpdate", fields("i:reqId i:count s:date f:open f:close f:high f:low d:wap d:volume"))],
  [91, layout("rerouteMktDataReq", fields("i:reqId i:conId s:exchange"))],
  [92, layout("rerouteMktDepthReq", fields("i:reqId i:conId s:exchange"))],
  [93, layout("marketRule", [t("i", "marketRuleId"), list("increments", fields("f:lowEdge f:increment"))])],
  [94, layout("pnl", [t("i", "reqId"), unsetOk("dailyPnL"), unsetOk("unrealizedPnL"), unsetOk("realizedPnL")])],
  [
    95,
    layout("pnlSingle", [
      ...fields("i:reqId d:position"),
      unsetOk("dailyPnL"),
      unsetOk("unrealizedPnL"),
      unsetOk("realizedPnL"),
      unsetOk("value"),
    ]),
  ],
  [
    96,
    layout("historicalTicks", [
      t("i", "reqId"),
      list("ticks", fields("i:time i:unused f:price d:size")),
      t("b", "done"),
    ]),
  ],
  [
    97,
    layout("historicalTicksBidAsk", [
      t("i", "reqId"),
      list("ticks", fields("i:time i:mask f:priceBid f:priceAsk d:sizeBid d:sizeAsk")),
      t("b", "done"),
    ]),
  ],
  [
    98,
    layout("historicalTicksLast", [
      t("i", "reqId"),
      list("ticks", fields("i:time i:mask f:price d:size s:exchange s:specialConditions")),
      t("b", "done"),
    ]),
  ],
  [99, layout("tickByTick", tickByTick)],
  [100, layout("orderBound", fields("i:permId i:clientId i:orderId"))],
  [101, layout("completedOrder", completedOrder)],
  [102, layout("completedOrdersEnd", [])],
  [103, layout("replaceFAEnd", fields("i:reqId s:text"))],
  [104, layout("wshMetaData", fields("i:reqId s:dataJson"))],
  [105, layout("wshEventData", fields("i:reqId s:dataJson"))],
  [
    106,
    layout("historicalSchedule", [
      ...fields("i:reqId s:startDateTime s:endDateTime s:timeZone"),
      list("sessions", fields("s:startDateTime s:endDateTime s:refDate")),
    ]),
  ],
  [107, layout("userInfo", fields("i:reqId s:whiteBrandingId"))],
]);
