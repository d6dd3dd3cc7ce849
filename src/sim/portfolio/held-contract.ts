import type { Instrument } from "../world/index.js";

/**
 * The contract fields position-style messages (position, positionMulti, updatePortfolio) carry for a holding.
 * TWS puts the listing exchange in `exchange` for positions (NASDAQ, not SMART) and in `primaryExch` for portfolio
 * rows; futures and others without a primary exchange fall back to their exchange.
 */
export function heldContract(instrument: Instrument) {
  const { contract } = instrument;
  const listing = contract.primaryExch || contract.exchange;
  return {
    conId: contract.conId,
    symbol: contract.symbol,
    secType: contract.secType,
    lastTradeDateOrContractMonth: contract.lastTradeDateOrContractMonth,
    strike: contract.strike,
    right: contract.right,
    multiplier: contract.multiplier,
    exchange: listing,
    primaryExch: listing,
    currency: contract.currency,
    localSymbol: contract.localSymbol,
    tradingClass: contract.tradingClass,
  };
}
