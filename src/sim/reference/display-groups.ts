/**
 * TWS's colour-coded display groups: windows linked by a group show the same contract. A group's contract is state
 * of the login, so an update by one client reaches every client subscribed to that group.
 */

/** TWS has seven groups; queryDisplayGroups lists their ids "1|2|...|7". */
export const DISPLAY_GROUP_IDS = [1, 2, 3, 4, 5, 6, 7] as const;

/** What an empty group reports (contractInfo is otherwise "conId@exchange"; "combo" for a combination). */
export const EMPTY_GROUP = "none";

const CONTRACT_INFO = /^(\d+@[A-Za-z0-9.]+|none|combo)$/;

export function isContractInfo(text: string): boolean {
  return CONTRACT_INFO.test(text);
}

export type GroupListener = (contractInfo: string) => void;

export class DisplayGroups {
  private readonly contracts = new Map<number, string>();
  private readonly listeners = new Map<number, Set<GroupListener>>();

  /** Group 1 starts on `initialContract` (TWS opens with a contract in its first group), the others empty. */
  constructor(initialContract: string) {
    for (const id of DISPLAY_GROUP_IDS) this.contracts.set(id, id === 1 ? initialContract : EMPTY_GROUP);
  }

  list(): string {
    return DISPLAY_GROUP_IDS.join("|");
  }

  exists(groupId: number): boolean {
    return this.contracts.has(groupId);
  }

  contractOf(groupId: number): string {
    return this.contracts.get(groupId) ?? EMPTY_GROUP;
  }

  /** Calls `listener` with the group's contract now and after every update; returns the unsubscribe. */
  subscribe(groupId: number, listener: GroupListener): () => void {
    let ofGroup = this.listeners.get(groupId);
    if (!ofGroup) {
      ofGroup = new Set();
      this.listeners.set(groupId, ofGroup);
    }
    ofGroup.add(listener);
    listener(this.contractOf(groupId));
    return () => {
      ofGroup.delete(listener);
    };
  }

  update(groupId: number, contractInfo: string): void {
    this.contracts.set(groupId, contractInfo);
    for (const listener of [...(this.listeners.get(groupId) ?? [])]) listener(contractInfo);
  }
}
