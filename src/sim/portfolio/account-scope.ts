import type { ClientSession } from "../handlers/registry.js";
import { ReferenceCode, validationFailed } from "../reference/reference-codes.js";

/**
 * Which accounts a request names, or why TWS would refuse it. Shared by the requests that take (account, modelCode):
 * reqAccountUpdates, the *Multi requests and PnL.
 *
 * - "" means every account for reqPositionsMulti (`whenEmpty` "all"). For the single-account requests it names the
 *   login's only account; an advisor login has no single default, so it names the first managed account (the most
 *   useful answer for a client that does not know it talks to an advisor login).
 * - The simulator manages no model portfolios: a model code is refused rather than silently ignored, so a client
 *   relying on models finds out.
 */
export type AccountScope =
  | { readonly ok: true; readonly accounts: readonly string[] }
  | { readonly ok: false; readonly reason: string };

export function resolveAccounts(
  loginAccounts: readonly string[],
  account: string,
  modelCode: string,
  whenEmpty: "first" | "all",
): AccountScope {
  if (modelCode.trim() !== "") return { ok: false, reason: `Invalid model code ${JSON.stringify(modelCode)}` };
  const wanted = account.trim();
  if (wanted === "") return { ok: true, accounts: whenEmpty === "all" ? loginAccounts : loginAccounts.slice(0, 1) };
  if (!loginAccounts.includes(wanted)) return { ok: false, reason: `Invalid account code ${JSON.stringify(account)}` };
  return { ok: true, accounts: [wanted] };
}

/**
 * 321 with TWS's wording. TWS puts an internal two-letter request tag in the quotes; these are the simulator's own,
 * one per request family, so a log line still says which request failed.
 */
export const RequestTag = {
  ACCOUNT_UPDATES: "au",
  ACCOUNT_SUMMARY: "as",
  POSITIONS_MULTI: "pm",
  ACCOUNT_UPDATES_MULTI: "am",
  PNL: "pl",
  PNL_SINGLE: "ps",
} as const;

export function refuse(session: ClientSession, id: number, tag: string, reason: string): void {
  session.sendError(id, ReferenceCode.VALIDATION_FAILED, validationFailed(tag, reason));
}
