import { Code, ConnectError } from "@connectrpc/connect";
import type { EventName } from "@stoqey/ib";
import type { IbEventArgs } from "../gateway/request-correlator.js";
import { ConflatingQueue } from "../util/conflating-queue.js";
import type { FeedModel, FeedSink, StreamSpec } from "./feed-spec.js";
import { clientTooSlow, makeGap, type PendingGap } from "./gap.js";

/** What a feed reports to its hub. */
export interface FeedObserver {
  /** A stream's client fell behind on items that cannot conflate and was cut off. */
  cutOff(feed: Feed<unknown>, stream: FeedStream<unknown>): void;
  conflated(feed: Feed<unknown>): void;
}

/** One client's stream of one feed: its own bounded buffer, so the feed never waits for it. */
export class FeedStream<M> {
  readonly queue: ConflatingQueue<M>;
  /** When the queue last went from empty to non-empty: how far back a slow client's Gap reaches. */
  behindSince = new Date();
  private resyncing = false;

  constructor(feed: Feed<M, StreamSpec<M>>, capacity: number, observer: FeedObserver) {
    this.queue = new ConflatingQueue<M>({
      capacity,
      onConflate: () => observer.conflated(feed as Feed<unknown>),
      onOverflow: () => {
        // A resync whose own state does not fit (a huge history) cannot help: that client is cut off too.
        if (feed.spec.overflow === "resync" && !this.resyncing) {
          this.resyncing = true;
          this.queue.clear();
          feed.sendStateTo(this, clientTooSlow(this.behindSince));
          this.resyncing = false;
          return;
        }
        this.resyncing = false;
        this.queue.abort(
          new ConnectError(
            `client too slow: more than ${capacity} messages of ${feed.spec.describe} unread; ` +
              "nothing is dropped on this stream, so it was ended: read faster or subscribe again",
            Code.ResourceExhausted,
          ),
        );
        observer.cutOff(feed as Feed<unknown>, this as FeedStream<unknown>);
      },
    });
  }

  push(message: M, slot?: string): void {
    if (this.queue.size === 0) this.behindSince = new Date();
    this.queue.push(message, slot);
  }
}

/**
 * One IB subscription shared by every stream with the same key: the model holds its current state, every IB event
 * fans out to each stream's own buffer (never awaited), and a late joiner gets the state first.
 */
export class Feed<M, S extends StreamSpec<M> = StreamSpec<M>> implements FeedSink<M> {
  readonly streams = new Set<FeedStream<M>>();
  readonly model: FeedModel<M>;
  /** The request id at IB while open there (reqId-less feeds use -1); undefined while not open. */
  reqId: number | undefined;
  /** Set while the feed is known incomplete (gateway down, 1100, IB cancelled it): the next Gap's content. */
  pendingGap: PendingGap | undefined;
  lastEventAt = Date.now();
  lingerTimer: NodeJS.Timeout | undefined;
  retryTimer: NodeJS.Timeout | undefined;
  retries = 0;
  /** Releases the exclusive lane the feed holds (FeedSpec.lane); `laneWait` while queued for it. */
  releaseLane: (() => void) | undefined;
  laneWait: Promise<void> | undefined;
  /** A paced open in flight: abort to leave the historical pacer; `answered` when IB's first answer came. */
  openAbort: AbortController | undefined;
  answered: (() => void) | undefined;
  closed = false;
  /** Set by the model's complete(): the hub ends the streams and forgets the feed. */
  completed = false;

  constructor(readonly spec: S) {
    this.model = spec.model();
  }

  /** IB event addressed to this feed. */
  deliver(name: EventName, args: IbEventArgs): void {
    this.lastEventAt = Date.now();
    this.model.onEvent(name, args, this);
  }

  emit(message: M, slot?: string): void {
    for (const stream of this.streams) stream.push(message, slot);
  }

  complete(): void {
    this.completed = true;
  }

  /** A late joiner (or a resynchronised slow client): the Gap if any, then the current state. */
  sendStateTo(stream: FeedStream<M>, gap?: PendingGap): void {
    if (gap) stream.push(this.spec.gap(makeGap(gap, new Date(), this.spec.missed)));
    for (const { message, slot } of this.model.snapshot()) stream.push(message, slot);
  }

  /** Re-subscribed at IB: each stream gets the Gap, the model forgets what IB will send again. */
  announceGap(until: Date): void {
    const pending = this.pendingGap;
    this.pendingGap = undefined;
    this.model.reset();
    if (!pending) return;
    const gap = this.spec.gap(makeGap(pending, until, this.spec.missed));
    for (const stream of this.streams) stream.push(gap);
  }

  /** Ends every stream: normally (undefined) or with the error. */
  endStreams(error?: unknown): void {
    for (const stream of this.streams) stream.queue.end(error);
    this.streams.clear();
  }
}
