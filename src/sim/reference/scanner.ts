import { between, derivedRandom } from "./derived-random.js";
import { companyProfile } from "./fundamentals.js";
import type { ReferenceInstrument, ReferenceQuote, ReferenceWorld } from "./instruments.js";
import { SCAN_LOCATIONS, type SCAN_TYPES } from "./scanner-parameters.js";

/** The ScannerSubscription fields the simulator filters on, plus the generic filter tag-values ("priceAbove=5;"). */
export interface ScanRequest {
  readonly scanCode: string;
  readonly instrument: string;
  readonly locationCode: string;
  readonly numberOfRows?: number;
  readonly abovePrice?: number;
  readonly belowPrice?: number;
  readonly aboveVolume?: number;
  /** Millions, as TWS takes it. */
  readonly marketCapAbove?: number;
  readonly marketCapBelow?: number;
  readonly filterOptions: string;
}

/** TWS caps a scan at 50 rows, and sends 50 when the request does not say. */
export const MAX_SCAN_ROWS = 50;

/** Stock-like instrument codes of the scanner: the simulated market has stocks only. */
const STOCK_INSTRUMENTS = new Set(["STK", "STOCK.NA", "STOCK.EU", "STOCK.HK"]);

interface Candidate {
  readonly instrument: ReferenceInstrument;
  readonly quote: ReferenceQuote;
  readonly changePercent: number;
  readonly marketCapMillions: number;
  readonly averageVolume: number;
}

type Ranking = (a: Candidate, b: Candidate) => number;

const RANKINGS: Record<(typeof SCAN_TYPES)[number]["scanCode"], Ranking> = {
  TOP_PERC_GAIN: (a, b) => b.changePercent - a.changePercent,
  TOP_PERC_LOSE: (a, b) => a.changePercent - b.changePercent,
  MOST_ACTIVE: (a, b) => b.quote.volume - a.quote.volume,
  HOT_BY_VOLUME: (a, b) => b.quote.volume / b.averageVolume - a.quote.volume / a.averageVolume,
  HOT_BY_PRICE: (a, b) => Math.abs(b.changePercent) - Math.abs(a.changePercent),
  ALL_SYMBOLS_ASC: (a, b) => a.instrument.symbol.localeCompare(b.instrument.symbol),
  ALL_SYMBOLS_DESC: (a, b) => b.instrument.symbol.localeCompare(a.instrument.symbol),
};

export function isKnownScanCode(scanCode: string): scanCode is keyof typeof RANKINGS {
  return Object.hasOwn(RANKINGS, scanCode);
}

/** "tag=value;tag=value;" as IBApi encodes TagValue lists; unparsable pairs are ignored, as TWS ignores unknown tags. */
export function parseTagValues(encoded: string): Map<string, string> {
  const pairs = new Map<string, string>();
  for (const pair of encoded.split(";")) {
    const separator = pair.indexOf("=");
    if (separator > 0) pairs.set(pair.slice(0, separator).trim(), pair.slice(separator + 1).trim());
  }
  return pairs;
}

function numericOption(options: Map<string, string>, tag: string): number | undefined {
  const raw = options.get(tag);
  const value = raw === undefined || raw === "" ? Number.NaN : Number(raw);
  return Number.isFinite(value) ? value : undefined;
}

interface Bounds {
  readonly min?: number;
  readonly max?: number;
}

const within = (value: number, { min, max }: Bounds) =>
  (min === undefined || value >= min) && (max === undefined || value <= max);

function locationExchanges(locationCode: string): readonly string[] | undefined {
  return SCAN_LOCATIONS.find((location) => location.code === locationCode)?.exchanges;
}

/**
 * Runs a scan over the world's instruments at its current prices, ranked as TWS ranks that scan code. Rows are ranked
 * 0..n-1 like TWS's; an unknown location or a non-stock instrument scans nothing.
 */
export function runScan(world: ReferenceWorld, seed: number, request: ScanRequest): ReferenceInstrument[] {
  if (!isKnownScanCode(request.scanCode)) return [];
  const exchanges = locationExchanges(request.locationCode);
  if (!exchanges || !STOCK_INSTRUMENTS.has(request.instrument)) return [];
  const options = parseTagValues(request.filterOptions);
  const price: Bounds = {
    min: request.abovePrice ?? numericOption(options, "priceAbove"),
    max: request.belowPrice ?? numericOption(options, "priceBelow"),
  };
  const volume: Bounds = {
    min: request.aboveVolume ?? numericOption(options, "volumeAbove"),
    max: numericOption(options, "volumeBelow"),
  };
  const change: Bounds = {
    min: numericOption(options, "changePercAbove"),
    max: numericOption(options, "changePercBelow"),
  };
  const marketCap: Bounds = {
    min: request.marketCapAbove ?? numericOption(options, "marketCapAbove1e6"),
    max: request.marketCapBelow ?? numericOption(options, "marketCapBelow1e6"),
  };

  const candidates: Candidate[] = [];
  for (const instrument of world.instruments()) {
    if (instrument.secType !== "STK" || !exchanges.includes(instrument.primaryExchange)) continue;
    const quote = world.quote(instrument.conId);
    if (!quote || quote.previousClose <= 0) continue;
    const candidate: Candidate = {
      instrument,
      quote,
      changePercent: ((quote.last - quote.previousClose) / quote.previousClose) * 100,
      marketCapMillions: (quote.last * companyProfile(seed, instrument).sharesOutstanding) / 1_000_000,
      averageVolume: Math.max(
        1,
        Math.round(between(derivedRandom(seed, "average-volume", instrument.conId), 0.5, 30, 3) * 1_000_000),
      ),
    };
    if (
      within(quote.last, price) &&
      within(quote.volume, volume) &&
      within(candidate.changePercent, change) &&
      within(candidate.marketCapMillions, marketCap)
    ) {
      candidates.push(candidate);
    }
  }
  const ranking = RANKINGS[request.scanCode];
  // conId breaks ties, so equal scores still rank the same way every run.
  candidates.sort((a, b) => ranking(a, b) || a.instrument.conId - b.instrument.conId);
  const rows =
    request.numberOfRows !== undefined && request.numberOfRows > 0
      ? Math.min(request.numberOfRows, MAX_SCAN_ROWS)
      : MAX_SCAN_ROWS;
  return candidates.slice(0, rows).map((candidate) => candidate.instrument);
}
