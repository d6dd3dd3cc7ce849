import { parseBarSize, parseDuration } from "../market-data/bar-settings.js";
import {
  type BarQuery,
  currentBar,
  type HistoricalBar,
  historicalBars,
  isBarSource,
  TooMuchData,
} from "../market-data/historical-bars.js";
import { historicalRequestKey } from "../market-data/historical-pacing-key.js";
import { resolveOrReject } from "../market-data/resolve-contract.js";
import { formatZoned, parseRequestTime } from "../market-data/zoned-time.js";
import {
  cancelHistoricalData,
  historicalData,
  historicalDataUpdate,
  reqHistoricalData,
} from "../messages/historical.js";
import { TwsCode } from "../tws-codes.js";
import { type ClientSession, onRequest, type RequestHandler } from "./registry.js";

const KIND = "historicalData";
/** How often a keepUpToDate request reports the bar in progress (TWS: every few seconds while it changes). */
const UPDATE_MS = 5000;
const HMDS = "Historical Market Data Service error message:";

/** formatDate 1: "yyyyMMdd HH:mm:ss zone" in the instrument's zone; 2: epoch seconds. Daily and longer: "yyyyMMdd". */
function barDate(bar: HistoricalBar, formatDate: number, timeZone: string): string {
  if (bar.dateLabel !== undefined) return bar.dateLabel;
  return formatDate === 2 ? String(Math.floor(bar.start / 1000)) : formatZoned(timeZone, bar.start);
}

function invalid(session: ClientSession, reqId: number, what: string): void {
  session.sendError(reqId, TwsCode.VALIDATION_ERROR, `Error validating request.-'bP' : cause - ${what}`);
}

export const historicalDataHandlers: readonly RequestHandler[] = [
  onRequest(reqHistoricalData, (session, request) => {
    const { reqId } = request;
    session.subscriptions.cancel(KIND, reqId);
    const requested = resolveOrReject(session, reqId, request);
    if (!requested) return;
    const barSize = parseBarSize(request.barSizeSetting);
    if (!barSize) return invalid(session, reqId, `Invalid bar size ${JSON.stringify(request.barSizeSetting)}`);
    const duration = parseDuration(request.durationStr);
    if (!duration) return invalid(session, reqId, `Invalid duration ${JSON.stringify(request.durationStr)}`);
    const source = request.whatToShow.toUpperCase();
    if (!isBarSource(source)) {
      session.sendError(
        reqId,
        TwsCode.HISTORICAL_DATA_ERROR,
        `${HMDS}No data of type ${request.whatToShow} is available`,
      );
      return;
    }
    const end = parseRequestTime(request.endDateTime);
    if (end instanceof Error) return invalid(session, reqId, end.message);
    if (request.keepUpToDate && end !== undefined) {
      return invalid(session, reqId, "End date not supported with live updates");
    }
    const key = historicalRequestKey("bars", requested, source, [
      request.endDateTime,
      request.durationStr,
      request.barSizeSetting,
      request.useRTH,
      request.keepUpToDate,
    ]);
    const { sim } = session;
    if (!sim.limits.historical.admit(session, reqId, key)) return;

    const now = sim.clock.now();
    const { instrument } = requested;
    const query: BarQuery = {
      instrument,
      end: Math.min(end ?? now, now),
      duration,
      barSize,
      regularHoursOnly: request.useRTH,
      source,
    };
    let bars: HistoricalBar[];
    try {
      bars = historicalBars(sim.world.market, query);
    } catch (error) {
      if (!(error instanceof TooMuchData)) throw error;
      session.sendError(reqId, TwsCode.HISTORICAL_DATA_ERROR, `${HMDS}${error.message}`);
      return;
    }
    const first = bars[0];
    if (!first) {
      session.sendError(reqId, TwsCode.HISTORICAL_DATA_ERROR, `${HMDS}HMDS query returned no data`);
      return;
    }
    const { timeZoneId } = instrument.details.schedule;
    const wireBar = (bar: HistoricalBar) => ({
      date: barDate(bar, request.formatDate, timeZoneId),
      open: bar.open,
      high: bar.high,
      low: bar.low,
      close: bar.close,
      volume: String(bar.volume),
      wap: String(bar.wap),
      count: bar.count,
    });
    session.send(historicalData, {
      reqId,
      startDate: formatZoned("UTC", first.start),
      endDate: formatZoned("UTC", query.end),
      bars: bars.map(wireBar),
    });
    if (!request.keepUpToDate) return;

    let previous = "";
    const stop = sim.clock.every(UPDATE_MS, () => {
      const bar = currentBar(sim.world.market, query, sim.clock.now());
      if (!bar) return;
      const values = { reqId, ...wireBar(bar) };
      const signature = JSON.stringify(values);
      if (signature === previous) return;
      previous = signature;
      session.send(historicalDataUpdate, values);
    });
    session.subscriptions.add(KIND, reqId, stop);
  }),

  onRequest(cancelHistoricalData, (session, request) => {
    session.subscriptions.cancel(KIND, request.reqId);
  }),
];
