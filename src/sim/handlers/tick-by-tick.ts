import { resolveOrReject } from "../market-data/resolve-contract.js";
import { everyStep } from "../market-data/step-pump.js";
import { lastTicks, type MarketTick, type TickKind, type TickSeries, ticksIn } from "../market-data/tick-history.js";
import { cancelTickByTickData, reqTickByTickData, TickByTickKind, tickByTick } from "../messages/tick-by-tick.js";
import { TwsCode } from "../tws-codes.js";
import { DAY_MS } from "../world/dates.js";
import { type ClientSession, onRequest, type RequestHandler } from "./registry.js";

const KIND = "tickByTick";
/** TWS sends at most this many past ticks before the live ones. */
const MAX_HISTORY = 1000;

const TICK_TYPES: Record<string, { wire: number; series: TickKind }> = {
  last: { wire: TickByTickKind.LAST, series: "TRADES" },
  alllast: { wire: TickByTickKind.ALL_LAST, series: "TRADES" },
  bidask: { wire: TickByTickKind.BID_ASK, series: "BID_ASK" },
  midpoint: { wire: TickByTickKind.MID_POINT, series: "MIDPOINT" },
};

function send(session: ClientSession, reqId: number, wire: number, tick: MarketTick, exchange: string): void {
  const time = String(Math.floor(tick.time / 1000));
  switch (tick.kind) {
    case "TRADES":
      session.send(tickByTick, {
        reqId,
        tickType: wire,
        time,
        price: tick.price,
        size: String(tick.size),
        mask: 0,
        exchange,
        specialConditions: "",
      });
      return;
    case "BID_ASK":
      session.send(tickByTick, {
        reqId,
        tickType: wire,
        time,
        bidPrice: tick.bid,
        askPrice: tick.ask,
        bidSize: String(tick.bidSize),
        askSize: String(tick.askSize),
        bidAskMask: 0,
      });
      return;
    case "MIDPOINT":
      session.send(tickByTick, { reqId, tickType: wire, time, midPoint: tick.price });
      return;
  }
}

export const tickByTickHandlers: readonly RequestHandler[] = [
  onRequest(reqTickByTickData, (session, request) => {
    const { reqId } = request;
    session.subscriptions.cancel(KIND, reqId);
    const requested = resolveOrReject(session, reqId, request);
    if (!requested) return;
    const type = TICK_TYPES[request.tickType.toLowerCase()];
    if (!type) {
      session.sendError(
        reqId,
        TwsCode.VALIDATION_ERROR,
        `Error validating request.-'bX' : cause - Invalid tick-by-tick type ${JSON.stringify(request.tickType)}`,
      );
      return;
    }
    const { instrument } = requested;
    const exchange = instrument.contract.primaryExch || requested.exchange;
    const series: TickSeries = {
      market: session.sim.world.market,
      conId: instrument.contract.conId,
      kind: type.series,
      ignoreSize: request.ignoreSize,
    };
    const { clock, marketHours } = session.sim;
    const { schedule } = instrument.details;
    // Intervals are [from, to): "up to now" includes a tick stamped exactly now. A closed market (real-calendar mode)
    // shows the ticks up to its close and nothing more until it reopens.
    const liveNow = () => marketHours.liveInstant(schedule, clock.now()) + 1;
    let cursor = liveNow();
    const history = Math.min(request.numberOfTicks, MAX_HISTORY);
    if (history > 0) {
      for (const tick of lastTicks(series, [[cursor - DAY_MS, cursor]], history)) {
        send(session, reqId, type.wire, tick, exchange);
      }
    }
    const stop = everyStep(clock, () => {
      const upTo = Math.max(cursor, liveNow());
      for (const tick of ticksIn(series, cursor, upTo)) send(session, reqId, type.wire, tick, exchange);
      cursor = upTo;
    });
    session.subscriptions.add(KIND, reqId, stop);
  }),

  onRequest(cancelTickByTickData, (session, request) => {
    session.subscriptions.cancel(KIND, request.reqId);
  }),
];
