/**
 * How often the account streams refresh on the simulator's clock. TWS pushes account updates and account summary
 * about every 3 minutes (sooner after a fill) and PnL about once a second; the simulator refreshes account data every
 * 3 s by default so a session sees prices move without waiting minutes. Fills are reported at once whatever these say.
 */
export interface AccountStreamOptions {
  /** reqAccountUpdates / reqAccountUpdatesMulti refresh period, ms (default 3000). */
  readonly accountUpdatesMs?: number;
  /** reqAccountSummary refresh period, ms (default 3000). */
  readonly accountSummaryMs?: number;
  /** reqPnL / reqPnLSingle refresh period, ms (default 1000). */
  readonly pnlMs?: number;
}

export type AccountStreamPeriods = Required<AccountStreamOptions>;

export const DEFAULT_ACCOUNT_STREAMS: AccountStreamPeriods = {
  accountUpdatesMs: 3000,
  accountSummaryMs: 3000,
  pnlMs: 1000,
};

export function resolveAccountStreams(options: AccountStreamOptions = {}): AccountStreamPeriods {
  const periods = { ...DEFAULT_ACCOUNT_STREAMS, ...options };
  for (const [name, value] of Object.entries(periods)) {
    if (!(Number.isFinite(value) && value > 0)) throw new RangeError(`accountStreams.${name}: ${value} must be > 0 ms`);
  }
  return periods;
}
