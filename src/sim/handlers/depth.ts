import { DepthBook, marketMakerOf } from "../market-data/depth-book.js";
import { resolveOrReject } from "../market-data/resolve-contract.js";
import { everyStep } from "../market-data/step-pump.js";
import { cancelMktDepth, reqMktDepth, updateMktDepth, updateMktDepthL2 } from "../messages/depth.js";
import { onRequest, type RequestHandler } from "./registry.js";

const KIND = "mktDepth";
/** TWS serves at most this many rows a side; 0 or less asks for the default. */
const MAX_ROWS = 20;
const DEFAULT_ROWS = 5;

export const depthHandlers: readonly RequestHandler[] = [
  onRequest(reqMktDepth, (session, request) => {
    const { tickerId, isSmartDepth } = request;
    session.subscriptions.cancel(KIND, tickerId);
    const requested = resolveOrReject(session, tickerId, request);
    if (!requested) return;
    const { sim } = session;
    if (!sim.limits.depth.acquire(session, tickerId)) return;

    const { instrument, exchange } = requested;
    const { conId, secType, currency } = instrument.contract;
    const usStock = secType === "STK" && currency === "USD";
    const rows = request.numRows > 0 ? Math.min(request.numRows, MAX_ROWS) : DEFAULT_ROWS;
    const book = new DepthBook(sim.world.market, conId, rows);
    // SMART books aggregate venues, so each row names its venue (L2); a single exchange's book is plain L1.
    const publish = (t: number) => {
      for (const change of book.update(t)) {
        if (isSmartDepth) {
          const marketMaker = marketMakerOf(sim.seed, conId, change, usStock, exchange);
          session.send(updateMktDepthL2, { tickerId, ...change, marketMaker, size: String(change.size), isSmartDepth });
        } else {
          session.send(updateMktDepth, { tickerId, ...change, size: String(change.size) });
        }
      }
    };
    // A closed market (real-calendar mode) shows the book as it closed.
    const live = () => sim.marketHours.liveInstant(instrument.details.schedule, sim.clock.now());
    publish(live());
    const stop = everyStep(sim.clock, () => publish(live()));
    session.subscriptions.add(KIND, tickerId, () => {
      stop();
      sim.limits.depth.release(session, tickerId);
    });
  }),

  onRequest(cancelMktDepth, (session, request) => {
    session.subscriptions.cancel(KIND, request.tickerId);
  }),
];
