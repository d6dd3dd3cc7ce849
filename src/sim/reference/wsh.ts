import { compactDate, DAY_MS } from "./calendar.js";
import { derivedRandom } from "./derived-random.js";
import type { ReferenceInstrument } from "./instruments.js";

/** The Wall Street Horizon event types the simulator generates, as reqWshMetaData lists them. */
export const WSH_EVENT_TYPES = [
  { name: "wshe_ed", displayName: "Earnings Date", category: "Corporate Events" },
  { name: "wshe_div", displayName: "Dividend", category: "Corporate Events" },
] as const;

export type WshEventType = (typeof WSH_EVENT_TYPES)[number]["name"];

/** reqWshMetaData's JSON: event types and the filters reqWshEventData accepts. */
export function wshMetaDataJson(): string {
  return JSON.stringify({
    validated: true,
    data: {
      version: 1,
      event_types: WSH_EVENT_TYPES.map((type) => ({
        tag: type.name,
        display_name: type.displayName,
        category: type.category,
      })),
      filters: [
        { name: "watchlist", type: "conid_list", display_name: "Watchlist" },
        { name: "country", type: "string", display_name: "Country", values: ["All", "US", "DE", "GB"] },
        ...WSH_EVENT_TYPES.map((type) => ({ name: type.name, type: "boolean", display_name: type.displayName })),
      ],
    },
  });
}

export interface WshEvent {
  readonly event_type: WshEventType;
  readonly conid: number;
  readonly symbol: string;
  /** yyyyMMdd: the day the event is indexed under. */
  readonly index_date: string;
  readonly data: Readonly<Record<string, string | number>>;
}

const QUARTER_MONTHS = [0, 3, 6, 9];
const TIMES_OF_DAY = ["Before Market Open", "After Market Close"];

/**
 * A company's corporate calendar: quarterly earnings some weeks after each quarter ends, and (for payers) quarterly
 * dividends, on seeded days that are the same every run.
 */
function quarterEvents(
  seed: number,
  instrument: ReferenceInstrument,
  year: number,
  quarter: number,
  dividend: number,
): WshEvent[] {
  const random = derivedRandom(seed, "wsh", instrument.conId, year, quarter);
  const quarterStart = Date.UTC(year, QUARTER_MONTHS[quarter] ?? 0, 1);
  const earnings = quarterStart + (20 + Math.floor(random() * 25)) * DAY_MS;
  const fiscalQuarter = quarter === 0 ? 4 : quarter;
  const fiscalYear = quarter === 0 ? year - 1 : year;
  const events: WshEvent[] = [
    {
      event_type: "wshe_ed",
      conid: instrument.conId,
      symbol: instrument.symbol,
      index_date: compactDate(earnings),
      data: {
        earnings_date: compactDate(earnings),
        time_of_day: TIMES_OF_DAY[Math.floor(random() * TIMES_OF_DAY.length)] ?? "",
        fiscal_period: `Q${fiscalQuarter} ${fiscalYear}`,
      },
    },
  ];
  if (dividend > 0) {
    const exDate = quarterStart + (45 + Math.floor(random() * 30)) * DAY_MS;
    events.push({
      event_type: "wshe_div",
      conid: instrument.conId,
      symbol: instrument.symbol,
      index_date: compactDate(exDate),
      data: {
        ex_date: compactDate(exDate),
        pay_date: compactDate(exDate + 14 * DAY_MS),
        amount: Math.round((dividend / 4) * 10000) / 10000,
        currency: instrument.currency,
      },
    });
  }
  return events;
}

/** Events of `instruments` indexed within [fromMs, toMs], by date then conId, at most `limit`. */
export function wshEvents(
  seed: number,
  instruments: readonly { instrument: ReferenceInstrument; dividendPerShare: number }[],
  types: ReadonlySet<WshEventType>,
  fromMs: number,
  toMs: number,
  limit: number,
): WshEvent[] {
  const from = compactDate(fromMs);
  const to = compactDate(toMs);
  const events: WshEvent[] = [];
  const firstYear = new Date(fromMs).getUTCFullYear();
  const lastYear = new Date(toMs).getUTCFullYear();
  for (const { instrument, dividendPerShare } of instruments) {
    for (let year = firstYear - 1; year <= lastYear; year++) {
      for (let quarter = 0; quarter < 4; quarter++) {
        for (const event of quarterEvents(seed, instrument, year, quarter, dividendPerShare)) {
          if (types.has(event.event_type) && event.index_date >= from && event.index_date <= to) events.push(event);
        }
      }
    }
  }
  events.sort(
    (a, b) => a.index_date.localeCompare(b.index_date) || a.conid - b.conid || a.event_type.localeCompare(b.event_type),
  );
  return events.slice(0, limit);
}
