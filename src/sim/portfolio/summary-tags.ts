import type { AccountValuation } from "../world/index.js";
import { type AccountValueRow, accountFigures, BASE, FIGURE_KEYS, ledgerRows } from "./account-rows.js";

/**
 * reqAccountSummary's tag list: "NetLiquidation,BuyingPower,$LEDGER:ALL". Named tags select figures, "$LEDGER"
 * selects the base-currency ledger, "$LEDGER:ALL" every currency's, "$LEDGER:EUR" one currency's. Tags TWS does not
 * know are ignored, as TWS ignores them.
 */
export type SummaryTag =
  | { readonly kind: "figure"; readonly key: string }
  | { readonly kind: "ledger"; readonly scope: string };

const LEDGER = "$LEDGER";

export function parseSummaryTags(tags: string): SummaryTag[] {
  const parsed: SummaryTag[] = [];
  const seen = new Set<string>();
  for (const raw of tags.split(",")) {
    const tag = raw.trim();
    if (tag === "" || seen.has(tag)) continue;
    seen.add(tag);
    if (tag === LEDGER) parsed.push({ kind: "ledger", scope: BASE });
    else if (tag.startsWith(`${LEDGER}:`))
      parsed.push({ kind: "ledger", scope: tag.slice(LEDGER.length + 1).toUpperCase() });
    else if (FIGURE_KEYS.has(tag)) parsed.push({ kind: "figure", key: tag });
  }
  return parsed;
}

/** The rows `tags` select for one account, in the order the tags were asked for. */
export function summaryRows(valuation: AccountValuation, tags: readonly SummaryTag[]): AccountValueRow[] {
  const figures = new Map(accountFigures(valuation).map((row) => [row.key, row]));
  return tags.flatMap((tag) => {
    if (tag.kind === "ledger") return ledgerRows(valuation, tag.scope);
    const row = figures.get(tag.key);
    return row ? [row] : [];
  });
}
