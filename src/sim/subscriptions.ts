/**
 * One session's live subscriptions (market data, depth, account updates, PnL...), keyed by a kind and the client's
 * id for it (reqId, tickerId, or an account name). Each holds the cancel function that stops its timers, so a cancel
 * request, a fault that drops subscriptions (1101) and the session closing all stop the same way.
 */
export type SubscriptionKey = number | string;

export class SubscriptionRegistry {
  private readonly byKind = new Map<string, Map<SubscriptionKey, () => void>>();

  /** Registers a subscription; one already under the same kind and id is cancelled first (a re-request replaces). */
  add(kind: string, id: SubscriptionKey, cancel: () => void): void {
    this.cancel(kind, id);
    let ofKind = this.byKind.get(kind);
    if (!ofKind) {
      ofKind = new Map();
      this.byKind.set(kind, ofKind);
    }
    ofKind.set(id, cancel);
  }

  /** Stops and forgets a subscription; returns false when there was none (callers may answer with an error). */
  cancel(kind: string, id: SubscriptionKey): boolean {
    const ofKind = this.byKind.get(kind);
    const cancel = ofKind?.get(id);
    if (!ofKind || !cancel) return false;
    ofKind.delete(id);
    cancel();
    return true;
  }

  /** Forgets a subscription that ended by itself (e.g. a snapshot completed) without calling its cancel. */
  remove(kind: string, id: SubscriptionKey): void {
    this.byKind.get(kind)?.delete(id);
  }

  has(kind: string, id: SubscriptionKey): boolean {
    return this.byKind.get(kind)?.has(id) ?? false;
  }

  /** Live subscriptions of one kind, or of every kind without an argument. */
  count(kind?: string): number {
    if (kind !== undefined) return this.byKind.get(kind)?.size ?? 0;
    let total = 0;
    for (const ofKind of this.byKind.values()) total += ofKind.size;
    return total;
  }

  /** Ids of one kind's live subscriptions, in the order they were added. */
  ids(kind: string): SubscriptionKey[] {
    return [...(this.byKind.get(kind)?.keys() ?? [])];
  }

  /** Cancels everything (or one kind): the session closed, or the gateway lost its data farms. */
  cancelAll(kind?: string): void {
    const kinds = kind === undefined ? [...this.byKind.keys()] : [kind];
    for (const each of kinds) {
      for (const id of this.ids(each)) this.cancel(each, id);
    }
  }
}
