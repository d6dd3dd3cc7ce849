import type { Bar, Instrument, Market } from "../world/index.js";
import { aggregate } from "../world/market.js";
import { type BarSize, calendarStart, type Duration } from "./bar-settings.js";
import { sessionsBefore, type TradingSession } from "./trading-sessions.js";

/** What reqHistoricalData may show; the others (volatility, yields...) answer 162 "no data". */
export const BAR_SOURCES = ["TRADES", "MIDPOINT", "BID", "ASK", "BID_ASK", "ADJUSTED_LAST"] as const;
export type BarSource = (typeof BAR_SOURCES)[number];

export function isBarSource(value: string): value is BarSource {
  return (BAR_SOURCES as readonly string[]).includes(value);
}

export interface HistoricalBar extends Bar {
  /** "yyyyMMdd" for daily and longer bars (TWS labels them by date); undefined for intraday bars (labelled by time). */
  readonly dateLabel?: string;
}

export interface BarQuery {
  readonly instrument: Instrument;
  readonly end: number;
  readonly duration: Duration;
  readonly barSize: BarSize;
  readonly regularHoursOnly: boolean;
  readonly source: BarSource;
}

/** TWS refuses requests this big ("Time length exceed max"); it also keeps one request from stalling the simulator. */
export const MAX_BARS = 10_000;
const MAX_SESSIONS = 800;

export class TooMuchData extends Error {
  override readonly name = "TooMuchData";
}

/**
 * The bars a historical request answers, oldest first, cut from the world's walk: intraday bars are aligned to the
 * local clock inside each session (a partial first bar when a session opens off the grid), daily bars are sessions,
 * weekly and monthly bars merge sessions. Every bar is Market.bar over its span, so bars of any size agree.
 */
export function historicalBars(market: Market, query: BarQuery): HistoricalBar[] {
  const sessions = sessionsFor(query);
  const bars = cutBars(market, query, sessions).filter((bar) => !isEmptyTradesBar(query.source, bar));
  return bars.map((bar) => asShown(market, query.instrument, bar, query.source));
}

/** TRADES bars summarize trades: like TWS, the simulator sends none for a span in which nothing traded. */
function isEmptyTradesBar(source: BarSource, bar: Bar): boolean {
  return tradeBased(source) && bar.count === 0;
}

function tradeBased(source: BarSource): boolean {
  return source === "TRADES" || source === "ADJUSTED_LAST";
}

/** The bar in progress at `now` (keepUpToDate), or undefined outside a session. */
export function currentBar(
  market: Market,
  query: Omit<BarQuery, "end" | "duration">,
  now: number,
): HistoricalBar | undefined {
  const latest = sessionsBefore(query.instrument.details.schedule, query.regularHoursOnly, now).next();
  if (latest.done || latest.value.end < now || latest.value.start >= now) return undefined;
  const bars = cutBars(market, { ...query, end: now, duration: { kind: "sessions", count: 1 } }, [latest.value]);
  const last = bars.at(-1);
  if (!last || isEmptyTradesBar(query.source, last)) return undefined;
  return asShown(market, query.instrument, last, query.source);
}

function sessionsFor(query: BarQuery): TradingSession[] {
  const { schedule } = query.instrument.details;
  const { duration, end } = query;
  const windowStart =
    duration.kind === "seconds"
      ? end - duration.ms
      : duration.kind === "calendar"
        ? calendarStart(end, duration.unit, duration.count)
        : Number.NEGATIVE_INFINITY;
  const picked: TradingSession[] = [];
  for (const session of sessionsBefore(schedule, query.regularHoursOnly, end)) {
    if (duration.kind === "sessions" && picked.length >= duration.count) break;
    if (session.end <= windowStart) break;
    if (picked.length >= MAX_SESSIONS) throw new TooMuchData("Time length exceed max.");
    picked.push({ ...session, start: Math.max(session.start, windowStart) });
  }
  return picked.reverse();
}

function cutBars(market: Market, query: BarQuery, sessions: readonly TradingSession[]): HistoricalBar[] {
  const { conId } = query.instrument.contract;
  const round = (value: number) => market.round(conId, value);
  const { barSize } = query;
  // TRADES bars from the trades; quote-based bars from the walk's every step.
  const span = tradeBased(query.source)
    ? (from: number, to: number) => market.bar(conId, from, to)
    : (from: number, to: number) => market.pathBar(conId, from, to);
  if (barSize.kind === "intraday") {
    const spans: Array<[number, number]> = [];
    for (const session of sessions) {
      let cursor = session.start;
      // The first grid line of the local day strictly after the session opens.
      let boundary = session.dayStart + (Math.floor((session.start - session.dayStart) / barSize.ms) + 1) * barSize.ms;
      while (cursor < session.end) {
        const to = Math.min(boundary, session.end);
        spans.push([cursor, to]);
        if (spans.length > MAX_BARS) throw new TooMuchData("Time length exceed max.");
        cursor = to;
        boundary += barSize.ms;
      }
    }
    return spans.map(([from, to]) => span(from, to));
  }
  const daily = sessions.map((session) => ({
    ...span(session.start, session.end),
    dateLabel: session.date,
  }));
  if (barSize.kind === "day") return daily;
  const groupKey = barSize.kind === "month" ? (date: string) => date.slice(0, 6) : isoWeekKey;
  const groups: HistoricalBar[][] = [];
  let previousKey: string | undefined;
  for (const bar of daily) {
    const key = groupKey(bar.dateLabel);
    if (key !== previousKey) groups.push([]);
    groups.at(-1)?.push(bar);
    previousKey = key;
  }
  return groups.map((group) => ({ ...aggregate(group, round), dateLabel: group[0]?.dateLabel }));
}

/** The Monday of a "yyyyMMdd" date's ISO week. */
function isoWeekKey(date: string): string {
  const day = Date.UTC(Number(date.slice(0, 4)), Number(date.slice(4, 6)) - 1, Number(date.slice(6, 8)));
  const weekday = (new Date(day).getUTCDay() + 6) % 7;
  return new Date(day - weekday * 86_400_000).toISOString().slice(0, 10);
}

/**
 * TRADES and ADJUSTED_LAST are the walk's bars. MIDPOINT, BID, ASK and BID_ASK carry no volume (TWS sends -1); BID
 * and ASK sit where the quote sat from the walk at the bar's close; BID_ASK is bid open, ask high, bid low, ask close.
 */
export function asShown(market: Market, instrument: Instrument, bar: HistoricalBar, source: BarSource): HistoricalBar {
  if (source === "TRADES" || source === "ADJUSTED_LAST") return bar;
  const { conId } = instrument.contract;
  const noVolume = { volume: -1, wap: -1, count: -1 };
  if (source === "MIDPOINT") return { ...bar, ...noVolume };
  const lastInstant = bar.end - 1;
  const quote = market.quote(conId, lastInstant);
  const mid = market.price(conId, lastInstant);
  const shift = (offset: number) => (value: number) => market.round(conId, Math.max(0, value + offset));
  const bid = shift(quote.bid - mid);
  const ask = shift(quote.ask - mid);
  if (source === "BID")
    return { ...bar, ...noVolume, open: bid(bar.open), high: bid(bar.high), low: bid(bar.low), close: bid(bar.close) };
  if (source === "ASK")
    return { ...bar, ...noVolume, open: ask(bar.open), high: ask(bar.high), low: ask(bar.low), close: ask(bar.close) };
  return { ...bar, ...noVolume, open: bid(bar.open), high: ask(bar.high), low: bid(bar.low), close: ask(bar.close) };
}
