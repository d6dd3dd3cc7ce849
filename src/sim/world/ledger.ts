import { type Catalog, valueMultiplier } from "./catalog.js";
import { DAY_MS } from "./dates.js";
import { hashString, uniform } from "./hash.js";
import type { Instrument } from "./instruments.js";
import { initialMargin, maintenanceMargin } from "./margin-model.js";
import type { Market } from "./market.js";

/**
 * The books: per account, cash per currency, positions and realized PnL, valued against the market at any time.
 * Accounting is IB's average-cost style: commissions go into the average cost when opening and reduce realized PnL
 * when closing. Forex fills convert cash and keep no position; futures move cash only by realized PnL.
 */

export const BASE_CURRENCY = "USD";

export interface Position {
  readonly account: string;
  readonly conId: number;
  /** Signed; negative is short. Whole numbers except for funds. */
  quantity: number;
  /** Per unit of price, commissions included (IB's averageCost is this times the multiplier). */
  averagePrice: number;
  /** Realized so far on this contract, in the instrument's currency. */
  realizedPnl: number;
}

export interface Account {
  readonly id: string;
  readonly baseCurrency: string;
  /** Currency -> balance. */
  readonly cash: Map<string, number>;
  /** conId -> position (kept at zero quantity once traded, as TWS keeps reporting closed positions for the day). */
  readonly positions: Map<number, Position>;
  readonly familyCode: string;
}

/** What moved in the books: an account's cash, and the position in `conId` when a fill caused it. */
export interface LedgerChange {
  readonly account: string;
  /** Undefined for cash-only moves (deposits, forex fills). */
  readonly conId: number | undefined;
}

export interface FillResult {
  /** Realized by this fill, net of its commission if it closed something (commissionReport's realizedPNL). */
  readonly realizedPnl: number;
  /** The position afterwards (undefined for forex, which only moves cash). */
  readonly position: Position | undefined;
}

export interface PositionValuation {
  readonly position: Position;
  readonly instrument: Instrument;
  readonly marketPrice: number;
  /** In the instrument's currency. */
  readonly marketValue: number;
  /** averagePrice times the multiplier, as updatePortfolio / position report it. */
  readonly averageCost: number;
  readonly unrealizedPnl: number;
  readonly realizedPnl: number;
  /** Since the start of the (UTC) day, in the instrument's currency. */
  readonly dailyPnl: number;
}

export interface CurrencyValuation {
  readonly currency: string;
  readonly cashBalance: number;
  readonly stockMarketValue: number;
  readonly optionMarketValue: number;
  readonly futuresPnl: number;
  readonly unrealizedPnl: number;
  readonly realizedPnl: number;
  readonly netLiquidation: number;
  /** Base currency per unit of this one. */
  readonly exchangeRate: number;
}

/** An account at one instant; money in the base currency unless said otherwise. */
export interface AccountValuation {
  readonly account: string;
  readonly at: number;
  readonly baseCurrency: string;
  readonly netLiquidation: number;
  readonly totalCashValue: number;
  readonly grossPositionValue: number;
  readonly stockMarketValue: number;
  readonly optionMarketValue: number;
  readonly futuresPnl: number;
  readonly unrealizedPnl: number;
  readonly realizedPnl: number;
  readonly dailyPnl: number;
  readonly equityWithLoanValue: number;
  readonly initMarginReq: number;
  readonly maintMarginReq: number;
  readonly availableFunds: number;
  readonly excessLiquidity: number;
  readonly buyingPower: number;
  readonly cushion: number;
  readonly leverage: number;
  readonly positions: readonly PositionValuation[];
  readonly currencies: readonly CurrencyValuation[];
}

/** Intraday margin buying power is 4x available funds for a Reg-T margin account. */
const BUYING_POWER_MULTIPLE = 4;

/** What seeded starting books draw from: symbol-ish picks resolved to conIds by the catalog. */
const STARTING_HOLDINGS: ReadonlyArray<{ find: (catalog: Catalog) => Instrument | undefined; lots: number }> = [
  { find: (c) => c.find({ symbol: "AAPL", secType: "STK" })[0]?.instrument, lots: 100 },
  { find: (c) => c.find({ symbol: "MSFT", secType: "STK" })[0]?.instrument, lots: 50 },
  { find: (c) => c.find({ symbol: "IBM", secType: "STK" })[0]?.instrument, lots: 100 },
  { find: (c) => c.find({ symbol: "SHEL", secType: "STK" })[0]?.instrument, lots: 500 },
  { find: (c) => c.find({ symbol: "SAP", secType: "STK" })[0]?.instrument, lots: 40 },
  { find: (c) => c.find({ symbol: "ES", secType: "FUT" })[0]?.instrument, lots: 1 },
  { find: (c) => c.find({ symbol: "AAPL", secType: "OPT", right: "C" }).at(9)?.instrument, lots: 5 },
  { find: (c) => c.find({ symbol: "VFIAX", secType: "FUND" })[0]?.instrument, lots: 20 },
];

export class Ledger {
  private readonly books = new Map<string, Account>();
  private readonly changeListeners = new Set<(change: LedgerChange) => void>();

  constructor(
    private readonly seed: number,
    accounts: readonly string[],
    private readonly catalog: Catalog,
    private readonly market: Market,
    startMs: number,
  ) {
    accounts.forEach((id, index) => {
      this.books.set(id, this.openingBook(id, index, startMs));
    });
  }

  get accountIds(): string[] {
    return [...this.books.keys()];
  }

  account(id: string): Account {
    const account = this.books.get(id);
    if (!account) throw new Error(`unknown account ${id}`);
    return account;
  }

  has(id: string): boolean {
    return this.books.has(id);
  }

  /** Open and closed-today positions of one account, in conId order (reqPositions / updatePortfolio order). */
  positions(id: string): Position[] {
    return [...this.account(id).positions.values()].sort((a, b) => a.conId - b.conId);
  }

  /**
   * Calls `listener` after every fill or cash move, so streams (positions, account updates) can report changes as
   * TWS does, whoever made them (the orders engine, a test). Returns the unsubscribe function.
   */
  onChange(listener: (change: LedgerChange) => void): () => void {
    this.changeListeners.add(listener);
    return () => this.changeListeners.delete(listener);
  }

  /**
   * Books a fill: `quantity` signed (buy > 0), `price` per unit, `commission` in the instrument's currency.
   * Called by the orders engine for every execution.
   */
  applyFill(accountId: string, conId: number, quantity: number, price: number, commission: number): FillResult {
    if (quantity === 0 || !Number.isFinite(quantity)) throw new RangeError(`fill quantity ${quantity} is not tradable`);
    const account = this.account(accountId);
    const instrument = this.catalog.get(conId);
    const { currency, secType, symbol } = instrument.contract;
    if (secType === "CASH") {
      addCash(account, symbol, quantity);
      addCash(account, currency, -quantity * price - commission);
      this.changed(accountId, undefined);
      return { realizedPnl: 0, position: undefined };
    }
    const multiplier = valueMultiplier(instrument);
    let position = account.positions.get(conId);
    if (!position) {
      position = { account: accountId, conId, quantity: 0, averagePrice: 0, realizedPnl: 0 };
      account.positions.set(conId, position);
    }
    // Commission folded into the price: buying costs more, selling yields less.
    const effectivePrice = price + commission / (quantity * multiplier);
    let realized = 0;
    const held = position.quantity;
    if (held !== 0 && Math.sign(held) !== Math.sign(quantity)) {
      const closing = Math.sign(quantity) * Math.min(Math.abs(quantity), Math.abs(held));
      realized = -closing * (effectivePrice - position.averagePrice) * multiplier;
      position.quantity = held + closing;
      const opening = quantity - closing;
      if (opening !== 0) {
        position.quantity = opening;
        position.averagePrice = effectivePrice;
      } else if (position.quantity === 0) position.averagePrice = 0;
    } else {
      const total = held + quantity;
      position.averagePrice = (held * position.averagePrice + quantity * effectivePrice) / total;
      position.quantity = total;
    }
    position.realizedPnl += realized;
    if (secType === "FUT") addCash(account, currency, realized);
    else addCash(account, currency, -quantity * price * multiplier - commission);
    this.changed(accountId, conId);
    return { realizedPnl: realized, position };
  }

  /** Moves cash directly (deposits, interest, fees). */
  adjustCash(accountId: string, currency: string, amount: number): void {
    addCash(this.account(accountId), currency, amount);
    this.changed(accountId, undefined);
  }

  valuePosition(position: Position, at: number): PositionValuation {
    const instrument = this.catalog.get(position.conId);
    const multiplier = valueMultiplier(instrument);
    const marketPrice = this.market.price(position.conId, at);
    const dayStart = this.market.price(position.conId, Math.floor(at / DAY_MS) * DAY_MS);
    return {
      position,
      instrument,
      marketPrice,
      marketValue: position.quantity * marketPrice * multiplier,
      averageCost: position.averagePrice * multiplier,
      unrealizedPnl: position.quantity * (marketPrice - position.averagePrice) * multiplier,
      realizedPnl: position.realizedPnl,
      dailyPnl: position.quantity * (marketPrice - dayStart) * multiplier,
    };
  }

  /** The whole account at `at`: what account updates, account summary and PnL report. */
  value(accountId: string, at: number): AccountValuation {
    const account = this.account(accountId);
    const toBase = (amount: number, currency: string) =>
      this.market.convert(amount, currency, account.baseCurrency, at);
    const positions = this.positions(accountId).map((position) => this.valuePosition(position, at));
    const perCurrency = new Map<string, Omit<CurrencyValuation, "netLiquidation" | "exchangeRate" | "currency">>();
    const bucket = (currency: string) => {
      let entry = perCurrency.get(currency);
      if (!entry) {
        entry = {
          cashBalance: account.cash.get(currency) ?? 0,
          stockMarketValue: 0,
          optionMarketValue: 0,
          futuresPnl: 0,
          unrealizedPnl: 0,
          realizedPnl: 0,
        };
        perCurrency.set(currency, entry);
      }
      return entry as { -readonly [K in keyof typeof entry]: number };
    };
    for (const currency of account.cash.keys()) bucket(currency);

    let grossPositionValue = 0;
    let maintenance = 0;
    let dailyPnl = 0;
    for (const valued of positions) {
      const { currency, secType } = valued.instrument.contract;
      const entry = bucket(currency);
      entry.unrealizedPnl += valued.unrealizedPnl;
      entry.realizedPnl += valued.realizedPnl;
      dailyPnl += toBase(valued.dailyPnl, currency);
      const absValue = Math.abs(toBase(valued.marketValue, currency));
      maintenance += maintenanceMargin(secType, valued.position.quantity, absValue);
      if (secType === "FUT") {
        entry.futuresPnl += valued.unrealizedPnl;
      } else if (secType === "OPT") {
        entry.optionMarketValue += valued.marketValue;
        grossPositionValue += absValue;
      } else {
        entry.stockMarketValue += valued.marketValue;
        grossPositionValue += absValue;
      }
    }

    const currencies: CurrencyValuation[] = [...perCurrency.entries()]
      .sort(([a], [b]) => (a === account.baseCurrency ? -1 : b === account.baseCurrency ? 1 : a.localeCompare(b)))
      .map(([currency, entry]) => ({
        currency,
        ...entry,
        netLiquidation: entry.cashBalance + entry.stockMarketValue + entry.optionMarketValue + entry.futuresPnl,
        exchangeRate: toBase(1, currency),
      }));
    const sum = (pick: (entry: CurrencyValuation) => number) =>
      currencies.reduce((total, entry) => total + toBase(pick(entry), entry.currency), 0);
    const netLiquidation = sum((entry) => entry.netLiquidation);
    const optionMarketValue = sum((entry) => entry.optionMarketValue);
    // Option value is not loanable: it counts toward net liquidation but not toward equity with loan value.
    const equityWithLoanValue = netLiquidation - Math.max(0, optionMarketValue);
    const initMarginReq = initialMargin(maintenance);
    const availableFunds = equityWithLoanValue - initMarginReq;
    const excessLiquidity = equityWithLoanValue - maintenance;
    return {
      account: accountId,
      at,
      baseCurrency: account.baseCurrency,
      netLiquidation,
      totalCashValue: sum((entry) => entry.cashBalance),
      grossPositionValue,
      stockMarketValue: sum((entry) => entry.stockMarketValue),
      optionMarketValue,
      futuresPnl: sum((entry) => entry.futuresPnl),
      unrealizedPnl: sum((entry) => entry.unrealizedPnl),
      realizedPnl: sum((entry) => entry.realizedPnl),
      dailyPnl,
      equityWithLoanValue,
      initMarginReq,
      maintMarginReq: maintenance,
      availableFunds,
      excessLiquidity,
      buyingPower: Math.max(0, availableFunds * BUYING_POWER_MULTIPLE),
      cushion: netLiquidation > 0 ? excessLiquidity / netLiquidation : 0,
      leverage: netLiquidation > 0 ? grossPositionValue / netLiquidation : 0,
      positions,
      currencies,
    };
  }

  /** reqFamilyCodes: an advisor login's accounts share one family code. */
  familyCodes(): Array<{ accountID: string; familyCode: string }> {
    const ids = this.accountIds;
    const family = ids.length > 1 ? `F${(ids[0] as string).replace(/\D/g, "")}` : "";
    return ids.map((accountID) => ({ accountID, familyCode: family }));
  }

  private changed(account: string, conId: number | undefined): void {
    // Listeners run after the books are consistent; copying lets a listener unsubscribe while being called.
    for (const listener of [...this.changeListeners]) listener({ account, conId });
  }

  /** Seeded opening balances and 2-4 holdings bought over the past weeks, so reqPositions is never empty. */
  private openingBook(id: string, index: number, startMs: number): Account {
    const key = hashString(id);
    const draw = (...values: number[]) => uniform(this.seed, key, ...values);
    const cash = new Map<string, number>([[BASE_CURRENCY, roundCents(80_000 + draw(1) * 220_000)]]);
    // Every other account also holds foreign cash, so per-currency rows are not all USD.
    if (index % 3 === 0) cash.set("GBP", roundCents(5_000 + draw(2) * 25_000));
    if (index % 3 === 1) cash.set("EUR", roundCents(5_000 + draw(3) * 25_000));
    const account: Account = { id, baseCurrency: BASE_CURRENCY, cash, positions: new Map(), familyCode: "" };

    const picks = new Set<number>([index % STARTING_HOLDINGS.length]);
    const wanted = 2 + Math.floor(draw(4) * 3);
    for (let attempt = 0; picks.size < wanted && attempt < 32; attempt++) {
      picks.add(Math.floor(draw(5, attempt) * STARTING_HOLDINGS.length));
    }
    for (const pick of [...picks].sort((a, b) => a - b)) {
      const holding = STARTING_HOLDINGS[pick];
      const instrument = holding?.find(this.catalog);
      if (!holding || !instrument) continue;
      const { conId } = instrument.contract;
      const boughtAt = startMs - (5 + Math.floor(draw(6, pick) * 40)) * DAY_MS;
      const quantity = holding.lots * (1 + Math.floor(draw(7, pick) * 4));
      account.positions.set(conId, {
        account: id,
        conId,
        quantity,
        averagePrice: this.market.price(conId, boughtAt),
        realizedPnl: 0,
      });
    }
    return account;
  }
}

function addCash(account: Account, currency: string, amount: number): void {
  account.cash.set(currency, (account.cash.get(currency) ?? 0) + amount);
}

function roundCents(value: number): number {
  return Math.round(value * 100) / 100;
}
