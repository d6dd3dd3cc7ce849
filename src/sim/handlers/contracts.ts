import {
  bondContractData,
  contractData,
  contractDataEnd,
  marketRule,
  mktDepthExchanges,
  reqContractDetails,
  reqMarketRule,
  reqMatchingSymbols,
  reqMktDepthExchanges,
  reqSecDefOptParams,
  reqSmartComponents,
  securityDefinitionOptionParameter,
  securityDefinitionOptionParameterEnd,
  smartComponents,
  symbolSamples,
} from "../messages/contracts.js";
import { NO_REQUEST_ID, TwsCode } from "../tws-codes.js";
import type { ContractMatch, Instrument } from "../world/index.js";
import { MARKET_RULES, NO_SECURITY_DEFINITION } from "../world/index.js";
import { renderSessions } from "../world/trading-hours.js";
import { type ClientSession, onRequest, type RequestHandler } from "./registry.js";

/** What tickReqParams should name as bboExchange for SMART-routed US stocks; reqSmartComponents expands it. */
export const US_SMART_BBO_EXCHANGE = "9c0001";

/** The exchanges behind SMART's best bid/offer, with the letters tick strings use for them. */
const US_SMART_COMPONENTS = [
  [0, "NYSE", "N"],
  [1, "ARCA", "P"],
  [2, "NASDAQ", "Q"],
  [3, "BATS", "Z"],
  [4, "IEX", "V"],
  [5, "AMEX", "A"],
  [6, "CHX", "M"],
  [7, "ISE", "I"],
  [8, "PHLX", "X"],
] as const;

/** Books reqMktDepth can open, as reqMktDepthExchanges lists them. */
const DEPTH_EXCHANGES = [
  ["NASDAQ", "STK", "NASDAQ", "Deep2", 1],
  ["NYSE", "STK", "NYSE", "Deep", 1],
  ["ARCA", "STK", "ARCA", "Deep2", 1],
  ["BATS", "STK", "BATS", "Deep2", 1],
  ["IEX", "STK", "IEX", "Deep2", 1],
  ["LSE", "STK", "LSE", "Deep", 1],
  ["IBIS", "STK", "IBIS", "Deep", 1],
  ["TSEJ", "STK", "TSEJ", "Deep", 1],
  ["CME", "FUT", "", "Deep", 2],
  ["IDEALPRO", "CASH", "", "Deep", 4],
] as const;

/** Sends one contract-details answer: bondContractData for bonds (as TWS does), contractData for the rest. */
function sendDetails(session: ClientSession, reqId: number, { instrument, exchange }: ContractMatch): void {
  const { contract, details } = instrument;
  const now = session.sim.clock.now();
  const { schedule } = details;
  const common = {
    reqId,
    symbol: contract.symbol,
    secType: contract.secType,
    exchange,
    currency: contract.currency,
    marketName: details.marketName,
    tradingClass: contract.tradingClass,
    conId: contract.conId,
    minTick: details.minTick,
    orderTypes: details.orderTypes,
    validExchanges: details.validExchanges.join(","),
    longName: details.longName,
    timeZoneId: schedule.timeZoneId,
    tradingHours: renderSessions(schedule, schedule.trading, now),
    liquidHours: renderSessions(schedule, schedule.liquid, now),
    evRule: details.evRule,
    evMultiplier: details.evMultiplier || undefined,
    secIdList: details.secIdList.map((id) => ({ tag: id.tag, value: id.value })),
    aggGroup: details.aggGroup,
    // One rule id per valid exchange, in the same order, as TWS lists them.
    marketRuleIds: details.validExchanges.map(() => details.marketRuleId).join(","),
    minSize: String(details.minSize),
    sizeIncrement: String(details.sizeIncrement),
    suggestedSizeIncrement: String(details.suggestedSizeIncrement),
  };
  if (details.bond) {
    session.send(bondContractData, { ...common, ...details.bond });
    return;
  }
  session.send(contractData, {
    ...common,
    lastTradeDateOrContractMonth: contract.lastTradeDateOrContractMonth,
    lastTradeDate: contract.lastTradeDateOrContractMonth,
    strike: contract.strike,
    right: contract.right,
    localSymbol: contract.localSymbol,
    multiplier: contract.multiplier,
    priceMagnifier: details.priceMagnifier,
    underConId: details.underConId,
    primaryExch: contract.primaryExch,
    contractMonth: details.contractMonth,
    industry: details.industry,
    category: details.category,
    subcategory: details.subcategory,
    underSymbol: details.underSymbol,
    underSecType: details.underSecType,
    realExpirationDate: details.realExpirationDate,
    stockType: details.stockType,
    ...details.fund,
    ineligibilityReasons: details.ineligibilityReasons.map((reason) => ({ ...reason })),
  });
}

function underlyingOf(session: ClientSession, conId: number, symbol: string, secType: string): Instrument | undefined {
  const { catalog } = session.sim.world;
  if (conId > 0) return catalog.byId(conId);
  return catalog.resolve({ symbol, secType }).kind === "one"
    ? (catalog.find({ symbol, secType })[0] as ContractMatch).instrument
    : undefined;
}

export const contractHandlers: readonly RequestHandler[] = [
  onRequest(reqContractDetails, (session, request) => {
    const matches = session.sim.world.catalog.find(request);
    if (matches.length === 0) {
      session.sendError(request.reqId, TwsCode.NO_SECURITY_DEFINITION, NO_SECURITY_DEFINITION);
      return;
    }
    for (const match of matches) sendDetails(session, request.reqId, match);
    session.send(contractDataEnd, { reqId: request.reqId });
  }),

  onRequest(reqMatchingSymbols, (session, request) => {
    const { catalog } = session.sim.world;
    session.send(symbolSamples, {
      reqId: request.reqId,
      contractDescriptions: catalog.search(request.pattern).map(({ contract, details }) => ({
        conId: contract.conId,
        symbol: contract.symbol,
        secType: contract.secType,
        primaryExch: contract.primaryExch || contract.exchange,
        currency: contract.currency,
        derivativeSecTypes: catalog.derivativeSecTypes(contract.conId).map((secType) => ({ secType })),
        description: details.longName,
        issuerId: "",
      })),
    });
  }),

  onRequest(reqSecDefOptParams, (session, request) => {
    const underlying = underlyingOf(
      session,
      request.underlyingConId,
      request.underlyingSymbol,
      request.underlyingSecType,
    );
    const chains = underlying ? session.sim.world.catalog.optionChains(underlying.contract.conId) : [];
    const exchange = request.futFopExchange.trim().toUpperCase();
    for (const chain of chains) {
      if (exchange !== "" && chain.exchange !== exchange) continue;
      session.send(securityDefinitionOptionParameter, {
        reqId: request.reqId,
        exchange: chain.exchange,
        underlyingConId: chain.underConId,
        tradingClass: chain.tradingClass,
        multiplier: chain.multiplier,
        expirations: chain.expirations.map((expiration) => ({ expiration })),
        strikes: chain.strikes.map((strike) => ({ strike })),
      });
    }
    // TWS ends the answer even when nothing matched.
    session.send(securityDefinitionOptionParameterEnd, { reqId: request.reqId });
  }),

  onRequest(reqMarketRule, (session, request) => {
    const increments = MARKET_RULES.get(request.marketRuleId);
    if (!increments) {
      session.sendError(
        NO_REQUEST_ID,
        TwsCode.ERROR_PROCESSING_REQUEST,
        `Unknown market rule id ${request.marketRuleId}`,
      );
      return;
    }
    session.send(marketRule, {
      marketRuleId: request.marketRuleId,
      priceIncrements: increments.map((increment) => ({ ...increment })),
    });
  }),

  onRequest(reqSmartComponents, (session, request) => {
    session.send(smartComponents, {
      reqId: request.reqId,
      components: US_SMART_COMPONENTS.map(([bitNumber, exchange, exchangeLetter]) => ({
        bitNumber,
        exchange,
        exchangeLetter,
      })),
    });
  }),

  onRequest(reqMktDepthExchanges, (session) => {
    session.send(mktDepthExchanges, {
      descriptions: DEPTH_EXCHANGES.map(([exchange, secType, listingExch, serviceDataType, aggGroup]) => ({
        exchange,
        secType,
        listingExch,
        serviceDataType,
        aggGroup,
      })),
    });
  }),
];
