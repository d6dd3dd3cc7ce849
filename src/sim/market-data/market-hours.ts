import type { TradingSchedule } from "../world/instruments.js";
import { sessionsBefore, type TradingSession } from "./trading-sessions.js";

const MINUTE_MS = 60_000;

/** Where an instant falls in an instrument's trading day. */
export type MarketPhase = "regular" | "extended" | "closed";

/** The order types TWS lets fill outside regular hours when the order says outsideRth (never MKT). */
const OUTSIDE_RTH_TYPES = new Set(["LMT", "STP LMT", "STP", "TRAIL LIMIT", "REL"]);

/**
 * The live side of the trading calendar: whether markets are in session now, what a market data line shows when they
 * are not, and whether an order may trade now.
 *
 * `alwaysOpen` (the programmatic default, and `--always-open` / SIM_ALWAYS_OPEN) keeps every live market trading at
 * any hour, so tests and demos do not depend on when they run; historical bars, contract details' hours and the
 * daily views keep following the real calendar either way. Without it (standalone `ibrpc sim`), quotes and trades
 * stop between sessions and on holidays, market orders wait for the regular session, and orders marked outsideRth
 * may fill in the extended session.
 */
export class MarketHours {
  /** Per schedule, the latest regular / full session looked up and for which minute: lines ask every 250 ms. */
  private readonly latest = {
    regular: new Map<TradingSchedule, { minute: number; session: TradingSession | undefined }>(),
    full: new Map<TradingSchedule, { minute: number; session: TradingSession | undefined }>(),
  };

  constructor(readonly alwaysOpen: boolean) {}

  phase(schedule: TradingSchedule, at: number): MarketPhase {
    if (this.alwaysOpen) return "regular";
    if (isInside(this.lastSession(schedule, true, at), at)) return "regular";
    return isInside(this.lastSession(schedule, false, at), at) ? "extended" : "closed";
  }

  /**
   * The instant a live line shows at `at`: `at` while the instrument trades, else the last instant of its latest
   * session, so a closed market shows its closing quote and last trade, and nothing moves until it reopens.
   */
  liveInstant(schedule: TradingSchedule, at: number): number {
    if (this.alwaysOpen) return at;
    const session = this.lastSession(schedule, false, at);
    if (!session || isInside(session, at)) return at;
    return session.end - 1;
  }

  /** Whether an order of this type may trade at `at`. */
  mayTrade(schedule: TradingSchedule, at: number, orderType: string, outsideRth: boolean): boolean {
    const phase = this.phase(schedule, at);
    if (phase === "regular") return true;
    return phase === "extended" && outsideRth && OUTSIDE_RTH_TYPES.has(orderType);
  }

  /** The latest session (regular or full) that started at or before `at`, memoized per minute. */
  private lastSession(schedule: TradingSchedule, regular: boolean, at: number): TradingSession | undefined {
    const minute = Math.floor(at / MINUTE_MS);
    const cache = regular ? this.latest.regular : this.latest.full;
    const cached = cache.get(schedule);
    if (cached?.minute === minute) return cached.session;
    // Sessions start and end on whole minutes, so one answer holds for the whole minute.
    const found = sessionsBefore(schedule, regular, (minute + 1) * MINUTE_MS).next();
    const session = found.done ? undefined : found.value;
    cache.set(schedule, { minute, session });
    return session;
  }
}

function isInside(session: TradingSession | undefined, at: number): boolean {
  return session !== undefined && session.start <= at && at < session.end;
}
