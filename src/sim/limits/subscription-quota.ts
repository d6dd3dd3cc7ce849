/** Answers a refused subscription on its request id. */
export interface QuotaHolder {
  sendError(id: number, code: number, message: string): void;
}

/**
 * A scarce kind of subscription of the login (market data lines, depth books), shared by every client. Each line is
 * held by one session under one request id, so a closing session or a lost connection frees exactly its own lines.
 */
export class SubscriptionQuota {
  private readonly held = new Map<QuotaHolder, Set<number>>();
  private inUse = 0;

  constructor(
    readonly capacity: number,
    private readonly refusal: { readonly code: number; readonly message: string },
  ) {}

  get used(): number {
    return this.inUse;
  }

  /**
   * Takes a line for (session, reqId), or answers the refusal on reqId and returns false. Re-requesting an id the
   * session already holds (a modified subscription) keeps its line.
   */
  acquire(session: QuotaHolder, reqId: number): boolean {
    const ids = this.held.get(session);
    if (ids?.has(reqId)) return true;
    if (this.inUse >= this.capacity) {
      session.sendError(reqId, this.refusal.code, this.refusal.message);
      return false;
    }
    if (ids) ids.add(reqId);
    else this.held.set(session, new Set([reqId]));
    this.inUse++;
    return true;
  }

  /** Frees the line; unknown ids are ignored (cancelling twice is harmless, as with TWS). */
  release(session: QuotaHolder, reqId: number): void {
    const ids = this.held.get(session);
    if (!ids?.delete(reqId)) return;
    this.inUse--;
    if (ids.size === 0) this.held.delete(session);
  }

  releaseSession(session: QuotaHolder): void {
    const ids = this.held.get(session);
    if (!ids) return;
    this.inUse -= ids.size;
    this.held.delete(session);
  }

  releaseAll(): void {
    this.held.clear();
    this.inUse = 0;
  }
}
