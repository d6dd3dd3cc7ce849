import type { SimulatorContext } from "../context.js";
import { FaDataType } from "../reference/fa.js";
import { referenceFeeds } from "../reference/feeds.js";

/** reqAccountSummary's group meaning every managed account. */
export const ALL_ACCOUNTS_GROUP = "All";

const GROUP = /<Group\b[^>]*>([\s\S]*?)<\/Group>/g;
const GROUP_NAME = /<name>([^<]*)<\/name>/;
const MEMBER = /<acct>([^<]*)<\/acct>/g;

/**
 * The accounts of a reqAccountSummary group, in login order: "All", or an advisor group from the login's FA groups
 * document (the one requestFA returns and replaceFA changes, so a replaced grouping is honoured). Undefined when no
 * such group exists. Names match case-insensitively, as TWS matches "all".
 */
export function groupAccounts(sim: SimulatorContext, group: string): readonly string[] | undefined {
  const wanted = group.trim().toLowerCase();
  if (wanted === ALL_ACCOUNTS_GROUP.toLowerCase()) return sim.accounts;
  // A single-account login is not an advisor login: it has no FA groups.
  if (sim.accounts.length < 2) return undefined;
  const xml = referenceFeeds(sim).fa.document(FaDataType.GROUPS);
  for (const [, body = ""] of xml.matchAll(GROUP)) {
    if (GROUP_NAME.exec(body)?.[1]?.trim().toLowerCase() !== wanted) continue;
    const members = new Set([...body.matchAll(MEMBER)].map(([, account = ""]) => account.trim()));
    return sim.accounts.filter((account) => members.has(account));
  }
  return undefined;
}
