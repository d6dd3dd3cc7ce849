import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import type { messages, PGlite } from "@electric-sql/pglite";
import { fromWireError, fromWireMessage, type WorkerReply, type WorkerRequest } from "./pglite-protocol.js";
import { UnavailableBackend } from "./pglite-unavailable.js";

/**
 * The embedded database (PGlite) running in a worker thread, seen from the main thread as a PGlite.
 *
 * Why: PGlite is WebAssembly Postgres, and WebAssembly runs synchronously. On the main thread its first open (initdb,
 * seconds, 10 s seen under load), its migrations and every query blocked ibrpc's event loop: IB calls stalled for
 * seconds while the store opened (bench/store/store-open.ts measures it). In a worker they never touch the main loop.
 *
 * What it implements is what ibrpc uses of PGlite 0.5.16 (read from its dist): node-postgres' adapter
 * (@electric-sql/pglite/node-postgres) calls `waitReady` and `execProtocolStream(bytes, { throwOnError: false })`,
 * one message after the other; PgliteSession calls `listen` (and the unlisten it returns) and `closed`; the store
 * calls `close`. Calls are forwarded in order over the worker's port and run one at a time there.
 *
 * Failures never hang: when the worker dies (a crash, an out-of-memory, `terminate`) every pending and later call
 * fails with an error saying the database is unavailable (store-errors maps it to UNAVAILABLE): node-postgres gets
 * it as a server's connection_failure (see UnavailableBackend), direct calls as a rejection. `closed` turns true and
 * `exited` resolves; a call that outlives `callDeadlineMs` is taken as a stuck database and ends the worker.
 */
export class PGliteProxy {
  /** Resolves when the database is open; rejects when it cannot be (it failed, the worker died, the deadline passed). */
  readonly waitReady: Promise<void>;
  /** Resolves when the worker thread has ended, for any reason. */
  readonly exited: Promise<void>;
  private readonly worker: Worker;
  private readonly pending = new Map<
    number,
    { resolve: (v: unknown) => void; reject: (e: Error) => void; timer: NodeJS.Timeout | undefined }
  >();
  private readonly listeners = new Map<number, (payload: string) => void>();
  private nextId = 1;
  /** Set once the worker cannot serve: closed by us, or dead. Every call fails with it from then on. */
  private failure: Error | undefined;
  private closing: Promise<void> | undefined;
  private readonly unavailable = new UnavailableBackend(() => this.failure ?? new Error("unavailable"));

  constructor(
    dataDir: string,
    private readonly opts: { openDeadlineMs?: number; callDeadlineMs?: number } = {},
  ) {
    this.worker = new Worker(workerEntry(), { workerData: { dataDir } });
    // Referenced only while work is pending (see call and settle): an idle store keeps no process alive.
    this.worker.unref();
    let ready!: { resolve: () => void; reject: (e: Error) => void };
    this.waitReady = new Promise<void>((resolve, reject) => {
      ready = { resolve, reject };
    });
    this.waitReady.catch(() => {}); // The owner awaits it; a failed open must not also be an unhandled rejection.
    const openTimer = setTimeout(() => {
      this.die(new Error(`the embedded database did not open within ${this.openDeadlineMs} ms: unavailable`));
    }, this.openDeadlineMs);
    openTimer.unref();
    this.worker.ref(); // Opening is pending work: keep the process alive until it lands.
    const opened = () => {
      clearTimeout(openTimer);
      if (this.pending.size === 0 && !this.closing) this.worker.unref();
    };

    this.worker.on("message", (msg: WorkerReply) => {
      switch (msg.type) {
        case "ready":
          opened();
          ready.resolve();
          return;
        case "openFailed":
          opened();
          ready.reject(fromWireError(msg.error));
          this.die(new Error(`the embedded database failed to open: ${msg.error.message}; unavailable`));
          return;
        case "notification":
          this.listeners.get(msg.listenerId)?.(msg.payload);
          return;
        case "result":
        case "error": {
          const call = this.pending.get(msg.id);
          if (!call) return;
          this.settle(msg.id);
          if (msg.type === "result") call.resolve(msg.value);
          else call.reject(fromWireError(msg.error));
        }
      }
    });
    this.worker.on("error", (err) => {
      this.die(new Error(`the embedded database's worker crashed (${err.message}): unavailable`, { cause: err }));
    });
    this.exited = new Promise<void>((resolve) => {
      this.worker.once("exit", (code) => {
        clearTimeout(openTimer);
        this.die(new Error(`the embedded database's worker exited (code ${code}): unavailable`));
        ready.reject(this.failure as Error);
        resolve();
      });
    });
  }

  /** True once closed or dead: nothing more will be answered. */
  get closed(): boolean {
    return this.failure !== undefined;
  }

  /** This proxy typed as the PGlite it stands for, for node-postgres' adapter and PgliteSession (see the class doc). */
  asPGlite(): PGlite {
    return this as unknown as PGlite;
  }

  async execProtocolStream(
    message: Uint8Array,
    options: { syncToFs?: boolean; throwOnError?: boolean } = {},
  ): Promise<messages.BackendMessage[]> {
    if (!this.failure) {
      const { syncToFs, throwOnError } = options;
      try {
        const wire = (await this.call({
          op: "execProtocolStream",
          message,
          options: { syncToFs, throwOnError },
        })) as unknown[];
        return wire.map(fromWireMessage);
      } catch (err) {
        if (!this.failure) throw err; // The database's own answer (throwOnError), not a dead worker.
      }
    }
    // The worker is gone: answer as a server that cannot serve would (see UnavailableBackend for why).
    const answer = this.unavailable.answer(message);
    const error = answer.find((m) => m instanceof Error);
    if (error && options.throwOnError !== false) throw error;
    return answer;
  }

  /** Calls `callback` for every NOTIFY on `channel` until the returned function is called (PGlite's contract). */
  async listen(channel: string, callback: (payload: string) => void): Promise<() => Promise<void>> {
    const listenerId = this.nextId++;
    this.listeners.set(listenerId, callback);
    try {
      await this.call({ op: "listen", channel, listenerId });
    } catch (err) {
      this.listeners.delete(listenerId);
      throw err;
    }
    return async () => {
      if (!this.listeners.delete(listenerId)) return;
      await this.call({ op: "unlisten", listenerId });
    };
  }

  /** Closes the database (flushing it to DATA_DIR) and ends the worker. Idempotent; never rejects. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      this.worker.ref(); // Closing is pending work: the process must not end before the database is flushed.
      if (!this.failure) {
        await this.call({ op: "close" }).catch(() => {});
        this.failure = new Error("the embedded database is closed");
      }
      // The worker ends by itself after close; if it is stuck or the close failed, end it.
      let timer: NodeJS.Timeout | undefined;
      const stuck = new Promise<void>((resolve) => {
        timer = setTimeout(resolve, 5_000);
      });
      await Promise.race([this.exited, stuck.then(() => this.worker.terminate())]);
      clearTimeout(timer);
      await this.exited;
    })();
    return this.closing;
  }

  /** Ends the worker at once, as a crash would (tests use it to prove a dead database fails calls, not hangs them). */
  async terminate(): Promise<void> {
    await this.worker.terminate();
    await this.exited;
  }

  private get openDeadlineMs(): number {
    return this.opts.openDeadlineMs ?? 300_000;
  }

  private call(req: DistributiveOmit<WorkerRequest, "id">): Promise<unknown> {
    if (this.failure) return Promise.reject(this.failure);
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const deadlineMs = this.opts.callDeadlineMs ?? 120_000;
      const timer =
        req.op === "close"
          ? undefined
          : setTimeout(() => {
              // Calls run one at a time: one that never ends blocks every later one. The database is stuck: end it.
              this.die(
                new Error(`the embedded database did not answer ${req.op} within ${deadlineMs} ms: unavailable`),
              );
            }, deadlineMs);
      this.pending.set(id, { resolve, reject, timer });
      this.worker.ref();
      this.worker.postMessage({ ...req, id } as WorkerRequest);
    });
  }

  private settle(id: number): void {
    const call = this.pending.get(id);
    if (call?.timer) clearTimeout(call.timer);
    this.pending.delete(id);
    if (this.pending.size === 0 && !this.closing) this.worker.unref();
  }

  /** The worker can no longer answer: fail every pending call with `err` (later calls fail with it too). */
  private die(err: Error): void {
    this.failure ??= err;
    void this.worker.terminate(); // A worker that failed to open, or is stuck, is of no more use; a dead one, a no-op.
    for (const [id, call] of [...this.pending]) {
      this.settle(id);
      call.reject(this.failure);
    }
    this.listeners.clear();
  }
}

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

/**
 * The worker's entry: the compiled sibling pglite-worker.js. Under vitest this module is the .ts source, which a
 * worker thread cannot load (Node 20 runs no TypeScript); the build of the same source is used instead, which
 * test/global-setup.ts makes before every test run.
 */
function workerEntry(): URL {
  const sibling = new URL("./pglite-worker.js", import.meta.url);
  if (!import.meta.url.endsWith(".ts")) return sibling;
  const built = new URL("../../dist/src/store/pglite-worker.js", import.meta.url);
  if (!existsSync(fileURLToPath(built))) {
    throw new Error(`${fileURLToPath(built)} is missing: run \`npm run build\` (the embedded database's worker)`);
  }
  return built;
}
