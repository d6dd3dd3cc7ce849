import { asShown, isBarSource } from "../market-data/historical-bars.js";
import { resolveOrReject } from "../market-data/resolve-contract.js";
import { inSession } from "../market-data/trading-sessions.js";
import { cancelRealTimeBars, realtimeBar, reqRealTimeBars } from "../messages/realtime-bars.js";
import { TwsCode } from "../tws-codes.js";
import { onRequest, type RequestHandler } from "./registry.js";

const KIND = "realTimeBars";
/** The only bar size TWS serves in real time. */
const BAR_MS = 5000;
const SOURCES = new Set(["TRADES", "MIDPOINT", "BID", "ASK"]);

export const realTimeBarHandlers: readonly RequestHandler[] = [
  onRequest(reqRealTimeBars, (session, request) => {
    const { reqId } = request;
    session.subscriptions.cancel(KIND, reqId);
    const requested = resolveOrReject(session, reqId, request);
    if (!requested) return;
    const whatToShow = request.whatToShow.toUpperCase();
    if (!SOURCES.has(whatToShow) || !isBarSource(whatToShow)) {
      session.sendError(
        reqId,
        TwsCode.VALIDATION_ERROR,
        `Error validating request.-'bY' : cause - Invalid whatToShow ${JSON.stringify(request.whatToShow)} for real time bars`,
      );
      return;
    }
    const { instrument } = requested;
    const { sim } = session;
    const { clock } = sim;
    // Bars close on the 5-second grid; the first one is the first whole bar after the request.
    const publish = () => {
      const end = Math.floor(clock.now() / BAR_MS) * BAR_MS;
      const start = end - BAR_MS;
      if (request.useRTH && !inSession(instrument.details.schedule, true, start)) return;
      // A closed market (real-calendar mode) has no bars to close.
      if (sim.marketHours.phase(instrument.details.schedule, start) === "closed") return;
      const { market } = sim.world;
      const { conId } = instrument.contract;
      // A TRADES bar summarizes the trades in it (flat at the last price, volume 0, when nothing traded); the quote
      // sources follow the walk's every step.
      const span = whatToShow === "TRADES" ? market.bar(conId, start, end) : market.pathBar(conId, start, end);
      const bar = asShown(market, instrument, span, whatToShow);
      session.send(realtimeBar, {
        reqId,
        time: start / 1000,
        open: bar.open,
        high: bar.high,
        low: bar.low,
        close: bar.close,
        volume: String(bar.volume),
        wap: String(bar.wap),
        count: bar.count,
      });
    };
    const firstClose = (Math.floor(clock.now() / BAR_MS) + 1) * BAR_MS;
    let stop = clock.setTimer(firstClose - clock.now(), () => {
      publish();
      stop = clock.every(BAR_MS, publish);
    });
    session.subscriptions.add(KIND, reqId, () => stop());
  }),

  onRequest(cancelRealTimeBars, (session, request) => {
    session.subscriptions.cancel(KIND, request.reqId);
  }),
];
