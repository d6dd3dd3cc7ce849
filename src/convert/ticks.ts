/**
 * Market data ticks (reqMktData), tick-by-tick, historical ticks and option computations.
 *
 * IB's "no value" here is -1 for prices and sizes (an empty bid / ask side, a closed market), -1 / -2 for option
 * model values not computed yet, and Double.MAX_VALUE; all become absent. A price or size of 0 is kept (an option's
 * 0 bid is a quote). Tick-by-tick and historical tick times are epoch seconds from IB (tickByTick's as text).
 */

import { create } from "@bufbuild/protobuf";
import type {
  HistoricalTick as IbHistoricalTick,
  HistoricalTickBidAsk as IbHistoricalTickBidAsk,
  HistoricalTickLast as IbHistoricalTickLast,
} from "@stoqey/ib";
import {
  type TickAttribBidAsk,
  TickAttribBidAskSchema,
  type TickAttribLast,
  TickAttribLastSchema,
  type TickOptionComputation,
  TickOptionComputationSchema,
} from "../../gen/ibrpc/v1/common_pb.js";
import {
  type HistoricalTick,
  type HistoricalTickBidAsk,
  HistoricalTickBidAskSchema,
  type HistoricalTickLast,
  HistoricalTickLastSchema,
  HistoricalTickSchema,
} from "../../gen/ibrpc/v1/historical_data_pb.js";
import {
  type MarketDataType,
  MarketDataTypeSchema,
  type TickAttrib,
  TickAttribSchema,
  type TickByTickAllLast,
  TickByTickAllLastSchema,
  type TickByTickBidAsk,
  TickByTickBidAskSchema,
  type TickByTickMidPoint,
  TickByTickMidPointSchema,
  type TickEFP,
  TickEFPSchema,
  type TickGeneric,
  TickGenericSchema,
  type TickNews,
  TickNewsSchema,
  type TickPrice,
  TickPriceSchema,
  type TickReqParams,
  TickReqParamsSchema,
  type TickSize,
  TickSizeSchema,
  type TickString,
  TickStringSchema,
} from "../../gen/ibrpc/v1/market_data_pb.js";
import { sizeToString } from "./decimal.js";
import { epochSecondsToTimestamp, timestampFromEpochMs } from "./time.js";
import { ibBool, ibString, optionalDouble, optionalInt, optionalPrice } from "./unset.js";

/**
 * IB's price attributes: @stoqey/ib 1.6.10 passes tickPrice's attribute token as a boolean (readBool of the mask:
 * true when any bit is set); IB's mask itself is bit 0 canAutoExecute, bit 1 pastLimit, bit 2 preOpen. Both forms,
 * and an object with the three names, are read here.
 */
export function tickAttribFromIb(attribs: unknown): TickAttrib {
  if (typeof attribs === "number" && Number.isInteger(attribs)) {
    return create(TickAttribSchema, {
      canAutoExecute: (attribs & 1) !== 0,
      pastLimit: (attribs & 2) !== 0,
      preOpen: (attribs & 4) !== 0,
    });
  }
  if (typeof attribs === "boolean") return create(TickAttribSchema, { canAutoExecute: attribs });
  if (attribs && typeof attribs === "object") {
    const a = attribs as { canAutoExecute?: unknown; pastLimit?: unknown; preOpen?: unknown };
    return create(TickAttribSchema, {
      canAutoExecute: a.canAutoExecute === true,
      pastLimit: a.pastLimit === true,
      preOpen: a.preOpen === true,
    });
  }
  return create(TickAttribSchema, {});
}

/** EWrapper.tickPrice(reqId, field, value, attribs), by name. */
export interface IbTickPriceEvent {
  readonly field: number;
  readonly value: number | undefined;
  readonly attribs?: unknown;
}

export function tickPriceFromIb(event: IbTickPriceEvent): TickPrice {
  return create(TickPriceSchema, {
    tickType: optionalInt(event.field),
    price: optionalPrice(event.value),
    attribs: tickAttribFromIb(event.attribs),
  });
}

/** EWrapper.tickSize(reqId, field, value), by name. */
export interface IbTickSizeEvent {
  readonly field: number | undefined;
  readonly value: number | undefined;
}

export function tickSizeFromIb(event: IbTickSizeEvent): TickSize {
  return create(TickSizeSchema, { tickType: optionalInt(event.field), size: sizeToString(event.value) });
}

export function tickStringFromIb(event: { readonly field: number; readonly value: string }): TickString {
  return create(TickStringSchema, { tickType: optionalInt(event.field), value: ibString(event.value) });
}

export function tickGenericFromIb(event: { readonly field: number; readonly value: number | undefined }): TickGeneric {
  return create(TickGenericSchema, { tickType: optionalInt(event.field), value: optionalDouble(event.value) });
}

/** EWrapper.tickEFP(...), by name. */
export interface IbTickEfpEvent {
  readonly field: number;
  readonly basisPoints: number | undefined;
  readonly formattedBasisPoints: string;
  readonly impliedFuture: number | undefined;
  readonly holdDays: number | undefined;
  readonly futureLastTradeDate: string;
  readonly dividendImpact: number | undefined;
  readonly dividendsToLastTradeDate: number | undefined;
}

export function tickEfpFromIb(event: IbTickEfpEvent): TickEFP {
  return create(TickEFPSchema, {
    tickType: optionalInt(event.field),
    basisPoints: optionalDouble(event.basisPoints),
    formattedBasisPoints: ibString(event.formattedBasisPoints),
    impliedFuture: optionalDouble(event.impliedFuture),
    holdDays: optionalInt(event.holdDays),
    futureLastTradeDate: ibString(event.futureLastTradeDate),
    dividendImpact: optionalDouble(event.dividendImpact),
    dividendsToLastTradeDate: optionalDouble(event.dividendsToLastTradeDate),
  });
}

/**
 * EWrapper.tickReqParams. @stoqey/ib 1.6.10 reads minTick with readInt, so 0.01 arrives as 0: a 0 minTick is
 * reported absent rather than wrong (take the contract's minTick from ContractDetails instead).
 */
export function tickReqParamsFromIb(event: {
  readonly minTick: number | undefined;
  readonly bboExchange: string;
  readonly snapshotPermissions: number | undefined;
}): TickReqParams {
  const minTick = optionalDouble(event.minTick);
  return create(TickReqParamsSchema, {
    minTick: minTick === 0 ? undefined : minTick,
    bboExchange: ibString(event.bboExchange),
    snapshotPermissions: optionalInt(event.snapshotPermissions),
  });
}

/** EWrapper.tickNews: timeStamp is epoch milliseconds (Java's long). */
export function tickNewsFromIb(event: {
  readonly timeStamp: number;
  readonly providerCode: string;
  readonly articleId: string;
  readonly headline: string;
  readonly extraData: string;
}): TickNews {
  return create(TickNewsSchema, {
    timeStamp: timestampFromEpochMs(event.timeStamp),
    providerCode: ibString(event.providerCode),
    articleId: ibString(event.articleId),
    headline: ibString(event.headline),
    extraData: ibString(event.extraData),
  });
}

export function marketDataTypeFromIb(event: { readonly marketDataType: number }): MarketDataType {
  return create(MarketDataTypeSchema, { marketDataType: optionalInt(event.marketDataType) });
}

/** EWrapper.tickOptionComputation(...), by name. */
export interface IbTickOptionComputationEvent {
  readonly field: number;
  readonly tickAttrib?: number | undefined;
  readonly impliedVolatility?: number | undefined;
  readonly delta?: number | undefined;
  readonly optPrice?: number | undefined;
  readonly pvDividend?: number | undefined;
  readonly gamma?: number | undefined;
  readonly vega?: number | undefined;
  readonly theta?: number | undefined;
  readonly undPrice?: number | undefined;
}

/** IB's "not computed": -1 for volatility and prices, -2 for the greeks (@stoqey/ib already drops most). */
function notComputed(value: number | undefined, sentinel: -1 | -2): number | undefined {
  const number = optionalDouble(value);
  return number === sentinel ? undefined : number;
}

export function tickOptionComputationFromIb(event: IbTickOptionComputationEvent): TickOptionComputation {
  return create(TickOptionComputationSchema, {
    tickType: optionalInt(event.field),
    tickAttrib: optionalInt(event.tickAttrib),
    impliedVol: notComputed(event.impliedVolatility, -1),
    delta: notComputed(event.delta, -2),
    optPrice: notComputed(event.optPrice, -1),
    pvDividend: notComputed(event.pvDividend, -1),
    gamma: notComputed(event.gamma, -2),
    vega: notComputed(event.vega, -2),
    theta: notComputed(event.theta, -2),
    undPrice: notComputed(event.undPrice, -1),
  });
}

export function tickAttribLastFromIb(
  attrib: IbHistoricalTickLast["tickAttribLast"] | null | undefined,
): TickAttribLast {
  return create(TickAttribLastSchema, { pastLimit: ibBool(attrib?.pastLimit), unreported: ibBool(attrib?.unreported) });
}

export function tickAttribBidAskFromIb(
  attrib: IbHistoricalTickBidAsk["tickAttribBidAsk"] | null | undefined,
): TickAttribBidAsk {
  return create(TickAttribBidAskSchema, {
    bidPastLow: ibBool(attrib?.bidPastLow),
    askPastHigh: ibBool(attrib?.askPastHigh),
  });
}

/** EWrapper.tickByTickAllLast(...), by name; time is epoch seconds (text in @stoqey/ib 1.6.10). */
export interface IbTickByTickAllLastEvent {
  readonly tickType: number;
  readonly time: string | number;
  readonly price: number | undefined;
  readonly size: number | undefined;
  readonly tickAttribLast?: IbHistoricalTickLast["tickAttribLast"];
  readonly exchange: string;
  readonly specialConditions: string;
}

export function tickByTickAllLastFromIb(event: IbTickByTickAllLastEvent): TickByTickAllLast {
  return create(TickByTickAllLastSchema, {
    tickType: optionalInt(event.tickType),
    time: epochSecondsToTimestamp(event.time),
    price: optionalPrice(event.price),
    size: sizeToString(event.size),
    tickAttribLast: tickAttribLastFromIb(event.tickAttribLast),
    exchange: ibString(event.exchange),
    specialConditions: ibString(event.specialConditions),
  });
}

/** EWrapper.tickByTickBidAsk(...), by name. */
export interface IbTickByTickBidAskEvent {
  readonly time: string | number;
  readonly bidPrice: number | undefined;
  readonly askPrice: number | undefined;
  readonly bidSize: number | undefined;
  readonly askSize: number | undefined;
  readonly tickAttribBidAsk?: IbHistoricalTickBidAsk["tickAttribBidAsk"];
}

export function tickByTickBidAskFromIb(event: IbTickByTickBidAskEvent): TickByTickBidAsk {
  return create(TickByTickBidAskSchema, {
    time: epochSecondsToTimestamp(event.time),
    bidPrice: optionalPrice(event.bidPrice),
    askPrice: optionalPrice(event.askPrice),
    bidSize: sizeToString(event.bidSize),
    askSize: sizeToString(event.askSize),
    tickAttribBidAsk: tickAttribBidAskFromIb(event.tickAttribBidAsk),
  });
}

export function tickByTickMidPointFromIb(event: {
  readonly time: string | number;
  readonly midPoint: number | undefined;
}): TickByTickMidPoint {
  return create(TickByTickMidPointSchema, {
    time: epochSecondsToTimestamp(event.time),
    midPoint: optionalPrice(event.midPoint),
  });
}

export function historicalTickFromIb(tick: IbHistoricalTick): HistoricalTick {
  return create(HistoricalTickSchema, {
    time: epochSecondsToTimestamp(tick.time),
    price: optionalPrice(tick.price),
    size: sizeToString(tick.size),
  });
}

export function historicalTickBidAskFromIb(tick: IbHistoricalTickBidAsk): HistoricalTickBidAsk {
  return create(HistoricalTickBidAskSchema, {
    time: epochSecondsToTimestamp(tick.time),
    tickAttribBidAsk: tickAttribBidAskFromIb(tick.tickAttribBidAsk),
    priceBid: optionalPrice(tick.priceBid),
    priceAsk: optionalPrice(tick.priceAsk),
    sizeBid: sizeToString(tick.sizeBid),
    sizeAsk: sizeToString(tick.sizeAsk),
  });
}

export function historicalTickLastFromIb(tick: IbHistoricalTickLast): HistoricalTickLast {
  return create(HistoricalTickLastSchema, {
    time: epochSecondsToTimestamp(tick.time),
    tickAttribLast: tickAttribLastFromIb(tick.tickAttribLast),
    price: optionalPrice(tick.price),
    size: sizeToString(tick.size),
    exchange: ibString(tick.exchange),
    specialConditions: ibString(tick.specialConditions),
  });
}
