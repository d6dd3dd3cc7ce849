/**
 * Capped exponential backoff with jitter for reconnecting to a gateway. Jitter keeps several ibrpc instances (or
 * several gateways) from hammering a restarting IB Gateway in lockstep; the cap keeps recovery after a long outage
 * (IB's nightly restart) within seconds of the gateway coming back.
 */
export interface BackoffPolicy {
  /** Delay before the first retry. */
  initialMs: number;
  /** Upper bound for any delay. */
  maxMs: number;
  /** Growth per failed attempt. */
  factor: number;
  /** Share of the delay that is randomized: 0 = none, 1 = anywhere in [0, delay]. */
  jitter: number;
}

export const DEFAULT_BACKOFF: BackoffPolicy = { initialMs: 250, maxMs: 5_000, factor: 2, jitter: 0.5 };

/** The delay before retry number `attempt` (0-based). `random` is injectable so tests are deterministic. */
export function backoffDelay(attempt: number, policy: BackoffPolicy = DEFAULT_BACKOFF, random = Math.random): number {
  const exp = Math.min(policy.maxMs, policy.initialMs * policy.factor ** Math.max(0, attempt));
  const jitterSpan = exp * policy.jitter;
  return Math.round(exp - jitterSpan + random() * jitterSpan);
}
