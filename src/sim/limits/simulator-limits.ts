import { TwsCode } from "../tws-codes.js";
import { HistoricalPacing } from "./historical-pacing.js";
import { MessageRateGuard, type RateLimitedSession } from "./message-rate.js";
import { type LimitOptions, type ResolvedLimits, resolveLimits } from "./options.js";
import { type QuotaHolder, SubscriptionQuota } from "./subscription-quota.js";

export const MAX_TICKERS_MESSAGE = "Max number of tickers has been reached";
export const MAX_DEPTH_REQUESTS_MESSAGE = "Max number of market depth requests has been reached";

/**
 * The gateway's limits for one simulator, reached by handlers as `session.sim.limits`:
 * - `marketDataLines.acquire(session, reqId)` before serving reqMktData (false: 101 was sent), `release` on cancel;
 * - `depth.acquire(session, reqId)` before reqMktDepth (false: 309 was sent), `release` on cancel;
 * - `historical.admit(session, reqId, key)` before a historical request (false: 162 was sent).
 */
export class SimulatorLimits {
  readonly settings: ResolvedLimits;
  readonly marketDataLines: SubscriptionQuota;
  readonly depth: SubscriptionQuota;
  readonly historical: HistoricalPacing;
  private readonly monotonic: () => number;

  constructor(
    options: LimitOptions | undefined,
    clocks: {
      /** The simulator clock: historical pacing windows are simulated time, so tests can step through them. */
      readonly simulated: () => number;
      /** Wall time for the per-second message rate, which is about the transport, not the simulated market. */
      readonly monotonic: () => number;
    },
  ) {
    this.settings = resolveLimits(options);
    this.marketDataLines = new SubscriptionQuota(this.settings.marketDataLines, {
      code: TwsCode.MAX_TICKERS,
      message: MAX_TICKERS_MESSAGE,
    });
    this.depth = new SubscriptionQuota(this.settings.depthSubscriptions, {
      code: TwsCode.MAX_DEPTH_REQUESTS,
      message: MAX_DEPTH_REQUESTS_MESSAGE,
    });
    this.historical = new HistoricalPacing(this.settings.historical, clocks.simulated);
    this.monotonic = clocks.monotonic;
  }

  /** A per-connection message rate guard; the session calls `admit()` once per incoming frame. */
  guardMessageRate(session: RateLimitedSession): MessageRateGuard {
    return new MessageRateGuard(session, this.settings, this.monotonic);
  }

  /** A closed session frees every line it held. */
  releaseSession(session: QuotaHolder): void {
    this.marketDataLines.releaseSession(session);
    this.depth.releaseSession(session);
  }
}
