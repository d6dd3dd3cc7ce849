/**
 * The simulated world every simulator area reads: what exists, what it costs at any instant, and who owns what.
 * All of it is a function of (seed, start time); nothing reads the host clock or Math.random.
 *
 * - `world.catalog: Catalog`: instruments (stocks in USD/GBP/EUR/JPY, an AAPL option chain, ES futures, forex, SPX,
 *   a bond, a fund) and TWS's contract lookup.
 *   `find(query: ContractQuery): ContractMatch[]` (reqContractDetails), `resolve(query): Resolution` (one / none /
 *   ambiguous, for requests needing one contract), `get(conId)`, `byId(conId)`, `search(pattern)`,
 *   `derivativeSecTypes(conId)`, `optionChains(underConId)`, `forexPair(base, quote)`; `valueMultiplier(instrument)`.
 *   `NO_SECURITY_DEFINITION` is TWS's error 200 text. Market rules: `MARKET_RULES` (market-rules.ts).
 *   `renderSessions(schedule, hours, t)` renders TWS's tradingHours / liquidHours strings from `details.schedule`.
 *   Requests decode their contract with `requestContractFields` (messages/contract-fields.ts) straight into a
 *   ContractQuery.
 * - `world.market: Market`: `price(conId, t)`, `quote(conId, t)` (bid/ask/sizes/last trade), `depth(conId, t, rows)`,
 *   `trades(conId, from, to)`, `minuteBar(conId, minute)`, `bar(conId, from, to)`, `bars(conId, from, to, barMs)`,
 *   `optionGreeks(conId, t)`, `usdPer(currency, t)`, `convert(amount, from, to, t)`, `round(conId, price)`.
 *   Prices change every STEP_MS (250 ms); bars of any size agree with finer bars and with `trades`.
 * - `world.ledger: Ledger`: per-account cash and positions with seeded opening books; `applyFill(account, conId,
 *   signedQty, price, commission)`, `value(account, t): AccountValuation` (NetLiquidation, BuyingPower, per-currency
 *   rows...), `valuePosition(position, t)`, `positions(account)`, `familyCodes()`, `adjustCash(...)`,
 *   `onChange(listener)` (every fill or cash move, for streams that report changes).
 */
import { Catalog } from "./catalog.js";
import { Ledger } from "./ledger.js";
import { Market } from "./market.js";

export interface World {
  readonly seed: number;
  /** The instant the world was built for (it decides the listed option and future expiries). */
  readonly startMs: number;
  readonly catalog: Catalog;
  readonly market: Market;
  readonly ledger: Ledger;
}

export function createWorld(seed: number, accounts: readonly string[], startMs: number): World {
  const catalog = new Catalog(startMs);
  const market = new Market(seed, catalog);
  const ledger = new Ledger(seed, accounts, catalog, market, startMs);
  return { seed, startMs, catalog, market, ledger };
}

export {
  Catalog,
  type ContractMatch,
  type ContractQuery,
  isDerivative,
  NO_SECURITY_DEFINITION,
  type OptionChain,
  type Resolution,
  valueMultiplier,
} from "./catalog.js";
export type { Instrument, InstrumentContract, InstrumentDetails, PriceModel, SecType } from "./instruments.js";
export type {
  Account,
  AccountValuation,
  CurrencyValuation,
  FillResult,
  LedgerChange,
  Position,
  PositionValuation,
} from "./ledger.js";
export { BASE_CURRENCY, Ledger } from "./ledger.js";
export {
  type Bar,
  type DepthLevel,
  Market,
  MINUTE_MS,
  type OptionGreeks,
  type Quote,
  STEP_MS,
  type Trade,
} from "./market.js";
export { MARKET_RULES, type PriceIncrement } from "./market-rules.js";
export { renderSessions } from "./trading-hours.js";
