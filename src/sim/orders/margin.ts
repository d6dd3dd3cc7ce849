import type { AccountValuation, Instrument } from "../world/index.js";
import { valueMultiplier } from "../world/index.js";
import { initialMargin, maintenanceMargin } from "../world/margin-model.js";

/**
 * What-if margin: the account's requirements before, the change an order would make, and after, in the account's base
 * currency, as openOrder's OrderState carries them, by the same model the ledger values accounts with
 * (world/margin-model.ts). Long options are paid for in cash and are not loanable, so buying them lowers equity with
 * loan by their premium.
 */

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
  const maintenanceOf = (held: number) =>
    maintenanceMargin(instrument.contract.secType, held, Math.abs(held) * unitValue);
  const after = heldQuantity + quantity;
  const maintChange = maintenanceOf(after) - maintenanceOf(heldQuantity);
  const longOptionValue = (held: number) => (instrument.contract.secType === "OPT" ? Math.max(0, held) * unitValue : 0);
  const equityWithLoanChange = -commission * toBase - (longOptionValue(after) - longOptionValue(heldQuantity));
  const initChange = initialMargin(maintChange);
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

function cents(amount: number): number {
  return Math.round(amount * 100) / 100;
}
