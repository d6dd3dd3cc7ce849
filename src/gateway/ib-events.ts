import type {
  CommissionReport,
  Contract,
  ContractDescription,
  ContractDetails,
  DeltaNeutralContract,
  DepthMktDataDescription,
  Execution,
  FamilyCode,
  HistogramEntry,
  HistoricalTick,
  HistoricalTickBidAsk,
  HistoricalTickLast,
  NewsProvider,
  Order,
  OrderState,
  OrderStatus,
  PriceIncrement,
  SoftDollarTier,
} from "@stoqey/ib";
import { EventName } from "@stoqey/ib";

/**
 * Typed EWrapper events: the one place that knows the argument order of every IBApi event ibrpc uses.
 *
 * IBApi emits each callback as `(name, ...args)`; its own typings document the listener arguments, but the decoder
 * (node_modules/@stoqey/ib/dist/core/io/decoder.js) is what counts and differs in places (userInfo and
 * historicalSchedule carry a reqId its typings omit; tickPrice's 4th argument is IB's attribute mask). Here every event
 * becomes a named object, so no caller indexes `args[3]` of an `unknown[]`.
 *
 * API:
 *   IbEventMap                      event name -> named fields, e.g. IbEventMap[EventName.position] = {account, contract, pos, avgCost}
 *   IbEventName                     the names in the map (the events ibrpc understands)
 *   IbEvent<N>                      = IbEventMap[N]
 *   IbRecord                        { name, event } discriminated union over every event (narrow on `name`)
 *   decodeEvent(name, args)         raw IBApi arguments -> the named object (undefined for an event not in the map)
 *   isIbEventName(name)             type guard
 *   routingOf(name)                 "reqId" | "orderId" | undefined: which field addresses the event to a request
 *   idOf(name, event)               that field's value (a number), or undefined for broadcast events
 *
 * Decoding is lazy (callers decode only events someone listens to), so market data ticks nobody waits for cost nothing.
 * Subscribing with types: see ib-event-bus.ts (GatewayConnection.events).
 */

/** historicalSchedule's sessions (IBApi does not export the type from its root). */
export interface HistoricalSessionRow {
  startDateTime: string;
  endDateTime: string;
  refDate: string;
}

/** Every EWrapper event ibrpc uses, by IBApi's EventName, with its arguments named in the decoder's order. */
export interface IbEventMap {
  // Connection.
  [EventName.connected]: Record<string, never>;
  [EventName.disconnected]: Record<string, never>;
  [EventName.server]: { serverVersion: number; serverConnectionTime: string };
  /** IB's id is the reqId or the orderId of the request it is about; -1 messages come as `info` instead. */
  [EventName.error]: { error: Error; code: number; reqId: number; advancedOrderReject: unknown };
  /** Messages for the connection as a whole (IB id -1): connectivity, farm notices, 326. */
  [EventName.info]: { message: string; code: number };
  [EventName.nextValidId]: { orderId: number };
  [EventName.managedAccounts]: { accountsList: string };
  [EventName.currentTime]: { time: number };
  [EventName.userInfo]: { reqId: number; whiteBrandingId: string };

  // Account and portfolio.
  [EventName.accountSummary]: { reqId: number; account: string; tag: string; value: string; currency: string };
  [EventName.accountSummaryEnd]: { reqId: number };
  [EventName.updateAccountValue]: { key: string; value: string; currency: string; accountName: string };
  [EventName.updatePortfolio]: {
    contract: Contract;
    position: number;
    marketPrice: number;
    marketValue: number;
    averageCost: number | undefined;
    unrealizedPNL: number | undefined;
    realizedPNL: number | undefined;
    accountName: string | undefined;
  };
  [EventName.updateAccountTime]: { timeStamp: string };
  [EventName.accountDownloadEnd]: { account: string };
  [EventName.accountUpdateMulti]: {
    reqId: number;
    account: string;
    modelCode: string;
    key: string;
    value: string;
    currency: string;
  };
  [EventName.accountUpdateMultiEnd]: { reqId: number };
  [EventName.position]: { account: string; contract: Contract; pos: number; avgCost: number | undefined };
  [EventName.positionEnd]: Record<string, never>;
  [EventName.positionMulti]: {
    reqId: number;
    account: string;
    modelCode: string;
    contract: Contract;
    pos: number;
    avgCost: number;
  };
  [EventName.positionMultiEnd]: { reqId: number };
  [EventName.familyCodes]: { familyCodes: FamilyCode[] };
  [EventName.pnl]: {
    reqId: number;
    dailyPnL: number;
    unrealizedPnL: number | undefined;
    realizedPnL: number | undefined;
  };
  [EventName.pnlSingle]: {
    reqId: number;
    pos: number;
    dailyPnL: number;
    unrealizedPnL: number | undefined;
    realizedPnL: number | undefined;
    value: number;
  };

  // Orders and executions.
  [EventName.openOrder]: { orderId: number; contract: Contract; order: Order; orderState: OrderState };
  [EventName.openOrderEnd]: Record<string, never>;
  [EventName.orderStatus]: {
    orderId: number;
    status: OrderStatus | string;
    filled: number;
    remaining: number;
    avgFillPrice: number;
    permId: number | undefined;
    parentId: number | undefined;
    lastFillPrice: number | undefined;
    clientId: number | undefined;
    whyHeld: string | undefined;
    mktCapPrice: number | undefined;
  };
  [EventName.orderBound]: { permId: number; clientId: number; orderId: number };
  [EventName.completedOrder]: { contract: Contract; order: Order; orderState: OrderState };
  [EventName.completedOrdersEnd]: Record<string, never>;
  [EventName.execDetails]: {
    reqId: number;
    contract: Contract;
    execution: Execution;
  };
  [EventName.execDetailsEnd]: { reqId: number };
  /** Carries no reqId: join it to its execution by execId. */
  [EventName.commissionReport]: { commissionReport: CommissionReport };

  // Contracts.
  [EventName.contractDetails]: { reqId: number; contractDetails: ContractDetails };
  [EventName.bondContractDetails]: { reqId: number; contractDetails: ContractDetails };
  [EventName.contractDetailsEnd]: { reqId: number };
  [EventName.symbolSamples]: { reqId: number; contractDescriptions: ContractDescription[] };
  [EventName.securityDefinitionOptionParameter]: {
    reqId: number;
    exchange: string;
    underlyingConId: number;
    tradingClass: string;
    multiplier: string;
    expirations: string[];
    strikes: number[];
  };
  [EventName.securityDefinitionOptionParameterEnd]: { reqId: number };
  /** Keyed by the market rule id, not a reqId. */
  [EventName.marketRule]: { marketRuleId: number; priceIncrements: PriceIncrement[] };
  [EventName.smartComponents]: { reqId: number; theMap: Map<number, [string, string]> };
  [EventName.deltaNeutralValidation]: { reqId: number; deltaNeutralContract: DeltaNeutralContract };

  // Market data.
  [EventName.tickPrice]: { reqId: number; field: number; value: number; attribs: unknown };
  [EventName.tickSize]: { reqId: number; field: number | undefined; value: number | undefined };
  [EventName.tickString]: { reqId: number; field: number; value: string };
  [EventName.tickGeneric]: { reqId: number; field: number; value: number };
  [EventName.tickEFP]: {
    reqId: number;
    field: number;
    basisPoints: number;
    formattedBasisPoints: string;
    impliedFuture: number;
    holdDays: number;
    futureLastTradeDate: string;
    dividendImpact: number;
    dividendsToLastTradeDate: number;
  };
  [EventName.tickOptionComputation]: {
    reqId: number;
    field: number;
    tickAttrib: number | undefined;
    impliedVolatility: number | undefined;
    delta: number | undefined;
    optPrice: number | undefined;
    pvDividend: number | undefined;
    gamma: number | undefined;
    vega: number | undefined;
    theta: number | undefined;
    undPrice: number | undefined;
  };
  [EventName.tickReqParams]: { reqId: number; minTick: number; bboExchange: string; snapshotPermissions: number };
  [EventName.tickSnapshotEnd]: { reqId: number };
  [EventName.marketDataType]: { reqId: number; marketDataType: number };
  [EventName.tickNews]: {
    reqId: number;
    timeStamp: number;
    providerCode: string;
    articleId: string;
    headline: string;
    extraData: string;
  };
  [EventName.rerouteMktDataReq]: { reqId: number; conId: number; exchange: string };
  [EventName.rerouteMktDepthReq]: { reqId: number; conId: number; exchange: string };
  [EventName.tickByTickAllLast]: {
    reqId: number;
    tickType: number;
    time: string | number;
    price: number;
    size: number;
    tickAttribLast: NonNullable<HistoricalTickLast["tickAttribLast"]>;
    exchange: string;
    specialConditions: string;
  };
  [EventName.tickByTickBidAsk]: {
    reqId: number;
    time: number;
    bidPrice: number;
    askPrice: number;
    bidSize: number;
    askSize: number;
    tickAttribBidAsk: NonNullable<HistoricalTickBidAsk["tickAttribBidAsk"]>;
  };
  [EventName.tickByTickMidPoint]: { reqId: number; time: number; midPoint: number };
  [EventName.realtimeBar]: {
    reqId: number;
    time: number;
    open: number;
    high: number;
    low: number;
    close: number;
    volume: number;
    WAP: number;
    count: number;
  };
  [EventName.updateMktDepth]: {
    reqId: number;
    position: number;
    operation: number;
    side: number;
    price: number;
    size: number;
  };
  [EventName.updateMktDepthL2]: {
    reqId: number;
    position: number;
    marketMaker: string;
    operation: number;
    side: number;
    price: number;
    size: number;
    isSmartDepth: boolean | undefined;
  };
  [EventName.mktDepthExchanges]: { depthMktDataDescriptions: DepthMktDataDescription[] };

  // Historical data.
  /**
   * One bar; after the last bar IBApi emits one more row whose `time` starts with "finished" (and whose prices are -1):
   * the end of the answer (use it as the gather's `until`).
   */
  [EventName.historicalData]: {
    reqId: number;
    time: string;
    open: number;
    high: number;
    low: number;
    close: number;
    volume: number;
    count: number | undefined;
    WAP: number;
    hasGaps: boolean | undefined;
  };
  [EventName.historicalDataUpdate]: {
    reqId: number;
    time: string;
    open: number;
    high: number;
    low: number;
    close: number;
    volume: number;
    count: number;
    WAP: number;
  };
  [EventName.historicalTicks]: { reqId: number; ticks: HistoricalTick[]; done: boolean };
  [EventName.historicalTicksBidAsk]: { reqId: number; ticks: HistoricalTickBidAsk[]; done: boolean };
  [EventName.historicalTicksLast]: { reqId: number; ticks: HistoricalTickLast[]; done: boolean };
  [EventName.headTimestamp]: { reqId: number; headTimestamp: string };
  [EventName.histogramData]: { reqId: number; data: HistogramEntry[] };
  [EventName.historicalSchedule]: {
    reqId: number;
    startDateTime: string;
    endDateTime: string;
    timeZone: string;
    sessions: HistoricalSessionRow[];
  };

  // News, scanner, fundamentals, FA, display groups.
  [EventName.newsProviders]: { newsProviders: NewsProvider[] };
  [EventName.newsArticle]: { reqId: number; articleType: number; articleText: string };
  [EventName.historicalNews]: {
    reqId: number;
    time: string;
    providerCode: string;
    articleId: string;
    headline: string;
  };
  [EventName.historicalNewsEnd]: { reqId: number; hasMore: boolean };
  [EventName.updateNewsBulletin]: { msgId: number; msgType: number; message: string; origExchange: string };
  [EventName.scannerParameters]: { xml: string };
  [EventName.scannerData]: {
    reqId: number;
    rank: number;
    contractDetails: ContractDetails;
    distance: string;
    benchmark: string;
    projection: string;
    legsStr: string | undefined;
  };
  [EventName.scannerDataEnd]: { reqId: number };
  [EventName.fundamentalData]: { reqId: number; data: string };
  [EventName.wshMetaData]: { reqId: number; dataJson: string };
  [EventName.wshEventData]: { reqId: number; dataJson: string };
  [EventName.receiveFA]: { faDataType: number; faXmlData: string };
  [EventName.replaceFAEnd]: { reqId: number; text: string };
  [EventName.displayGroupList]: { reqId: number; groups: string };
  [EventName.displayGroupUpdated]: { reqId: number; contractInfo: string };
  [EventName.softDollarTiers]: { reqId: number; tiers: SoftDollarTier[] };
}

export type IbEventName = keyof IbEventMap;
export type IbEvent<N extends IbEventName> = IbEventMap[N];

/** One decoded event with its name: narrow on `name` to get the typed fields. */
export type IbRecord = { [N in IbEventName]: { name: N; event: IbEventMap[N] } }[IbEventName];

type FieldOrder<T> = readonly (keyof T & string)[];

/** The decoder's argument order for each event (decoder.js `this.emit(EventName.x, ...)`). */
const FIELDS: { readonly [N in IbEventName]: FieldOrder<IbEventMap[N]> } = {
  [EventName.connected]: [],
  [EventName.disconnected]: [],
  [EventName.server]: ["serverVersion", "serverConnectionTime"],
  [EventName.error]: ["error", "code", "reqId", "advancedOrderReject"],
  [EventName.info]: ["message", "code"],
  [EventName.nextValidId]: ["orderId"],
  [EventName.managedAccounts]: ["accountsList"],
  [EventName.currentTime]: ["time"],
  [EventName.userInfo]: ["reqId", "whiteBrandingId"],
  [EventName.accountSummary]: ["reqId", "account", "tag", "value", "currency"],
  [EventName.accountSummaryEnd]: ["reqId"],
  [EventName.updateAccountValue]: ["key", "value", "currency", "accountName"],
  [EventName.updatePortfolio]: [
    "contract",
    "position",
    "marketPrice",
    "marketValue",
    "averageCost",
    "unrealizedPNL",
    "realizedPNL",
    "accountName",
  ],
  [EventName.updateAccountTime]: ["timeStamp"],
  [EventName.accountDownloadEnd]: ["account"],
  [EventName.accountUpdateMulti]: ["reqId", "account", "modelCode", "key", "value", "currency"],
  [EventName.accountUpdateMultiEnd]: ["reqId"],
  [EventName.position]: ["account", "contract", "pos", "avgCost"],
  [EventName.positionEnd]: [],
  [EventName.positionMulti]: ["reqId", "account", "modelCode", "contract", "pos", "avgCost"],
  [EventName.positionMultiEnd]: ["reqId"],
  [EventName.familyCodes]: ["familyCodes"],
  [EventName.pnl]: ["reqId", "dailyPnL", "unrealizedPnL", "realizedPnL"],
  [EventName.pnlSingle]: ["reqId", "pos", "dailyPnL", "unrealizedPnL", "realizedPnL", "value"],
  [EventName.openOrder]: ["orderId", "contract", "order", "orderState"],
  [EventName.openOrderEnd]: [],
  [EventName.orderStatus]: [
    "orderId",
    "status",
    "filled",
    "remaining",
    "avgFillPrice",
    "permId",
    "parentId",
    "lastFillPrice",
    "clientId",
    "whyHeld",
    "mktCapPrice",
  ],
  [EventName.orderBound]: ["permId", "clientId", "orderId"],
  [EventName.completedOrder]: ["contract", "order", "orderState"],
  [EventName.completedOrdersEnd]: [],
  [EventName.execDetails]: ["reqId", "contract", "execution"],
  [EventName.execDetailsEnd]: ["reqId"],
  [EventName.commissionReport]: ["commissionReport"],
  [EventName.contractDetails]: ["reqId", "contractDetails"],
  [EventName.bondContractDetails]: ["reqId", "contractDetails"],
  [EventName.contractDetailsEnd]: ["reqId"],
  [EventName.symbolSamples]: ["reqId", "contractDescriptions"],
  [EventName.securityDefinitionOptionParameter]: [
    "reqId",
    "exchange",
    "underlyingConId",
    "tradingClass",
    "multiplier",
    "expirations",
    "strikes",
  ],
  [EventName.securityDefinitionOptionParameterEnd]: ["reqId"],
  [EventName.marketRule]: ["marketRuleId", "priceIncrements"],
  [EventName.smartComponents]: ["reqId", "theMap"],
  [EventName.deltaNeutralValidation]: ["reqId", "deltaNeutralContract"],
  [EventName.tickPrice]: ["reqId", "field", "value", "attribs"],
  [EventName.tickSize]: ["reqId", "field", "value"],
  [EventName.tickString]: ["reqId", "field", "value"],
  [EventName.tickGeneric]: ["reqId", "field", "value"],
  [EventName.tickEFP]: [
    "reqId",
    "field",
    "basisPoints",
    "formattedBasisPoints",
    "impliedFuture",
    "holdDays",
    "futureLastTradeDate",
    "dividendImpact",
    "dividendsToLastTradeDate",
  ],
  [EventName.tickOptionComputation]: [
    "reqId",
    "field",
    "tickAttrib",
    "impliedVolatility",
    "delta",
    "optPrice",
    "pvDividend",
    "gamma",
    "vega",
    "theta",
    "undPrice",
  ],
  [EventName.tickReqParams]: ["reqId", "minTick", "bboExchange", "snapshotPermissions"],
  [EventName.tickSnapshotEnd]: ["reqId"],
  [EventName.marketDataType]: ["reqId", "marketDataType"],
  [EventName.tickNews]: ["reqId", "timeStamp", "providerCode", "articleId", "headline", "extraData"],
  [EventName.rerouteMktDataReq]: ["reqId", "conId", "exchange"],
  [EventName.rerouteMktDepthReq]: ["reqId", "conId", "exchange"],
  [EventName.tickByTickAllLast]: [
    "reqId",
    "tickType",
    "time",
    "price",
    "size",
    "tickAttribLast",
    "exchange",
    "specialConditions",
  ],
  [EventName.tickByTickBidAsk]: ["reqId", "time", "bidPrice", "askPrice", "bidSize", "askSize", "tickAttribBidAsk"],
  [EventName.tickByTickMidPoint]: ["reqId", "time", "midPoint"],
  [EventName.realtimeBar]: ["reqId", "time", "open", "high", "low", "close", "volume", "WAP", "count"],
  [EventName.updateMktDepth]: ["reqId", "position", "operation", "side", "price", "size"],
  [EventName.updateMktDepthL2]: [
    "reqId",
    "position",
    "marketMaker",
    "operation",
    "side",
    "price",
    "size",
    "isSmartDepth",
  ],
  [EventName.mktDepthExchanges]: ["depthMktDataDescriptions"],
  [EventName.historicalData]: ["reqId", "time", "open", "high", "low", "close", "volume", "count", "WAP", "hasGaps"],
  [EventName.historicalDataUpdate]: ["reqId", "time", "open", "high", "low", "close", "volume", "count", "WAP"],
  [EventName.historicalTicks]: ["reqId", "ticks", "done"],
  [EventName.historicalTicksBidAsk]: ["reqId", "ticks", "done"],
  [EventName.historicalTicksLast]: ["reqId", "ticks", "done"],
  [EventName.headTimestamp]: ["reqId", "headTimestamp"],
  [EventName.histogramData]: ["reqId", "data"],
  [EventName.historicalSchedule]: ["reqId", "startDateTime", "endDateTime", "timeZone", "sessions"],
  [EventName.newsProviders]: ["newsProviders"],
  [EventName.newsArticle]: ["reqId", "articleType", "articleText"],
  [EventName.historicalNews]: ["reqId", "time", "providerCode", "articleId", "headline"],
  [EventName.historicalNewsEnd]: ["reqId", "hasMore"],
  [EventName.updateNewsBulletin]: ["msgId", "msgType", "message", "origExchange"],
  [EventName.scannerParameters]: ["xml"],
  [EventName.scannerData]: ["reqId", "rank", "contractDetails", "distance", "benchmark", "projection", "legsStr"],
  [EventName.scannerDataEnd]: ["reqId"],
  [EventName.fundamentalData]: ["reqId", "data"],
  [EventName.wshMetaData]: ["reqId", "dataJson"],
  [EventName.wshEventData]: ["reqId", "dataJson"],
  [EventName.receiveFA]: ["faDataType", "faXmlData"],
  [EventName.replaceFAEnd]: ["reqId", "text"],
  [EventName.displayGroupList]: ["reqId", "groups"],
  [EventName.displayGroupUpdated]: ["reqId", "contractInfo"],
  [EventName.softDollarTiers]: ["reqId", "tiers"],
};

/** True for the events this map knows (IBApi also emits `all`, `result`, `received`, `sent`...). */
export function isIbEventName(name: string): name is IbEventName {
  return Object.hasOwn(FIELDS, name);
}

/** Names IBApi's positional arguments. Called only for events someone waits for, so ticks nobody wants cost nothing. */
export function decodeEvent<N extends IbEventName>(name: N, args: readonly unknown[]): IbEventMap[N] {
  const fields = FIELDS[name] as readonly string[];
  const event: Record<string, unknown> = {};
  for (let i = 0; i < fields.length; i++) event[fields[i] as string] = args[i];
  return event as IbEventMap[N];
}

/** How an event names the request it answers. */
export type Routing = "reqId" | "orderId";

/**
 * Events addressed by a field other than `reqId`. Events with a `reqId` field route by it; `error` routes by its id to
 * a reqId or an orderId (IB uses one id space per message); everything else (position, updateAccountValue,
 * commissionReport, currentTime...) is a broadcast: the requests that listen for it share it, so IB-side exclusivity
 * (exclusive lanes) keeps their answers apart.
 */
const ORDER_ID_EVENTS: ReadonlySet<IbEventName> = new Set<IbEventName>([EventName.openOrder, EventName.orderStatus]);

/** The addressing field of an event, or undefined for broadcasts. */
export function routingOf(name: IbEventName): Routing | undefined {
  if (ORDER_ID_EVENTS.has(name)) return "orderId";
  return (FIELDS[name] as readonly string[])[0] === "reqId" ? "reqId" : undefined;
}

/** The id a raw event is addressed to (its first argument for reqId/orderId events; see {@link routingOf}). */
export function rawIdOf(name: IbEventName, args: readonly unknown[]): number | undefined {
  if (name === EventName.error) return args[2] as number;
  const routing = routingOf(name);
  if (routing === undefined) return undefined;
  const id = args[0];
  if (typeof id === "number") return id;
  // @stoqey/ib 1.6.10 reads accountUpdateMultiEnd's reqId with readStr: without this its End marker never arrives.
  return typeof id === "string" && /^\d+$/.test(id) ? Number(id) : undefined;
}
