import { create } from "@bufbuild/protobuf";
import type { HandlerContext } from "@connectrpc/connect";
import { type BarSizeSetting, EventName, type WhatToShow } from "@stoqey/ib";
import type { Contract } from "../../../gen/ibrpc/v1/common_pb.js";
import {
  HistoricalDataUpdateSchema,
  type WatchHistoricalDataRequest,
  type WatchHistoricalDataResponse,
  WatchHistoricalDataResponseSchema,
} from "../../../gen/ibrpc/v1/historical_data_pb.js";
import { barFromIb, contractToIb, historicalDataEndFromIb, isHistoricalDataEnd } from "../../convert/index.js";
import { historicalRequestKeys } from "../../gateway/historical-key.js";
import { decodeEvent } from "../../gateway/ib-events.js";
import { contractKey, describeContract } from "../../hub/contract-key.js";
import type { FeedSpec } from "../../hub/feed-spec.js";
import { stateModel } from "../../hub/feeds/state-model.js";
import { gatewayFor, type ServiceDeps } from "../call-context.js";
import { streamOf } from "./stream-context.js";

/** IB updates the forming bar about every 5 s: two minutes of silence means the subscription is gone. */
const UPDATES_LIVENESS_MS = 120_000;

/**
 * One keepUpToDate request (reqHistoricalData with keepUpToDate): the bars, HistoricalDataEnd, then the forming bar
 * as it changes. Late joiners get the bars, the End and the latest update; a slow client the latest update only
 * (updates conflate). Budgeted (IB keeps each one open) and paced by IB's historical rules, re-opens included.
 */
export function historicalBarsFeed(req: WatchHistoricalDataRequest): FeedSpec<WatchHistoricalDataResponse> {
  const contract = req.contract as Contract;
  const ibContract = contractToIb(contract);
  const formatDate = req.formatDate ?? 1;
  const wrap = (event: WatchHistoricalDataResponse["event"]) => create(WatchHistoricalDataResponseSchema, { event });
  return {
    key: `historical|${contractKey(contract)}|${req.durationStr}|${req.barSizeSetting}|${req.whatToShow}|${req.useRth}|${formatDate}`,
    kind: "historical",
    describe: `${req.barSizeSetting} ${req.whatToShow} bars of ${describeContract(contract)} kept up to date`,
    resource: "keepUpToDate",
    paced: historicalRequestKeys({
      kind: "bars",
      contract: ibContract,
      duration: req.durationStr,
      barSize: req.barSizeSetting,
      whatToShow: req.whatToShow,
      useRTH: req.useRth,
      formatDate,
      keepUpToDate: true,
    }),
    open: (ib, reqId) =>
      ib.reqHistoricalData(
        reqId,
        ibContract,
        "",
        req.durationStr,
        req.barSizeSetting as BarSizeSetting,
        req.whatToShow as WhatToShow,
        req.useRth,
        formatDate,
        true,
      ),
    cancel: (ib, reqId) => ib.cancelHistoricalData(reqId),
    model: () => {
      let bar = 0;
      return stateModel({
        conflate: true,
        keysAfterEnd: true,
        read: (name, args) => {
          if (name === EventName.historicalData) {
            const row = decodeEvent(EventName.historicalData, args);
            if (isHistoricalDataEnd(row)) {
              return { end: true, message: wrap({ case: "historicalDataEnd", value: historicalDataEndFromIb(row) }) };
            }
            // Each bar of the history is state of its own (key by position: IB sends them once, in order).
            return { key: `bar:${bar++}`, message: wrap({ case: "bar", value: barFromIb(row) }) };
          }
          if (name === EventName.historicalDataUpdate) {
            const row = decodeEvent(EventName.historicalDataUpdate, args);
            return {
              key: "update",
              message: wrap({
                case: "historicalDataUpdate",
                value: create(HistoricalDataUpdateSchema, { bar: barFromIb(row) }),
              }),
            };
          }
          return undefined;
        },
      });
    },
    gap: (gap) => wrap({ case: "gap", value: gap }),
    missed: "bars: the history follows again, then HistoricalDataEnd",
    overflow: "resync",
    livenessMs: UPDATES_LIVENESS_MS,
  };
}

/** The streaming method of HistoricalDataService (the unary ones are in ../historical-data-service.ts). */
export function historicalStreams(deps: ServiceDeps) {
  return {
    watchHistoricalData(
      req: WatchHistoricalDataRequest,
      ctx: HandlerContext,
    ): AsyncGenerator<WatchHistoricalDataResponse> {
      return streamOf(deps, ctx, gatewayFor(deps, ctx), historicalBarsFeed(req));
    },
  };
}
