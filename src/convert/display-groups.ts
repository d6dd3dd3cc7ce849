/**
 * TWS display groups: IB's group list ("1|2|3") and contract info ("conId@exchange", "none", "combo").
 */

/** EWrapper.displayGroupList's "1|2|3" as group ids; an empty list (IB Gateway has no groups) gives []. */
export function displayGroupIdsFromIb(groups: string | null | undefined): number[] {
  return (groups ?? "")
    .split("|")
    .map((id) => id.trim())
    .filter((id) => /^\d+$/.test(id))
    .map(Number);
}

/** The ids as IB writes the list (tests, and echoing a list back). */
export function displayGroupIdsToIb(groups: readonly number[]): string {
  return groups.join("|");
}

const CONTRACT_INFO = /^(?:\d+@[A-Za-z0-9._-]+|none|combo)$/;

/** True for contract info TWS understands: "conId@exchange" (e.g. "265598@SMART"), "none" or "combo". */
export function isDisplayGroupContractInfo(text: string): boolean {
  return CONTRACT_INFO.test(text);
}
