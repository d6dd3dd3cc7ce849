import { EventName } from "@stoqey/ib";
import { deadlineSignal } from "./deadline.js";
import { classifyIbCode, isNotice } from "./ib-codes.js";
import { IbError } from "./ib-error.js";

/**
 * Ties IB's answers back to the request that asked for them. IB answers asynchronously through EWrapper callbacks;
 * most carry the request id as their first argument, a few (currentTime, managedAccounts, nextValidId) carry none.
 * The connection feeds every IBApi event into {@link RequestCorrelator.dispatch}; each pending request sees only
 * the events addressed to it.
 *
 * Request ids start at {@link FIRST_REQ_ID}, far above the order ids IB hands out from nextValidId, because IB
 * reports errors for both through the same `id`: disjoint ranges make an error's target unambiguous.
 */
export const FIRST_REQ_ID = 1 << 30;
const LAST_REQ_ID = 0x7fff_fffe;
/** Upper bound of a shared wait for a reqId-less answer; each caller's own deadline is usually shorter. */
const SHARED_WAIT_MS = 60_000;

/** An event as IBApi emits it: its name and its arguments. */
export type IbEventArgs = readonly unknown[];

/** What a request needs from the connection to talk to IB. */
export interface RequestTransport {
  /** Sends one message through the connection's pacer; rejects if the connection is gone or the signal aborts. */
  send(write: () => void, signal?: AbortSignal): Promise<void>;
  /** The gateway's name, for errors. */
  readonly gatewayName: string;
}

export interface GatherSpec<T> {
  /** The EClient method, for error messages ("reqContractDetails"). */
  request: string;
  /** Writes the request with its id. */
  send: (reqId: number) => void;
  /** Writes IB's cancel for the request, when the call ends before IB's End marker. */
  cancel?: (reqId: number) => void;
  /** Events (carrying the reqId as first argument) whose data the request collects, and how to map them. */
  items: Partial<Record<EventName, (args: IbEventArgs) => T>>;
  /** The event that completes the request (it may also be listed in items). */
  end: EventName;
  /** IB codes that end the request normally instead of failing it (e.g. 162 "no data" for historical queries). */
  endOnCodes?: readonly number[];
  /** Aborts on deadline or client cancel (see deadlineSignal). */
  signal: AbortSignal;
}

interface Pending {
  onEvent(name: EventName, args: IbEventArgs): void;
  onError(code: number, message: string, advancedOrderRejectJson: string | undefined): void;
  fail(err: unknown): void;
}

interface Waiter {
  onEvent(args: IbEventArgs): void;
  fail(err: unknown): void;
}

export class RequestCorrelator {
  private nextReqId = FIRST_REQ_ID;
  private readonly pending = new Map<number, Pending>();
  private readonly waiters = new Map<EventName, Set<Waiter>>();
  private readonly inFlight = new Map<string, Promise<unknown>>();

  constructor(private readonly transport: RequestTransport) {}

  /** Requests currently waiting for IB. */
  get pendingCount(): number {
    let n = this.pending.size;
    for (const set of this.waiters.values()) n += set.size;
    return n;
  }

  /** A fresh request id: never reused within a connection, disjoint from order ids. */
  allocateReqId(): number {
    const id = this.nextReqId;
    this.nextReqId = id >= LAST_REQ_ID ? FIRST_REQ_ID : id + 1;
    return id;
  }

  /** Routes one IBApi event. Called for every event of the connection, so it stays a map lookup. */
  dispatch(name: EventName, args: IbEventArgs): void {
    if (name === EventName.error) {
      const [err, code, reqId, advanced] = args as [Error, number, number, unknown];
      const pending = this.pending.get(reqId);
      pending?.onError(code, err.message, advanced === undefined ? undefined : JSON.stringify(advanced));
      return;
    }
    const id = args[0];
    if (typeof id === "number") this.pending.get(id)?.onEvent(name, args);
    const waiting = this.waiters.get(name);
    if (waiting) for (const w of [...waiting]) w.onEvent(args);
  }

  /** Fails every request in flight: the connection is gone, no answer will come. */
  failAll(err: unknown): void {
    for (const p of [...this.pending.values()]) p.fail(err);
    for (const set of [...this.waiters.values()]) for (const w of [...set]) w.fail(err);
  }

  /**
   * Sends a request with a fresh reqId and collects the mapped events until the End marker. On deadline or
   * cancel, sends IB's cancel (if any) and rejects with the signal's reason.
   */
  gather<T>(spec: GatherSpec<T>): Promise<T[]> {
    const reqId = this.allocateReqId();
    const items: T[] = [];
    return new Promise<T[]>((resolve, reject) => {
      const finish = (err?: unknown) => {
        if (!this.pending.delete(reqId)) return;
        spec.signal.removeEventListener("abort", onAbort);
        if (err === undefined) resolve(items);
        else reject(err);
      };
      const onAbort = () => {
        if (spec.cancel && this.pending.has(reqId)) {
          const cancel = spec.cancel;
          // Best effort: the caller is gone, but IB should stop working for it.
          this.transport.send(() => cancel(reqId)).catch(() => {});
        }
        finish(spec.signal.reason);
      };
      this.pending.set(reqId, {
        onEvent: (name, args) => {
          const map = spec.items[name];
          if (map) items.push(map(args));
          if (name === spec.end) finish();
        },
        onError: (code, message, advanced) => {
          if (isNotice(code)) return;
          if (spec.endOnCodes?.includes(code)) return finish();
          finish(
            new IbError(code, message, {
              gateway: this.transport.gatewayName,
              reqId,
              advancedOrderRejectJson: advanced,
              grpcCode: classifyIbCode(code).grpc,
            }),
          );
        },
        fail: (err) => finish(err),
      });
      if (spec.signal.aborted) return onAbort();
      spec.signal.addEventListener("abort", onAbort, { once: true });
      this.transport.send(() => spec.send(reqId), spec.signal).catch((err) => finish(err));
    });
  }

  /**
   * For requests IB answers without a reqId (reqCurrentTime -> currentTime): sends the request and resolves with
   * the next `event`. Concurrent callers with the same `key` share one request to IB and one answer: IB could not
   * tell their answers apart anyway, and it saves pacing budget.
   */
  next<T>(
    key: string,
    event: EventName,
    send: () => void,
    map: (args: IbEventArgs) => T,
    signal: AbortSignal,
  ): Promise<T> {
    let shared = this.inFlight.get(key) as Promise<T> | undefined;
    if (!shared) {
      // The shared wait outlives any one caller (each races its own signal below); its own bound only cleans up.
      const sharedSignal = deadlineSignal(
        { timeoutMs: SHARED_WAIT_MS },
        () => `${key}: no ${event} from gateway ${this.transport.gatewayName}`,
      );
      shared = this.awaitEvent(event, map, send, sharedSignal).finally(() => this.inFlight.delete(key));
      shared.catch(() => {});
      this.inFlight.set(key, shared);
    }
    return raceSignal(shared, signal);
  }

  private awaitEvent<T>(
    event: EventName,
    map: (args: IbEventArgs) => T,
    send: () => void,
    signal: AbortSignal,
  ): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const set = this.waiters.get(event) ?? new Set<Waiter>();
      this.waiters.set(event, set);
      const done = () => {
        set.delete(waiter);
        if (set.size === 0) this.waiters.delete(event);
        signal.removeEventListener("abort", onAbort);
      };
      const onAbort = () => {
        done();
        reject(signal.reason);
      };
      const waiter: Waiter = {
        onEvent: (args) => {
          done();
          resolve(map(args));
        },
        fail: (err) => {
          done();
          reject(err);
        },
      };
      set.add(waiter);
      if (signal.aborted) return onAbort();
      signal.addEventListener("abort", onAbort, { once: true });
      this.transport.send(send, signal).catch((err) => waiter.fail(err));
    });
  }
}

/** Lets one caller stop waiting on a shared promise without failing it for the others. */
function raceSignal<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener("abort", onAbort, { once: true });
    promise.then(
      (v) => {
        signal.removeEventListener("abort", onAbort);
        resolve(v);
      },
      (e) => {
        signal.removeEventListener("abort", onAbort);
        reject(e);
      },
    );
  });
}
