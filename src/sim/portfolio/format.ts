/**
 * How TWS writes account figures as strings: money with two decimals, ratios and exchange rates with what they need,
 * quantities as plain decimals (IBApi reads them with readDecimal).
 */

/** -0 would print as "-0.00", which TWS never sends. */
const positiveZero = (value: number) => (Object.is(value, -0) ? 0 : value);

export function money(value: number): string {
  return positiveZero(Number(value.toFixed(2))).toFixed(2);
}

/** Cushion, leverage: unitless, TWS sends about six decimals. */
export function ratio(value: number): string {
  return String(positiveZero(Number(value.toFixed(6))));
}

/** Exchange rates span JPY (0.0064) to GBP (1.27): keep significant digits, not decimals. */
export function exchangeRate(value: number): string {
  return String(positiveZero(Number(value.toPrecision(8))));
}

export function quantity(value: number): string {
  return String(positiveZero(value));
}

const pad = (value: number) => String(value).padStart(2, "0");

/** updateAccountTime's "HH:mm", in UTC like every simulator timestamp (host time zones must not matter). */
export function accountTime(epochMs: number): string {
  const at = new Date(epochMs);
  return `${pad(at.getUTCHours())}:${pad(at.getUTCMinutes())}`;
}

/** Money sent as a double (portfolio values, PnL): rounded to cents as TWS shows it. */
export function cents(value: number): number {
  return positiveZero(Number(value.toFixed(2)));
}
