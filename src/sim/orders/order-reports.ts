import { formatConnectionTime } from "../clock.js";
import type { ExecDetailsValues } from "../messages/executions.js";
import type { CompletedOrderValues, OpenOrderValues } from "../messages/orders.js";
import type { Execution } from "./execution-log.js";
import type { MarginFigures } from "./margin.js";
import { averageFillPrice, remaining, type SimOrder } from "./sim-order.js";

/**
 * Orders and fills as the wire reports them. openOrder and completedOrder echo the request as placed (so a client
 * reads back exactly the attributes it sent), with the contract as TWS resolved it and the state TWS owns: ids,
 * quantities, prices after modification, status.
 */

/** The what-if part of openOrder's OrderState; all unset for a live order. */
export interface WhatIfState {
  readonly margin: MarginFigures;
  readonly commission: number;
  readonly commissionCurrency: string;
}

/** A live order's OrderState carries no margin figures. */
const NO_MARGIN: { readonly [K in keyof MarginFigures]: undefined } = {
  initMarginBefore: undefined,
  maintMarginBefore: undefined,
  equityWithLoanBefore: undefined,
  initMarginChange: undefined,
  maintMarginChange: undefined,
  equityWithLoanChange: undefined,
  initMarginAfter: undefined,
  maintMarginAfter: undefined,
  equityWithLoanAfter: undefined,
};

function contractOf(order: SimOrder) {
  const contract = order.instrument.contract;
  return {
    conId: contract.conId,
    symbol: contract.symbol,
    secType: contract.secType,
    lastTradeDateOrContractMonth: contract.lastTradeDateOrContractMonth,
    strike: contract.strike,
    right: contract.right,
    multiplier: contract.multiplier,
    exchange: order.exchange,
    currency: contract.currency,
    localSymbol: contract.localSymbol,
    tradingClass: contract.tradingClass,
  };
}

/** Fields both answers take from the order rather than from the request. */
function orderFields(order: SimOrder) {
  const request = order.request;
  return {
    ...contractOf(order),
    totalQuantity: String(order.quantity),
    lmtPrice: order.limitPrice,
    auxPrice: order.stopPrice,
    tif: request.tif.trim() === "" ? "DAY" : request.tif,
    account: order.account,
    permId: order.permId,
    discretionaryAmt: request.discretionaryAmt ?? 0,
    volatilityType: request.volatilityType ?? 0,
    referencePriceType: request.referencePriceType ?? 0,
    comboLegsDescription: "",
    comboLegs: request.comboLegs ?? [],
    orderComboLegs: request.orderComboLegs ?? [],
    smartComboRoutingParams: request.smartComboRoutingParams ?? [],
    duration: request.duration ?? 0,
    usePriceMgmtAlgo: request.usePriceMgmtAlgo ?? false,
    minTradeQty: request.minTradeQty,
    minCompeteSize: request.minCompeteSize,
    competeAgainstBestOffset: parseOptionalNumber(request.competeAgainstBestOffset),
    midOffsetAtWhole: request.midOffsetAtWhole,
    midOffsetAtHalf: request.midOffsetAtHalf,
  };
}

export function openOrderValues(order: SimOrder, whatIf?: WhatIfState): OpenOrderValues {
  const request = order.request;
  return {
    ...request,
    ...orderFields(order),
    orderId: order.orderId,
    clientId: order.clientId,
    auctionStrategy: request.auctionStrategy ?? 0,
    parentId: order.parent?.orderId ?? 0,
    basisPoints: undefined,
    basisPointsType: undefined,
    whatIf: whatIf !== undefined,
    status: whatIf ? "PreSubmitted" : order.status,
    ...(whatIf?.margin ?? NO_MARGIN),
    commission: whatIf?.commission,
    minCommission: whatIf?.commission,
    maxCommission: whatIf?.commission,
    commissionCurrency: whatIf?.commissionCurrency ?? "",
    warningText: "",
    softDollarTierDisplayName: "",
    bondAccruedInterest: "",
  };
}

export function completedOrderValues(order: SimOrder): CompletedOrderValues {
  return {
    ...order.request,
    ...orderFields(order),
    status: order.status,
    autoCancelDate: "",
    filledQuantity: String(order.filled),
    refFuturesConId: 0,
    shareholder: "",
    imbalanceOnly: false,
    routeMarketableToBbo: false,
    parentPermId: order.parent?.permId ?? 0,
    completedTime: order.completedAt === undefined ? "" : formatConnectionTime(order.completedAt),
    completedStatus: order.completedStatus,
  };
}

export function orderStatusValues(order: SimOrder) {
  return {
    orderId: order.orderId,
    status: order.status,
    filled: String(order.filled),
    remaining: String(order.status === "Cancelled" || order.status === "Inactive" ? 0 : remaining(order)),
    avgFillPrice: averageFillPrice(order),
    permId: order.permId,
    parentId: order.parent?.orderId ?? 0,
    lastFillPrice: order.lastFillPrice,
    clientId: order.clientId,
    whyHeld: "",
    mktCapPrice: 0,
  };
}

/** reqId -1 for a live fill, the request's id when answering reqExecutions. */
export function execDetailsValues(reqId: number, execution: Execution): ExecDetailsValues {
  const { order } = execution;
  const { details } = order.instrument;
  return {
    reqId,
    orderId: order.orderId,
    ...contractOf(order),
    multiplier: order.instrument.contract.multiplier,
    execId: execution.execId,
    time: formatConnectionTime(execution.time),
    acctNumber: execution.account,
    executionExchange: execution.exchange,
    side: execution.side,
    shares: String(execution.shares),
    price: execution.price,
    permId: order.permId,
    clientId: order.clientId,
    liquidation: 0,
    cumQty: String(execution.cumQty),
    avgPrice: execution.avgPrice,
    orderRef: order.request.orderRef,
    evRule: details.evRule,
    evMultiplier: details.evMultiplier || undefined,
    modelCode: order.request.modelCode,
    // 1 = added liquidity (a resting limit), 2 = removed it (market and marketable orders).
    lastLiquidity: order.orderType === "LMT" && execution.time > order.placedAt ? 1 : 2,
    pendingPriceRevision: false,
  };
}

export function commissionReportValues(execution: Execution) {
  return {
    execId: execution.execId,
    commission: execution.commission,
    currency: execution.currency,
    realizedPNL: execution.realizedPnl,
    yield: undefined,
    yieldRedemptionDate: 0,
  };
}

function parseOptionalNumber(token: string | undefined): number | undefined {
  if (token === undefined || token.trim() === "") return undefined;
  const value = Number(token);
  return Number.isFinite(value) ? value : undefined;
}
