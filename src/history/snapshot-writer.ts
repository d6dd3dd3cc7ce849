import { Code, ConnectError } from "@connectrpc/connect";
import type { Logger } from "pino";
import type { AccountSnapshot } from "../../gen/ibrpc/v1/account_history_pb.js";
import { backoffDelay } from "../gateway/backoff.js";
import { isStoreUnavailable } from "../store/index.js";
import type { SnapshotRepository } from "./snapshot-repository.js";

/** What became of a snapshot handed to the writer. */
export type WriteOutcome = "stored" | "kept";

export interface SnapshotWriterOptions {
  logger: Logger;
  /** Snapshots kept in memory while the database is unreachable. @default 10000 */
  capacity?: number;
}

const RETRY_BACKOFF = { initialMs: 200, maxMs: 5_000, factor: 2, jitter: 0.3 };

/**
 * Writes snapshots so that a database outage loses none: a snapshot the database cannot take now is kept (in
 * order, bounded) and written when it answers again. Only when the memory is full too is a snapshot refused
 * (UNAVAILABLE), so the caller knows it was not kept. A snapshot the database rejects for what it is (a bug, bad
 * data) is logged and dropped instead of blocking every later one.
 */
export class SnapshotWriter {
  private readonly queue: AccountSnapshot[] = [];
  private readonly capacity: number;
  private readonly log: Logger;
  private flushing: Promise<void> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private wakeUp: (() => void) | undefined;
  private attempt = 0;
  private closed = false;

  constructor(
    private readonly repository: () => SnapshotRepository | undefined,
    opts: SnapshotWriterOptions,
  ) {
    this.capacity = opts.capacity ?? 10_000;
    this.log = opts.logger.child({ component: "snapshot-writer" });
  }

  /** Snapshots waiting for the database. */
  get pending(): number {
    return this.queue.length;
  }

  /** Stores `snapshot`, or keeps it for later; throws UNAVAILABLE only when it could not even be kept. */
  async write(snapshot: AccountSnapshot): Promise<WriteOutcome> {
    const repo = this.repository();
    if (repo && this.queue.length === 0) {
      try {
        await repo.write(snapshot);
        return "stored";
      } catch (err) {
        if (!isStoreUnavailable(err)) throw err;
        this.log.warn(
          { err: (err as Error).message, account: snapshot.account },
          "database unavailable; snapshot kept",
        );
      }
    }
    return this.keep(snapshot);
  }

  /** Tries the kept snapshots now (the database is back). */
  wake(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.attempt = 0;
    const wake = this.wakeUp;
    this.wakeUp = undefined;
    wake?.();
    this.startFlushing();
  }

  /** Resolves when nothing is pending (for tests and orderly shutdown); bounded by the caller. */
  async drained(): Promise<void> {
    while (this.queue.length > 0 && !this.closed) await (this.flushing ?? Promise.resolve());
  }

  /** Stops retrying; snapshots still kept are lost (said in the log). */
  close(): void {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.wakeUp?.();
    if (this.queue.length > 0) {
      this.log.error({ lost: this.queue.length }, "stopping with snapshots the database never took");
    }
  }

  private keep(snapshot: AccountSnapshot): WriteOutcome {
    if (this.queue.length >= this.capacity) {
      throw new ConnectError(
        `the database is unavailable and ${this.capacity} snapshots already wait for it: snapshot of ${snapshot.account} not kept`,
        Code.Unavailable,
      );
    }
    this.queue.push(snapshot);
    this.startFlushing();
    return "kept";
  }

  private startFlushing(): void {
    if (this.flushing || this.queue.length === 0 || this.closed) return;
    this.flushing = this.flush().finally(() => {
      this.flushing = undefined;
      // A snapshot kept while the last write was on its way.
      if (this.queue.length > 0 && !this.closed) this.startFlushing();
    });
  }

  private async flush(): Promise<void> {
    while (this.queue.length > 0 && !this.closed) {
      const head = this.queue[0] as AccountSnapshot;
      const repo = this.repository();
      try {
        if (!repo) throw new ConnectError("store not open", Code.Unavailable);
        await repo.write(head);
        this.queue.shift();
        this.attempt = 0;
        if (this.queue.length === 0) this.log.info("kept snapshots written");
      } catch (err) {
        if (repo && !isStoreUnavailable(err)) {
          this.queue.shift();
          this.log.error({ err, account: head.account }, "the database refused a snapshot; dropped");
          continue;
        }
        await this.pause(backoffDelay(this.attempt++, RETRY_BACKOFF));
      }
    }
  }

  private pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      this.wakeUp = resolve;
      this.timer = setTimeout(() => {
        this.timer = undefined;
        this.wakeUp = undefined;
        resolve();
      }, ms);
    });
  }
}
