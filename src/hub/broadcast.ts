import { Feed, type FeedObserver, FeedStream } from "./feed.js";
import type { StreamSpec } from "./feed-spec.js";

export interface BroadcastOptions<M> {
  spec: StreamSpec<M>;
  /** Attaches the one listener that feeds every stream (called on the first subscriber); returns its detach. */
  attach(publish: (message: M, slot?: string) => void): () => void;
  /** Messages one stream may have unread. @default 1024 */
  capacity?: number;
  observer?: Partial<FeedObserver>;
}

/**
 * The hub's fan-out for a source that is not an IB subscription (gateway states and notices for WatchGateways): one
 * listener on the source however many streams, each stream with its own bounded buffer, the current state first for
 * every new stream. Replaces one listener per stream (ten WatchGateways callers used to trip Node's
 * MaxListenersExceededWarning).
 */
export class Broadcast<M> {
  private readonly feed: Feed<M>;
  private detach: (() => void) | undefined;
  private readonly observer: FeedObserver;
  private endedWith: { error: unknown } | undefined;

  constructor(private readonly opts: BroadcastOptions<M>) {
    this.feed = new Feed<M>(opts.spec);
    this.observer = {
      conflated: (feed) => opts.observer?.conflated?.(feed),
      cutOff: (feed, stream) => {
        opts.observer?.cutOff?.(feed, stream);
        this.leave(stream as FeedStream<M>);
      },
    };
  }

  /** Streams open now. */
  get streams(): number {
    return this.feed.streams.size;
  }

  subscribe(signal: AbortSignal): AsyncGenerator<M> {
    if (this.endedWith) throw this.endedWith.error;
    const stream = new FeedStream<M>(this.feed, this.opts.capacity ?? 1_024, this.observer);
    if (this.feed.streams.size === 0) {
      this.feed.model.reset();
      this.detach = this.opts.attach((message, slot) => this.feed.emit(message, slot));
    }
    this.feed.sendStateTo(stream);
    this.feed.streams.add(stream);
    const onAbort = () => this.leave(stream);
    signal.addEventListener("abort", onAbort, { once: true });
    return stream.queue.iterate(signal, () => {
      signal.removeEventListener("abort", onAbort);
      this.leave(stream);
    });
  }

  /** Ends every stream (with `error`, or normally) and refuses new ones. */
  end(error?: unknown): void {
    this.endedWith ??= { error };
    this.feed.endStreams(error);
    this.detach?.();
    this.detach = undefined;
  }

  private leave(stream: FeedStream<M>): void {
    if (!this.feed.streams.delete(stream)) return;
    stream.queue.end();
    if (this.feed.streams.size > 0) return;
    this.detach?.();
    this.detach = undefined;
  }
}
