import { historicalRequestKey } from "../market-data/historical-pacing-key.js";
import { resolveOrReject } from "../market-data/resolve-contract.js";
import { firstTicks, lastTicks, type MarketTick, type TickKind, type TickSeries } from "../market-data/tick-history.js";
import { sessionsBefore } from "../market-data/trading-sessions.js";
import { parseRequestTime } from "../market-data/zoned-time.js";
import {
  historicalTicks,
  historicalTicksBidAsk,
  historicalTicksLast,
  reqHistoricalTicks,
} from "../messages/historical.js";
import { TwsCode } from "../tws-codes.js";
import { DAY_MS } from "../world/dates.js";
import type { TradingSchedule } from "../world/instruments.js";
import { type ClientSession, onRequest, type RequestHandler } from "./registry.js";

/** TWS's cap on numberOfTicks. */
const MAX_TICKS = 1000;
/** How far from the given start or end the simulator looks for ticks. */
const SEARCH_MS = 7 * DAY_MS;
const KINDS = new Set<string>(["TRADES", "BID_ASK", "MIDPOINT"]);

type Interval = readonly [number, number];

/** Sessions (full trading hours, or regular ones) overlapping [from, to), oldest first and clipped. */
function sessionIntervals(schedule: TradingSchedule, regularOnly: boolean, from: number, to: number): Interval[] {
  const intervals: Interval[] = [];
  for (const session of sessionsBefore(schedule, regularOnly, to)) {
    if (session.end <= from) break;
    intervals.push([Math.max(from, session.start), session.end]);
  }
  return intervals.reverse();
}

function invalid(session: ClientSession, reqId: number, what: string): void {
  session.sendError(reqId, TwsCode.VALIDATION_ERROR, `Error validating request.-'bQ' : cause - ${what}`);
}

function sendTicks(session: ClientSession, reqId: number, kind: TickKind, ticks: MarketTick[], exchange: string): void {
  const seconds = (tick: MarketTick) => Math.floor(tick.time / 1000);
  switch (kind) {
    case "TRADES":
      session.send(historicalTicksLast, {
        reqId,
        ticks: ticks.flatMap((tick) =>
          tick.kind === "TRADES"
            ? [
                {
                  time: seconds(tick),
                  mask: 0,
                  price: tick.price,
                  size: String(tick.size),
                  exchange,
                  specialConditions: "",
                },
              ]
            : [],
        ),
        done: true,
      });
      return;
    case "BID_ASK":
      session.send(historicalTicksBidAsk, {
        reqId,
        ticks: ticks.flatMap((tick) =>
          tick.kind === "BID_ASK"
            ? [
                {
                  time: seconds(tick),
                  mask: 0,
                  priceBid: tick.bid,
                  priceAsk: tick.ask,
                  sizeBid: String(tick.bidSize),
                  sizeAsk: String(tick.askSize),
                },
              ]
            : [],
        ),
        done: true,
      });
      return;
    case "MIDPOINT":
      session.send(historicalTicks, {
        reqId,
        ticks: ticks.flatMap((tick) =>
          tick.kind === "MIDPOINT" ? [{ time: seconds(tick), unused: 0, price: tick.price, size: "0" }] : [],
        ),
        done: true,
      });
      return;
  }
}

export const historicalTickHandlers: readonly RequestHandler[] = [
  onRequest(reqHistoricalTicks, (session, request) => {
    const { reqId } = request;
    const requested = resolveOrReject(session, reqId, request);
    if (!requested) return;
    const kind = request.whatToShow.toUpperCase();
    if (!KINDS.has(kind)) return invalid(session, reqId, `Invalid whatToShow ${JSON.stringify(request.whatToShow)}`);
    if (request.numberOfTicks < 1 || request.numberOfTicks > MAX_TICKS) {
      return invalid(session, reqId, `numberOfTicks must be 1..${MAX_TICKS}`);
    }
    const start = parseRequestTime(request.startDateTime);
    if (start instanceof Error) return invalid(session, reqId, start.message);
    const end = parseRequestTime(request.endDateTime);
    if (end instanceof Error) return invalid(session, reqId, end.message);
    if (start === undefined && end === undefined) {
      return invalid(session, reqId, "Exactly one of start time and end time has to be defined");
    }
    const key = historicalRequestKey("ticks", requested, kind, [
      request.startDateTime,
      request.endDateTime,
      request.numberOfTicks,
      request.useRth,
      request.ignoreSize,
    ]);
    const { sim } = session;
    if (!sim.limits.historical.admit(session, reqId, key)) return;

    const { instrument } = requested;
    const series: TickSeries = {
      market: sim.world.market,
      conId: instrument.contract.conId,
      kind: kind as TickKind,
      ignoreSize: request.ignoreSize,
    };
    const now = sim.clock.now();
    const { schedule } = instrument.details;
    // Ticks from the start onwards when a start is given (up to the end, if also given), else the ones before the end.
    const ticks =
      start !== undefined
        ? firstTicks(
            series,
            sessionIntervals(schedule, request.useRth, start, Math.min(end ?? Infinity, start + SEARCH_MS, now)),
            request.numberOfTicks,
          )
        : lastTicks(
            series,
            sessionIntervals(
              schedule,
              request.useRth,
              (end as number) - SEARCH_MS,
              Math.min(end as number, now),
            ).reverse(),
            request.numberOfTicks,
          );
    sendTicks(session, reqId, series.kind, ticks, instrument.contract.primaryExch || requested.exchange);
  }),
];
