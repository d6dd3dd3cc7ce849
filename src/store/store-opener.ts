import { EventEmitter } from "node:events";
import type { Logger } from "pino";
import { backoffDelay } from "../gateway/backoff.js";
import { type OpenStoreOptions, openStore, type Store } from "./store.js";
import { isStoreUnavailable } from "./store-errors.js";

/** Where the store is in its life: the app's health of database-bound services follows `ready`. */
export type StoreStatus = "opening" | "ready" | "unavailable" | "failed" | "closed";

export interface StoreOpenerOptions extends OpenStoreOptions {
  /** How often the store is pinged to tell `ready` from `unavailable`. @default 2000 */
  pingIntervalMs?: number;
}

const OPEN_BACKOFF = { initialMs: 250, maxMs: 5_000, factor: 2, jitter: 0.5 };

/**
 * Opens the store in the background, so ibrpc serves its IB services at once while PGlite initializes (seconds on a
 * new DATA_DIR) or PostgreSQL comes up (retried with backoff), then watches the database: `status` says whether the
 * services that live on it can answer.
 */
export class StoreOpener extends EventEmitter<{ status: [StoreStatus] }> {
  /** Resolves with the open store; rejects if opening failed for good or the opener was closed first. */
  readonly ready: Promise<Store>;
  private current: StoreStatus = "opening";
  private opened: Store | undefined;
  private timer: NodeJS.Timeout | undefined;
  private closed = false;
  private readonly log: Logger;
  private settle!: { resolve: (s: Store) => void; reject: (e: unknown) => void };

  constructor(private readonly opts: StoreOpenerOptions) {
    super();
    this.log = opts.logger.child({ component: "store" });
    this.ready = new Promise<Store>((resolve, reject) => {
      this.settle = { resolve, reject };
    });
    this.ready.catch(() => {});
    this.attempt(0);
  }

  get status(): StoreStatus {
    return this.current;
  }

  /** The store once open (it may be unreachable right now: see {@link status}). */
  get store(): Store | undefined {
    return this.opened;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.setStatus("closed");
    this.settle.reject(new Error("the store was closed before it opened"));
    // An open still in flight closes its store itself when it lands (see attempt).
    await this.opened?.close();
  }

  private attempt(n: number): void {
    const started = performance.now();
    openStore(this.opts).then(
      (store) => {
        if (this.closed) {
          store.close().catch(() => {});
          return;
        }
        this.opened = store;
        this.log.info(
          { engine: store.engine, openMs: Math.round(performance.now() - started), rssMb: rssMb() },
          "store ready",
        );
        this.setStatus("ready");
        this.settle.resolve(store);
        // PostgreSQL can go away and come back; PGlite's worker thread can die (then it stays unavailable).
        this.schedulePing(store);
      },
      (err: unknown) => {
        if (this.closed) return;
        // Only a server can come up later; an embedded database that fails to open will fail again.
        if (!this.opts.dbUrl || !isStoreUnavailable(err)) {
          this.log.error({ err }, "store failed to open; database-backed services stay NOT_SERVING");
          this.setStatus("failed");
          this.settle.reject(err);
          return;
        }
        const delay = backoffDelay(n, OPEN_BACKOFF);
        this.log.warn({ err: (err as Error).message, retryInMs: delay }, "database unavailable; retrying");
        this.setStatus("unavailable");
        this.timer = setTimeout(() => this.attempt(n + 1), delay);
      },
    );
  }

  private schedulePing(store: Store): void {
    this.timer = setTimeout(() => {
      store
        .ping()
        .then(
          () => this.setStatus("ready"),
          (err: unknown) => {
            if (this.current === "ready") this.log.warn({ err: (err as Error).message }, "database unavailable");
            this.setStatus("unavailable");
          },
        )
        .finally(() => {
          if (!this.closed) this.schedulePing(store);
        });
    }, this.opts.pingIntervalMs ?? 2_000);
    this.timer.unref();
  }

  private setStatus(status: StoreStatus): void {
    if (this.current === status || (this.current === "closed" && status !== "closed")) return;
    this.current = status;
    this.emit("status", status);
  }
}

function rssMb(): number {
  return Math.round(process.memoryUsage().rss / 1e6);
}
