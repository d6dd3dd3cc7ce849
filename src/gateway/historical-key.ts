import type { Contract } from "@stoqey/ib";
import type { HistoricalRequest } from "./historical-pacer.js";

/**
 * The historical requests IB paces (the simulator paces the same four): bars (reqHistoricalData, incl.
 * keepUpToDate), ticks (reqHistoricalTicks), head (reqHeadTimestamp) and histogram (reqHistogramData).
 */
export type HistoricalQuery =
  | {
      kind: "bars";
      contract: Contract;
      /** "" or undefined: now. */
      endDateTime?: string | undefined;
      duration: string;
      barSize: string;
      whatToShow: string;
      useRTH: boolean;
      formatDate?: number | undefined;
      keepUpToDate?: boolean | undefined;
    }
  | {
      kind: "ticks";
      contract: Contract;
      startDateTime?: string | undefined;
      endDateTime?: string | undefined;
      numberOfTicks: number;
      whatToShow: string;
      useRTH: boolean;
      ignoreSize?: boolean | undefined;
    }
  | { kind: "head"; contract: Contract; whatToShow: string; useRTH: boolean; formatDate?: number | undefined }
  /** IB's histogram is always of trades; `period` as IB writes it ("3 days"). */
  | { kind: "histogram"; contract: Contract; useRTH: boolean; period: string };

/**
 * The keys the {@link HistoricalPacer} needs for one request, from an @stoqey/ib Contract and the request's parameters.
 *
 * Three keys, because sharing and pacing want opposite errors:
 * - `key` (sharing and the cache) must never merge two requests whose answers differ, so it is exact: the whole
 *   contract and every parameter (formatDate included), only trimmed.
 * - `identicalKey` and `contractKey` (IB's rules) must never split two requests IB would count together, so they are
 *   coarse: a contract is its conId when given, else its symbol, type, currency and expiry/strike/right (the exchange
 *   is left out: requests for one symbol on two exchanges are counted together, a little stricter than IB), values
 *   are upper-cased with spaces collapsed, and parameters that only change the answer's format or shape (formatDate,
 *   keepUpToDate, ignoreSize) are left out.
 * Known gap: IB counts a contract asked by conId and the same contract asked by symbol together; these keys cannot
 * know they are one contract. Callers that have resolved the conId should put it in the contract.
 */
export function historicalRequestKeys(query: HistoricalQuery): HistoricalRequest {
  const whatToShow = query.kind === "histogram" ? "TRADES" : loose(query.whatToShow);
  const contractKey = pacingIdentity(query.contract);
  const { exact, paced } = parameters(query);
  return {
    key: JSON.stringify([query.kind, exactIdentity(query.contract), exact]),
    identicalKey: JSON.stringify([query.kind, contractKey, whatToShow, paced]),
    contractKey,
    whatToShow,
    weight: whatToShow === "BID_ASK" ? 2 : 1,
    // A keepUpToDate request is a live subscription, not one answer: it cannot be shared or replayed from a cache.
    reuse: !(query.kind === "bars" && query.keepUpToDate === true),
  };
}

type Value = string | number | boolean | undefined;

function parameters(query: HistoricalQuery): { exact: Value[]; paced: Value[] } {
  switch (query.kind) {
    case "bars": {
      const when = [query.endDateTime, query.duration, query.barSize];
      return {
        exact: [...when.map(exact), loose(query.whatToShow), query.useRTH, query.formatDate ?? 1, !!query.keepUpToDate],
        paced: [...when.map(loose), query.useRTH],
      };
    }
    case "ticks": {
      const when = [query.startDateTime, query.endDateTime];
      return {
        exact: [...when.map(exact), query.numberOfTicks, loose(query.whatToShow), query.useRTH, !!query.ignoreSize],
        paced: [...when.map(loose), query.numberOfTicks, query.useRTH],
      };
    }
    case "head":
      return { exact: [loose(query.whatToShow), query.useRTH, query.formatDate ?? 1], paced: [query.useRTH] };
    case "histogram":
      return { exact: [query.useRTH, exact(query.period)], paced: [query.useRTH, loose(query.period)] };
  }
}

/** The parameter as IB will read it: surrounding spaces never matter. */
function exact(value: string | undefined): string {
  return (value ?? "").trim();
}

/** Case and spacing erased: two spellings IB may treat as one request are one for pacing. */
function loose(value: string | undefined): string {
  return exact(value).replace(/\s+/g, " ").toUpperCase();
}

/** Every field that selects the instrument (a combo by its legs), so two different requests never share an answer. */
function exactIdentity(contract: Contract): unknown[] {
  return [
    contract.conId ?? 0,
    exact(contract.symbol),
    exact(contract.secType),
    exact(contract.lastTradeDateOrContractMonth),
    contract.strike ?? 0,
    exact(contract.right),
    contract.multiplier ?? "",
    exact(contract.exchange),
    exact(contract.primaryExch),
    exact(contract.currency),
    exact(contract.localSymbol),
    exact(contract.tradingClass),
    !!contract.includeExpired,
    exact(contract.secIdType),
    exact(contract.secId),
    (contract.comboLegs ?? []).map((leg) => [leg.conId, leg.ratio, leg.action, leg.exchange]),
  ];
}

/** The instrument as IB's pacing sees it: by conId when given (IB then ignores the rest), else by what names it. */
function pacingIdentity(contract: Contract): string {
  if (contract.conId !== undefined && contract.conId > 0) return `#${contract.conId}`;
  const legs = (contract.comboLegs ?? []).map((leg) => `${leg.conId}x${leg.ratio}`).join("+");
  return [
    loose(contract.symbol),
    loose(contract.secType),
    loose(contract.currency),
    loose(contract.lastTradeDateOrContractMonth),
    contract.strike ?? "",
    loose(contract.right),
    loose(contract.localSymbol),
    legs,
  ].join("/");
}
