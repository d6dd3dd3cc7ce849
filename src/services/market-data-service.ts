import { create } from "@bufbuild/protobuf";
import type { HandlerContext, ServiceImpl } from "@connectrpc/connect";
import { EventName, type IBApi, type MarketDataType, type TickByTickDataType, type WhatToShow } from "@stoqey/ib";
import type { Contract } from "../../gen/ibrpc/v1/common_pb.js";
import {
  type MarketDataService,
  type ReqMktDataRequest,
  type ReqMktDataResponse,
  ReqMktDataResponseSchema,
  type ReqRealTimeBarsRequest,
  type ReqRealTimeBarsResponse,
  ReqRealTimeBarsResponseSchema,
  type ReqTickByTickDataRequest,
  type ReqTickByTickDataResponse,
  ReqTickByTickDataResponseSchema,
  TickSnapshotEndSchema,
} from "../../gen/ibrpc/v1/market_data_pb.js";
import {
  contractToIb,
  marketDataTypeFromIb,
  realtimeBarFromIb,
  tagValuesToIb,
  tickByTickAllLastFromIb,
  tickByTickBidAskFromIb,
  tickByTickMidPointFromIb,
  tickEfpFromIb,
  tickGenericFromIb,
  tickNewsFromIb,
  tickOptionComputationFromIb,
  tickPriceFromIb,
  tickReqParamsFromIb,
  tickSizeFromIb,
  tickStringFromIb,
} from "../convert/index.js";
import { decodeEvent } from "../gateway/ib-events.js";
import type { IbEventArgs } from "../gateway/request-correlator.js";
import { contractKey, describeContract } from "../hub/contract-key.js";
import type { FeedSpec } from "../hub/feed-spec.js";
import { type Reading, stateModel } from "../hub/feeds/state-model.js";
import { gatewayFor, type ServiceDeps } from "./call-context.js";
import { streamOf } from "./streams/stream-context.js";

/** IB's market data types: 1 real-time, 2 frozen, 3 delayed, 4 delayed frozen. */
const REAL_TIME = 1;
/** 5-second bars come every 5 s: a minute without one means the subscription is gone. */
const BARS_LIVENESS_MS = 60_000;

/**
 * reqMarketDataType is a setting of the whole connection, read by IB when a reqMktData arrives. Each market data
 * request sends it first when the connection's last one differs (in the same pacer slot, so nothing slips between);
 * the market data type is part of the hub key, so one subscription never mixes types. Per IBApi: a new session
 * starts from IB's default again.
 */
const lastMarketDataType = new WeakMap<IBApi, number>();

function useMarketDataType(ib: IBApi, type: number): void {
  if ((lastMarketDataType.get(ib) ?? REAL_TIME) === type) return;
  ib.reqMarketDataType(type as MarketDataType);
  lastMarketDataType.set(ib, type);
}

/** IB's generic tick list, normalized ("233, 100" and "100,233" share one subscription). */
function genericTicks(list: string): string {
  return [
    ...new Set(
      list
        .split(",")
        .map((t) => t.trim())
        .filter((t) => t.length > 0),
    ),
  ]
    .sort()
    .join(",");
}

function readTick(name: EventName, args: IbEventArgs): Reading<ReqMktDataResponse> | undefined {
  const wrap = (event: ReqMktDataResponse["event"]) => create(ReqMktDataResponseSchema, { event });
  switch (name) {
    case EventName.tickPrice: {
      const e = decodeEvent(EventName.tickPrice, args);
      return { key: `price:${e.field}`, message: wrap({ case: "tickPrice", value: tickPriceFromIb(e) }) };
    }
    case EventName.tickSize: {
      const e = decodeEvent(EventName.tickSize, args);
      return { key: `size:${e.field}`, message: wrap({ case: "tickSize", value: tickSizeFromIb(e) }) };
    }
    case EventName.tickString: {
      const e = decodeEvent(EventName.tickString, args);
      return { key: `string:${e.field}`, message: wrap({ case: "tickString", value: tickStringFromIb(e) }) };
    }
    case EventName.tickGeneric: {
      const e = decodeEvent(EventName.tickGeneric, args);
      return { key: `generic:${e.field}`, message: wrap({ case: "tickGeneric", value: tickGenericFromIb(e) }) };
    }
    case EventName.tickOptionComputation: {
      const e = decodeEvent(EventName.tickOptionComputation, args);
      return {
        key: `option:${e.field}`,
        message: wrap({ case: "tickOptionComputation", value: tickOptionComputationFromIb(e) }),
      };
    }
    case EventName.tickEFP: {
      const e = decodeEvent(EventName.tickEFP, args);
      return { key: `efp:${e.field}`, message: wrap({ case: "tickEfp", value: tickEfpFromIb(e) }) };
    }
    case EventName.tickReqParams:
      return {
        key: "reqParams",
        message: wrap({
          case: "tickReqParams",
          value: tickReqParamsFromIb(decodeEvent(EventName.tickReqParams, args)),
        }),
      };
    case EventName.marketDataType:
      return {
        key: "marketDataType",
        message: wrap({
          case: "marketDataType",
          value: marketDataTypeFromIb(decodeEvent(EventName.marketDataType, args)),
        }),
      };
    case EventName.tickNews:
      // Headlines are events, not state: never conflated, not replayed to late joiners.
      return { message: wrap({ case: "tickNews", value: tickNewsFromIb(decodeEvent(EventName.tickNews, args)) }) };
    case EventName.tickSnapshotEnd:
      return {
        end: true,
        complete: true,
        message: wrap({ case: "tickSnapshotEnd", value: create(TickSnapshotEndSchema) }),
      };
    default:
      return undefined;
  }
}

/** One market data line (reqMktData), keyed by contract, generic ticks, snapshot kind and market data type. */
export function marketDataFeed(req: ReqMktDataRequest): FeedSpec<ReqMktDataResponse> {
  const contract = req.contract as Contract;
  const ticks = genericTicks(req.genericTickList);
  const type = req.marketDataType ?? REAL_TIME;
  const mode = req.regulatorySnapshot ? "regulatory-snapshot" : req.snapshot ? "snapshot" : "live";
  const ibContract = contractToIb(contract);
  return {
    key: `mktData|${contractKey(contract)}|${ticks}|${mode}|${type}`,
    kind: "mktData",
    describe: `market data ${describeContract(contract)}${mode === "live" ? "" : ` (${mode})`}`,
    resource: "marketDataLines",
    open: (ib, reqId) => {
      useMarketDataType(ib, type);
      ib.reqMktData(reqId, ibContract, ticks, req.snapshot && !req.regulatorySnapshot, req.regulatorySnapshot);
    },
    cancel: (ib, reqId) => ib.cancelMktData(reqId),
    model: () => stateModel({ conflate: true, read: readTick }),
    gap: (gap) => create(ReqMktDataResponseSchema, { event: { case: "gap", value: gap } }),
    missed: "ticks: the current value of every tick type follows",
    overflow: "resync",
  };
}

export function tickByTickFeed(req: ReqTickByTickDataRequest): FeedSpec<ReqTickByTickDataResponse> {
  const contract = req.contract as Contract;
  const wrap = (event: ReqTickByTickDataResponse["event"]) => create(ReqTickByTickDataResponseSchema, { event });
  const numberOfTicks = req.numberOfTicks ?? 0;
  const ibContract = contractToIb(contract);
  return {
    key: `tickByTick|${contractKey(contract)}|${req.tickType}|${numberOfTicks}|${req.ignoreSize}`,
    kind: "tickByTick",
    describe: `tick-by-tick ${req.tickType} ${describeContract(contract)}`,
    resource: "tickByTick",
    open: (ib, reqId) =>
      ib.reqTickByTickData(reqId, ibContract, req.tickType as TickByTickDataType, numberOfTicks, req.ignoreSize),
    cancel: (ib, reqId) => ib.cancelTickByTickData(reqId),
    // Every trade or quote is an event (never conflated: a client too slow gets a Gap); the last one is the state.
    model: () =>
      stateModel({
        conflate: false,
        keepEvents: 1,
        read: (name, args) => {
          switch (name) {
            case EventName.tickByTickAllLast:
              return {
                message: wrap({
                  case: "tickByTickAllLast",
                  value: tickByTickAllLastFromIb(decodeEvent(EventName.tickByTickAllLast, args)),
                }),
              };
            case EventName.tickByTickBidAsk:
              return {
                message: wrap({
                  case: "tickByTickBidAsk",
                  value: tickByTickBidAskFromIb(decodeEvent(EventName.tickByTickBidAsk, args)),
                }),
              };
            case EventName.tickByTickMidPoint:
              return {
                message: wrap({
                  case: "tickByTickMidPoint",
                  value: tickByTickMidPointFromIb(decodeEvent(EventName.tickByTickMidPoint, args)),
                }),
              };
            default:
              return undefined;
          }
        },
      }),
    gap: (gap) => wrap({ case: "gap", value: gap }),
    missed: "ticks (tick-by-tick data is not re-sent)",
    overflow: "resync",
  };
}

export function realTimeBarsFeed(req: ReqRealTimeBarsRequest): FeedSpec<ReqRealTimeBarsResponse> {
  const contract = req.contract as Contract;
  const wrap = (event: ReqRealTimeBarsResponse["event"]) => create(ReqRealTimeBarsResponseSchema, { event });
  const barSize = req.barSize ?? 5;
  const ibContract = contractToIb(contract);
  const options = tagValuesToIb(req.realTimeBarsOptions);
  return {
    key: `realTimeBars|${contractKey(contract)}|${barSize}|${req.whatToShow}|${req.useRth}`,
    kind: "realTimeBars",
    describe: `5-second ${req.whatToShow} bars ${describeContract(contract)}`,
    open: (ib, reqId) =>
      ib.reqRealTimeBars(reqId, ibContract, barSize, req.whatToShow as WhatToShow, req.useRth, options),
    cancel: (ib, reqId) => ib.cancelRealTimeBars(reqId),
    // A slow client gets the latest bar (bars conflate); a late joiner the last one at once.
    model: () =>
      stateModel({
        conflate: true,
        read: (name, args) =>
          name === EventName.realtimeBar
            ? {
                key: "bar",
                message: wrap({
                  case: "realtimeBar",
                  value: realtimeBarFromIb(decodeEvent(EventName.realtimeBar, args)),
                }),
              }
            : undefined,
      }),
    gap: (gap) => wrap({ case: "gap", value: gap }),
    missed: "bars",
    overflow: "resync",
    livenessMs: BARS_LIVENESS_MS,
  };
}

/**
 * MarketDataService: every call is a stream on the gateway's hub, so one IB subscription serves every client asking
 * for the same thing, within IB's line budgets (RESOURCE_EXHAUSTED naming the limit and its holders past them).
 */
export function marketDataService(deps: ServiceDeps): Partial<ServiceImpl<typeof MarketDataService>> {
  return {
    reqMktData(req: ReqMktDataRequest, ctx: HandlerContext) {
      return streamOf(deps, ctx, gatewayFor(deps, ctx), marketDataFeed(req));
    },
    reqTickByTickData(req: ReqTickByTickDataRequest, ctx: HandlerContext) {
      return streamOf(deps, ctx, gatewayFor(deps, ctx), tickByTickFeed(req));
    },
    reqRealTimeBars(req: ReqRealTimeBarsRequest, ctx: HandlerContext) {
      return streamOf(deps, ctx, gatewayFor(deps, ctx), realTimeBarsFeed(req));
    },
  };
}
