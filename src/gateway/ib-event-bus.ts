import { decodeEvent, type IbEventMap, type IbEventName, isIbEventName } from "./ib-events.js";

/**
 * Typed subscriptions to one connection's IBApi events (GatewayConnection.events). Subscribers that route by reqId
 * themselves (the feed hub), or watch broadcasts (orders, account updates), listen here instead of on IBApi, so they
 * get named fields and never an `unknown[]`.
 *
 * API:
 *   bus.on(EventName.tickPrice, (e) => e.reqId ...): () => void      returns the unsubscribe function
 *   bus.once(EventName.positionEnd, (e) => ...): () => void
 *   bus.dispatch(name, args)                                         the connection feeds every raw event
 *
 * An event is decoded once per dispatch, and only when someone listens to it. A throwing listener is isolated (logged
 * through `onListenerError`) so one subscriber's bug cannot break the connection's read loop or other subscribers.
 */
export type IbListener<N extends IbEventName> = (event: IbEventMap[N]) => void;

export class IbEventBus {
  private readonly listeners = new Map<IbEventName, Set<IbListener<never>>>();

  constructor(private readonly onListenerError: (err: unknown, name: IbEventName) => void = () => {}) {}

  on<N extends IbEventName>(name: N, listener: IbListener<N>): () => void {
    let set = this.listeners.get(name);
    if (!set) {
      set = new Set();
      this.listeners.set(name, set);
    }
    set.add(listener as IbListener<never>);
    return () => {
      set.delete(listener as IbListener<never>);
      if (set.size === 0 && this.listeners.get(name) === set) this.listeners.delete(name);
    };
  }

  once<N extends IbEventName>(name: N, listener: IbListener<N>): () => void {
    const off = this.on(name, (event) => {
      off();
      listener(event);
    });
    return off;
  }

  /** Number of listeners for `name` (for tests and leak checks). */
  listenerCount(name: IbEventName): number {
    return this.listeners.get(name)?.size ?? 0;
  }

  /** Delivers one raw IBApi event to its typed listeners. */
  dispatch(name: string, args: readonly unknown[]): void {
    if (!isIbEventName(name)) return;
    const set = this.listeners.get(name);
    if (!set || set.size === 0) return;
    const event = decodeEvent(name, args);
    for (const listener of [...set]) {
      try {
        (listener as IbListener<typeof name>)(event);
      } catch (err) {
        this.onListenerError(err, name);
      }
    }
  }
}
