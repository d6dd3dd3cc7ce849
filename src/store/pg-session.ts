import { EventEmitter } from "node:events";
import pg from "pg";
import type { Logger } from "pino";
import { backoffDelay } from "../gateway/backoff.js";
import { assertChannelName, ChannelListeners, type StoreSession, type StoreSessionEvents } from "./session.js";

/** The key space of ibrpc's session advisory locks (the two-int form: this, hashtext(name)); "ibrq" in ASCII. */
const LOCK_SPACE = 0x69627271;
const RECONNECT_BACKOFF = { initialMs: 100, maxMs: 2_000, factor: 2, jitter: 0.5 };

/**
 * The session of a PostgreSQL store: one dedicated pg.Client that reconnects by itself (pg.Client does not), LISTENs
 * again on every channel after a reconnect, and tells its owner when its advisory locks were lost with the
 * connection. TCP keepalive makes a silently dead peer show up as an error instead of a session that looks alive.
 */
export class PgSession extends EventEmitter<StoreSessionEvents> implements StoreSession {
  private readonly channels = new ChannelListeners();
  private readonly held = new Set<string>();
  private client: pg.Client | undefined;
  private isConnected = false;
  private attempt = 0;
  private timer: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(
    private readonly connectionString: string,
    private readonly log: Logger,
  ) {
    super();
    this.connect();
  }

  get connected(): boolean {
    return this.isConnected;
  }

  async listen(channel: string, onPayload: (payload: string) => void): Promise<() => void> {
    assertChannelName(channel);
    if (this.channels.add(channel, onPayload) && this.isConnected) {
      await this.client?.query(`LISTEN ${channel}`).catch(() => {}); // a drop now re-LISTENs on reconnect
    }
    return () => {
      if (this.channels.remove(channel, onPayload) && this.isConnected) {
        this.client?.query(`UNLISTEN ${channel}`).catch(() => {});
      }
    };
  }

  async tryLock(name: string): Promise<boolean> {
    if (this.held.has(name)) return true;
    const client = this.client;
    if (!client || !this.isConnected) return false;
    try {
      const res = await client.query<{ ok: boolean }>("select pg_try_advisory_lock($1, hashtext($2)) as ok", [
        LOCK_SPACE,
        name,
      ]);
      // The connection may have dropped while the answer was on its way: a lock of a dead session is no lock.
      if (res.rows[0]?.ok !== true || client !== this.client || !this.isConnected) return false;
      this.held.add(name);
      return true;
    } catch {
      return false;
    }
  }

  async unlock(name: string): Promise<void> {
    if (!this.held.delete(name)) return;
    await this.client?.query("select pg_advisory_unlock($1, hashtext($2))", [LOCK_SPACE, name]).catch(() => {});
  }

  holds(name: string): boolean {
    return this.held.has(name);
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.held.clear();
    const client = this.client;
    this.client = undefined;
    this.isConnected = false;
    await client?.end().catch(() => {});
  }

  private connect(): void {
    this.timer = undefined;
    if (this.closed) return;
    const client = new pg.Client({ connectionString: this.connectionString, keepAlive: true });
    this.client = client;
    let dropped = false;
    const onDrop = (err?: Error) => {
      if (dropped || client !== this.client) return;
      dropped = true;
      this.onDrop(client, err);
    };
    client.on("error", onDrop);
    client.on("end", () => onDrop());
    client.on("notification", (n) => this.channels.dispatch(n.channel, n.payload ?? ""));
    client
      .connect()
      .then(async () => {
        for (const channel of this.channels.channels) await client.query(`LISTEN ${channel}`);
        if (client !== this.client || dropped) return;
        this.isConnected = true;
        this.attempt = 0;
        this.emit("restored");
      })
      .catch((err: Error) => onDrop(err));
  }

  private onDrop(client: pg.Client, err: Error | undefined): void {
    const wasConnected = this.isConnected;
    this.isConnected = false;
    const lost = [...this.held];
    this.held.clear();
    client.end().catch(() => {});
    if (this.closed) return;
    if (wasConnected) {
      this.log.warn({ err: err?.message, locks: lost }, "database session lost; reconnecting");
      this.emit("lost", lost);
    }
    this.timer = setTimeout(() => this.connect(), backoffDelay(this.attempt++, RECONNECT_BACKOFF));
    this.timer.unref();
  }
}
