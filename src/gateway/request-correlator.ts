import { DeadlineError } from "./deadline.js";
import { ExclusiveLanes } from "./exclusive-lane.js";
import { classifyIbCode, isNotice } from "./ib-codes.js";
import { IbError } from "./ib-error.js";
import {
  decodeEvent,
  type IbEventMap,
  type IbEventName,
  type IbRecord,
  isIbEventName,
  rawIdOf,
  routingOf,
} from "./ib-events.js";
import type { Priority } from "./pacer.js";

/**
 * Ties IB's answers back to the request that asked for them. IB answers through EWrapper callbacks; most carry the
 * request id, order callbacks carry the order id, and some (position, updateAccountValue, openOrder lists,
 * currentTime, commissionReport...) carry none. The connection feeds every IBApi event into {@link dispatch}; each
 * request ("exchange") sees only the events addressed to it.
 *
 * API (every call takes the caller's AbortSignal: deadline or client cancel; see deadline.ts):
 *   gather(opts & { send(reqId) })                  reqId-keyed: a fresh reqId, answers routed by it
 *   gatherOrder(opts & { orderId, send() })          orderId-keyed: openOrder / orderStatus / error for that order
 *   gatherUnkeyed(opts & { send() })                 reqId-less: every listed event until the End marker; use `lane`
 *   next(opts & { event, map, send() }): T           one reqId-less answer (currentTime, managedAccounts...)
 *   allocateReqId(), lanes (ExclusiveLanes), dispatch(name, args), failAll(err), pendingCount
 *
 * GatherOptions (shared by all): items {[EventName.x]: (e) => T | undefined} (typed by ib-events.ts; undefined
 * drops the row), end + isEnd, filter, until, linger {ms, done}, lane, share, cancel + cancelAfterEnd, endOnCodes,
 * priority, noun (for the DEADLINE_EXCEEDED message), signal. See the field docs below.
 *
 * Request ids start at {@link FIRST_REQ_ID}, far above the order ids IB hands out from nextValidId, because IB
 * reports errors for both through the same `id`: disjoint ranges make an error's target unambiguous.
 *
 * Sharing (`share`): callers with the same share key join one request to IB while it is in flight (or queued in its
 * lane). The raw events are shared; each caller maps them with its own `items`, so a caller never gets another's
 * mapping (the heartbeat's `() => true` must not become the RPC's time). The request to IB is cancelled only when the
 * last caller gives up.
 */
export const FIRST_REQ_ID = 1 << 30;
const LAST_REQ_ID = 0x7fff_fffe;

/** An event as IBApi emits it: its arguments. Prefer the typed events of ib-events.ts / GatewayConnection.events. */
export type IbEventArgs = readonly unknown[];

/** What a request needs from the connection to talk to IB. */
export interface RequestTransport {
  /** Sends one message through the connection's pacer; rejects if the connection is gone or the signal aborts. */
  send(write: () => void, signal?: AbortSignal, priority?: Priority): Promise<void>;
  /** The gateway's name, for errors. */
  readonly gatewayName: string;
}

/** Per event: how a collected event becomes a result row (undefined drops it). */
export type ItemMap<T> = { [N in IbEventName]?: (event: IbEventMap[N]) => T | undefined };
/** Per event: a yes/no question about it. */
export type EventPredicates = { [N in IbEventName]?: (event: IbEventMap[N]) => boolean };

export interface GatherOptions<T, E extends IbEventName = IbEventName> {
  /** The EClient method, for error messages ("reqContractDetails"). */
  request: string;
  /** Events the request collects and how each maps to a row. The End marker may be listed too (it then yields a row). */
  items: ItemMap<T>;
  /** The event that completes the request. */
  end: E;
  /** Only an End marker for which this is true ends the request (accountDownloadEnd of *this* account). */
  isEnd?: (event: IbEventMap[E]) => boolean;
  /**
   * Events to ignore entirely (not collected, not counted), e.g. updateAccountValue rows of other accounts. Part of
   * the request's identity when `share` is used.
   */
  filter?: EventPredicates;
  /**
   * An item for which this is true ends the request like the End marker (historicalData's "finished" row). The event
   * is collected first: map it to undefined in `items` to drop it.
   */
  until?: EventPredicates;
  /**
   * After the End marker, keep collecting listed events for `ms` to join late ones (commissionReport after
   * execDetailsEnd), or until `done(records)` says everything expected arrived. The caller's deadline also ends it.
   */
  linger?: { ms: number; done?: (records: readonly IbRecord[]) => boolean };
  /**
   * An exclusive lane (see exclusive-lane.ts, LANE): one request at a time per connection holds it; others queue
   * within their own deadline. Needed for every reqId-less request whose answers could interleave.
   */
  lane?: string;
  /** Identical-request key: concurrent callers with the same key share one request to IB (see the header). */
  share?: string;
  /** Writes IB's cancel. Sent when the call ends before the End marker, and only if the request was ever written. */
  cancel?: (id: number) => void;
  /** Also send `cancel` after a normal end (subscriptions such as reqPositions, reqAccountUpdates). */
  cancelAfterEnd?: boolean;
  /** IB codes that end the request normally instead of failing it (e.g. 162 "no data" for historical queries). */
  endOnCodes?: readonly number[];
  /** Pacing priority of the request message (cancels always go "urgent"). Default "normal". */
  priority?: Priority;
  /** What the collected rows are called in the DEADLINE_EXCEEDED message ("position rows"). Default "messages". */
  noun?: string;
  /** Aborts on deadline or client cancel (see deadlineSignal). */
  signal: AbortSignal;
}

export interface ReqIdGather<T, E extends IbEventName = IbEventName> extends GatherOptions<T, E> {
  /** Writes the request with its fresh reqId. */
  send: (reqId: number) => void;
}

export interface OrderIdGather<T, E extends IbEventName = IbEventName> extends GatherOptions<T, E> {
  /** The order the answers are for (openOrder, orderStatus and error carry it). */
  orderId: number;
  /** Writes the order message (placeOrder, cancelOrder...). */
  send: (orderId: number) => void;
}

export interface UnkeyedGather<T, E extends IbEventName = IbEventName> extends GatherOptions<T, E> {
  /** Writes the request (it has no id). */
  send: () => void;
}

export interface NextOptions<T, E extends IbEventName>
  extends Omit<UnkeyedGather<T, E>, "items" | "end" | "until" | "linger"> {
  /** The one event that answers. */
  event: E;
  /** Maps the answer (each caller its own, even when shared). */
  map: (event: IbEventMap[E]) => T;
}

/** Why a settled request leaves its lane or pacer queue. One shared instance: an Error per request costs a stack trace. */
const SETTLED = new Error("request settled");

type Keying = { kind: "reqId" } | { kind: "orderId"; orderId: number } | { kind: "unkeyed" };

/** What a shared request needs to know about what its callers want (the first caller's options). */
interface ExchangeSpec {
  request: string;
  names: ReadonlySet<IbEventName>;
  end: IbEventName;
  isEnd: ((event: never) => boolean) | undefined;
  filter: EventPredicates | undefined;
  until: EventPredicates | undefined;
  linger: GatherOptions<unknown>["linger"];
  lane: string | undefined;
  cancel: ((id: number) => void) | undefined;
  cancelAfterEnd: boolean;
  endOnCodes: readonly number[] | undefined;
  priority: Priority;
  noun: string;
  send: (id: number) => void;
}

type Phase = "lane" | "pacer" | "sent" | "linger" | "done";

/** One request to IB and the callers waiting on it. */
class Exchange {
  readonly records: IbRecord[] = [];
  phase: Phase = "lane";
  id = 0;
  written = false;
  private callers = 0;
  private readonly abort = new AbortController();
  private releaseLane: (() => void) | undefined;
  private lingerTimer: NodeJS.Timeout | undefined;
  private settle!: { resolve: (r: IbRecord[]) => void; reject: (e: unknown) => void };
  readonly result: Promise<IbRecord[]>;

  constructor(
    private readonly owner: RequestCorrelator,
    readonly spec: ExchangeSpec,
    readonly keying: Keying,
    readonly shareKey: string | undefined,
  ) {
    this.result = new Promise<IbRecord[]>((resolve, reject) => {
      this.settle = { resolve, reject };
    });
    this.result.catch(() => {});
  }

  /** One more caller waits on this exchange until its own signal aborts. */
  join<T>(signal: AbortSignal, items: ItemMap<T>): Promise<T[]> {
    if (signal.aborted) return Promise.reject(this.explain(signal.reason));
    this.callers++;
    return new Promise<T[]>((resolve, reject) => {
      const onAbort = () => {
        reject(this.explain(signal.reason));
        this.leave(signal.reason);
      };
      signal.addEventListener("abort", onAbort, { once: true });
      this.result.then(
        (records) => {
          signal.removeEventListener("abort", onAbort);
          try {
            resolve(mapRecords(records, items));
          } catch (err) {
            reject(err);
          }
        },
        (err: unknown) => {
          signal.removeEventListener("abort", onAbort);
          reject(err);
        },
      );
    });
  }

  async start(): Promise<void> {
    const { spec, owner } = this;
    try {
      if (spec.lane) this.releaseLane = await owner.lanes.get(spec.lane).acquire(this.abort.signal);
      if (this.phase === "done") {
        this.releaseLane?.();
        return;
      }
      this.id = this.keying.kind === "orderId" ? this.keying.orderId : owner.allocateReqId();
      owner.register(this);
      this.phase = "pacer";
      await owner.transport.send(
        () => {
          this.written = true;
          spec.send(this.id);
        },
        this.abort.signal,
        spec.priority,
      );
      if (this.phase === "pacer") this.phase = "sent";
    } catch (err) {
      this.fail(this.abort.signal.aborted ? this.abort.signal.reason : err);
    }
  }

  onEvent(name: IbEventName, args: IbEventArgs): void {
    if (this.phase === "done" || this.phase === "lane") return;
    const { spec } = this;
    const isEnd = name === spec.end;
    const isItem = spec.names.has(name);
    if (!isEnd && !isItem) return;
    const event = decodeEvent(name, args);
    if (isEnd && this.phase !== "linger") {
      if (spec.isEnd && !spec.isEnd(event as never)) return;
      if (isItem) this.records.push({ name, event } as IbRecord);
      this.ended();
      return;
    }
    if (!isItem) return;
    const filter = spec.filter?.[name] as ((e: unknown) => boolean) | undefined;
    if (filter && !filter(event)) return;
    this.records.push({ name, event } as IbRecord);
    if (this.phase === "linger") {
      if (spec.linger?.done?.(this.records)) this.finish();
      return;
    }
    const until = spec.until?.[name] as ((e: unknown) => boolean) | undefined;
    if (until?.(event)) this.ended();
  }

  onError(code: number, message: string, advanced: string | undefined): void {
    if (this.phase === "done" || this.phase === "linger" || isNotice(code)) return;
    if (this.spec.endOnCodes?.includes(code)) {
      this.finish();
      return;
    }
    this.fail(
      new IbError(code, message, {
        gateway: this.owner.transport.gatewayName,
        reqId: this.id,
        advancedOrderRejectJson: advanced,
        grpcCode: classifyIbCode(code).grpc,
      }),
    );
  }

  /** The End marker (or an `until` row) arrived: linger for late joins, or finish. */
  private ended(): void {
    const linger = this.spec.linger;
    if (!linger || linger.done?.(this.records)) {
      this.finish();
      return;
    }
    this.phase = "linger";
    this.lingerTimer = setTimeout(() => this.finish(), linger.ms);
  }

  finish(): void {
    if (this.phase === "done") return;
    const cancelNow = this.spec.cancelAfterEnd && this.written;
    this.close();
    if (cancelNow) this.sendCancel();
    this.settle.resolve(this.records);
  }

  fail(err: unknown): void {
    if (this.phase === "done") return;
    // The End marker already came: the answer is whole, only late extras are lost.
    if (this.phase === "linger") {
      this.finish();
      return;
    }
    const cancelNow = this.written;
    this.close();
    if (cancelNow) this.sendCancel();
    this.settle.reject(err);
  }

  /** A caller gave up; the last one to leave ends the request (a deadline during the linger keeps what came). */
  private leave(reason: unknown): void {
    if (--this.callers > 0 || this.phase === "done") return;
    if (this.phase === "linger") {
      this.finish();
      return;
    }
    this.abort.abort(reason);
    this.fail(reason);
  }

  private close(): void {
    this.phase = "done";
    if (this.lingerTimer) clearTimeout(this.lingerTimer);
    // Drops the request from the lane queue or the pacer if it is still waiting there.
    if (!this.abort.signal.aborted) this.abort.abort(SETTLED);
    this.owner.unregister(this);
    this.releaseLane?.();
  }

  private sendCancel(): void {
    const cancel = this.spec.cancel;
    if (!cancel) return;
    const id = this.id;
    // Best effort and urgent: the caller is gone (or done), IB should stop working for it.
    this.owner.transport.send(() => cancel(id), undefined, "urgent").catch(() => {});
  }

  /** A deadline says what was gathered and what was still missing. */
  private explain(reason: unknown): unknown {
    if (!(reason instanceof DeadlineError)) return reason;
    const { spec } = this;
    const gateway = this.owner.transport.gatewayName;
    let progress: string;
    if (this.phase === "lane") {
      progress = `still queued for the ${spec.lane} lane (another request holds it), not sent`;
    } else if (this.phase === "pacer") {
      progress = "still queued in the pacer, not sent";
    } else {
      progress = `${this.records.length} ${spec.noun} gathered`;
    }
    return reason.restate(`${spec.request}: ${progress}, no ${spec.end} from gateway ${gateway}`);
  }
}

function listenedNames(spec: ExchangeSpec): IbEventName[] {
  const names: IbEventName[] = [...spec.names];
  if (!spec.names.has(spec.end)) names.push(spec.end);
  return names;
}

function mapRecords<T>(records: readonly IbRecord[], items: ItemMap<T>): T[] {
  const out: T[] = [];
  for (const r of records) {
    const map = items[r.name] as ((e: unknown) => T | undefined) | undefined;
    if (!map) continue;
    const v = map(r.event);
    if (v !== undefined) out.push(v);
  }
  return out;
}

export class RequestCorrelator {
  /** The connection's exclusive lanes (reqPositions, reqAccountUpdates, open orders...). */
  readonly lanes = new ExclusiveLanes();
  private nextReqId = FIRST_REQ_ID;
  private readonly byReqId = new Map<number, Exchange>();
  private readonly byOrderId = new Map<number, Set<Exchange>>();
  private readonly byEvent = new Map<IbEventName, Set<Exchange>>();
  private readonly shared = new Map<string, Exchange>();
  private readonly live = new Set<Exchange>();

  constructor(readonly transport: RequestTransport) {}

  /** Requests currently waiting for IB (in a lane, in the pacer, or gathering). */
  get pendingCount(): number {
    return this.live.size;
  }

  /** A fresh request id: never reused within a connection, disjoint from order ids. */
  allocateReqId(): number {
    const id = this.nextReqId;
    this.nextReqId = id >= LAST_REQ_ID ? FIRST_REQ_ID : id + 1;
    return id;
  }

  /** Sends a request with a fresh reqId and collects the mapped events until the End marker. */
  gather<T, E extends IbEventName>(opts: ReqIdGather<T, E>): Promise<T[]> {
    return this.run(opts, { kind: "reqId" }, opts.send);
  }

  /** Sends an order message and collects openOrder / orderStatus (and fails on error) for that orderId. */
  gatherOrder<T, E extends IbEventName>(opts: OrderIdGather<T, E>): Promise<T[]> {
    return this.run(
      { ...opts, priority: opts.priority ?? "urgent" },
      { kind: "orderId", orderId: opts.orderId },
      opts.send,
    );
  }

  /** Sends a request IB answers without an id and collects every listed event up to the End marker. */
  gatherUnkeyed<T, E extends IbEventName>(opts: UnkeyedGather<T, E>): Promise<T[]> {
    return this.run(opts, { kind: "unkeyed" }, () => opts.send());
  }

  /**
   * One reqId-less answer (reqCurrentTime -> currentTime). Concurrent callers share one request (key: `share`,
   * default the request name): IB could not tell their answers apart anyway, and it saves pacing budget.
   */
  async next<T, E extends IbEventName>(opts: NextOptions<T, E>): Promise<T> {
    const items = { [opts.event]: opts.map } as ItemMap<T>;
    const [first] = await this.run(
      { ...opts, items, end: opts.event, share: opts.share ?? opts.request, noun: opts.noun ?? "answers" },
      { kind: "unkeyed" },
      () => opts.send(),
    );
    return first as T;
  }

  /** Routes one IBApi event. Called for every event of the connection, so it stays a few map lookups. */
  dispatch(name: string, args: IbEventArgs): void {
    if (!isIbEventName(name)) return;
    if (name === "error") {
      const [err, code, id, advanced] = args as [Error, number, number, unknown];
      const json = advanced === undefined ? undefined : JSON.stringify(advanced);
      this.byReqId.get(id)?.onError(code, err.message, json);
      const orders = this.byOrderId.get(id);
      if (orders) for (const ex of [...orders]) ex.onError(code, err.message, json);
      return;
    }
    const routing = routingOf(name);
    if (routing !== undefined) {
      const id = rawIdOf(name, args);
      if (id !== undefined) {
        if (routing === "reqId") this.byReqId.get(id)?.onEvent(name, args);
        else {
          const orders = this.byOrderId.get(id);
          if (orders) for (const ex of [...orders]) ex.onEvent(name, args);
        }
      }
    }
    const listening = this.byEvent.get(name);
    if (listening) for (const ex of [...listening]) ex.onEvent(name, args);
  }

  /** Fails every request in flight: the connection is gone, no answer will come. */
  failAll(err: unknown): void {
    for (const ex of [...this.live]) ex.fail(err);
  }

  /** @internal Exchange -> routing tables, once it holds its lane. */
  register(ex: Exchange): void {
    const { keying, spec } = ex;
    if (keying.kind === "reqId") this.byReqId.set(ex.id, ex);
    if (keying.kind === "orderId") {
      const set = this.byOrderId.get(ex.id) ?? new Set();
      set.add(ex);
      this.byOrderId.set(ex.id, set);
    }
    // Keyed exchanges get their addressed events from the tables above; they listen by name only for broadcasts
    // (commissionReport). Unkeyed ones listen by name for everything they collect.
    for (const name of listenedNames(spec)) {
      if (keying.kind !== "unkeyed" && routingOf(name) !== undefined) continue;
      const set = this.byEvent.get(name) ?? new Set();
      set.add(ex);
      this.byEvent.set(name, set);
    }
  }

  /** @internal */
  unregister(ex: Exchange): void {
    this.live.delete(ex);
    if (ex.shareKey !== undefined && this.shared.get(ex.shareKey) === ex) this.shared.delete(ex.shareKey);
    if (ex.keying.kind === "reqId" && this.byReqId.get(ex.id) === ex) this.byReqId.delete(ex.id);
    if (ex.keying.kind === "orderId") {
      const set = this.byOrderId.get(ex.id);
      set?.delete(ex);
      if (set?.size === 0) this.byOrderId.delete(ex.id);
    }
    for (const name of listenedNames(ex.spec)) {
      const set = this.byEvent.get(name);
      if (!set) continue;
      set.delete(ex);
      if (set.size === 0) this.byEvent.delete(name);
    }
  }

  private run<T, E extends IbEventName>(
    opts: GatherOptions<T, E>,
    keying: Keying,
    send: (id: number) => void,
  ): Promise<T[]> {
    const shareKey = opts.share === undefined ? undefined : `${keying.kind}:${opts.share}`;
    const existing = shareKey === undefined ? undefined : this.shared.get(shareKey);
    if (existing) return existing.join(opts.signal, opts.items);
    if (opts.signal.aborted) return Promise.reject(opts.signal.reason);
    const spec: ExchangeSpec = {
      request: opts.request,
      names: new Set([...Object.keys(opts.items), ...Object.keys(opts.until ?? {})] as IbEventName[]),
      end: opts.end,
      isEnd: opts.isEnd as ((event: never) => boolean) | undefined,
      filter: opts.filter,
      until: opts.until,
      linger: opts.linger,
      lane: opts.lane,
      cancel: opts.cancel,
      cancelAfterEnd: opts.cancelAfterEnd ?? false,
      endOnCodes: opts.endOnCodes,
      priority: opts.priority ?? "normal",
      noun: opts.noun ?? "messages",
      send,
    };
    const ex = new Exchange(this, spec, keying, shareKey);
    this.live.add(ex);
    if (shareKey !== undefined) this.shared.set(shareKey, ex);
    const answer = ex.join(opts.signal, opts.items);
    void ex.start();
    return answer;
  }
}
