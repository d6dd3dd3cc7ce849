/**
 * The real gateway's limits, each configurable. A limit set to Infinity is off; `enforce: false` turns all of them off
 * (for tests that flood on purpose or measure throughput).
 */
export interface LimitOptions {
  /** Default true. */
  enforce?: boolean;
  /** Messages a client may send within any sliding second before error 100 (TWS: 50). */
  maxMessagesPerSec?: number;
  /** The error-100 violation that reaches this count within `violationWindowMs` drops the socket (default 2). */
  dropAfterViolations?: number;
  /** How long a rate violation counts towards the drop (default 5000 ms). */
  violationWindowMs?: number;
  /** Concurrent market data lines of the login, shared by every client (TWS default: 100) -> 101. */
  marketDataLines?: number;
  /** Concurrent market depth subscriptions of the login (TWS minimum: 3) -> 309. */
  depthSubscriptions?: number;
  historical?: HistoricalPacingOptions;
}

/** IB's historical data pacing rules; breaking one answers 162. */
export interface HistoricalPacingOptions {
  /** An identical request within this window is a violation (default 15 000 ms). */
  identicalWindowMs?: number;
  /** At most this many requests for one contract, exchange and tick type... (default 5: the 6th is refused) */
  sameContractMax?: number;
  /** ...within this window (default 2000 ms). */
  sameContractWindowMs?: number;
  /** At most this many requests in total... (default 60) */
  maxRequests?: number;
  /** ...within this window (default 10 minutes). */
  windowMs?: number;
}

export type ResolvedLimits = Required<Omit<LimitOptions, "enforce" | "historical">> & {
  historical: Required<HistoricalPacingOptions>;
};

export const DEFAULT_LIMITS: ResolvedLimits = {
  maxMessagesPerSec: 50,
  dropAfterViolations: 2,
  violationWindowMs: 5000,
  marketDataLines: 100,
  depthSubscriptions: 3,
  historical: {
    identicalWindowMs: 15_000,
    sameContractMax: 5,
    sameContractWindowMs: 2000,
    maxRequests: 60,
    windowMs: 10 * 60_000,
  },
};

const OFF = Number.POSITIVE_INFINITY;

/** Fills defaults and checks every number, so a typo fails at construction instead of silently disabling a limit. */
export function resolveLimits(options: LimitOptions = {}): ResolvedLimits {
  const historical = { ...DEFAULT_LIMITS.historical, ...options.historical };
  const resolved: ResolvedLimits = {
    maxMessagesPerSec: options.maxMessagesPerSec ?? DEFAULT_LIMITS.maxMessagesPerSec,
    dropAfterViolations: options.dropAfterViolations ?? DEFAULT_LIMITS.dropAfterViolations,
    violationWindowMs: options.violationWindowMs ?? DEFAULT_LIMITS.violationWindowMs,
    marketDataLines: options.marketDataLines ?? DEFAULT_LIMITS.marketDataLines,
    depthSubscriptions: options.depthSubscriptions ?? DEFAULT_LIMITS.depthSubscriptions,
    historical,
  };
  const checks: Array<[string, number]> = [
    ["maxMessagesPerSec", resolved.maxMessagesPerSec],
    ["dropAfterViolations", resolved.dropAfterViolations],
    ["violationWindowMs", resolved.violationWindowMs],
    ["marketDataLines", resolved.marketDataLines],
    ["depthSubscriptions", resolved.depthSubscriptions],
    ...Object.entries(historical).map(([key, value]): [string, number] => [`historical.${key}`, value]),
  ];
  for (const [name, value] of checks) {
    if (!(value === OFF || (Number.isInteger(value) && value >= 0))) {
      throw new RangeError(`limits.${name}: ${value} is not a non-negative integer or Infinity`);
    }
  }
  if (options.enforce === false) return unlimited(resolved);
  return resolved;
}

function unlimited(limits: ResolvedLimits): ResolvedLimits {
  return {
    ...limits,
    maxMessagesPerSec: OFF,
    marketDataLines: OFF,
    depthSubscriptions: OFF,
    historical: { ...limits.historical, identicalWindowMs: 0, sameContractMax: OFF, maxRequests: OFF },
  };
}
