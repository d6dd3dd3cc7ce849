import { blackScholes, type OptionValuation } from "./black-scholes.js";
import type { Catalog } from "./catalog.js";
import { DAY_MS, YEAR_MS } from "./dates.js";
import { gaussian, uniform } from "./hash.js";
import type { Instrument } from "./instruments.js";

/**
 * Seeded prices for every instrument, as a pure function of (seed, conId, time): no state advances, so the past costs
 * what the present costs, requests cannot disturb each other, and two simulators with one seed agree.
 *
 * Construction (multi-resolution, so bars of any size agree with finer data):
 * - Minute anchors: log price = sum over 20 dyadic levels (1 minute .. ~1 year) of interpolated seeded noise, scaled
 *   so increments look like a random walk with the instrument's annual volatility, and bounded over the years.
 * - Inside each minute the path moves in 250 ms steps: from the open (anchor of the minute) through its high and its
 *   low (seeded instants) to the close (the next anchor), with seeded wiggles clipped to [low, high]. So a minute
 *   bar's OHLC is exactly the max/min/first/last of its steps, and coarser bars aggregate minute bars.
 * - Options and futures are a monotone function of their underlying's path (Black-Scholes at the strike's implied
 *   vol; fair value with carry), evaluated at the minute's start, so their bars follow from the underlying's bars.
 * Every price is rounded to the instrument's minTick.
 */

export const STEP_MS = 250;
export const MINUTE_MS = 60_000;
const STEPS_PER_MINUTE = MINUTE_MS / STEP_MS;
const LAST_STEP = STEPS_PER_MINUTE - 1;
const LEVELS = 20;
const MINUTES_PER_YEAR = YEAR_MS / MINUTE_MS;
/** Whole-day bars kept for reuse (a year of daily bars scans 525,600 minutes once, then is a lookup). */
const DAY_CACHE_LIMIT = 20_000;

/** Streams: which independent random sequence a hash draws from. */
const Stream = {
  LATTICE: 1,
  EXCURSION_UP: 2,
  EXCURSION_DOWN: 3,
  HIGH_FIRST: 4,
  KNOT_A: 5,
  KNOT_B: 6,
  WIGGLE: 7,
  VOLUME: 8,
  COUNT: 9,
  TRADE_STEP: 10,
  TRADE_OFFSET: 11,
  TRADE_WEIGHT: 12,
  SPREAD_BID: 13,
  SPREAD_ASK: 14,
  SIZE_BID: 15,
  SIZE_ASK: 16,
  DEPTH: 17,
} as const;

export interface Bar {
  /** Epoch ms, inclusive. */
  readonly start: number;
  /** Epoch ms, exclusive. */
  readonly end: number;
  readonly open: number;
  readonly high: number;
  readonly low: number;
  readonly close: number;
  readonly volume: number;
  /** Volume-weighted typical price ((h+l+c)/3 per minute). */
  readonly wap: number;
  /** Number of trades. */
  readonly count: number;
}

export interface Trade {
  readonly time: number;
  readonly price: number;
  readonly size: number;
}

export interface Quote {
  readonly bid: number;
  readonly ask: number;
  readonly bidSize: number;
  readonly askSize: number;
  /** The latest trade at or before the quote's time. */
  readonly last: number;
  readonly lastSize: number;
  readonly lastTime: number;
}

export interface DepthLevel {
  readonly price: number;
  readonly size: number;
}

export interface OptionGreeks extends OptionValuation {
  readonly impliedVol: number;
  readonly underlyingPrice: number;
}

/** One minute's skeleton: OHLC, when the extremes happen, how big the wiggles are. */
interface MinutePath {
  readonly minute: number;
  readonly open: number;
  readonly high: number;
  readonly low: number;
  readonly close: number;
  /** Steps of the first and second extreme (1 <= a < b < LAST_STEP). */
  readonly knotA: number;
  readonly knotB: number;
  readonly highFirst: boolean;
  readonly wiggle: number;
  /** Derivatives: each step is this function of the underlying's step (so steps and OHLC agree). */
  readonly derived?: { readonly underConId: number; readonly map: (underlyingPrice: number) => number };
}

/** Cached lattice values per level, so scanning minutes in order costs ~2 new values a minute instead of 40. */
interface Lattice {
  readonly index: Float64Array;
  readonly g0: Float64Array;
  readonly g1: Float64Array;
  /** Per level: the per-minute volatility scaled to the level's span. */
  readonly amplitude: Float64Array;
}

function decimalsOf(tick: number): number {
  const text = String(tick);
  return text.includes(".") ? (text.split(".")[1] as string).length : 0;
}

export class Market {
  private readonly lattices = new Map<number, Lattice>();
  private readonly lastMinute = new Map<number, MinutePath>();
  private readonly lastTrades = new Map<number, { minute: number; trades: readonly Trade[] }>();
  /** Per conId, the last anchor computed: a minute's close is the next minute's open, so scans compute each once. */
  private readonly lastAnchor = new Map<number, { minute: number; value: number }>();
  private readonly dayBars = new Map<string, Bar>();
  private readonly grids = new Map<number, { tick: number; scale: number }>();

  constructor(
    readonly seed: number,
    private readonly catalog: Catalog,
  ) {}

  /** The traded price at `t` (ms): the path's value during the 250 ms step containing t. */
  price(conId: number, t: number): number {
    const minute = Math.floor(t / MINUTE_MS);
    return this.stepPrice(conId, this.minutePath(conId, minute), Math.floor((t - minute * MINUTE_MS) / STEP_MS));
  }

  /** The 1-minute bar starting at minute index `minute` (epoch ms / 60000). */
  minuteBar(conId: number, minute: number): Bar {
    const path = this.minutePath(conId, minute);
    const { volume, count } = this.minuteActivity(conId, minute);
    return {
      start: minute * MINUTE_MS,
      end: (minute + 1) * MINUTE_MS,
      open: path.open,
      high: path.high,
      low: path.low,
      close: path.close,
      volume,
      wap: this.round(conId, (path.high + path.low + path.close) / 3),
      count,
    };
  }

  /**
   * One TRADES bar over [from, to): both ends are floored to 250 ms. Whole minutes come from minuteBar (whose open,
   * extremes and close are trades), partial ones from the trades inside them, so every bar's open, high, low, close,
   * volume and count follow from `trades` over its span, and any bar agrees with the bars it can be cut into. A span
   * with no trade gives a flat bar at the last trade before it, with volume and count 0 (TWS leaves such TRADES bars
   * out).
   */
  bar(conId: number, from: number, to: number): Bar {
    return this.spanBar(conId, from, to, "trades");
  }

  /** The walk's own bar over [from, to) (midpoint-style: every 250 ms step counts, traded or not). */
  pathBar(conId: number, from: number, to: number): Bar {
    return this.spanBar(conId, from, to, "path");
  }

  private spanBar(conId: number, from: number, to: number, basis: "trades" | "path"): Bar {
    const start = Math.floor(from / STEP_MS) * STEP_MS;
    const end = Math.floor(to / STEP_MS) * STEP_MS;
    if (end <= start) throw new RangeError(`empty bar [${from}, ${to})`);
    const parts: Bar[] = [];
    for (let cursor = start; cursor < end; ) {
      if (cursor % DAY_MS === 0 && cursor + DAY_MS <= end) {
        parts.push(this.dayBar(conId, cursor));
        cursor += DAY_MS;
        continue;
      }
      const minute = Math.floor(cursor / MINUTE_MS);
      const minuteEnd = (minute + 1) * MINUTE_MS;
      const partEnd = Math.min(end, minuteEnd);
      const part =
        cursor === minute * MINUTE_MS && partEnd === minuteEnd
          ? this.minuteBar(conId, minute)
          : basis === "trades"
            ? this.partialTradeBar(conId, cursor, partEnd)
            : this.partialPathBar(conId, cursor, partEnd);
      if (part) parts.push(part);
      cursor = partEnd;
    }
    if (parts.length === 0) return this.quietBar(conId, start, end);
    const bar = aggregate(parts, (value) => this.round(conId, value));
    // A leading or trailing stretch without trades still belongs to the bar's span.
    return bar.start === start && bar.end === end ? bar : { ...bar, start, end };
  }

  /** A span without trades: flat at the last trade before it, nothing traded. */
  private quietBar(conId: number, start: number, end: number): Bar {
    const last = this.lastTrade(conId, start - 1).price;
    return { start, end, open: last, high: last, low: last, close: last, volume: 0, wap: last, count: 0 };
  }

  /** A whole UTC day [dayStart, dayStart + 1 day), from its minutes; memoized. */
  private dayBar(conId: number, dayStart: number): Bar {
    const key = `${conId}:${dayStart}`;
    const cached = this.dayBars.get(key);
    if (cached) return cached;
    const first = dayStart / MINUTE_MS;
    const minutes: Bar[] = [];
    for (let minute = first; minute < first + DAY_MS / MINUTE_MS; minute++) minutes.push(this.minuteBar(conId, minute));
    const bar = aggregate(minutes, (value) => this.round(conId, value));
    if (this.dayBars.size >= DAY_CACHE_LIMIT) this.dayBars.clear();
    this.dayBars.set(key, bar);
    return bar;
  }

  /** Consecutive bars of `barMs` covering [from, to) (the last one may be shorter). */
  bars(conId: number, from: number, to: number, barMs: number): Bar[] {
    if (!(barMs >= STEP_MS)) throw new RangeError(`bar size ${barMs} ms is below ${STEP_MS} ms`);
    const bars: Bar[] = [];
    for (let start = from; start < to; start += barMs) bars.push(this.bar(conId, start, Math.min(to, start + barMs)));
    return bars;
  }

  /** Every trade in [from, to), in time order. Their sizes add up to the bars' volume; their prices lie on the path. */
  trades(conId: number, from: number, to: number): Trade[] {
    const trades: Trade[] = [];
    for (let minute = Math.floor(from / MINUTE_MS); minute * MINUTE_MS < to; minute++) {
      for (const trade of this.minuteTrades(conId, minute)) {
        if (trade.time >= from && trade.time < to) trades.push(trade);
      }
    }
    return trades;
  }

  /** The top of the book at `t`: bid < last-step price < ask, sizes varying every 250 ms, and the latest trade. */
  quote(conId: number, t: number): Quote {
    const instrument = this.catalog.get(conId);
    const tick = instrument.details.minTick;
    const mid = this.price(conId, t);
    const step = Math.floor(t / STEP_MS);
    const halfSpread = Math.max(1, Math.round((mid * relativeHalfSpread(instrument)) / tick));
    const bidTicks = halfSpread + (uniform(this.seed, conId, Stream.SPREAD_BID, step) < 0.3 ? 1 : 0);
    const askTicks = halfSpread + (uniform(this.seed, conId, Stream.SPREAD_ASK, step) < 0.3 ? 1 : 0);
    const last = this.lastTrade(conId, t);
    return {
      bid: this.round(conId, Math.max(tick, mid - bidTicks * tick)),
      ask: this.round(conId, mid + askTicks * tick),
      bidSize: instrument.lotSize * (1 + Math.floor(uniform(this.seed, conId, Stream.SIZE_BID, step) * 20)),
      askSize: instrument.lotSize * (1 + Math.floor(uniform(this.seed, conId, Stream.SIZE_ASK, step) * 20)),
      last: last.price,
      lastSize: last.size,
      lastTime: last.time,
    };
  }

  /** `rows` levels per side at `t`, best first, one tick apart or more; level 0 is the quote. */
  depth(conId: number, t: number, rows: number): { bids: DepthLevel[]; asks: DepthLevel[] } {
    const instrument = this.catalog.get(conId);
    const tick = instrument.details.minTick;
    const top = this.quote(conId, t);
    const step = Math.floor(t / STEP_MS);
    const side = (first: number, firstSize: number, direction: number, sideId: number): DepthLevel[] => {
      const levels: DepthLevel[] = [{ price: first, size: firstSize }];
      let price = first;
      for (let row = 1; row < rows; row++) {
        const gap = 1 + Math.floor(uniform(this.seed, conId, Stream.DEPTH, step, sideId, row) * 2);
        price = this.round(conId, price + direction * gap * tick);
        if (price <= 0) break;
        const size =
          instrument.lotSize * (1 + Math.floor(uniform(this.seed, conId, Stream.DEPTH, step, sideId + 2, row) * 40));
        levels.push({ price, size });
      }
      return levels;
    };
    return { bids: side(top.bid, top.bidSize, -1, 0), asks: side(top.ask, top.askSize, 1, 1) };
  }

  /** Black-Scholes value and greeks of an option at `t` from its underlying's price (throws for non-options). */
  optionGreeks(conId: number, t: number): OptionGreeks {
    const { model } = this.catalog.get(conId);
    if (model.kind !== "option") throw new Error(`conId ${conId} is not an option`);
    const underlyingPrice = this.price(model.underConId, t);
    const valuation = blackScholes(
      model.right === "C",
      underlyingPrice,
      model.strike,
      (model.expiryMs - t) / YEAR_MS,
      model.impliedVol,
    );
    return { ...valuation, impliedVol: model.impliedVol, underlyingPrice };
  }

  /** Units of USD one unit of `currency` buys at `t`, from the forex pairs' paths (USD.JPY inverted for JPY). */
  usdPer(currency: string, t: number): number {
    if (currency === "USD") return 1;
    const direct = this.catalog.forexPair(currency, "USD");
    if (direct) return this.price(direct.contract.conId, t);
    const inverse = this.catalog.forexPair("USD", currency);
    if (inverse) return 1 / this.price(inverse.contract.conId, t);
    throw new Error(`no forex pair prices ${currency} against USD`);
  }

  /** `amount` of `from` expressed in `to` at `t`. */
  convert(amount: number, from: string, to: string, t: number): number {
    return from === to ? amount : (amount * this.usdPer(from, t)) / this.usdPer(to, t);
  }

  /** `value` on the instrument's tick grid, without binary noise (190.15, not 190.15000000000001). */
  round(conId: number, value: number): number {
    let grid = this.grids.get(conId);
    if (!grid) {
      const tick = this.catalog.get(conId).details.minTick;
      grid = { tick, scale: 10 ** decimalsOf(tick) };
      this.grids.set(conId, grid);
    }
    return Math.round(Math.round(value / grid.tick) * grid.tick * grid.scale) / grid.scale;
  }

  private stepPrice(conId: number, path: MinutePath, step: number): number {
    if (path.derived) {
      const { underConId, map } = path.derived;
      return map(this.stepPrice(underConId, this.minutePath(underConId, path.minute), step));
    }
    if (step <= 0) return path.open;
    if (step >= LAST_STEP) return path.close;
    const first = path.highFirst ? path.high : path.low;
    const second = path.highFirst ? path.low : path.high;
    if (step === path.knotA) return first;
    if (step === path.knotB) return second;
    const [fromStep, fromValue, toStep, toValue] =
      step < path.knotA
        ? [0, path.open, path.knotA, first]
        : step < path.knotB
          ? [path.knotA, first, path.knotB, second]
          : [path.knotB, second, LAST_STEP, path.close];
    const line = fromValue + ((toValue - fromValue) * (step - fromStep)) / (toStep - fromStep);
    const wiggled = line + gaussian(this.seed, conId, Stream.WIGGLE, path.minute, step) * path.wiggle;
    return this.round(conId, Math.min(path.high, Math.max(path.low, wiggled)));
  }

  private minutePath(conId: number, minute: number): MinutePath {
    const cached = this.lastMinute.get(conId);
    if (cached?.minute === minute) return cached;
    const instrument = this.catalog.get(conId);
    const path =
      instrument.model.kind === "walk" ? this.walkMinute(instrument, minute) : this.derivedMinute(instrument, minute);
    this.lastMinute.set(conId, path);
    return path;
  }

  private walkMinute(instrument: Instrument, minute: number): MinutePath {
    const { conId } = instrument.contract;
    const tick = instrument.details.minTick;
    const anchor = this.anchor(instrument, minute);
    const open = this.round(conId, anchor);
    const close = this.round(conId, this.anchor(instrument, minute + 1));
    const model = instrument.model as Extract<Instrument["model"], { kind: "walk" }>;
    const scale = anchor * (model.annualVol / Math.sqrt(MINUTES_PER_YEAR));
    const excursion = (stream: number) =>
      Math.ceil((Math.abs(gaussian(this.seed, conId, stream, minute)) * scale * 0.5) / tick) * tick;
    const high = this.round(conId, Math.max(open, close) + excursion(Stream.EXCURSION_UP));
    const low = this.round(conId, Math.max(tick, Math.min(open, close) - excursion(Stream.EXCURSION_DOWN)));
    return {
      minute,
      open,
      high,
      low,
      close,
      knotA: 1 + Math.floor(uniform(this.seed, conId, Stream.KNOT_A, minute) * 118),
      knotB: 120 + Math.floor(uniform(this.seed, conId, Stream.KNOT_B, minute) * 118),
      highFirst: uniform(this.seed, conId, Stream.HIGH_FIRST, minute) < 0.5,
      wiggle: scale * 0.15,
    };
  }

  /** A derivative's minute: its pricing function applied to the underlying's minute, order-preserving or reversing. */
  private derivedMinute(instrument: Instrument, minute: number): MinutePath {
    const { conId } = instrument.contract;
    const model = instrument.model;
    if (model.kind === "walk") throw new Error("not a derived instrument");
    const under = this.minutePath(model.underConId, minute);
    const at = minute * MINUTE_MS;
    const value = (spot: number) =>
      model.kind === "future"
        ? spot * (1 + model.carry * Math.max(0, (model.expiryMs - at) / YEAR_MS))
        : blackScholes(model.right === "C", spot, model.strike, (model.expiryMs - at) / YEAR_MS, model.impliedVol)
            .price;
    const tick = instrument.details.minTick;
    const map = (spot: number) => Math.max(tick, this.round(conId, value(spot)));
    const decreasing = model.kind === "option" && model.right === "P";
    return {
      minute,
      open: map(under.open),
      close: map(under.close),
      high: map(decreasing ? under.low : under.high),
      low: map(decreasing ? under.high : under.low),
      knotA: under.knotA,
      knotB: under.knotB,
      highFirst: decreasing ? !under.highFirst : under.highFirst,
      wiggle: 0,
      derived: { underConId: model.underConId, map },
    };
  }

  /** Price at the start of `minute`: base * exp(multi-level noise). */
  private anchor(instrument: Instrument, minute: number): number {
    const last = this.lastAnchor.get(instrument.contract.conId);
    if (last?.minute === minute) return last.value;
    const value = this.computeAnchor(instrument, minute);
    this.lastAnchor.set(instrument.contract.conId, { minute, value });
    return value;
  }

  private computeAnchor(instrument: Instrument, minute: number): number {
    const model = instrument.model as Extract<Instrument["model"], { kind: "walk" }>;
    const { conId } = instrument.contract;
    let lattice = this.lattices.get(conId);
    if (!lattice) {
      const perMinuteVol = model.annualVol / Math.sqrt(MINUTES_PER_YEAR);
      // Each level contributes increments ~ span-sized; sqrt(span / 6) makes the sum's variance grow ~linearly.
      const amplitude = Float64Array.from({ length: LEVELS }, (_, level) => perMinuteVol * Math.sqrt(2 ** level / 6));
      lattice = {
        index: new Float64Array(LEVELS).fill(Number.NaN),
        g0: new Float64Array(LEVELS),
        g1: new Float64Array(LEVELS),
        amplitude,
      };
      this.lattices.set(conId, lattice);
    }
    const { index: indexes, g0: lows, g1: highs, amplitude } = lattice;
    let logOffset = 0;
    for (let level = 0, span = 1; level < LEVELS; level++, span *= 2) {
      const index = Math.floor(minute / span);
      const cachedIndex = indexes[level] as number;
      if (cachedIndex !== index) {
        // Scanning forward, the next cell's left value is this cell's right one: one new draw instead of two.
        lows[level] =
          index === cachedIndex + 1
            ? (highs[level] as number)
            : gaussian(this.seed, conId, Stream.LATTICE, level, index);
        highs[level] = gaussian(this.seed, conId, Stream.LATTICE, level, index + 1);
        indexes[level] = index;
      }
      const low = lows[level] as number;
      logOffset +=
        (amplitude[level] as number) * (low + ((highs[level] as number) - low) * ((minute - index * span) / span));
    }
    return model.base * Math.exp(logOffset);
  }

  private minuteActivity(conId: number, minute: number): { volume: number; count: number } {
    const lot = this.catalog.get(conId).lotSize;
    const count = 4 + Math.floor(uniform(this.seed, conId, Stream.COUNT, minute) * 9);
    const volume = Math.max(count, lot * (2 + Math.floor(uniform(this.seed, conId, Stream.VOLUME, minute) * 30)));
    return { volume, count };
  }

  /** The minute's trades (memoized per instrument for the latest minute asked: streams ask the same one 240 times). */
  private minuteTrades(conId: number, minute: number): readonly Trade[] {
    const cached = this.lastTrades.get(conId);
    if (cached?.minute === minute) return cached.trades;
    const trades = this.computeMinuteTrades(conId, minute);
    this.lastTrades.set(conId, { minute, trades });
    return trades;
  }

  /** The minute's trades: at the open, at both extremes, at the close step, and seeded others; sizes sum to volume. */
  private computeMinuteTrades(conId: number, minute: number): Trade[] {
    const path = this.minutePath(conId, minute);
    const { volume, count } = this.minuteActivity(conId, minute);
    const steps = [0, path.knotA, path.knotB, LAST_STEP];
    for (let extra = 4; extra < count; extra++) {
      steps.push(1 + Math.floor(uniform(this.seed, conId, Stream.TRADE_STEP, minute, extra) * (LAST_STEP - 1)));
    }
    const weights = steps.map((_, index) => 0.2 + uniform(this.seed, conId, Stream.TRADE_WEIGHT, minute, index));
    const total = weights.reduce((sum, weight) => sum + weight, 0);
    const sizes = weights.map((weight) => Math.max(1, Math.floor((volume * weight) / total)));
    const assigned = sizes.reduce((sum, size) => sum + size, 0);
    sizes[0] = (sizes[0] as number) + (volume - assigned); // whatever rounding left over goes to the opening trade
    const start = minute * MINUTE_MS;
    return steps
      .map((step, index) => ({
        time:
          start + step * STEP_MS + Math.floor(uniform(this.seed, conId, Stream.TRADE_OFFSET, minute, index) * STEP_MS),
        price: this.stepPrice(conId, path, step),
        size: sizes[index] as number,
      }))
      .sort((a, b) => a.time - b.time);
  }

  private lastTrade(conId: number, t: number): Trade {
    const minute = Math.floor(t / MINUTE_MS);
    for (let back = 0; back < 2; back++) {
      const trades = this.minuteTrades(conId, minute - back).filter((trade) => trade.time <= t);
      const last = trades.at(-1);
      if (last) return last;
    }
    throw new Error("a minute always has trades"); // the previous minute's close trade is always before t
  }

  /** The trades in [from, to) inside one minute as a bar, or undefined when none traded there. */
  private partialTradeBar(conId: number, from: number, to: number): Bar | undefined {
    const minute = Math.floor(from / MINUTE_MS);
    const trades = this.minuteTrades(conId, minute).filter((trade) => trade.time >= from && trade.time < to);
    const first = trades[0];
    const last = trades.at(-1);
    if (!first || !last) return undefined;
    let high = -Infinity;
    let low = Infinity;
    let volume = 0;
    let notional = 0;
    for (const trade of trades) {
      high = Math.max(high, trade.price);
      low = Math.min(low, trade.price);
      volume += trade.size;
      notional += trade.price * trade.size;
    }
    return {
      start: from,
      end: to,
      open: first.price,
      high,
      low,
      close: last.price,
      volume,
      wap: notional / volume,
      count: trades.length,
    };
  }

  private partialPathBar(conId: number, from: number, to: number): Bar {
    const minute = Math.floor(from / MINUTE_MS);
    const path = this.minutePath(conId, minute);
    const firstStep = (from - minute * MINUTE_MS) / STEP_MS;
    const endStep = (to - minute * MINUTE_MS) / STEP_MS;
    let high = -Infinity;
    let low = Infinity;
    for (let step = firstStep; step < endStep; step++) {
      const price = this.stepPrice(conId, path, step);
      high = Math.max(high, price);
      low = Math.min(low, price);
    }
    const trades = this.minuteTrades(conId, minute).filter((trade) => trade.time >= from && trade.time < to);
    const volume = trades.reduce((sum, trade) => sum + trade.size, 0);
    const close = this.stepPrice(conId, path, endStep - 1);
    return {
      start: from,
      end: to,
      open: this.stepPrice(conId, path, firstStep),
      high,
      low,
      close,
      volume,
      wap:
        volume > 0
          ? trades.reduce((sum, trade) => sum + trade.price * trade.size, 0) / volume
          : (high + low + close) / 3,
      count: trades.length,
    };
  }
}

/** How far bid and ask sit from the path, as a fraction of price, by kind of market. */
function relativeHalfSpread(instrument: Instrument): number {
  switch (instrument.contract.secType) {
    case "OPT":
      return 0.004;
    case "BOND":
      return 0.0005;
    case "STK":
    case "FUND":
      return 0.00003;
    default:
      return 0.00001;
  }
}

/** Merges consecutive bars into one. */
export function aggregate(parts: readonly Bar[], round: (value: number) => number): Bar {
  const first = parts[0];
  const last = parts.at(-1);
  if (!first || !last) throw new RangeError("cannot aggregate no bars");
  let high = -Infinity;
  let low = Infinity;
  let volume = 0;
  let count = 0;
  let weighted = 0;
  for (const part of parts) {
    high = Math.max(high, part.high);
    low = Math.min(low, part.low);
    volume += part.volume;
    count += part.count;
    weighted += part.wap * part.volume;
  }
  return {
    start: first.start,
    end: last.end,
    open: first.open,
    high,
    low,
    close: last.close,
    volume,
    wap: round(volume > 0 ? weighted / volume : (high + low + last.close) / 3),
    count,
  };
}
