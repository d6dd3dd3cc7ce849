import type { Instrument, SecType } from "./instruments.js";
import { buildUniverse } from "./universe.js";

/**
 * A contract as a request describes it (IBApi's Contract, as decoded off the wire): any field may be unset. Unset is
 * undefined, "" or 0 (the wire cannot tell them apart for most fields).
 */
export interface ContractQuery {
  conId?: number;
  symbol?: string;
  secType?: string;
  lastTradeDateOrContractMonth?: string;
  strike?: number;
  right?: string;
  multiplier?: string | number;
  exchange?: string;
  primaryExch?: string;
  currency?: string;
  localSymbol?: string;
  tradingClass?: string;
  secIdType?: string;
  secId?: string;
}

/** One instrument as it answers a query: `exchange` is the requested exchange, or the instrument's default. */
export interface ContractMatch {
  readonly instrument: Instrument;
  readonly exchange: string;
}

export type Resolution =
  | { readonly kind: "one"; readonly match: ContractMatch }
  | { readonly kind: "none" }
  | { readonly kind: "ambiguous"; readonly matches: readonly ContractMatch[] };

/** TWS's error 200 text for a contract it cannot find. */
export const NO_SECURITY_DEFINITION = "No security definition has been found for the request";

export interface OptionChain {
  readonly exchange: string;
  readonly underConId: number;
  readonly tradingClass: string;
  readonly multiplier: string;
  readonly expirations: readonly string[];
  readonly strikes: readonly number[];
}

const given = (value: string | undefined): value is string => value !== undefined && value.trim() !== "";
const same = (a: string, b: string) => a.toUpperCase() === b.trim().toUpperCase();

function normalizeRight(right: string): string {
  const upper = right.trim().toUpperCase();
  if (upper === "CALL") return "C";
  if (upper === "PUT") return "P";
  return upper;
}

/** The deterministic set of instruments and the contract lookup TWS performs on every request naming a contract. */
export class Catalog {
  readonly instruments: readonly Instrument[];
  private readonly byConId = new Map<number, Instrument>();

  constructor(startMs: number) {
    this.instruments = buildUniverse(startMs);
    for (const instrument of this.instruments) {
      if (this.byConId.has(instrument.contract.conId)) throw new Error(`duplicate conId ${instrument.contract.conId}`);
      this.byConId.set(instrument.contract.conId, instrument);
    }
  }

  byId(conId: number): Instrument | undefined {
    return this.byConId.get(conId);
  }

  /** Like byId, for ids the caller knows exist (positions, orders already accepted). */
  get(conId: number): Instrument {
    const instrument = this.byConId.get(conId);
    if (!instrument) throw new Error(`no instrument with conId ${conId}`);
    return instrument;
  }

  /**
   * Every instrument the query describes, as reqContractDetails answers it: a conId pins one; otherwise each given
   * field must match and unset ones match anything (so "AAPL OPT" lists the whole chain). An expiry may be a month
   * (yyyyMM) or a day. The exchange must be one the instrument trades on. A query that names nothing matches nothing.
   */
  find(query: ContractQuery): ContractMatch[] {
    const exchange = query.exchange?.trim() ?? "";
    const matchesExchange = (instrument: Instrument) =>
      exchange === "" || instrument.details.validExchanges.some((valid) => same(valid, exchange));
    const toMatch = (instrument: Instrument): ContractMatch => ({
      instrument,
      exchange: exchange === "" ? instrument.contract.exchange : exchange.toUpperCase(),
    });

    if (query.conId !== undefined && query.conId > 0) {
      const instrument = this.byConId.get(query.conId);
      return instrument && matchesExchange(instrument) ? [toMatch(instrument)] : [];
    }
    const hasSecId = given(query.secIdType) && given(query.secId);
    if (!given(query.symbol) && !given(query.localSymbol) && !hasSecId) return [];
    return this.instruments
      .filter((instrument) => this.matches(instrument, query) && matchesExchange(instrument))
      .map(toMatch);
  }

  /** For requests that need exactly one contract (market data, orders...): TWS answers 200 unless exactly one fits. */
  resolve(query: ContractQuery): Resolution {
    const matches = this.find(query);
    if (matches.length === 0) return { kind: "none" };
    if (matches.length === 1) return { kind: "one", match: matches[0] as ContractMatch };
    return { kind: "ambiguous", matches };
  }

  /** reqMatchingSymbols: non-derivatives whose symbol starts with, or whose name contains, the pattern; best first. */
  search(pattern: string, limit = 16): Instrument[] {
    const needle = pattern.trim().toUpperCase();
    if (needle === "") return [];
    const rank = (instrument: Instrument) => {
      const symbol = instrument.contract.symbol.toUpperCase();
      if (symbol === needle) return 0;
      if (symbol.startsWith(needle)) return 1;
      if (instrument.details.longName.toUpperCase().includes(needle)) return 2;
      return 3;
    };
    return this.instruments
      .filter((instrument) => !isDerivative(instrument.contract.secType) && rank(instrument) < 3)
      .map((instrument, order) => ({ instrument, order, rank: rank(instrument) }))
      .sort((a, b) => a.rank - b.rank || a.order - b.order)
      .slice(0, limit)
      .map((entry) => entry.instrument);
  }

  /** Derivative sec types listed on an underlying (symbolSamples' derivativeSecTypes), e.g. ["OPT"] for AAPL. */
  derivativeSecTypes(underConId: number): SecType[] {
    const types = new Set<SecType>();
    for (const instrument of this.instruments) {
      if (instrument.details.underConId === underConId && isDerivative(instrument.contract.secType)) {
        types.add(instrument.contract.secType);
      }
    }
    return [...types];
  }

  /** reqSecDefOptParams: one chain per exchange the underlying's options trade on; empty when it has none. */
  optionChains(underConId: number): OptionChain[] {
    const options = this.instruments.filter(
      (instrument) => instrument.contract.secType === "OPT" && instrument.details.underConId === underConId,
    );
    const first = options[0];
    if (!first) return [];
    const expirations = [...new Set(options.map((option) => option.contract.lastTradeDateOrContractMonth))].sort();
    const strikes = [...new Set(options.map((option) => option.contract.strike))].sort((a, b) => a - b);
    return first.details.validExchanges.map((exchange) => ({
      exchange,
      underConId,
      tradingClass: first.contract.tradingClass,
      multiplier: first.contract.multiplier,
      expirations,
      strikes,
    }));
  }

  /** The IDEALPRO pair quoting `base` in `quote` (e.g. EUR, USD -> EUR.USD), if listed. */
  forexPair(base: string, quote: string): Instrument | undefined {
    return this.instruments.find(
      (instrument) =>
        instrument.contract.secType === "CASH" &&
        instrument.contract.symbol === base &&
        instrument.contract.currency === quote,
    );
  }

  private matches(instrument: Instrument, query: ContractQuery): boolean {
    const contract = instrument.contract;
    if (given(query.symbol) && !same(contract.symbol, query.symbol)) return false;
    if (given(query.secType) && !same(contract.secType, query.secType)) return false;
    if (given(query.currency) && !same(contract.currency, query.currency)) return false;
    if (given(query.localSymbol) && !same(contract.localSymbol, query.localSymbol)) return false;
    if (given(query.tradingClass) && !same(contract.tradingClass, query.tradingClass)) return false;
    if (given(query.primaryExch) && contract.primaryExch !== "" && !same(contract.primaryExch, query.primaryExch)) {
      return false;
    }
    const expiry = query.lastTradeDateOrContractMonth?.trim() ?? "";
    if (expiry !== "" && !contract.lastTradeDateOrContractMonth.startsWith(expiry)) return false;
    if (query.strike !== undefined && query.strike > 0 && Math.abs(contract.strike - query.strike) > 1e-9) return false;
    if (
      given(query.right) &&
      !["", "0", "?"].includes(query.right.trim()) &&
      contract.right !== normalizeRight(query.right)
    ) {
      return false;
    }
    const multiplier = Number(query.multiplier ?? 0);
    if (multiplier > 0 && Number(contract.multiplier || 1) !== multiplier) return false;
    if (given(query.secIdType) && given(query.secId)) {
      const wanted = query.secId.trim().toUpperCase();
      const ids = instrument.details.secIdList;
      if (!ids.some((id) => same(id.tag, query.secIdType as string) && id.value.toUpperCase() === wanted)) return false;
    }
    return true;
  }
}

export function isDerivative(secType: SecType): boolean {
  return secType === "OPT" || secType === "FUT";
}

/**
 * Money per unit of price per unit of quantity: the contract multiplier (100 for AAPL options, 50 for ES), 1 for
 * stocks and forex, 10 for bonds (a quantity of 1 is a $1000 bond quoted in percent of par).
 */
export function valueMultiplier(instrument: Instrument): number {
  if (instrument.contract.secType === "BOND") return 10;
  const multiplier = Number(instrument.contract.multiplier);
  return multiplier > 0 ? multiplier : 1;
}
