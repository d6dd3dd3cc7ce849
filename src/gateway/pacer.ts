import { IbError } from "./ib-error.js";

/**
 * Outbound pacing for one IB connection. TWS disconnects a client that sends more than 50 messages in a second
 * (error 100), so every message on a connection, whatever RPC or feed it serves, goes through one token bucket.
 * With the defaults (40/s, burst 5) no sliding one-second window ever holds more than 45 messages.
 *
 * A queued message is dropped, not sent late, when its caller gives up (AbortSignal): a request nobody waits for
 * any more would only spend the budget of the others.
 */
export interface PacerOptions {
  ratePerSec: number;
  burst: number;
  /** Most messages waiting; beyond that callers fail at once with RESOURCE_EXHAUSTED instead of waiting. */
  maxQueue: number;
  now?: () => number;
}

interface Waiter {
  send: () => void;
  resolve: () => void;
  reject: (err: unknown) => void;
  signal: AbortSignal | undefined;
  onAbort: (() => void) | undefined;
}

export const DEFAULT_PACING: PacerOptions = { ratePerSec: 40, burst: 5, maxQueue: 10_000 };

export class Pacer {
  private readonly opts: Required<PacerOptions>;
  private tokens: number;
  private lastRefill: number;
  private readonly queue: Waiter[] = [];
  private timer: NodeJS.Timeout | undefined;
  private closedWith: Error | undefined;
  /** Messages sent since creation, for metrics and tests. */
  sent = 0;

  constructor(opts: Partial<PacerOptions> = {}) {
    this.opts = { ...DEFAULT_PACING, now: () => performance.now(), ...opts };
    this.tokens = this.opts.burst;
    this.lastRefill = this.opts.now();
  }

  /** Messages waiting for a slot. */
  get queued(): number {
    return this.queue.length;
  }

  /**
   * Runs `send` (which writes one message) as soon as the budget allows. Resolves once sent; rejects with the
   * signal's reason if the caller gave up first, or with the close reason if the connection went away.
   */
  schedule(send: () => void, signal?: AbortSignal): Promise<void> {
    if (this.closedWith) return Promise.reject(this.closedWith);
    if (signal?.aborted) return Promise.reject(signal.reason);
    if (this.queue.length === 0 && this.take()) {
      send();
      this.sent++;
      return Promise.resolve();
    }
    if (this.queue.length >= this.opts.maxQueue) {
      return Promise.reject(new IbError(100, "ibrpc: outbound queue to the gateway is full; retry later"));
    }
    return new Promise<void>((resolve, reject) => {
      const waiter: Waiter = { send, resolve, reject, signal, onAbort: undefined };
      if (signal) {
        waiter.onAbort = () => {
          const i = this.queue.indexOf(waiter);
          if (i >= 0) this.queue.splice(i, 1);
          reject(signal.reason);
        };
        signal.addEventListener("abort", waiter.onAbort, { once: true });
      }
      this.queue.push(waiter);
      this.arm();
    });
  }

  /** Fails everything queued (the connection dropped) and refuses new work until {@link reopen}. */
  close(reason: Error): void {
    this.closedWith = reason;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    for (const w of this.queue.splice(0)) {
      this.detach(w);
      w.reject(reason);
    }
  }

  /** Accepts work again after a reconnect, with a full bucket. */
  reopen(): void {
    this.closedWith = undefined;
    this.tokens = this.opts.burst;
    this.lastRefill = this.opts.now();
  }

  private take(): boolean {
    const now = this.opts.now();
    this.tokens = Math.min(this.opts.burst, this.tokens + ((now - this.lastRefill) * this.opts.ratePerSec) / 1000);
    this.lastRefill = now;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }

  private arm(): void {
    if (this.timer || this.queue.length === 0) return;
    const wait = Math.max(1, Math.ceil(((1 - this.tokens) * 1000) / this.opts.ratePerSec));
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.drain();
    }, wait);
  }

  private drain(): void {
    while (this.queue.length > 0 && this.take()) {
      const w = this.queue.shift() as Waiter;
      this.detach(w);
      try {
        w.send();
        this.sent++;
        w.resolve();
      } catch (err) {
        w.reject(err);
      }
    }
    this.arm();
  }

  private detach(w: Waiter): void {
    if (w.signal && w.onAbort) w.signal.removeEventListener("abort", w.onAbort);
  }
}
