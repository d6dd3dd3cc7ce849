import type { EventEmitter } from "node:events";

export interface StoreSessionEvents {
  /** The session's connection dropped: every lock it held is gone (the database released them) and notifications
   * sent until `restored` are missed. */
  lost: [locks: string[]];
  /** Connected (again), listening on every channel; locks must be taken anew. */
  restored: [];
}

/**
 * One long-lived database session of this process, for what a pooled connection cannot do: LISTEN (notifications
 * reach the session that listens) and session-level advisory locks (held as long as the session lives, released by
 * the database when the process dies: how a killed leader is replaced).
 */
export interface StoreSession extends EventEmitter<StoreSessionEvents> {
  /** Connected now. */
  readonly connected: boolean;
  /** Calls `onPayload` for every NOTIFY on `channel`, across reconnects, until the returned function is called. */
  listen(channel: string, onPayload: (payload: string) => void): Promise<() => void>;
  /** Takes the advisory lock `name` unless another session holds it; true when this session holds it. */
  tryLock(name: string): Promise<boolean>;
  /** Releases `name` if held. */
  unlock(name: string): Promise<void>;
  /** True while this session holds `name` (cleared the moment the connection drops). */
  holds(name: string): boolean;
  close(): Promise<void>;
}

/** The fan-out of notifications by channel, shared by both engines' sessions. */
export class ChannelListeners {
  private readonly byChannel = new Map<string, Set<(payload: string) => void>>();

  get channels(): string[] {
    return [...this.byChannel.keys()];
  }

  /** Adds a listener; true when it is the channel's first (the session must LISTEN). */
  add(channel: string, fn: (payload: string) => void): boolean {
    const set = this.byChannel.get(channel) ?? new Set();
    const first = set.size === 0;
    set.add(fn);
    this.byChannel.set(channel, set);
    return first;
  }

  /** Removes a listener; true when the channel has none left (the session may UNLISTEN). */
  remove(channel: string, fn: (payload: string) => void): boolean {
    const set = this.byChannel.get(channel);
    if (!set) return false;
    set.delete(fn);
    if (set.size > 0) return false;
    this.byChannel.delete(channel);
    return true;
  }

  dispatch(channel: string, payload: string): void {
    for (const fn of [...(this.byChannel.get(channel) ?? [])]) fn(payload);
  }
}

/** A channel name safe to splice into LISTEN (identifiers cannot be bound as parameters). */
export function assertChannelName(channel: string): string {
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(channel)) throw new Error(`invalid notification channel name "${channel}"`);
  return channel;
}
