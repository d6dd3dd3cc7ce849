/**
 * One stream's bounded buffer between a producer that must never wait (the subscription hub, fanning one IB feed
 * out to many clients) and a consumer that may be slow (a server-streaming handler: connect-node's generator blocks
 * on HTTP/2 flow control).
 *
 * An item pushed with a `slot` (e.g. "tickPrice:1", the bid) replaces the queued item of the same slot in place, so a
 * slow reader gets the latest value per slot and the queue holds at most one item per slot: level-1 ticks, PnL and
 * bars cost bounded memory however slow the client. Items without a slot (orders, news, depth updates) are never
 * replaced; when they would exceed `capacity`, `onOverflow` decides: end the stream (see {@link end}) or
 * {@link clear} it and push a resynchronisation (a Gap, then the current state).
 */
export interface ConflatingQueueOptions {
  /** Most items queued (conflated slots and plain items together). */
  capacity: number;
  /** Called when a plain item finds the queue full. It must end or clear the queue; otherwise the item is dropped. */
  onOverflow: (queue: ConflatingQueue<unknown>) => void;
  /** Called each time an item replaced a queued one (for the conflation metric). */
  onConflate?: () => void;
}

interface Entry<T> {
  value: T;
  slot: string | undefined;
}

export class ConflatingQueue<T> implements AsyncIterable<T> {
  private items: Entry<T>[] = [];
  private head = 0;
  private readonly bySlot = new Map<string, Entry<T>>();
  private wake: (() => void) | undefined;
  private done = false;
  private error: unknown;
  /** Items replaced by a later value of their slot before the client read them. */
  conflated = 0;

  constructor(private readonly opts: ConflatingQueueOptions) {}

  /** Items waiting to be read. */
  get size(): number {
    return this.items.length - this.head;
  }

  /** True once ended (by the producer, an overflow, or the consumer going away). */
  get ended(): boolean {
    return this.done;
  }

  push(value: T, slot?: string): void {
    if (this.done) return;
    if (slot !== undefined) {
      const queued = this.bySlot.get(slot);
      if (queued) {
        queued.value = value;
        this.conflated++;
        this.opts.onConflate?.();
        return;
      }
    }
    if (this.size >= this.opts.capacity) {
      this.opts.onOverflow(this as ConflatingQueue<unknown>);
      if (this.done || this.size >= this.opts.capacity) return;
    }
    const entry: Entry<T> = { value, slot };
    this.items.push(entry);
    if (slot !== undefined) this.bySlot.set(slot, entry);
    if (this.wake) this.notify();
  }

  /** Drops everything queued (the caller then pushes what replaces it, e.g. a Gap and the current state). */
  clear(): void {
    this.items = [];
    this.head = 0;
    this.bySlot.clear();
  }

  /** Ends the stream after the queued items; with an error, the consumer's loop throws it after them. */
  end(error?: unknown): void {
    if (this.done) return;
    this.done = true;
    this.error = error;
    this.notify();
  }

  /** Ends the stream at once, dropping what is queued (the client is cut off). */
  abort(error: unknown): void {
    this.clear();
    this.end(error);
  }

  private shift(): Entry<T> | undefined {
    if (this.head >= this.items.length) return undefined;
    const entry = this.items[this.head] as Entry<T>;
    this.head++;
    // Compact now and then instead of Array.shift per item (O(n) each on a long queue).
    if (this.head >= 1024 && this.head * 2 >= this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    if (entry.slot !== undefined && this.bySlot.get(entry.slot) === entry) this.bySlot.delete(entry.slot);
    return entry;
  }

  /**
   * The stream's messages until it ends, or `signal` aborts. `onDone` runs when iteration stops, however it stops
   * (one generator instead of a wrapper around this one: every layer costs each message a promise).
   */
  async *iterate(signal?: AbortSignal, onDone?: () => void): AsyncGenerator<T> {
    const onAbort = () => this.abort(signal?.reason);
    if (signal?.aborted) onAbort();
    signal?.addEventListener("abort", onAbort, { once: true });
    try {
      for (;;) {
        const entry = this.shift();
        if (entry !== undefined) {
          yield entry.value;
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
      this.clear();
      onDone?.();
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
