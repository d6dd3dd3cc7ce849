/**
 * Black-Scholes (no dividends) for option prices and the greeks TWS sends in tickOptionComputation. Deliberately the
 * textbook model: what matters is that prices and greeks agree with each other and with the underlying's path.
 */

export const RISK_FREE_RATE = 0.045;

export interface OptionValuation {
  readonly price: number;
  readonly delta: number;
  readonly gamma: number;
  /** Per 1 volatility point (0.01), as TWS reports it. */
  readonly vega: number;
  /** Per calendar day, as TWS reports it. */
  readonly theta: number;
}

/** Standard normal CDF (Abramowitz-Stegun 7.1.26, |error| < 1.5e-7). */
export function normalCdf(x: number): number {
  const t = 1 / (1 + (0.3275911 * Math.abs(x)) / Math.SQRT2);
  const poly = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))));
  const erf = 1 - poly * Math.exp(-(x * x) / 2);
  return x >= 0 ? 0.5 * (1 + erf) : 0.5 * (1 - erf);
}

function normalPdf(x: number): number {
  return Math.exp(-(x * x) / 2) / Math.sqrt(2 * Math.PI);
}

/**
 * Value of a European call/put on `spot` with `years` to expiry. At or after expiry: intrinsic value, delta 0/±1,
 * other greeks 0.
 */
export function blackScholes(
  isCall: boolean,
  spot: number,
  strike: number,
  years: number,
  vol: number,
  rate = RISK_FREE_RATE,
): OptionValuation {
  if (years <= 0 || vol <= 0) {
    const intrinsic = Math.max(0, isCall ? spot - strike : strike - spot);
    const itm = isCall ? spot > strike : spot < strike;
    return { price: intrinsic, delta: itm ? (isCall ? 1 : -1) : 0, gamma: 0, vega: 0, theta: 0 };
  }
  const sqrtT = Math.sqrt(years);
  const d1 = (Math.log(spot / strike) + (rate + (vol * vol) / 2) * years) / (vol * sqrtT);
  const d2 = d1 - vol * sqrtT;
  const discount = Math.exp(-rate * years);
  const pdf = normalPdf(d1);
  const gamma = pdf / (spot * vol * sqrtT);
  const vega = (spot * pdf * sqrtT) / 100;
  const decay = -(spot * pdf * vol) / (2 * sqrtT);
  if (isCall) {
    const price = spot * normalCdf(d1) - strike * discount * normalCdf(d2);
    const theta = (decay - rate * strike * discount * normalCdf(d2)) / 365;
    return { price, delta: normalCdf(d1), gamma, vega, theta };
  }
  const price = strike * discount * normalCdf(-d2) - spot * normalCdf(-d1);
  const theta = (decay + rate * strike * discount * normalCdf(-d2)) / 365;
  return { price, delta: normalCdf(d1) - 1, gamma, vega, theta };
}
