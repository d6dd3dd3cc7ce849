import { Code, ConnectError } from "@connectrpc/connect";
import { EventName } from "@stoqey/ib";
import { type Logger, pino } from "pino";
import { GapReason } from "../../gen/ibrpc/v1/common_pb.js";
import type { GatewayConnection, IbNotice } from "../gateway/gateway-connection.js";
import { classifyIbCode, isNotice } from "../gateway/ib-codes.js";
import { IbError } from "../gateway/ib-error.js";
import type { IbEventArgs } from "../gateway/request-correlator.js";
import { Feed, type FeedObserver, FeedStream } from "./feed.js";
import type { FeedKind, FeedSpec, ScarceResource } from "./feed-spec.js";
import { ResourceBudgets, type ResourceHolder, type ResourceLimits } from "./resource-budgets.js";

export interface HubOptions {
  /** Budgets of IB's scarce resources (defaults: IB's). */
  limits?: Partial<ResourceLimits>;
  /**
   * How long a subscription nobody watches stays open at IB, so that a quick re-subscribe (a client reconnecting,
   * a page reload) does not churn IB requests. @default 1000
   */
  lingerMs?: number;
  /** Messages one stream may have unread (conflated slots count once). @default 4096 */
  streamCapacity?: number;
  /** First and longest wait before re-requesting a feed IB cancelled (e.g. 10197 competing session). */
  retry?: { initialMs: number; maxMs: number };
  /** How often quiet feeds are looked at (see FeedSpec.livenessMs). @default 1000 */
  livenessCheckMs?: number;
  /** Ends every stream (UNAVAILABLE) when the server shuts down. */
  shutdown?: AbortSignal;
  logger?: Logger;
  /** Metric hooks (optional so the hub stands alone in tests). */
  observer?: HubObserver;
}

/** What the hub reports for metrics. */
export interface HubObserver {
  feedsChanged?(gateway: string, counts: ReadonlyMap<FeedKind, number>, lines: number, limit: number): void;
  conflated?(kind: FeedKind): void;
  cutOff?(kind: FeedKind): void;
}

/** One feed as {@link Hub.status} shows it. */
export interface FeedStatus {
  key: string;
  kind: FeedKind;
  describe: string;
  streams: number;
  reqId: number | undefined;
  lingering: boolean;
  waiting: boolean;
  /** Each stream's buffer: messages unread, and how many were conflated away for a slow reader. */
  buffers: Array<{ queued: number; conflated: number }>;
}

export interface HubStatus {
  feeds: FeedStatus[];
  inUse: Record<ScarceResource, number>;
  limits: ResourceLimits;
}

/**
 * IB errors that mean IB stopped a feed that may come back (not that the request was wrong): the feed is re-requested
 * with backoff and its streams get a Gap, instead of ending. 10197: no market data during a competing live session;
 * 10182: failed to request live updates (disconnected); 10225: bust event, subscription deactivated; 2103/2105:
 * a farm connection broke.
 */
const INTERRUPTIONS: ReadonlySet<number> = new Set([10197, 10182, 10225, 2103, 2105]);

/** A feed as the hub holds it (the message type is the service's business). */
type IbFeed = Feed<unknown, FeedSpec<unknown>>;

/** IB's limit errors keep RESOURCE_EXHAUSTED even where ib-codes has no entry (10190: tick-by-tick limit). */
const LIMIT_CODES: ReadonlySet<number> = new Set([101, 309, 10190]);

const DEFAULTS = {
  lingerMs: 1_000,
  streamCapacity: 4_096,
  retry: { initialMs: 1_000, maxMs: 30_000 },
  livenessCheckMs: 1_000,
};

/**
 * The subscription hub of one gateway: every streaming RPC subscribes to a key (the normalized IB request); the first
 * subscriber opens the IB subscription, later ones share it and get its current state at once; the last one leaving
 * cancels it after a short linger. Scarce resources are budgeted. The hub never awaits a client: each stream has its
 * own bounded, conflating buffer. After a reconnect, a 1101 or a feed IB cancelled, every live key is re-requested and
 * each stream gets a Gap before fresh data; streams wait through a gateway outage instead of ending.
 */
export class Hub {
  readonly budgets: ResourceBudgets;
  private readonly feeds = new Map<string, IbFeed>();
  private readonly byReqId = new Map<number, IbFeed>();
  private readonly byEvent = new Map<EventName, IbFeed>();
  private readonly opts: typeof DEFAULTS;
  private readonly log: Logger;
  private readonly observer: HubObserver;
  private readonly feedObserver: FeedObserver;
  private connected: boolean;
  private closedWith: Error | undefined;
  private readonly livenessTimer: NodeJS.Timeout;
  private readonly onEvent = (name: EventName, args: IbEventArgs) => this.route(name, args);
  private readonly onChange = () => this.onGatewayChange();
  private readonly onNotice = (notice: IbNotice) => this.onGatewayNotice(notice);
  private readonly onShutdown = () => this.close(new ConnectError("server is shutting down", Code.Unavailable));

  constructor(
    private readonly gw: GatewayConnection,
    private readonly options: HubOptions = {},
  ) {
    this.opts = {
      lingerMs: options.lingerMs ?? DEFAULTS.lingerMs,
      streamCapacity: options.streamCapacity ?? DEFAULTS.streamCapacity,
      retry: options.retry ?? DEFAULTS.retry,
      livenessCheckMs: options.livenessCheckMs ?? DEFAULTS.livenessCheckMs,
    };
    this.budgets = new ResourceBudgets(options.limits);
    this.log = (options.logger ?? pino({ level: "silent" })).child({ component: "hub", gateway: gw.name });
    this.observer = options.observer ?? {};
    this.feedObserver = {
      conflated: (feed) => this.observer.conflated?.(feed.spec.kind),
      cutOff: (feed, stream) => {
        this.observer.cutOff?.(feed.spec.kind);
        this.log.warn({ feed: feed.spec.describe }, "slow client cut off");
        this.leave(feed as IbFeed, stream);
      },
    };
    this.connected = gw.isConnected;
    gw.on("event", this.onEvent);
    gw.on("change", this.onChange);
    gw.on("notice", this.onNotice);
    options.shutdown?.addEventListener("abort", this.onShutdown, { once: true });
    this.livenessTimer = setInterval(() => this.checkLiveness(), this.opts.livenessCheckMs);
    this.livenessTimer.unref();
    if (options.shutdown?.aborted) this.onShutdown();
  }

  /**
   * Subscribes one stream to `spec.key`: fails at once (UNAVAILABLE while the gateway is down, RESOURCE_EXHAUSTED past
   * a budget); otherwise yields the current state, then live messages (and Gaps) until `signal` aborts, the feed
   * fails (IB's error, mapped), completes (a snapshot), or the client is cut off for being too slow.
   * `withState: false` skips the current state (news bulletins asked without all_msgs get only new ones).
   */
  subscribe<M>(spec: FeedSpec<M>, signal: AbortSignal, options: { withState?: boolean } = {}): AsyncGenerator<M> {
    if (this.closedWith) throw this.closedWith;
    if (!this.gw.isConnected) {
      throw new IbError(504, `gateway ${this.gw.name} (${this.gw.address}) is not connected`, {
        gateway: this.gw.name,
      });
    }
    let feed = this.feeds.get(spec.key) as Feed<M, FeedSpec<M>> | undefined;
    if (!feed) {
      if (spec.resource) this.reserve(spec.resource);
      feed = new Feed<M, FeedSpec<M>>(spec);
      this.feeds.set(spec.key, feed as IbFeed);
      this.open(feed as IbFeed);
      this.reportFeeds();
    } else if (feed.lingerTimer) {
      clearTimeout(feed.lingerTimer);
      feed.lingerTimer = undefined;
    }
    const stream = new FeedStream<M>(feed, this.opts.streamCapacity, this.feedObserver);
    if (options.withState ?? true) feed.sendStateTo(stream);
    feed.streams.add(stream);
    const joined = feed;
    // The generator's `finally` only runs once iteration started; a call cancelled before that leaves here.
    const onAbort = () => this.leave(joined as IbFeed, stream as FeedStream<unknown>);
    signal.addEventListener("abort", onAbort, { once: true });
    return stream.queue.iterate(signal, () => {
      signal.removeEventListener("abort", onAbort);
      this.leave(joined as IbFeed, stream as FeedStream<unknown>);
    });
  }

  /** The feeds held now, for tests, the admin view and metrics. */
  status(): HubStatus {
    const feeds = [...this.feeds.values()].map((f) => ({
      key: f.spec.key,
      kind: f.spec.kind,
      describe: f.spec.describe,
      streams: f.streams.size,
      reqId: f.reqId,
      lingering: f.lingerTimer !== undefined,
      waiting: f.reqId === undefined,
      buffers: [...f.streams].map((st) => ({ queued: st.queue.size, conflated: st.queue.conflated })),
    }));
    const inUse = {
      marketDataLines: this.budgets.inUse("marketDataLines"),
      depth: this.budgets.inUse("depth"),
      tickByTick: this.budgets.inUse("tickByTick"),
      keepUpToDate: this.budgets.inUse("keepUpToDate"),
      accountUpdates: this.budgets.inUse("accountUpdates"),
    };
    return { feeds, inUse, limits: this.budgets.limits };
  }

  /** Ends every stream with `reason`, cancels every feed at IB (best effort) and stops listening. Idempotent. */
  close(reason: Error): void {
    if (this.closedWith) return;
    this.closedWith = reason;
    clearInterval(this.livenessTimer);
    for (const feed of [...this.feeds.values()]) {
      feed.endStreams(reason);
      this.drop(feed, true);
    }
    this.gw.off("event", this.onEvent);
    this.gw.off("change", this.onChange);
    this.gw.off("notice", this.onNotice);
    this.options.shutdown?.removeEventListener("abort", this.onShutdown);
  }

  // --- IB side -------------------------------------------------------------------------------------------------

  /** Takes one unit of `resource`, evicting a lingering feed if that makes room; else RESOURCE_EXHAUSTED. */
  private reserve(resource: ScarceResource): void {
    if (!this.budgets.hasRoom(resource)) {
      const idle = [...this.feeds.values()].find((f) => f.spec.resource === resource && f.streams.size === 0);
      if (idle) this.drop(idle, true);
    }
    if (!this.budgets.hasRoom(resource)) {
      const holders: ResourceHolder[] = [...this.feeds.values()]
        .filter((f) => f.spec.resource === resource)
        .map((f) => ({ describe: f.spec.describe, streams: f.streams.size }));
      throw this.budgets.exhausted(resource, this.gw.name, holders);
    }
    this.budgets.take(resource);
  }

  /** Sends the feed's request with a fresh reqId; a gateway that is down re-opens it when it is back. */
  private open(feed: IbFeed): void {
    this.unbind(feed);
    if (!this.gw.isConnected) return;
    if (feed.spec.lane && !feed.releaseLane) {
      // One such request per connection: wait for a unary call holding the lane, then keep it while the feed lives.
      feed.laneWait ??= this.gw.correlator.lanes
        .get(feed.spec.lane)
        .acquire()
        .then((release) => {
          feed.laneWait = undefined;
          if (feed.closed) return release();
          feed.releaseLane = release;
          this.open(feed);
        });
      return;
    }
    const reqId = feed.spec.reqIdLess ? -1 : this.gw.correlator.allocateReqId();
    feed.reqId = reqId;
    if (feed.spec.reqIdLess) for (const name of feed.spec.reqIdLess) this.byEvent.set(name, feed);
    else this.byReqId.set(reqId, feed);
    feed.lastEventAt = Date.now();
    const ib = this.gw;
    const failed = (err: unknown) => {
      // Not connected any more: the reconnect re-opens it. Anything else (a full pacer queue) fails the feed.
      if (this.gw.isConnected && feed.reqId === reqId) this.fail(feed, err);
    };
    const paced = feed.spec.paced;
    if (!paced) {
      this.gw.send(() => feed.spec.open(ib.ib, reqId)).catch(failed);
      return;
    }
    // IB counts a historical request from its write to its answer: the pacer holds the slot until the first event.
    const controller = new AbortController();
    feed.openAbort = controller;
    this.gw.historicalPacer
      .run(paced, controller.signal, (attempt) => {
        if (feed.reqId !== reqId) return Promise.resolve();
        return new Promise<void>((resolve, reject) => {
          feed.answered = resolve;
          this.gw
            .send(() => {
              feed.spec.open(ib.ib, reqId);
              attempt.written();
            }, controller.signal)
            .catch(reject);
        });
      })
      .catch((err: unknown) => {
        if (!controller.signal.aborted) failed(err);
      });
  }

  /** Cancels the feed's current request at IB (best effort) and forgets its routing. */
  private cancelAtIb(feed: IbFeed): void {
    const reqId = feed.reqId;
    this.unbind(feed);
    if (reqId === undefined || !this.gw.isConnected) return;
    const ib = this.gw;
    // Urgent: a cancel frees IB resources and must not wait behind queued requests.
    this.gw.send(() => feed.spec.cancel(ib.ib, reqId), undefined, "urgent").catch(() => {});
  }

  private unbind(feed: IbFeed): void {
    feed.openAbort?.abort();
    feed.openAbort = undefined;
    feed.answered?.();
    feed.answered = undefined;
    if (feed.reqId === undefined) return;
    if (feed.spec.reqIdLess) {
      for (const name of feed.spec.reqIdLess) if (this.byEvent.get(name) === feed) this.byEvent.delete(name);
    } else if (this.byReqId.get(feed.reqId) === feed) {
      this.byReqId.delete(feed.reqId);
    }
    feed.reqId = undefined;
  }

  /** Re-requests a live feed at IB after a gap: the streams get the Gap first, then fresh data. */
  private reopen(feed: IbFeed, cancelFirst: boolean): void {
    if (feed.closed) return;
    if (feed.streams.size === 0) {
      this.drop(feed, cancelFirst);
      return;
    }
    if (cancelFirst) this.cancelAtIb(feed);
    feed.announceGap(new Date());
    this.open(feed);
  }

  /** Forgets a feed for good: cancels it at IB when asked, frees its budget, stops its timers. */
  private drop(feed: IbFeed, cancel: boolean): void {
    if (feed.closed) return;
    feed.closed = true;
    if (feed.lingerTimer) clearTimeout(feed.lingerTimer);
    if (feed.retryTimer) clearTimeout(feed.retryTimer);
    if (cancel) this.cancelAtIb(feed);
    else this.unbind(feed);
    feed.releaseLane?.();
    feed.releaseLane = undefined;
    if (this.feeds.get(feed.spec.key) === feed) this.feeds.delete(feed.spec.key);
    if (feed.spec.resource) this.budgets.release(feed.spec.resource);
    this.reportFeeds();
  }

  /** IB refused or ended the feed with an error: every stream fails with it (mapped to its gRPC code). */
  private fail(feed: IbFeed, err: unknown): void {
    feed.endStreams(err);
    this.drop(feed, false);
  }

  private leave(feed: IbFeed, stream: FeedStream<unknown>): void {
    if (!feed.streams.delete(stream)) return;
    stream.queue.end();
    if (feed.streams.size > 0 || feed.closed) return;
    feed.lingerTimer = setTimeout(() => this.drop(feed, true), this.opts.lingerMs);
    feed.lingerTimer.unref();
  }

  private route(name: EventName, args: IbEventArgs): void {
    if (name === EventName.error) {
      const reqId = args[2];
      if (typeof reqId === "number") {
        const feed = this.byReqId.get(reqId);
        if (feed) {
          feed.answered?.();
          feed.answered = undefined;
          this.onFeedError(feed, args[1] as number, String((args[0] as Error)?.message ?? ""));
        }
      }
      return;
    }
    // reqId-less feeds first: some of their events start with a number that is not a reqId (a bulletin's msgId).
    const id = args[0];
    const feed = this.byEvent.get(name) ?? (typeof id === "number" ? this.byReqId.get(id) : undefined);
    if (!feed) return;
    if (feed.answered) {
      feed.answered();
      feed.answered = undefined;
    }
    feed.deliver(name, args);
    if (feed.completed) {
      feed.endStreams();
      this.drop(feed, false);
    }
  }

  private onFeedError(feed: IbFeed, code: number, message: string): void {
    if (INTERRUPTIONS.has(code)) {
      this.interrupted(feed, code, message);
      return;
    }
    if (isNotice(code)) return;
    const grpcCode = LIMIT_CODES.has(code) ? Code.ResourceExhausted : classifyIbCode(code).grpc;
    this.log.info({ feed: feed.spec.describe, code, message }, "IB refused a feed");
    this.fail(feed, new IbError(code, message, { gateway: this.gw.name, reqId: feed.reqId, grpcCode }));
  }

  /** IB stopped a feed that may come back: re-request it with backoff; the streams wait and get a Gap. */
  private interrupted(feed: IbFeed, code: number, message: string): void {
    const cause: IbNotice = { code, message, kind: classifyIbCode(code).kind, id: feed.reqId, time: new Date() };
    feed.pendingGap ??= { reason: GapReason.IB_DATA_LOST, since: new Date(), cause };
    // IB has stopped it; the cancel only makes sure nothing is left at IB if it had not (it costs one message).
    this.cancelAtIb(feed);
    if (feed.retryTimer) return;
    const { initialMs, maxMs } = this.opts.retry;
    const delay = Math.min(maxMs, initialMs * 2 ** Math.min(feed.retries++, 16));
    this.log.warn({ feed: feed.spec.describe, code, message, retryInMs: delay }, "IB stopped a feed; re-requesting");
    feed.retryTimer = setTimeout(() => {
      feed.retryTimer = undefined;
      if (this.gw.isConnected) this.reopen(feed, false);
    }, delay);
    feed.retryTimer.unref();
  }

  // --- The gateway's life ------------------------------------------------------------------------------------

  private onGatewayChange(): void {
    const connected = this.gw.isConnected;
    if (connected === this.connected) return;
    this.connected = connected;
    if (!connected) {
      // The session is gone and every reqId with it; streams wait for the next one.
      const since = new Date();
      for (const feed of this.feeds.values()) {
        feed.pendingGap ??= { reason: GapReason.GATEWAY_RECONNECTED, since };
        feed.pendingGap.reason = GapReason.GATEWAY_RECONNECTED;
        this.unbind(feed);
      }
      return;
    }
    for (const feed of [...this.feeds.values()]) {
      if (feed.retryTimer) clearTimeout(feed.retryTimer);
      feed.retryTimer = undefined;
      this.reopen(feed, false);
    }
  }

  private onGatewayNotice(notice: IbNotice): void {
    switch (notice.code) {
      case 1100:
      case 2110:
        for (const feed of this.feeds.values()) {
          feed.pendingGap ??= { reason: GapReason.IB_DATA_LOST, since: notice.time, cause: notice };
        }
        break;
      case 1102:
        // Data maintained: IB kept every subscription; nothing was lost.
        for (const feed of this.feeds.values()) {
          if (feed.pendingGap?.reason === GapReason.IB_DATA_LOST && !feed.retryTimer) feed.pendingGap = undefined;
        }
        break;
      case 1101:
        // Data lost: IB dropped every market and account subscription; re-request each live one.
        for (const feed of [...this.feeds.values()]) {
          feed.pendingGap ??= { reason: GapReason.IB_DATA_LOST, since: notice.time };
          feed.pendingGap.reason = GapReason.IB_DATA_LOST;
          feed.pendingGap.cause = notice;
          if (feed.retryTimer) clearTimeout(feed.retryTimer);
          feed.retryTimer = undefined;
          this.reopen(feed, true);
        }
        break;
    }
  }

  /**
   * A feed silent past its kind's window while the gateway is up is re-requested, with a Gap saying why. A feed
   * holding an exclusive lane that others wait for (a unary ReqPositions, the account snapshotter) lends it: it is
   * cancelled, the waiter runs, then the feed re-opens behind it and its streams get a Gap and the state again.
   */
  private checkLiveness(): void {
    if (!this.gw.isReady) return;
    const now = Date.now();
    for (const feed of [...this.feeds.values()]) {
      if (feed.releaseLane && feed.spec.lane && this.gw.correlator.lanes.get(feed.spec.lane).waiting > 0) {
        this.lendLane(feed);
        continue;
      }
      const window = feed.spec.livenessMs;
      if (window === undefined || feed.reqId === undefined || feed.streams.size === 0) continue;
      if (now - feed.lastEventAt < window) continue;
      this.log.warn({ feed: feed.spec.describe, silentMs: now - feed.lastEventAt }, "feed silent; re-requesting");
      feed.pendingGap ??= {
        reason: GapReason.UNSPECIFIED,
        since: new Date(feed.lastEventAt),
        missed: `nothing arrived for ${Math.round((now - feed.lastEventAt) / 1000)} s: ibrpc re-requested the feed to check it`,
      };
      this.reopen(feed, true);
    }
  }

  private lendLane(feed: IbFeed): void {
    this.log.info(
      { feed: feed.spec.describe, lane: feed.spec.lane },
      "lending an exclusive lane; the feed re-opens after",
    );
    feed.pendingGap ??= {
      reason: GapReason.UNSPECIFIED,
      since: new Date(),
      missed: `${feed.spec.missed} (IB allows one such subscription per connection; another request needed it)`,
    };
    this.cancelAtIb(feed);
    const release = feed.releaseLane;
    feed.releaseLane = undefined;
    release?.();
    if (feed.streams.size === 0) {
      this.drop(feed, false);
      return;
    }
    feed.announceGap(new Date());
    this.open(feed);
  }

  private reportFeeds(): void {
    if (!this.observer.feedsChanged) return;
    const counts = new Map<FeedKind, number>();
    for (const feed of this.feeds.values()) counts.set(feed.spec.kind, (counts.get(feed.spec.kind) ?? 0) + 1);
    this.observer.feedsChanged(
      this.gw.name,
      counts,
      this.budgets.inUse("marketDataLines"),
      this.budgets.limits.marketDataLines,
    );
  }
}
