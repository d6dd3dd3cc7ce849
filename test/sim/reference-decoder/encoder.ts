/**
 * Requests encoded the way IB's reference clients encode them (EClient.java / client.py, and ib_async, which follows
 * them): Python's float spelling ("0.0", "190.0"), unset numbers as "", booleans as 1/0, TagValue option lists as a
 * count and a string where the reference sends one (reqFundamentalData, calculateImpliedVolatility/OptionPrice), and
 * every optional trailing field IB sends at the negotiated server version. Deliberately not @stoqey/ib's encoder.
 */

export interface RefContract {
  conId?: number;
  symbol?: string;
  secType?: string;
  lastTradeDateOrContractMonth?: string;
  strike?: number;
  right?: string;
  multiplier?: string;
  exchange?: string;
  primaryExch?: string;
  currency?: string;
  localSymbol?: string;
  tradingClass?: string;
  includeExpired?: boolean;
}

/** Python's str(float): integral values keep ".0". */
export function pyFloat(value: number | undefined): string {
  if (value === undefined) return "";
  return Number.isInteger(value) ? `${value}.0` : String(value);
}

const pyBool = (value: boolean | undefined) => (value ? "1" : "0");

/** The 12 contract fields most requests carry, in EClient order. */
export function contractFields(c: RefContract): string[] {
  return [
    String(c.conId ?? 0),
    c.symbol ?? "",
    c.secType ?? "",
    c.lastTradeDateOrContractMonth ?? "",
    pyFloat(c.strike ?? 0),
    c.right ?? "",
    c.multiplier ?? "",
    c.exchange ?? "",
    c.primaryExch ?? "",
    c.currency ?? "",
    c.localSymbol ?? "",
    c.tradingClass ?? "",
  ];
}

/** TagValue lists as the reference flattens them into one string: "tag=value;tag=value;". */
const tagValueString = (options: Record<string, string> = {}) =>
  Object.entries(options)
    .map(([tag, value]) => `${tag}=${value};`)
    .join("");

export const ref = {
  reqCurrentTime: () => ["49", "1"],
  reqIds: (numIds: number) => ["8", "1", String(numIds)],
  reqManagedAccts: () => ["17", "1"],
  reqUserInfo: (reqId: number) => ["104", String(reqId)],
  reqMarketDataType: (type: number) => ["59", "1", String(type)],

  reqAccountSummary: (reqId: number, group: string, tags: string) => ["62", "1", String(reqId), group, tags],
  cancelAccountSummary: (reqId: number) => ["63", "1", String(reqId)],
  reqAccountUpdates: (subscribe: boolean, account: string) => ["6", "2", pyBool(subscribe), account],
  reqPositions: () => ["61", "1"],
  cancelPositions: () => ["64", "1"],
  reqPositionsMulti: (reqId: number, account: string, modelCode: string) => [
    "74",
    "1",
    String(reqId),
    account,
    modelCode,
  ],
  reqAccountUpdatesMulti: (reqId: number, account: string, modelCode: string, ledgerAndNLV: boolean) => [
    "76",
    "1",
    String(reqId),
    account,
    modelCode,
    pyBool(ledgerAndNLV),
  ],
  reqPnL: (reqId: number, account: string) => ["92", String(reqId), account, ""],
  cancelPnL: (reqId: number) => ["93", String(reqId)],
  reqPnLSingle: (reqId: number, account: string, conId: number) => ["94", String(reqId), account, "", String(conId)],
  cancelPnLSingle: (reqId: number) => ["95", String(reqId)],
  reqFamilyCodes: () => ["80"],

  reqContractDetails: (reqId: number, c: RefContract) => [
    "9",
    "8",
    String(reqId),
    ...contractFields(c),
    pyBool(c.includeExpired),
    "", // secIdType
    "", // secId
    "", // issuerId (BOND_ISSUERID, 176)
  ],
  reqMatchingSymbols: (reqId: number, pattern: string) => ["81", String(reqId), pattern],
  reqSecDefOptParams: (reqId: number, symbol: string, secType: string, conId: number) => [
    "78",
    String(reqId),
    symbol,
    "",
    secType,
    String(conId),
  ],
  reqMarketRule: (ruleId: number) => ["91", String(ruleId)],
  reqSmartComponents: (reqId: number, bboExchange: string) => ["83", String(reqId), bboExchange],
  reqMktDepthExchanges: () => ["82"],

  reqMktData: (reqId: number, c: RefContract, genericTicks: string, snapshot: boolean) => [
    "1",
    "11",
    String(reqId),
    ...contractFields(c),
    "0", // no delta-neutral contract
    genericTicks,
    pyBool(snapshot),
    "0", // regulatorySnapshot
    "", // mktDataOptions
  ],
  cancelMktData: (reqId: number) => ["2", "2", String(reqId)],
  reqTickByTickData: (reqId: number, c: RefContract, tickType: string) => [
    "97",
    String(reqId),
    ...contractFields(c),
    tickType,
    "0",
    "0",
  ],
  cancelTickByTickData: (reqId: number) => ["98", String(reqId)],
  reqMktDepth: (reqId: number, c: RefContract, rows: number, smart: boolean) => [
    "10",
    "5",
    String(reqId),
    ...contractFields(c),
    String(rows),
    pyBool(smart),
    "",
  ],
  cancelMktDepth: (reqId: number, smart: boolean) => ["11", "1", String(reqId), pyBool(smart)],
  reqRealTimeBars: (reqId: number, c: RefContract, whatToShow: string) => [
    "50",
    "3",
    String(reqId),
    ...contractFields(c),
    "5",
    whatToShow,
    "0",
    "",
  ],
  cancelRealTimeBars: (reqId: number) => ["51", "1", String(reqId)],

  reqHistoricalData: (
    reqId: number,
    c: RefContract,
    endDateTime: string,
    duration: string,
    barSize: string,
    whatToShow: string,
    useRTH: boolean,
    keepUpToDate = false,
  ) => [
    "20",
    String(reqId),
    ...contractFields(c),
    pyBool(c.includeExpired),
    endDateTime,
    barSize,
    duration,
    pyBool(useRTH),
    whatToShow,
    "1", // formatDate
    pyBool(keepUpToDate),
    "", // chartOptions
  ],
  cancelHistoricalData: (reqId: number) => ["25", "1", String(reqId)],
  reqHeadTimestamp: (reqId: number, c: RefContract, whatToShow: string) => [
    "87",
    String(reqId),
    ...contractFields(c),
    pyBool(c.includeExpired),
    "1",
    whatToShow,
    "1",
  ],
  reqHistogramData: (reqId: number, c: RefContract, period: string) => [
    "88",
    String(reqId),
    ...contractFields(c),
    pyBool(c.includeExpired),
    "1",
    period,
  ],
  reqHistoricalTicks: (reqId: number, c: RefContract, start: string, end: string, count: number, what: string) => [
    "96",
    String(reqId),
    ...contractFields(c),
    pyBool(c.includeExpired),
    start,
    end,
    String(count),
    what,
    "1",
    "0",
    "",
  ],

  reqScannerParameters: () => ["24", "1"],
  /** At SCANNER_GENERIC_OPTS (143)+ no version token; unset numbers as "" (makeFieldHandleEmpty). */
  reqScannerSubscription: (reqId: number, instrument: string, location: string, scanCode: string, rows: number) => [
    "22",
    String(reqId),
    String(rows),
    instrument,
    location,
    scanCode,
    "", // abovePrice
    "", // belowPrice
    "", // aboveVolume
    "", // marketCapAbove
    "", // marketCapBelow
    "", // moodyRatingAbove
    "", // moodyRatingBelow
    "", // spRatingAbove
    "", // spRatingBelow
    "", // maturityDateAbove
    "", // maturityDateBelow
    "", // couponRateAbove
    "", // couponRateBelow
    "0", // excludeConvertible
    "", // averageOptionVolumeAbove
    "", // scannerSettingPairs
    "", // stockTypeFilter
    "", // scannerSubscriptionFilterOptions
    "", // scannerSubscriptionOptions
  ],
  cancelScannerSubscription: (reqId: number) => ["23", "1", String(reqId)],

  reqNewsProviders: () => ["85"],
  reqNewsArticle: (reqId: number, provider: string, articleId: string) => [
    "84",
    String(reqId),
    provider,
    articleId,
    "",
  ],
  reqHistoricalNews: (reqId: number, conId: number, providers: string, total: number) => [
    "86",
    String(reqId),
    String(conId),
    providers,
    "",
    "",
    String(total),
    "",
  ],
  reqNewsBulletins: (allMessages: boolean) => ["12", "1", pyBool(allMessages)],
  cancelNewsBulletins: () => ["13", "1"],

  reqFundamentalData: (reqId: number, c: RefContract, reportType: string, options: Record<string, string> = {}) => [
    "52",
    "2",
    String(reqId),
    String(c.conId ?? 0),
    c.symbol ?? "",
    c.secType ?? "",
    c.exchange ?? "",
    c.primaryExch ?? "",
    c.currency ?? "",
    c.localSymbol ?? "",
    reportType,
    String(Object.keys(options).length),
    tagValueString(options),
  ],
  reqWshMetaData: (reqId: number) => ["100", String(reqId)],
  calculateImpliedVolatility: (reqId: number, c: RefContract, optionPrice: number, underPrice: number) => [
    "54",
    "3",
    String(reqId),
    ...contractFields(c),
    pyFloat(optionPrice),
    pyFloat(underPrice),
    "0",
    "",
  ],
  calculateOptionPrice: (reqId: number, c: RefContract, volatility: number, underPrice: number) => [
    "55",
    "3",
    String(reqId),
    ...contractFields(c),
    pyFloat(volatility),
    pyFloat(underPrice),
    "0",
    "",
  ],
  queryDisplayGroups: (reqId: number) => ["67", "1", String(reqId)],
  requestFA: (faDataType: number) => ["18", "1", String(faDataType)],

  reqOpenOrders: () => ["5", "1"],
  reqAllOpenOrders: () => ["16", "1"],
  reqCompletedOrders: (apiOnly: boolean) => ["99", pyBool(apiOnly)],
  reqExecutions: (reqId: number) => ["7", "3", String(reqId), "", "", "", "", "", "", ""],
  reqGlobalCancel: (serverVersion: number) => (serverVersion >= 192 ? ["58", "", "2147483647"] : ["58", "1"]),
  cancelOrder: (serverVersion: number, orderId: number) => {
    const tokens = ["4"];
    if (serverVersion < 192) tokens.push("1");
    tokens.push(String(orderId), ""); // manualOrderCancelTime (169+)
    if (serverVersion >= 187 && serverVersion < 190) tokens.push("", "", "2147483647");
    if (serverVersion >= 192) tokens.push("", "2147483647");
    return tokens;
  },
};

export interface RefOrder {
  action: "BUY" | "SELL";
  totalQuantity: number;
  orderType: string;
  lmtPrice?: number;
  auxPrice?: number;
  tif?: string;
  account?: string;
  outsideRth?: boolean;
  whatIf?: boolean;
}

/** placeOrder field by field as EClient sends it at 176..193 for a plain (no combo, algo, scale or condition) order. */
export function placeOrder(serverVersion: number, orderId: number, c: RefContract, order: RefOrder): string[] {
  const tokens = [
    "3",
    String(orderId),
    ...contractFields(c),
    "", // secIdType
    "", // secId
    order.action,
    pyFloat(order.totalQuantity),
    order.orderType,
    order.lmtPrice === undefined ? "" : pyFloat(order.lmtPrice),
    order.auxPrice === undefined ? "" : pyFloat(order.auxPrice),
    order.tif ?? "DAY",
    "", // ocaGroup
    order.account ?? "",
    "", // openClose
    "0", // origin
    "", // orderRef
    "1", // transmit
    "0", // parentId
    "0", // blockOrder
    "0", // sweepToFill
    "0", // displaySize
    "0", // triggerMethod
    pyBool(order.outsideRth),
    "0", // hidden
    "", // sharesAllocation (deprecated)
    "0.0", // discretionaryAmt
    "", // goodAfterTime
    "", // goodTillDate
    "", // faGroup
    "", // faMethod
    "", // faPercentage
  ];
  if (serverVersion < 177) tokens.push(""); // faProfile
  tokens.push(
    "", // modelCode
    "0", // shortSaleSlot
    "", // designatedLocation
    "-1", // exemptCode
    "0", // ocaType
    "", // rule80A
    "", // settlingFirm
    "0", // allOrNone
    "", // minQty
    "", // percentOffset
    "0", // eTradeOnly
    "0", // firmQuoteOnly
    "", // nbboPriceCap
    "0", // auctionStrategy
    "", // startingPrice
    "", // stockRefPrice
    "", // delta
    "", // stockRangeLower
    "", // stockRangeUpper
    "0", // overridePercentageConstraints
    "", // volatility
    "", // volatilityType
    "", // deltaNeutralOrderType
    "", // deltaNeutralAuxPrice
    "0", // continuousUpdate
    "", // referencePriceType
    "", // trailStopPrice
    "", // trailingPercent
    "", // scaleInitLevelSize
    "", // scaleSubsLevelSize
    "", // scalePriceIncrement
    "", // scaleTable
    "", // activeStartTime
    "", // activeStopTime
    "", // hedgeType
    "0", // optOutSmartRouting
    "", // clearingAccount
    "", // clearingIntent
    "0", // notHeld
    "0", // deltaNeutralContract present
    "", // algoStrategy
    "", // algoId
    pyBool(order.whatIf),
    "", // orderMiscOptions
    "0", // solicited
    "0", // randomizeSize
    "0", // randomizePrice
    "0", // conditions count
    "", // adjustedOrderType
    "", // triggerPrice
    "", // lmtPriceOffset
    "", // adjustedStopPrice
    "", // adjustedStopLimitPrice
    "", // adjustedTrailingAmount
    "0", // adjustableTrailingUnit
    "", // extOperator
    "", // softDollarTier name
    "", // softDollarTier value
    "", // cashQty
    "", // mifid2DecisionMaker
    "", // mifid2DecisionAlgo
    "", // mifid2ExecutionTrader
    "", // mifid2ExecutionAlgo
    "0", // dontUseAutoPriceForHedge
    "0", // isOmsContainer
    "0", // discretionaryUpToLimitPrice
    "", // usePriceMgmtAlgo
    "", // duration
    "", // postToAts
    "0", // autoCancelParent
    "", // advancedErrorOverride
    "", // manualOrderTime
  );
  if (serverVersion >= 183) tokens.push(""); // customerAccount
  if (serverVersion >= 184) tokens.push("0"); // professionalCustomer
  if (serverVersion >= 187 && serverVersion < 190) tokens.push("", "2147483647"); // RFQ placeholders
  if (serverVersion >= 189) tokens.push("0"); // includeOvernight
  if (serverVersion >= 192) tokens.push("2147483647"); // manualOrderIndicator
  return tokens;
}
