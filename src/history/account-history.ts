import { EventEmitter } from "node:events";
import { Code, ConnectError } from "@connectrpc/connect";
import type { Logger } from "pino";
import type { AccountSnapshot } from "../../gen/ibrpc/v1/account_history_pb.js";
import type { GatewayPool } from "../gateway/gateway-pool.js";
import type { Store, StoreOpener } from "../store/index.js";
import { SnapshotFeed } from "./snapshot-feed.js";
import { SnapshotRepository } from "./snapshot-repository.js";
import { SnapshotSchedule } from "./snapshot-schedule.js";
import { type Micros, microClock } from "./snapshot-time.js";
import { SnapshotWriter } from "./snapshot-writer.js";
import { type SnapshotTarget, Snapshotter } from "./snapshotter.js";

export interface AccountHistoryOptions {
  /** The store, opening in the background. */
  opener: StoreOpener;
  pool: GatewayPool;
  /** ACCT_REF: cron (UTC) of scheduled snapshots. */
  cron: string;
  logger: Logger;
  /** Snapshot times (tests pin them). @default microClock() */
  clock?: () => Micros;
  /** Longest wait for one account's accountDownloadEnd. @default 30000 */
  accountTimeoutMs?: number;
  /** Snapshots kept in memory while the database is down. @default 10000 */
  keepCapacity?: number;
  /** How often a non-leader tries to become the snapshot leader of a gateway. @default 1000 */
  leaderPollMs?: number;
  /** Take snapshots when a gateway first connects and on the cron (off for tests that drive it). @default true */
  schedule?: boolean;
}

interface HistoryEvents {
  snapshot: [AccountSnapshot];
  gap: [since: Date];
}

/**
 * ibconnect's account history: snapshots taken from the gateways (on start, on the ACCT_REF cron, on request),
 * written through a writer that survives database outages, read back from the store, and announced to watchers of
 * every instance. The AccountHistoryService and the REST paths are thin layers over this.
 */
export class AccountHistory extends EventEmitter<HistoryEvents> {
  readonly writer: SnapshotWriter;
  readonly snapshotter: Snapshotter;
  private repo: SnapshotRepository | undefined;
  private feed: SnapshotFeed | undefined;
  private scheduler: SnapshotSchedule | undefined;
  private readonly log: Logger;
  private closed = false;

  constructor(private readonly opts: AccountHistoryOptions) {
    super();
    this.setMaxListeners(0);
    this.log = opts.logger.child({ component: "history" });
    this.writer = new SnapshotWriter(() => this.repo, { logger: opts.logger, capacity: opts.keepCapacity });
    this.snapshotter = new Snapshotter({
      pool: opts.pool,
      writer: this.writer,
      clock: opts.clock ?? microClock(),
      accountTimeoutMs: opts.accountTimeoutMs ?? 30_000,
      logger: opts.logger,
    });
    opts.opener.on("status", (status) => {
      if (status === "ready") this.writer.wake();
    });
    opts.opener.ready.then(
      (store) => this.onStoreReady(store),
      () => {},
    );
  }

  /** The repository for reads; UNAVAILABLE until the store is open. */
  reads(): SnapshotRepository {
    if (!this.repo) {
      throw new ConnectError("the account history database is not open yet (starting up)", Code.Unavailable);
    }
    return this.repo;
  }

  /** The schedule, once the store is open (undefined before, and with `schedule: false`). */
  get schedule(): SnapshotSchedule | undefined {
    return this.scheduler;
  }

  /** Takes snapshots now (TakeSnapshots, REST max-age=0) of the target's accounts, stored or kept. */
  take(target: SnapshotTarget, signal: AbortSignal): Promise<AccountSnapshot[]> {
    return this.snapshotter.take(target, signal);
  }

  async close(): Promise<void> {
    this.closed = true;
    this.scheduler?.close();
    this.feed?.close();
    this.writer.close();
  }

  private async onStoreReady(store: Store): Promise<void> {
    if (this.closed) return;
    this.repo = new SnapshotRepository(store);
    this.writer.wake();
    const feed = new SnapshotFeed(store, this.opts.logger, () => this.listenerCount("snapshot") > 0);
    feed.on("snapshot", (s) => this.emit("snapshot", s));
    feed.on("gap", (since) => this.emit("gap", since));
    this.feed = feed;
    try {
      await feed.start();
    } catch (err) {
      this.log.warn({ err: (err as Error).message }, "snapshot announcements not available yet");
    }
    if (this.closed || this.opts.schedule === false) return;
    this.scheduler = new SnapshotSchedule({
      cron: this.opts.cron,
      pool: this.opts.pool,
      session: store.session,
      snapshotter: this.snapshotter,
      logger: this.opts.logger,
      leaderPollMs: this.opts.leaderPollMs ?? 1_000,
    });
    this.scheduler.start();
  }
}
