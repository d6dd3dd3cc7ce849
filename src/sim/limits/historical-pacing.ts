import { TwsCode } from "../tws-codes.js";
import type { HistoricalPacingOptions } from "./options.js";
import { RecentEvents } from "./recent-events.js";

/** How a historical request is recognised by the pacing rules; the caller builds both keys from the request. */
export interface HistoricalRequestKey {
  /** Everything that makes two requests identical: contract, end, duration, bar size, whatToShow, useRTH... */
  readonly identical: string;
  /** Contract, exchange and tick type (whatToShow): the key of the "6 in 2 seconds" rule. */
  readonly contract: string;
}

export type PacingRule = "identical-request" | "same-contract-burst" | "too-many-requests";

export const HISTORICAL_PACING_VIOLATION =
  "Historical Market Data Service error message:Historical data request pacing violation";

/** Answers a paced-out request as TWS does: 162 on the request's id. */
export interface PacingErrorSink {
  sendError(id: number, code: number, message: string): void;
}

/**
 * IB's historical data pacing, shared by every client of one login: an identical request within 15 s, a 6th request
 * for the same contract, exchange and tick type within 2 s, or a 61st request within 10 minutes is refused with 162.
 * Refused requests do not count. Time is the simulator clock, so tests step through the windows with a manual clock.
 */
export class HistoricalPacing {
  private readonly all: RecentEvents;
  private readonly byContract = new Map<string, RecentEvents>();
  private readonly lastIdentical = new Map<string, number>();

  constructor(
    private readonly rules: Required<HistoricalPacingOptions>,
    private readonly now: () => number,
  ) {
    this.all = new RecentEvents(rules.windowMs);
  }

  /** Counts the request and returns undefined, or returns the rule it breaks (and does not count it). */
  check(request: HistoricalRequestKey): PacingRule | undefined {
    const now = this.now();
    const previous = this.lastIdentical.get(request.identical);
    if (previous !== undefined && now - previous < this.rules.identicalWindowMs) return "identical-request";
    let sameContract = this.byContract.get(request.contract);
    if (sameContract === undefined) {
      sameContract = new RecentEvents(this.rules.sameContractWindowMs);
      this.byContract.set(request.contract, sameContract);
    }
    if (sameContract.count(now) >= this.rules.sameContractMax) return "same-contract-burst";
    if (this.all.count(now) >= this.rules.maxRequests) return "too-many-requests";

    this.all.add(now);
    sameContract.add(now);
    this.lastIdentical.set(request.identical, now);
    this.forgetExpired(now);
    return undefined;
  }

  /** `check`, answering a refusal with 162 on `reqId`; true when the request may be served. */
  admit(session: PacingErrorSink, reqId: number, request: HistoricalRequestKey): boolean {
    const broken = this.check(request);
    if (broken === undefined) return true;
    session.sendError(reqId, TwsCode.HISTORICAL_DATA_ERROR, HISTORICAL_PACING_VIOLATION);
    return false;
  }

  /** Keeps the maps bounded when the total limit is off and a client walks through many distinct requests. */
  private forgetExpired(now: number): void {
    if (this.lastIdentical.size < 1024) return;
    for (const [key, at] of this.lastIdentical) {
      if (now - at >= this.rules.identicalWindowMs) this.lastIdentical.delete(key);
    }
    for (const [key, window] of this.byContract) {
      if (window.count(now) === 0) this.byContract.delete(key);
    }
  }
}
