import type { SimulatorContext } from "../context.js";
import { tickGeneric, tickOptionComputation, tickPrice, tickSize, tickString } from "../messages/market-data.js";
import { tickNews } from "../messages/news.js";
import { publishedNews } from "../reference/feeds.js";
import { DAY_MS } from "../world/dates.js";
import type { Bar, Instrument } from "../world/index.js";
import { MINUTE_MS, STEP_MS } from "../world/index.js";
import type { TradingSchedule } from "../world/instruments.js";
import { stepPicture } from "./step-picture.js";
import type { TickSink } from "./tick-sink.js";
import { GenericTick, type LiveTick, Tick, wireTick } from "./tick-types.js";
import { sessionsBefore } from "./trading-sessions.js";

export interface LineOptions {
  readonly tickerId: number;
  readonly instrument: Instrument;
  /** Delayed lines show the walk DELAY_MS ago, on the delayed tick ids (66...). */
  readonly delayedBy: number;
  readonly genericTicks: ReadonlySet<number>;
}

/** Stories published this long before a news line opens are sent at once, so a new line is not silent for hours. */
const NEWS_LOOKBACK_MS = 2 * 60 * 60 * 1000;
/** Bit 0 of tickPrice's attribute mask: the quote can be hit by an automatic order. */
const CAN_AUTO_EXECUTE = 1;
/** A stock that can be shorted freely (tick 46 above 2.5), with this many shares available. */
const EASY_TO_BORROW = 3;
const SHORTABLE_SHARES_PER_LOT = 5000;

interface DayStats {
  /** The session the stats belong to: [start, end) in UTC, the instrument's full trading hours on one local date. */
  readonly start: number;
  readonly end: number;
  coveredTo: number;
  /** The previous day's close: read once, since reading it every round would evict the walk's current-minute cache. */
  readonly close: number;
  open: number;
  high: number;
  low: number;
  volume: number;
}

/**
 * One reqMktData line: each `round(now)` reads the walk at now (or now minus the delay) and sends only what changed
 * since the previous round, in TWS's order (bid, ask, last, volume, high, low, close, open...). The day is the
 * instrument's trading session (its local session date, not the UTC date): open, high, low and volume are the session's
 * trades so far, as its daily bar (useRTH=0) reports them, and close is the previous regular session's close, as its
 * daily bar (useRTH=1) reports it. Outside the session, in real-calendar mode, the line shows the market as it closed.
 */
export class MarketDataLine {
  /** The last value sent per live tick id: numbers compared as numbers, so a quiet round allocates nothing. */
  private readonly sent = new Map<number, number | string>();
  private day: DayStats | undefined;
  private lastSessionCheck: number | undefined;
  private newsCursor: number | undefined;
  private readonly delayed: boolean;

  constructor(
    private readonly sim: SimulatorContext,
    private readonly sink: TickSink,
    private readonly options: LineOptions,
  ) {
    this.delayed = options.delayedBy > 0;
  }

  round(now: number): void {
    const { instrument } = this.options;
    const t = this.sim.marketHours.liveInstant(instrument.details.schedule, now - this.options.delayedBy);
    const { market } = this.sim.world;
    const { conId, secType } = instrument.contract;
    const picture = stepPicture(market, conId, t);
    const { quote } = picture;
    const quoted = secType !== "IND";
    const traded = secType !== "CASH";

    if (quoted) {
      this.price(Tick.BID, Tick.BID_SIZE, quote.bid, quote.bidSize, CAN_AUTO_EXECUTE);
      this.price(Tick.ASK, Tick.ASK_SIZE, quote.ask, quote.askSize, CAN_AUTO_EXECUTE);
    }
    if (traded) {
      this.price(Tick.LAST, Tick.LAST_SIZE, quote.last, secType === "IND" ? undefined : quote.lastSize, 0);
      this.string(Tick.LAST_TIMESTAMP, String(Math.floor(quote.lastTime / 1000)));
    }
    const day = this.dayStats(t, picture.bar);
    if (traded && secType !== "IND") this.size(Tick.VOLUME, day.volume);
    this.price(Tick.HIGH, undefined, day.high, 0, 0);
    this.price(Tick.LOW, undefined, day.low, 0, 0);
    this.price(Tick.CLOSE, undefined, day.close, 0, 0);
    this.price(Tick.OPEN, undefined, day.open, 0, 0);
    if (quoted && traded) this.generic(Tick.HALTED, 0);
    if (secType === "STK" && this.options.genericTicks.has(GenericTick.SHORTABLE)) {
      this.generic(Tick.SHORTABLE, EASY_TO_BORROW);
      this.size(Tick.SHORTABLE_SHARES, SHORTABLE_SHARES_PER_LOT * instrument.lotSize);
    }
    if (secType === "OPT") this.optionComputations(t, quote.bid, quote.ask, quote.last);
    if (this.options.genericTicks.has(GenericTick.NEWS)) this.news(t);
  }

  /** A price tick and its size. IBApi derives a tickSize event from every tickPrice with a size except the bid's (id 0). */
  private price(
    tick: LiveTick,
    sizeTick: LiveTick | undefined,
    price: number,
    size: number | undefined,
    attrMask: number,
  ) {
    const priceChanged = this.changed(tick, price);
    const sizeChanged = sizeTick !== undefined && size !== undefined && this.changed(sizeTick, size);
    const tickerId = this.options.tickerId;
    if (priceChanged) {
      this.sink.send(tickPrice, {
        tickerId,
        tickType: wireTick(tick, this.delayed),
        price,
        size: size === undefined ? undefined : String(size),
        attrMask,
      });
    }
    if (sizeTick === undefined || size === undefined) return;
    const sizeWireTick = wireTick(sizeTick, this.delayed);
    if (sizeChanged && (!priceChanged || sizeWireTick === Tick.BID_SIZE)) {
      this.sink.send(tickSize, { tickerId, tickType: sizeWireTick, size: String(size) });
    }
  }

  private size(tick: LiveTick, size: number): void {
    if (!this.changed(tick, size)) return;
    this.sink.send(tickSize, {
      tickerId: this.options.tickerId,
      tickType: wireTick(tick, this.delayed),
      size: String(size),
    });
  }

  private string(tick: LiveTick, value: string): void {
    if (!this.changed(tick, value)) return;
    this.sink.send(tickString, { tickerId: this.options.tickerId, tickType: wireTick(tick, this.delayed), value });
  }

  private generic(tick: LiveTick, value: number): void {
    if (!this.changed(tick, value)) return;
    this.sink.send(tickGeneric, { tickerId: this.options.tickerId, tickType: wireTick(tick, this.delayed), value });
  }

  /** Bid, ask, last and model computations: one set of Black-Scholes greeks, priced at each of the four prices. */
  private optionComputations(t: number, bid: number, ask: number, last: number): void {
    const greeks = this.sim.world.market.optionGreeks(this.options.instrument.contract.conId, t);
    const computations: Array<[LiveTick, number]> = [
      [Tick.BID_OPTION, bid],
      [Tick.ASK_OPTION, ask],
      [Tick.LAST_OPTION, last],
      [Tick.MODEL_OPTION, greeks.price],
    ];
    for (const [tick, optPrice] of computations) {
      if (!this.changed(tick, `${optPrice}|${greeks.underlyingPrice}`)) continue;
      this.sink.send(tickOptionComputation, {
        tickerId: this.options.tickerId,
        tickType: wireTick(tick, this.delayed),
        tickAttrib: 0,
        impliedVol: greeks.impliedVol,
        delta: greeks.delta,
        optPrice,
        pvDividend: 0,
        gamma: greeks.gamma,
        vega: greeks.vega,
        theta: greeks.theta,
        undPrice: greeks.underlyingPrice,
      });
    }
  }

  private news(t: number): void {
    const from = this.newsCursor ?? t - NEWS_LOOKBACK_MS;
    this.newsCursor = t;
    for (const story of publishedNews(this.sim, this.options.instrument.contract.conId, from, t)) {
      this.sink.send(tickNews, {
        tickerId: this.options.tickerId,
        timeStamp: story.time,
        providerCode: story.providerCode,
        articleId: story.articleId,
        headline: story.headline,
        extraData: story.extraData,
      });
    }
  }

  /**
   * The session's open, high, low and volume up to the end of t's 250 ms step, extended incrementally: by the step's
   * own bar when the previous round covered the step before (the usual case), else by a bar over the gap. Only trades
   * count, so these are exactly the session's daily bar so far.
   */
  private dayStats(t: number, stepBar: Bar): DayStats {
    const { market } = this.sim.world;
    const { conId } = this.options.instrument.contract;
    const stepEnd = Math.floor(t / STEP_MS) * STEP_MS + STEP_MS;
    if (!this.day || t < this.day.start || (t >= this.day.end && this.startsNewSession(t))) {
      const { schedule } = this.options.instrument.details;
      const session = latestSessionStart(schedule, false, t) ?? { start: Math.floor(t / DAY_MS) * DAY_MS, end: t + 1 };
      const coveredTo = Math.max(session.start + STEP_MS, Math.min(stepEnd, session.end));
      const bar = market.bar(conId, session.start, coveredTo);
      const previous = latestSessionStart(schedule, true, session.start - 1);
      // The previous regular session's daily bar closes on its last minute's close (a trade at the minute's end).
      const close = previous
        ? market.bar(conId, previous.end - MINUTE_MS, previous.end).close
        : market.price(conId, session.start - 1);
      this.day = { ...session, coveredTo, close, open: bar.open, high: bar.high, low: bar.low, volume: bar.volume };
    } else if (stepEnd > this.day.coveredTo && this.day.coveredTo < this.day.end) {
      const to = Math.min(stepEnd, this.day.end);
      const bar =
        stepBar.start === this.day.coveredTo && to === stepEnd ? stepBar : market.bar(conId, this.day.coveredTo, to);
      if (bar.count > 0) {
        this.day.high = Math.max(this.day.high, bar.high);
        this.day.low = Math.min(this.day.low, bar.low);
        this.day.volume += bar.volume;
      }
      this.day.coveredTo = to;
    }
    return this.day;
  }

  /** Past the end of the current session: whether another has begun (asked at most once a minute). */
  private startsNewSession(t: number): boolean {
    const minute = Math.floor(t / MINUTE_MS);
    if (minute === this.lastSessionCheck) return false;
    this.lastSessionCheck = minute;
    const latest = latestSessionStart(this.options.instrument.details.schedule, false, t);
    return latest !== undefined && latest.start !== this.day?.start;
  }

  private changed(key: number, value: number | string): boolean {
    if (this.sent.get(key) === value) return false;
    this.sent.set(key, value);
    return true;
  }
}

/** The latest session (regular or full) that started at or before `t`, unclipped. */
function latestSessionStart(
  schedule: TradingSchedule,
  regularOnly: boolean,
  t: number,
): { start: number; end: number } | undefined {
  // Sessions are clipped to the search end, so search from far enough ahead to see the whole session.
  for (const session of sessionsBefore(schedule, regularOnly, t + 2 * DAY_MS)) {
    if (session.start <= t) return session;
  }
  return undefined;
}
