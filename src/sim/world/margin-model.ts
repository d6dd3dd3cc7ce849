/**
 * The simulator's margin model, Reg-T style: stocks (and funds, bonds) 25% maintenance, short options their full
 * value, long options none (they are paid for in cash), futures 5% of notional, forex none; initial margin is 1.1x
 * maintenance. The ledger's account valuation and the what-if answers of orders must agree, so both use this.
 */
const STOCK_MAINTENANCE = 0.25;
const FUTURES_MAINTENANCE = 0.05;
const INITIAL_OVER_MAINTENANCE = 1.1;

/** Maintenance margin of holding `signedQuantity` whose absolute market value is `absValue` (base currency). */
export function maintenanceMargin(secType: string, signedQuantity: number, absValue: number): number {
  switch (secType) {
    case "FUT":
      return absValue * FUTURES_MAINTENANCE;
    case "OPT":
      return signedQuantity < 0 ? absValue : 0;
    case "CASH":
      return 0;
    default:
      return absValue * STOCK_MAINTENANCE;
  }
}

export function initialMargin(maintenance: number): number {
  return maintenance * INITIAL_OVER_MAINTENANCE;
}
