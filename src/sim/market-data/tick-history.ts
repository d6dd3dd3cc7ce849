import { type Market, STEP_MS } from "../world/index.js";

/** What a stream of ticks shows: trades, the quote, or its midpoint (reqHistoricalTicks' whatToShow). */
export type TickKind = "TRADES" | "BID_ASK" | "MIDPOINT";

export type MarketTick =
  | { readonly kind: "TRADES"; readonly time: number; readonly price: number; readonly size: number }
  | {
      readonly kind: "BID_ASK";
      readonly time: number;
      readonly bid: number;
      readonly ask: number;
      readonly bidSize: number;
      readonly askSize: number;
    }
  | { readonly kind: "MIDPOINT"; readonly time: number; readonly price: number };

export interface TickSeries {
  readonly market: Market;
  readonly conId: number;
  readonly kind: TickKind;
  /** BID_ASK: a size-only change is not a tick. */
  readonly ignoreSize: boolean;
}

/**
 * The ticks in [from, to), oldest first: every trade, or every 250 ms step whose quote (or midpoint) differs from the
 * step before it. A function of the window only, so live streams and historical requests report the same ticks.
 */
export function ticksIn(series: TickSeries, from: number, to: number): MarketTick[] {
  const { market, conId, kind } = series;
  if (kind === "TRADES") {
    return market
      .trades(conId, from, to)
      .map((trade) => ({ kind, time: trade.time, price: trade.price, size: trade.size }));
  }
  const ticks: MarketTick[] = [];
  const firstStep = Math.ceil(from / STEP_MS);
  let previous = quoteKey(series, (firstStep - 1) * STEP_MS);
  for (let step = firstStep; step * STEP_MS < to; step++) {
    const time = step * STEP_MS;
    const key = quoteKey(series, time);
    if (key === previous) continue;
    previous = key;
    const quote = market.quote(conId, time);
    ticks.push(
      kind === "MIDPOINT"
        ? { kind, time, price: midpoint(series, time) }
        : { kind, time, bid: quote.bid, ask: quote.ask, bidSize: quote.bidSize, askSize: quote.askSize },
    );
  }
  return ticks;
}

function midpoint(series: TickSeries, time: number): number {
  const quote = series.market.quote(series.conId, time);
  return Number(((quote.bid + quote.ask) / 2).toFixed(10));
}

function quoteKey(series: TickSeries, time: number): string {
  if (series.kind === "MIDPOINT") return String(midpoint(series, time));
  const quote = series.market.quote(series.conId, time);
  const prices = `${quote.bid}|${quote.ask}`;
  return series.ignoreSize ? prices : `${prices}|${quote.bidSize}|${quote.askSize}`;
}

const FIRST_CHUNK_MS = 60_000;
const MAX_CHUNK_MS = 3_600_000;

/** The first `count` ticks inside `intervals` (oldest first, [start, end) each), scanning in growing chunks. */
export function firstTicks(
  series: TickSeries,
  intervals: ReadonlyArray<readonly [number, number]>,
  count: number,
): MarketTick[] {
  const found: MarketTick[] = [];
  for (const [start, end] of intervals) {
    let chunk = FIRST_CHUNK_MS;
    for (
      let cursor = start;
      cursor < end && found.length < count;
      cursor += chunk, chunk = Math.min(chunk * 2, MAX_CHUNK_MS)
    ) {
      found.push(...ticksIn(series, cursor, Math.min(end, cursor + chunk)));
    }
    if (found.length >= count) break;
  }
  return found.slice(0, count);
}

/** The last `count` ticks inside `intervals` (newest first, [start, end) each), oldest first in the answer. */
export function lastTicks(
  series: TickSeries,
  intervals: ReadonlyArray<readonly [number, number]>,
  count: number,
): MarketTick[] {
  let found: MarketTick[] = [];
  for (const [start, end] of intervals) {
    let chunk = FIRST_CHUNK_MS;
    for (
      let cursor = end;
      cursor > start && found.length < count;
      cursor -= chunk, chunk = Math.min(chunk * 2, MAX_CHUNK_MS)
    ) {
      found = [...ticksIn(series, Math.max(start, cursor - chunk), cursor), ...found];
    }
    if (found.length >= count) break;
  }
  return found.slice(Math.max(0, found.length - count));
}
