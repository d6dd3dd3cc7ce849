/**
 * A bounded queue that turns pushed events into an async iterable for a server-streaming handler. A slow client
 * must not grow memory without bound nor slow the producers: when full, the queue ends the stream with `onOverflow`'s
 * error (callers that may conflate do so before pushing). Iteration stops when `signal` aborts.
 */
export class AsyncQueue<T> implements AsyncIterable<T> {
  private readonly items: T[] = [];
  private wake: (() => void) | undefined;
  private done = false;
  private error: unknown;

  constructor(
    private readonly capacity: number,
    private readonly onOverflow: () => unknown,
  ) {}

  get size(): number {
    return this.items.length;
  }

  push(item: T): void {
    if (this.done) return;
    if (this.items.length >= this.capacity) {
      this.end(this.onOverflow());
      return;
    }
    this.items.push(item);
    this.notify();
  }

  /** Ends the stream after the queued items; with an error, the consumer's loop throws it instead. */
  end(error?: unknown): void {
    if (this.done) return;
    this.done = true;
    this.error = error;
    this.notify();
  }

  async *iterate(signal?: AbortSignal): AsyncGenerator<T> {
    const onAbort = () => this.end(signal?.reason);
    signal?.addEventListener("abort", onAbort, { once: true });
    try {
      for (;;) {
        const item = this.items.shift();
        if (item !== undefined) {
          yield item;
          continue;
        }
        if (this.done) {
          if (this.error !== undefined) throw this.error;
          return;
        }
        await new Promise<void>((resolve) => {
          this.wake = resolve;
        });
      }
    } finally {
      signal?.removeEventListener("abort", onAbort);
      this.done = true;
    }
  }

  [Symbol.asyncIterator](): AsyncGenerator<T> {
    return this.iterate();
  }

  private notify(): void {
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }
}
