import { MarketDataLine } from "../market-data/market-data-line.js";
import {
  DELAY_MS,
  isDelayed,
  isFrozen,
  isMarketDataType,
  MarketDataType,
  marketDataTypeOf,
  setMarketDataType,
} from "../market-data/market-data-type.js";
import { resolveOrReject } from "../market-data/resolve-contract.js";
import { everyStep } from "../market-data/step-pump.js";
import { parseGenericTicks } from "../market-data/tick-types.js";
import {
  cancelMktData,
  marketDataType,
  reqMarketDataType,
  reqMktData,
  tickReqParams,
  tickSnapshotEnd,
} from "../messages/market-data.js";
import { NO_REQUEST_ID, TwsCode } from "../tws-codes.js";
import type { Instrument } from "../world/index.js";
import { US_SMART_BBO_EXCHANGE } from "./contracts.js";
import { type ClientSession, onRequest, type RequestHandler } from "./registry.js";

const KIND = "mktData";
/** "Snapshot permissions" bits TWS reports in tickReqParams for a paper login (snapshots allowed). */
const SNAPSHOT_PERMISSIONS = 3;

/** TWS names the SMART BBO of US stocks by its component-map id; other markets report none. */
function bboExchangeOf(instrument: Instrument, exchange: string): string {
  const { secType, currency } = instrument.contract;
  return secType === "STK" && currency === "USD" && exchange === "SMART" ? US_SMART_BBO_EXCHANGE : "";
}

function release(session: ClientSession, tickerId: number): void {
  session.sim.limits.marketDataLines.release(session, tickerId);
}

export const marketDataHandlers: readonly RequestHandler[] = [
  onRequest(reqMktData, (session, request) => {
    const { tickerId } = request;
    // A re-used ticker id replaces its line (its market data line is freed first, then taken again).
    session.subscriptions.cancel(KIND, tickerId);
    const requested = resolveOrReject(session, tickerId, request);
    if (!requested) return;
    if (!session.sim.limits.marketDataLines.acquire(session, tickerId)) return;

    const { instrument, exchange } = requested;
    const type = marketDataTypeOf(session);
    session.send(tickReqParams, {
      tickerId,
      minTick: String(instrument.details.minTick),
      bboExchange: bboExchangeOf(instrument, exchange),
      snapshotPermissions: SNAPSHOT_PERMISSIONS,
    });
    session.send(marketDataType, { reqId: tickerId, marketDataType: type });
    const { clock } = session.sim;
    const line = new MarketDataLine(session.sim, session, {
      tickerId,
      instrument,
      delayedBy: isDelayed(type) ? DELAY_MS : 0,
      genericTicks: parseGenericTicks(request.genericTickList),
    });
    line.round(clock.now());

    if (request.snapshot || request.regulatorySnapshot) {
      session.send(tickSnapshotEnd, { reqId: tickerId });
      release(session, tickerId);
      return;
    }
    // Frozen data is the last picture: it holds its line until cancelled but never moves.
    const stop = isFrozen(type) ? () => {} : everyStep(clock, () => line.round(clock.now()));
    session.subscriptions.add(KIND, tickerId, () => {
      stop();
      release(session, tickerId);
    });
  }),

  onRequest(cancelMktData, (session, request) => {
    session.subscriptions.cancel(KIND, request.tickerId);
  }),

  onRequest(reqMarketDataType, (session, request) => {
    if (!isMarketDataType(request.marketDataType)) {
      session.sendError(
        NO_REQUEST_ID,
        TwsCode.VALIDATION_ERROR,
        `Error validating request.-'bZ' : cause - Invalid market data type ${request.marketDataType}; expected ${MarketDataType.LIVE}..${MarketDataType.DELAYED_FROZEN}`,
      );
      return;
    }
    setMarketDataType(session, request.marketDataType);
  }),
];
