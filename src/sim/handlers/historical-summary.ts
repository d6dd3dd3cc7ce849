import { parseHistogramPeriod } from "../market-data/bar-settings.js";
import { historicalRequestKey } from "../market-data/historical-pacing-key.js";
import { resolveOrReject } from "../market-data/resolve-contract.js";
import { sessionsBefore } from "../market-data/trading-sessions.js";
import { formatUtcDash } from "../market-data/zoned-time.js";
import {
  cancelHeadTimestamp,
  cancelHistogramData,
  headTimestamp,
  histogramData,
  reqHeadTimestamp,
  reqHistogramData,
} from "../messages/historical.js";
import { TwsCode } from "../tws-codes.js";
import { DAY_MS, YEAR_MS } from "../world/dates.js";
import { hashInts } from "../world/hash.js";
import type { Instrument } from "../world/index.js";
import { onRequest, type RequestHandler } from "./registry.js";

/** The longest histogram served (in sessions): beyond it TWS-like "too much data". */
const MAX_HISTOGRAM_SESSIONS = 63;

/**
 * When an instrument's data begins: seeded per contract (5..30 years back for listed products, a quarter back for
 * derivatives, which are young), then the first session on or after that day.
 */
function firstDataInstant(seed: number, instrument: Instrument, worldStart: number, regularOnly: boolean): number {
  const { conId, secType } = instrument.contract;
  const back =
    secType === "OPT" || secType === "FUT" ? 90 * DAY_MS : (5 + (hashInts(seed, conId, 0x4ead) % 26)) * YEAR_MS;
  const target = worldStart - back;
  let first: number | undefined;
  for (const session of sessionsBefore(instrument.details.schedule, regularOnly, target + 10 * DAY_MS)) {
    if (session.start < target) break;
    first = session.start;
  }
  return first ?? target;
}

export const historicalSummaryHandlers: readonly RequestHandler[] = [
  onRequest(reqHeadTimestamp, (session, request) => {
    const { reqId } = request;
    const requested = resolveOrReject(session, reqId, request);
    if (!requested) return;
    const key = historicalRequestKey("head", requested, request.whatToShow, [request.useRTH, request.formatDate]);
    const { sim } = session;
    if (!sim.limits.historical.admit(session, reqId, key)) return;
    const at = firstDataInstant(sim.seed, requested.instrument, sim.world.startMs, request.useRTH);
    session.send(headTimestamp, {
      reqId,
      headTimestamp: request.formatDate === 2 ? String(Math.floor(at / 1000)) : formatUtcDash(at),
    });
  }),

  // Answered at once, so there is never anything left to cancel.
  onRequest(cancelHeadTimestamp, () => {}),

  onRequest(reqHistogramData, (session, request) => {
    const { reqId } = request;
    const requested = resolveOrReject(session, reqId, request);
    if (!requested) return;
    const sessions = parseHistogramPeriod(request.timePeriod);
    if (sessions === undefined || sessions > MAX_HISTOGRAM_SESSIONS) {
      session.sendError(
        reqId,
        TwsCode.VALIDATION_ERROR,
        `Error validating request.-'bR' : cause - Invalid time period ${JSON.stringify(request.timePeriod)}`,
      );
      return;
    }
    const key = historicalRequestKey("histogram", requested, "TRADES", [request.useRTH, request.timePeriod]);
    const { sim } = session;
    if (!sim.limits.historical.admit(session, reqId, key)) return;

    // Volume traded at each price over the period: the same trades the bars and tick requests report.
    const { conId } = requested.instrument.contract;
    const volumeAt = new Map<number, number>();
    let counted = 0;
    for (const tradingSession of sessionsBefore(
      requested.instrument.details.schedule,
      request.useRTH,
      sim.clock.now(),
    )) {
      if (counted++ >= sessions) break;
      for (const trade of sim.world.market.trades(conId, tradingSession.start, tradingSession.end)) {
        volumeAt.set(trade.price, (volumeAt.get(trade.price) ?? 0) + trade.size);
      }
    }
    const items = [...volumeAt.entries()]
      .sort(([a], [b]) => a - b)
      .map(([price, size]) => ({ price, size: String(size) }));
    session.send(histogramData, { reqId, items });
  }),

  onRequest(cancelHistogramData, () => {}),
];
