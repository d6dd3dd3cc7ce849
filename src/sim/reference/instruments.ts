/**
 * What the reference-data feeds (news, scanners, fundamentals, WSH, display groups) need to know about instruments and
 * prices. Deliberately small, so the feeds run against the world's catalog and market walk through one adapter.
 */

export interface ReferenceInstrument {
  readonly conId: number;
  readonly symbol: string;
  readonly secType: string;
  readonly lastTradeDateOrContractMonth: string;
  readonly strike: number;
  readonly right: string;
  /** The routing exchange scanners and display groups quote ("SMART" for most stocks). */
  readonly exchange: string;
  readonly primaryExchange: string;
  readonly currency: string;
  readonly localSymbol: string;
  readonly tradingClass: string;
  /** The contract's market name as scannerData and contractData carry it ("NMS", "IBIS"...). */
  readonly marketName: string;
  readonly longName: string;
  /** Empty for instruments without one (indices, forex...). */
  readonly industry: string;
}

/** A price snapshot: what scanners rank by. */
export interface ReferenceQuote {
  readonly last: number;
  readonly previousClose: number;
  /** Shares traded today. */
  readonly volume: number;
}

export interface ReferenceWorld {
  instruments(): readonly ReferenceInstrument[];
  byConId(conId: number): ReferenceInstrument | undefined;
  /** The instrument a request's contract fields name, or undefined (TWS answers 200). */
  find(query: {
    conId?: number;
    symbol?: string;
    secType?: string;
    currency?: string;
  }): ReferenceInstrument | undefined;
  quote(conId: number): ReferenceQuote | undefined;
}

/** Matching as TWS does for reference requests: a conId wins; otherwise symbol plus whatever else was given. */
export function findInstrument(
  instruments: readonly ReferenceInstrument[],
  query: { conId?: number; symbol?: string; secType?: string; currency?: string },
): ReferenceInstrument | undefined {
  if (query.conId) return instruments.find((instrument) => instrument.conId === query.conId);
  const symbol = query.symbol?.toUpperCase();
  if (!symbol) return undefined;
  return instruments.find(
    (instrument) =>
      instrument.symbol === symbol &&
      (!query.secType || instrument.secType === query.secType) &&
      (!query.currency || instrument.currency === query.currency),
  );
}
