import type { AccountValuation, Instrument } from "../world/index.js";
import { valueMultiplier } from "../world/index.js";

/**
 * What-if margin: the account's requirements before, the change an order would make, and after, in the account's base
 * currency, as openOrder's OrderState carries them. The rates are the ledger's Reg-T style model (world/ledger.ts):
 * stocks 25% maintenance, short options their full value, futures 5% of notional, initial 1.1x maintenance. Long
 * options are paid for in cash and are not loanable, so buying them lowers equity with loan by their premium.
 */
const STOCK_MAINTENANCE = 0.25;
const FUTURES_MAINTENANCE = 0.05;
const INITIAL_OVER_MAINTENANCE = 1.1;

export interface MarginFigures {
  readonly initMarginBefore: number;
  readonly maintMarginBefore: number;
  readonly equityWithLoanBefore: number;
  readonly initMarginChange: number;
  readonly maintMarginChange: number;
  readonly equityWithLoanChange: number;
  readonly initMarginAfter: number;
  readonly maintMarginAfter: number;
  readonly equityWithLoanAfter: number;
}

export interface MarginQuestion {
  readonly account: AccountValuation;
  readonly instrument: Instrument;
  /** The account's current position in the instrument (signed). */
  readonly heldQuantity: number;
  /** The order's signed quantity. */
  readonly quantity: number;
  readonly price: number;
  /** In the instrument's currency. */
  readonly commission: number;
  /** Base currency per unit of the instrument's currency. */
  readonly toBase: number;
}

export function marginImpact(question: MarginQuestion): MarginFigures {
  const { account, instrument, heldQuantity, quantity, price, commission, toBase } = question;
  const unitValue = price * valueMultiplier(instrument) * toBase;
  const maintenanceOf = (held: number) => maintenance(instrument, held, unitValue);
  const after = heldQuantity + quantity;
  const maintChange = maintenanceOf(after) - maintenanceOf(heldQuantity);
  const longOptionValue = (held: number) => (instrument.contract.secType === "OPT" ? Math.max(0, held) * unitValue : 0);
  const equityWithLoanChange = -commission * toBase - (longOptionValue(after) - longOptionValue(heldQuantity));
  const initChange = maintChange * INITIAL_OVER_MAINTENANCE;
  return {
    initMarginBefore: cents(account.initMarginReq),
    maintMarginBefore: cents(account.maintMarginReq),
    equityWithLoanBefore: cents(account.equityWithLoanValue),
    initMarginChange: cents(initChange),
    maintMarginChange: cents(maintChange),
    equityWithLoanChange: cents(equityWithLoanChange),
    initMarginAfter: cents(account.initMarginReq + initChange),
    maintMarginAfter: cents(account.maintMarginReq + maintChange),
    equityWithLoanAfter: cents(account.equityWithLoanValue + equityWithLoanChange),
  };
}

/** TWS refuses an order whose initial margin after the trade would exceed the equity with loan value. */
export function exceedsEquity(figures: MarginFigures): boolean {
  return figures.initMarginChange > 0 && figures.initMarginAfter > figures.equityWithLoanAfter;
}

function maintenance(instrument: Instrument, held: number, unitValue: number): number {
  const value = Math.abs(held) * unitValue;
  switch (instrument.contract.secType) {
    case "FUT":
      return value * FUTURES_MAINTENANCE;
    case "OPT":
      return held < 0 ? value : 0;
    case "CASH":
      return 0;
    default:
      return value * STOCK_MAINTENANCE;
  }
}

function cents(amount: number): number {
  return Math.round(amount * 100) / 100;
}
