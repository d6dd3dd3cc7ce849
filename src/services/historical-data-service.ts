import { create } from "@bufbuild/protobuf";
import { Code, ConnectError, type HandlerContext, type ServiceImpl } from "@connectrpc/connect";
import { type BarSizeSetting, DurationUnit, EventName, type WhatToShow } from "@stoqey/ib";
import type { Contract } from "../../gen/ibrpc/v1/common_pb.js";
import {
  type Bar,
  type HistogramEntry,
  type HistoricalDataEnd,
  type HistoricalDataService,
  type HistoricalTick,
  type HistoricalTickBidAsk,
  type HistoricalTickLast,
  ReqHeadTimestampResponseSchema,
  ReqHistogramDataResponseSchema,
  ReqHistoricalDataResponseSchema,
  ReqHistoricalTicksResponseSchema,
} from "../../gen/ibrpc/v1/historical_data_pb.js";
import {
  barFromIb,
  contractToIb,
  epochSecondsToTimestamp,
  histogramEntriesFromIb,
  historicalDataEndFromIb,
  historicalTickBidAskFromIb,
  historicalTickFromIb,
  historicalTickLastFromIb,
  isHistoricalDataEnd,
} from "../convert/index.js";
import type { GatewayConnection } from "../gateway/gateway-connection.js";
import { historicalRequestKeys } from "../gateway/historical-key.js";
import { type HistoricalAttempt, historicalIbError } from "../gateway/historical-pacer.js";
import { IbError } from "../gateway/ib-error.js";
import { gatewayFor, type ServiceDeps, withCallDeadline } from "./call-context.js";

/**
 * HistoricalDataService's unary RPCs (WatchHistoricalData lives in src/services/streams). Every request goes through
 * the connection's HistoricalPacer first: IB's pacing rules are kept before sending (callers wait, within their
 * deadline, instead of earning error 162), identical concurrent calls share one IB request and an identical call
 * within 15 s is answered from the pacer's replay. IB's 162 is read by its text (historicalIbError): "no data" is
 * NOT_FOUND, missing permissions PERMISSION_DENIED, a refused query INVALID_ARGUMENT, a pacing violation (which
 * ibrpc's own traffic never earns) RESOURCE_EXHAUSTED.
 */

/**
 * IBApi reports the end of reqHistoricalData and reqHistoricalTicks inside the answer itself (the "finished" row, the
 * `done` flag), which the gathers below read with `until`; their `end` is an event IB never sends for these requests.
 */
const ENDED_BY_UNTIL = EventName.historicalDataUpdate;

/** Bar times as IB's "yyyyMMdd HH:mm:ss zone" unless the caller asks for epoch seconds (2). */
const DEFAULT_FORMAT_DATE = 1;
/** Head timestamps are always asked as epoch seconds: the answer is an instant, whatever IB's local format. */
const EPOCH_SECONDS = 2;

export function historicalDataService(deps: ServiceDeps): Partial<ServiceImpl<typeof HistoricalDataService>> {
  return {
    async reqHistoricalData(req, ctx) {
      const contract = contractToIb(req.contract as Contract);
      const endDateTime = req.endDateTime.trim();
      const formatDate = req.formatDate ?? DEFAULT_FORMAT_DATE;
      const keys = historicalRequestKeys({
        kind: "bars",
        contract,
        endDateTime,
        duration: req.durationStr,
        barSize: req.barSizeSetting,
        whatToShow: req.whatToShow,
        useRTH: req.useRth,
        formatDate,
      });
      type Row = { bar: Bar } | { end: HistoricalDataEnd };
      const rows = await paced(deps, ctx, "reqHistoricalData", keys, (gw, attempt) =>
        gw.correlator.gather({
          request: "reqHistoricalData",
          send: (reqId) => {
            attempt.written();
            gw.ib.reqHistoricalData(
              reqId,
              contract,
              endDateTime || undefined,
              req.durationStr,
              req.barSizeSetting as BarSizeSetting,
              req.whatToShow as WhatToShow,
              req.useRth,
              formatDate,
              false,
            );
          },
          items: {
            [EventName.historicalData]: (e): Row =>
              isHistoricalDataEnd(e) ? { end: historicalDataEndFromIb(e) } : { bar: barFromIb(e) },
          },
          until: { [EventName.historicalData]: isHistoricalDataEnd },
          end: ENDED_BY_UNTIL,
          cancel: (reqId) => gw.ib.cancelHistoricalData(reqId),
          noun: "bars",
          signal: attempt.signal,
        }),
      );
      // Shared and replayed answers are read-only: the response gets its own array.
      const res = create(ReqHistoricalDataResponseSchema);
      for (const row of rows) {
        if ("bar" in row) res.bars.push(row.bar);
        else res.end = row.end;
      }
      return res;
    },

    async reqHistoricalTicks(req, ctx) {
      const start = req.startDateTime.trim();
      const end = req.endDateTime.trim();
      if ((start === "") === (end === "")) {
        throw new ConnectError(
          "start_date_time, end_date_time: exactly one of them must be set (IB counts ticks from one side)",
          Code.InvalidArgument,
        );
      }
      const contract = contractToIb(req.contract as Contract);
      const numberOfTicks = req.numberOfTicks ?? 0;
      const whatToShow = req.whatToShow.trim().toUpperCase();
      const keys = historicalRequestKeys({
        kind: "ticks",
        contract,
        startDateTime: start,
        endDateTime: end,
        numberOfTicks,
        whatToShow,
        useRTH: req.useRth,
        ignoreSize: req.ignoreSize,
      });
      type Row =
        | { ticks: readonly HistoricalTick[] }
        | { ticksBidAsk: readonly HistoricalTickBidAsk[] }
        | { ticksLast: readonly HistoricalTickLast[] };
      const done = (e: { done: boolean }) => e.done === true;
      const rows = await paced(deps, ctx, "reqHistoricalTicks", keys, (gw, attempt) =>
        gw.correlator.gather({
          request: "reqHistoricalTicks",
          send: (reqId) => {
            attempt.written();
            gw.ib.reqHistoricalTicks(
              reqId,
              contract,
              start,
              end || undefined,
              numberOfTicks,
              whatToShow as WhatToShow,
              req.useRth,
              req.ignoreSize,
            );
          },
          items: {
            [EventName.historicalTicks]: (e): Row => ({ ticks: e.ticks.map(historicalTickFromIb) }),
            [EventName.historicalTicksBidAsk]: (e): Row => ({ ticksBidAsk: e.ticks.map(historicalTickBidAskFromIb) }),
            [EventName.historicalTicksLast]: (e): Row => ({ ticksLast: e.ticks.map(historicalTickLastFromIb) }),
          },
          until: {
            [EventName.historicalTicks]: done,
            [EventName.historicalTicksBidAsk]: done,
            [EventName.historicalTicksLast]: done,
          },
          end: ENDED_BY_UNTIL,
          noun: "tick batches",
          signal: attempt.signal,
        }),
      );
      const res = create(ReqHistoricalTicksResponseSchema);
      for (const row of rows) {
        if ("ticks" in row) res.ticks.push(...row.ticks);
        else if ("ticksBidAsk" in row) res.ticksBidAsk.push(...row.ticksBidAsk);
        else res.ticksLast.push(...row.ticksLast);
      }
      return res;
    },

    async reqHeadTimestamp(req, ctx) {
      const contract = contractToIb(req.contract as Contract);
      const whatToShow = req.whatToShow as WhatToShow;
      const keys = historicalRequestKeys({
        kind: "head",
        contract,
        whatToShow,
        useRTH: req.useRth,
        formatDate: EPOCH_SECONDS,
      });
      const [head] = await paced(deps, ctx, "reqHeadTimestamp", keys, (gw, attempt) =>
        gw.correlator.gather({
          request: "reqHeadTimestamp",
          send: (reqId) => {
            attempt.written();
            gw.ib.reqHeadTimestamp(reqId, contract, whatToShow, req.useRth, EPOCH_SECONDS);
          },
          items: { [EventName.headTimestamp]: (e) => e.headTimestamp },
          end: EventName.headTimestamp,
          cancel: (reqId) => gw.ib.cancelHeadTimestamp(reqId),
          cancelAfterEnd: true,
          noun: "answers",
          signal: attempt.signal,
        }),
      );
      const headTimestamp = epochSecondsToTimestamp(head);
      if (!headTimestamp) {
        throw new ConnectError(`reqHeadTimestamp: IB answered ${JSON.stringify(head)}, not an instant`, Code.Internal);
      }
      return create(ReqHeadTimestampResponseSchema, { headTimestamp });
    },

    async reqHistogramData(req, ctx) {
      const period = histogramPeriod(req.timePeriod);
      const contract = contractToIb(req.contract as Contract);
      const keys = historicalRequestKeys({ kind: "histogram", contract, useRTH: req.useRth, period: period.text });
      const [items = []] = await paced(deps, ctx, "reqHistogramData", keys, (gw, attempt) =>
        gw.correlator.gather({
          request: "reqHistogramData",
          send: (reqId) => {
            attempt.written();
            gw.ib.reqHistogramData(reqId, contract, req.useRth, period.count, period.unit);
          },
          items: { [EventName.histogramData]: (e): readonly HistogramEntry[] => histogramEntriesFromIb(e.data) },
          end: EventName.histogramData,
          cancel: (reqId) => gw.ib.cancelHistogramData(reqId),
          cancelAfterEnd: true,
          noun: "answers",
          signal: attempt.signal,
        }),
      );
      return create(ReqHistogramDataResponseSchema, { items: [...items] });
    },
  };
}

/**
 * One historical request: picks the gateway, waits for IB's pacing within the call's deadline (sharing an identical
 * request or replaying its recent answer), sends through the correlator, and reads IB's 162 by its text.
 */
function paced<T>(
  deps: ServiceDeps,
  ctx: HandlerContext,
  request: string,
  keys: ReturnType<typeof historicalRequestKeys>,
  send: (gw: GatewayConnection, attempt: HistoricalAttempt) => Promise<T[]>,
): Promise<T[]> {
  const gw = gatewayFor(deps, ctx);
  return withCallDeadline(
    deps,
    ctx,
    () => `${request}: no answer from gateway ${gw.name}`,
    (signal) =>
      gw.historicalPacer.run(keys, signal, (attempt) =>
        send(gw, attempt).catch((err: unknown) => {
          throw err instanceof IbError
            ? historicalIbError(err.ibCode, err.ibMessage, { gateway: err.gateway, reqId: err.reqId, cause: err })
            : err;
        }),
      ),
  );
}

const PERIOD_UNITS: Readonly<Record<string, DurationUnit>> = {
  day: DurationUnit.DAY,
  week: DurationUnit.WEEK,
  month: DurationUnit.MONTH,
  year: DurationUnit.YEAR,
};

/**
 * IB's histogram period ("3 days", "1 week", "2 months", "1 year"). @stoqey/ib takes it as a count and a unit and
 * writes "<count> <unit>s", so anything else is refused here rather than sent as something IB would misread.
 */
function histogramPeriod(text: string): { count: number; unit: DurationUnit; text: string } {
  const match = /^(\d+)\s*(day|week|month|year)s?$/i.exec(text.trim());
  const count = Number(match?.[1]);
  const unit = PERIOD_UNITS[(match?.[2] ?? "").toLowerCase()];
  if (!match || unit === undefined || !Number.isSafeInteger(count) || count < 1) {
    throw new ConnectError(
      `time_period: ${JSON.stringify(text)} is not IB's period ("3 days", "1 week", "2 months", "1 year")`,
      Code.InvalidArgument,
    );
  }
  return { count, unit, text: `${count} ${unit.toLowerCase()}s` };
}
