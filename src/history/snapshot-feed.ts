import { EventEmitter } from "node:events";
import type { Logger } from "pino";
import type { AccountSnapshot } from "../../gen/ibrpc/v1/account_history_pb.js";
import type { Store } from "../store/index.js";
import { SNAPSHOT_CHANNEL, SnapshotRepository } from "./snapshot-repository.js";
import { isoToMicros, type Micros } from "./snapshot-time.js";

interface FeedEvents {
  /** A snapshot was stored, by this instance or any other on the same database. */
  snapshot: [AccountSnapshot];
  /** Snapshots stored between `since` and now may have been missed (the database session dropped). */
  gap: [since: Date];
}

/**
 * New snapshots as the database announces them (NOTIFY on commit), so WatchSnapshots on every instance sees what
 * any instance stored. Announcements are read back in arrival order; a dropped session (missed announcements) is
 * reported as a gap, so watchers re-read the latest state instead of silently missing snapshots.
 */
export class SnapshotFeed extends EventEmitter<FeedEvents> {
  private readonly repo: SnapshotRepository;
  private readonly log: Logger;
  private chain: Promise<void> = Promise.resolve();
  private stopListening: (() => void) | undefined;
  private lostAt: Date | undefined;
  private readonly onLost = () => {
    this.lostAt ??= new Date();
  };
  private readonly onRestored = () => {
    const since = this.lostAt;
    this.lostAt = undefined;
    if (since) this.emit("gap", since);
  };

  /**
   * @param wanted whether anyone watches right now: an announcement nobody watches is not read back (every instance
   *   hears every snapshot; reading each one back for nobody would double the database's work).
   */
  constructor(
    private readonly store: Store,
    logger: Logger,
    private readonly wanted: () => boolean = () => this.listenerCount("snapshot") > 0,
  ) {
    super();
    this.setMaxListeners(0);
    this.repo = new SnapshotRepository(store);
    this.log = logger.child({ component: "snapshot-feed" });
  }

  async start(): Promise<void> {
    this.store.session.on("lost", this.onLost);
    this.store.session.on("restored", this.onRestored);
    this.stopListening = await this.store.session.listen(SNAPSHOT_CHANNEL, (payload) => this.onNotify(payload));
  }

  close(): void {
    this.stopListening?.();
    this.store.session.off("lost", this.onLost);
    this.store.session.off("restored", this.onRestored);
  }

  private onNotify(payload: string): void {
    const space = payload.lastIndexOf(" ");
    const account = payload.slice(0, space);
    let us: Micros;
    try {
      us = isoToMicros(payload.slice(space + 1));
    } catch {
      this.log.warn({ payload }, "unreadable snapshot announcement ignored");
      return;
    }
    // One at a time, in announcement order: watchers see snapshots in the order they were committed.
    this.chain = this.chain.then(async () => {
      if (!this.wanted()) return;
      try {
        const snapshot = await this.repo.at(account, us);
        if (snapshot) this.emit("snapshot", snapshot);
      } catch (err) {
        this.log.warn({ err: (err as Error).message, account }, "announced snapshot could not be read");
        this.emit("gap", new Date());
      }
    });
  }
}
