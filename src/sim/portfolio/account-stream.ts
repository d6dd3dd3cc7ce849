import type { CancelTimer } from "../clock.js";
import type { ClientSession } from "../handlers/registry.js";
import type { AccountValuation, PositionValuation } from "../world/index.js";
import type { AccountValueRow } from "./account-rows.js";
import { ChangeFilter } from "./change-filter.js";

/** What one account stream reports, and how (updateAccountValue, accountSummary, accountUpdateMulti...). */
export interface AccountStreamSink {
  /** The rows this stream reports for an account (all figures, a tag selection, the ledger...). */
  rows(valuation: AccountValuation): readonly AccountValueRow[];
  sendRow(account: string, row: AccountValueRow): void;
  /** Portfolio rows, for streams that report holdings (reqAccountUpdates): called when any of its columns moved. */
  sendHolding?(account: string, holding: PositionValuation): void;
  /**
   * After each pass that sent something. `initial` is the first, full pass (End markers go there); later passes send
   * only what changed, as TWS's account streams do after their first answer.
   */
  afterPass?(initial: boolean, at: number): void;
}

/**
 * Reports `accounts` through `sink`: everything now, then what changed every `periodMs` of simulator time and at
 * once after any fill or cash move in one of them. Returns the cancel function for the session's subscription.
 */
export function streamAccounts(
  session: ClientSession,
  accounts: readonly string[],
  periodMs: number,
  sink: AccountStreamSink,
): CancelTimer {
  const { clock, world } = session.sim;
  const rows = new ChangeFilter();
  const holdings = new ChangeFilter();
  const pass = (initial: boolean, only: readonly string[] = accounts) => {
    const at = clock.now();
    let sent = false;
    for (const account of only) {
      const valuation = world.ledger.value(account, at);
      for (const row of sink.rows(valuation)) {
        if (!rows.changed(`${account}\0${row.key}\0${row.currency}`, row.value)) continue;
        sink.sendRow(account, row);
        sent = true;
      }
      if (!sink.sendHolding) continue;
      for (const holding of valuation.positions) {
        if (!holdings.changed(`${account}\0${holding.position.conId}`, holdingColumns(holding))) continue;
        sink.sendHolding(account, holding);
        sent = true;
      }
    }
    if (initial || sent) sink.afterPass?.(initial, at);
  };
  pass(true);
  const stopTimer = clock.every(periodMs, () => pass(false));
  const stopWatching = world.ledger.onChange((change) => {
    if (accounts.includes(change.account)) pass(false, [change.account]);
  });
  return () => {
    stopTimer();
    stopWatching();
  };
}

/** What makes a portfolio row worth resending: its quantity, price or PnL moved. */
function holdingColumns(holding: PositionValuation): string {
  const { position, marketPrice, averageCost } = holding;
  return `${position.quantity}|${marketPrice}|${averageCost}|${position.realizedPnl}`;
}
