/**
 * Exclusive lanes: IB allows some requests only once at a time per connection, because their answers carry no reqId
 * (reqPositions -> position...positionEnd; reqAccountUpdates(account) -> one account at a time; reqOpenOrders /
 * reqAllOpenOrders -> openOrder...openOrderEnd; reqCompletedOrders). Two overlapping ones would interleave their
 * answers and neither caller could tell which rows are its own. A lane lets one holder at a time talk to IB; the
 * others wait in FIFO order, each within its own deadline (the wait counts against it).
 *
 * API:
 *   const lane = lanes.get(LANE.positions)
 *   const release = await lane.acquire(signal)   // rejects with signal.reason if the caller gives up while queued
 *   try { ... } finally { release() }            // idempotent
 *   lane.busy / lane.waiting                      // for error messages and tests
 *
 * The correlator takes lanes by name (GatherOptions.lane); the feed hub can hold one for a live subscription.
 */

/** The lanes ibrpc uses, by the IB resource they protect. */
export const LANE = {
  /** reqAccountUpdates: IB streams one account at a time per connection (a second call switches the account). */
  accountUpdates: "reqAccountUpdates",
  /** reqPositions: position rows carry no reqId. */
  positions: "reqPositions",
  /** reqOpenOrders, reqAllOpenOrders and reqAutoOpenOrders all answer openOrder...openOrderEnd. */
  openOrders: "openOrders",
  /** reqCompletedOrders: completedOrder...completedOrdersEnd. */
  completedOrders: "reqCompletedOrders",
  /** requestFA: receiveFA carries only the data type. */
  financialAdvisor: "requestFA",
} as const;

export class ExclusiveLane {
  private holder = false;
  private readonly queue: Array<{ grant: () => void }> = [];

  constructor(readonly name: string) {}

  /** True while someone holds the lane. */
  get busy(): boolean {
    return this.holder;
  }

  /** Callers queued behind the holder. */
  get waiting(): number {
    return this.queue.length;
  }

  /** Resolves with a release function once the caller holds the lane. */
  acquire(signal?: AbortSignal): Promise<() => void> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    if (!this.holder) {
      this.holder = true;
      return Promise.resolve(this.releaser());
    }
    return new Promise<() => void>((resolve, reject) => {
      const entry = {
        grant: () => {
          signal?.removeEventListener("abort", onAbort);
          resolve(this.releaser());
        },
      };
      const onAbort = () => {
        const i = this.queue.indexOf(entry);
        if (i >= 0) this.queue.splice(i, 1);
        reject(signal?.reason);
      };
      signal?.addEventListener("abort", onAbort, { once: true });
      this.queue.push(entry);
    });
  }

  private releaser(): () => void {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.queue.shift();
      if (next) next.grant();
      else this.holder = false;
    };
  }
}

/** The lanes of one connection, created on first use. */
export class ExclusiveLanes {
  private readonly lanes = new Map<string, ExclusiveLane>();

  get(name: string): ExclusiveLane {
    let lane = this.lanes.get(name);
    if (!lane) {
      lane = new ExclusiveLane(name);
      this.lanes.set(name, lane);
    }
    return lane;
  }
}
