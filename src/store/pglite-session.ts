import { EventEmitter } from "node:events";
import type { PGlite } from "@electric-sql/pglite";
import { assertChannelName, ChannelListeners, type StoreSession, type StoreSessionEvents } from "./session.js";

/**
 * The session of an embedded PGlite. One process owns the data directory (the DATA_DIR lock), so every advisory
 * lock is this process's and the connection never drops; notifications come from PGlite itself.
 */
export class PgliteSession extends EventEmitter<StoreSessionEvents> implements StoreSession {
  private readonly channels = new ChannelListeners();
  private readonly unlisteners = new Map<string, () => Promise<void>>();
  private readonly held = new Set<string>();

  constructor(private readonly pglite: PGlite) {
    super();
  }

  get connected(): boolean {
    return !this.pglite.closed;
  }

  async listen(channel: string, onPayload: (payload: string) => void): Promise<() => void> {
    assertChannelName(channel);
    if (this.channels.add(channel, onPayload)) {
      this.unlisteners.set(
        channel,
        await this.pglite.listen(channel, (payload) => this.channels.dispatch(channel, payload)),
      );
    }
    return () => {
      if (!this.channels.remove(channel, onPayload)) return;
      const unlisten = this.unlisteners.get(channel);
      this.unlisteners.delete(channel);
      if (!this.pglite.closed) unlisten?.().catch(() => {});
    };
  }

  async tryLock(name: string): Promise<boolean> {
    this.held.add(name);
    return true;
  }

  async unlock(name: string): Promise<void> {
    this.held.delete(name);
  }

  holds(name: string): boolean {
    return this.held.has(name);
  }

  async close(): Promise<void> {
    this.held.clear();
  }
}
