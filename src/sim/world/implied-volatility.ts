import { blackScholes } from "./black-scholes.js";

const MIN_VOL = 1e-4;
const MAX_VOL = 5;
const TOLERANCE = 1e-8;

/**
 * The Black-Scholes volatility that prices the option at `price`, by bisection (the price is monotonic in
 * volatility, so bisection always converges where Newton's method can overshoot on deep in/out-of-the-money options).
 * Undefined when no volatility in [0.01%, 500%] reaches the price (below intrinsic value, above the spot...).
 */
export function impliedVolatility(
  isCall: boolean,
  price: number,
  spot: number,
  strike: number,
  years: number,
): number | undefined {
  if (!(price > 0) || !(spot > 0) || !(years > 0)) return undefined;
  const priceAt = (vol: number) => blackScholes(isCall, spot, strike, years, vol).price;
  let low = MIN_VOL;
  let high = MAX_VOL;
  if (price < priceAt(low) - TOLERANCE || price > priceAt(high) + TOLERANCE) return undefined;
  for (let i = 0; i < 100 && high - low > TOLERANCE; i++) {
    const mid = (low + high) / 2;
    if (priceAt(mid) < price) low = mid;
    else high = mid;
  }
  return (low + high) / 2;
}
