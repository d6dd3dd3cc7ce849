import type { Instrument } from "../world/index.js";
import { valueMultiplier } from "../world/index.js";

/**
 * IB's fixed-rate pricing, simplified: what every fill is charged, in the instrument's currency. Deterministic, so
 * commissionReport, what-if answers and the ledger agree to the cent.
 */
export function commissionFor(instrument: Instrument, quantity: number, price: number): number {
  const shares = Math.abs(quantity);
  const value = shares * price * valueMultiplier(instrument);
  switch (instrument.contract.secType) {
    case "OPT":
      return cents(Math.max(1, 0.65 * shares));
    case "FUT":
      return cents(0.85 * shares);
    case "CASH":
      return cents(Math.max(2, 0.00002 * value));
    case "BOND":
      return cents(Math.max(1, 0.001 * value));
    default:
      // Stocks and funds: $0.005 a share, at least $1, at most 1% of the trade's value.
      return cents(Math.min(Math.max(1, 0.005 * shares), Math.max(0.01 * value, 1)));
  }
}

function cents(amount: number): number {
  return Math.round(amount * 100) / 100;
}
