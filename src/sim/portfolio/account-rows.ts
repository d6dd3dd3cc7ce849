import type { AccountValuation, CurrencyValuation } from "../world/index.js";
import { exchangeRate, money, ratio } from "./format.js";

/**
 * An account's figures as TWS names them, computed once from the ledger's valuation and shared by every stream that
 * reports them (updateAccountValue, accountSummary, accountUpdateMulti), so they cannot disagree.
 */
export interface AccountValueRow {
  readonly key: string;
  readonly value: string;
  /** An ISO code, "BASE" for totals converted to the base currency, "" for unitless keys. */
  readonly currency: string;
}

/** The currency column of totals converted to the account's base currency. */
export const BASE = "BASE";

/** Client accounts under an advisor login (and a plain login's own account) are individual accounts. */
const ACCOUNT_TYPE = "INDIVIDUAL";

type Figure = readonly [key: string, value: (valuation: AccountValuation) => number | string];

/** Equity with loan value as of the previous close: today's move on the positions taken out. */
const previousDayEquity = (v: AccountValuation) => v.equityWithLoanValue - v.dailyPnl;

/**
 * The single-valued figures, in IBApi's AccountSummaryTags order: exactly the tags reqAccountSummary serves by name,
 * and the base-currency rows of updateAccountValue. Numbers are money in the base currency; strings are unitless.
 * The simulator has no intraday discounts, look-ahead changes or pattern-day-trading counts, so Full* and LookAhead*
 * equal the current requirements and day trades are unlimited (-1).
 */
const FIGURES: readonly Figure[] = [
  ["AccountType", () => ACCOUNT_TYPE],
  ["NetLiquidation", (v) => v.netLiquidation],
  ["TotalCashValue", (v) => v.totalCashValue],
  ["SettledCash", (v) => v.totalCashValue],
  ["AccruedCash", () => 0],
  ["BuyingPower", (v) => v.buyingPower],
  ["EquityWithLoanValue", (v) => v.equityWithLoanValue],
  ["PreviousDayEquityWithLoanValue", previousDayEquity],
  ["GrossPositionValue", (v) => v.grossPositionValue],
  ["RegTEquity", (v) => v.equityWithLoanValue],
  ["RegTMargin", (v) => v.initMarginReq],
  ["SMA", (v) => Math.max(0, v.equityWithLoanValue - v.initMarginReq)],
  ["InitMarginReq", (v) => v.initMarginReq],
  ["MaintMarginReq", (v) => v.maintMarginReq],
  ["AvailableFunds", (v) => v.availableFunds],
  ["ExcessLiquidity", (v) => v.excessLiquidity],
  ["Cushion", (v) => ratio(v.cushion)],
  ["FullInitMarginReq", (v) => v.initMarginReq],
  ["FullMaintMarginReq", (v) => v.maintMarginReq],
  ["FullAvailableFunds", (v) => v.availableFunds],
  ["FullExcessLiquidity", (v) => v.excessLiquidity],
  ["LookAheadNextChange", () => "0"],
  ["LookAheadInitMarginReq", (v) => v.initMarginReq],
  ["LookAheadMaintMarginReq", (v) => v.maintMarginReq],
  ["LookAheadAvailableFunds", (v) => v.availableFunds],
  ["LookAheadExcessLiquidity", (v) => v.excessLiquidity],
  ["HighestSeverity", () => "0"],
  ["DayTradesRemaining", () => "-1"],
  ["Leverage", (v) => ratio(v.leverage)],
];

/** Every tag name reqAccountSummary serves by name. */
export const FIGURE_KEYS: ReadonlySet<string> = new Set(FIGURES.map(([key]) => key));

export function accountFigures(valuation: AccountValuation): AccountValueRow[] {
  return FIGURES.map(([key, compute]) => {
    const value = compute(valuation);
    return typeof value === "number"
      ? { key, value: money(value), currency: valuation.baseCurrency }
      : { key, value, currency: "" };
  });
}

/** One currency's ledger columns, or the totals converted to the base currency (labelled BASE). */
interface LedgerColumn {
  readonly label: string;
  readonly currencyCode: string;
  readonly cashBalance: number;
  readonly stockMarketValue: number;
  readonly optionMarketValue: number;
  readonly futuresPnl: number;
  readonly netLiquidation: number;
  readonly unrealizedPnl: number;
  readonly realizedPnl: number;
  readonly exchangeRate: number;
}

function baseColumn(valuation: AccountValuation): LedgerColumn {
  return {
    label: BASE,
    currencyCode: valuation.baseCurrency,
    cashBalance: valuation.totalCashValue,
    stockMarketValue: valuation.stockMarketValue,
    optionMarketValue: valuation.optionMarketValue,
    futuresPnl: valuation.futuresPnl,
    netLiquidation: valuation.netLiquidation,
    unrealizedPnl: valuation.unrealizedPnl,
    realizedPnl: valuation.realizedPnl,
    exchangeRate: 1,
  };
}

function currencyColumn(entry: CurrencyValuation): LedgerColumn {
  return { ...entry, label: entry.currency, currencyCode: entry.currency };
}

/**
 * The "$LEDGER" family: cash and values per currency. `scope` is "BASE" for the converted totals only ($LEDGER),
 * "ALL" for the totals and every currency ($LEDGER:ALL), or one ISO code ($LEDGER:EUR; nothing if the account holds
 * none of it).
 */
export function ledgerRows(valuation: AccountValuation, scope: string): AccountValueRow[] {
  const columns: LedgerColumn[] = [];
  if (scope === BASE || scope === "ALL") columns.push(baseColumn(valuation));
  for (const entry of valuation.currencies) {
    if (scope === "ALL" || scope === entry.currency) columns.push(currencyColumn(entry));
  }
  return columns.flatMap((column) => {
    const row = (key: string, value: string): AccountValueRow => ({ key, value, currency: column.label });
    return [
      row("AccountOrGroup", valuation.account),
      row("AccruedCash", money(0)),
      row("CashBalance", money(column.cashBalance)),
      row("ExchangeRate", exchangeRate(column.exchangeRate)),
      row("FutureOptionValue", money(0)),
      row("FuturesPNL", money(column.futuresPnl)),
      row("NetDividend", money(0)),
      row("NetLiquidationByCurrency", money(column.netLiquidation)),
      row("OptionMarketValue", money(column.optionMarketValue)),
      row("RealCurrency", column.currencyCode),
      row("RealizedPnL", money(column.realizedPnl)),
      row("StockMarketValue", money(column.stockMarketValue)),
      row("TotalCashBalance", money(column.cashBalance)),
      row("UnrealizedPnL", money(column.unrealizedPnl)),
    ];
  });
}

/**
 * Everything reqAccountUpdates reports for an account, sorted by key as TWS lists them (BASE before the currencies
 * within a key): identification, a "Currency" row per currency, the ledger of every currency and the figures.
 */
export function accountUpdateRows(valuation: AccountValuation): AccountValueRow[] {
  const currencyRows = [BASE, ...valuation.currencies.map((entry) => entry.currency)].map((code) => ({
    key: "Currency",
    value: code,
    currency: code,
  }));
  const rows: AccountValueRow[] = [
    { key: "AccountCode", value: valuation.account, currency: "" },
    { key: "AccountReady", value: "true", currency: "" },
    ...currencyRows,
    ...ledgerRows(valuation, "ALL"),
    ...accountFigures(valuation),
  ];
  // A stable sort by key keeps each key's currency order (BASE, base currency, then the others).
  return rows.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}

/** reqAccountUpdatesMulti with ledgerAndNLV: the ledger of every currency and the net liquidation only. */
export function ledgerAndNlvRows(valuation: AccountValuation): AccountValueRow[] {
  const netLiquidation = accountFigures(valuation).filter((row) => row.key === "NetLiquidation");
  return [...ledgerRows(valuation, "ALL"), ...netLiquidation];
}
