import { IbError } from "./ib-error.js";

/**
 * Outbound pacing for one IB connection. TWS disconnects a client that sends more than 50 messages in a second
 * (error 100), so every message on a connection, whatever RPC or feed it serves, goes through one token bucket.
 * With the defaults (40/s, burst 5) no sliding one-second window ever holds more than 45 messages.
 *
 * A queued message is dropped, not sent late, when its caller gives up (AbortSignal): a request nobody waits for
 * any more would only spend the budget of the others.
 *
 * Priorities: "urgent" messages (cancels, placeOrder, cancelOrder, reqGlobalCancel) go ahead of every queued
 * "normal" one (requests), so a cancel or an order never waits behind a burst of data requests. Both share the one
 * bucket, so the 45-per-second-window guarantee holds whatever the mix.
 *
 * API:
 *   pacer.schedule(write, signal?, priority = "normal"): Promise<void>   resolves once written; a throwing `write`
 *                                                                         rejects (never throws synchronously)
 *   pacer.close(err) / pacer.reopen() / pacer.queued / pacer.sent
 *   new Pacer({ observer })                                               queue depth and per-message waits, for /metrics
 */
export type Priority = "urgent" | "normal";

/** What the pacer reports for metrics (connection-metrics.ts). Called synchronously: keep it cheap. */
export interface PacerObserver {
  /** The number of messages waiting changed. */
  queueDepth(depth: number): void;
  /** A message was written after waiting `waitedMs` for the budget (0 when it went at once). */
  sent(priority: Priority, waitedMs: number): void;
}

export interface PacerOptions {
  ratePerSec: number;
  burst: number;
  /** Most messages waiting; beyond that callers fail at once with RESOURCE_EXHAUSTED instead of waiting. */
  maxQueue: number;
  now?: () => number;
  observer?: PacerObserver;
}

interface Waiter {
  send: () => void;
  priority: Priority;
  /** opts.now() when it was queued, for the wait metric. */
  queuedAt: number;
  resolve: () => void;
  reject: (err: unknown) => void;
  signal: AbortSignal | undefined;
  onAbort: (() => void) | undefined;
}

export const DEFAULT_PACING: PacerOptions = { ratePerSec: 40, burst: 5, maxQueue: 10_000 };

export class Pacer {
  private readonly opts: Required<Omit<PacerOptions, "observer">>;
  private readonly observer: PacerObserver | undefined;
  private tokens: number;
  private lastRefill: number;
  /** Waiting messages by priority: urgent ones drain first. */
  private readonly urgent: Waiter[] = [];
  private readonly normal: Waiter[] = [];
  private timer: NodeJS.Timeout | undefined;
  private closedWith: Error | undefined;
  /** Messages sent since creation, for metrics and tests. */
  sent = 0;

  constructor(opts: Partial<PacerOptions> = {}) {
    const { observer, ...rest } = opts;
    this.opts = { ...DEFAULT_PACING, now: () => performance.now(), ...rest };
    this.observer = observer;
    this.tokens = this.opts.burst;
    this.lastRefill = this.opts.now();
  }

  /** Messages waiting for a slot. */
  get queued(): number {
    return this.urgent.length + this.normal.length;
  }

  /**
   * Runs `send` (which writes one message) as soon as the budget allows. Resolves once sent; rejects with the
   * signal's reason if the caller gave up first, or with the close reason if the connection went away.
   */
  schedule(send: () => void, signal?: AbortSignal, priority: Priority = "normal"): Promise<void> {
    if (this.closedWith) return Promise.reject(this.closedWith);
    if (signal?.aborted) return Promise.reject(signal.reason);
    const queue = priority === "urgent" ? this.urgent : this.normal;
    // Fast path: nothing ahead of this message (of its priority or above) and a token at hand.
    if (this.urgent.length === 0 && queue.length === 0 && this.take()) {
      try {
        send();
      } catch (err) {
        // A write that throws must fail its caller now, not escape schedule() and strand whoever awaits it.
        return Promise.reject(err);
      }
      this.sent++;
      this.observer?.sent(priority, 0);
      return Promise.resolve();
    }
    if (this.queued >= this.opts.maxQueue) {
      return Promise.reject(new IbError(100, "ibrpc: outbound queue to the gateway is full; retry later"));
    }
    return new Promise<void>((resolve, reject) => {
      const waiter: Waiter = {
        send,
        priority,
        queuedAt: this.opts.now(),
        resolve,
        reject,
        signal,
        onAbort: undefined,
      };
      if (signal) {
        waiter.onAbort = () => {
          const i = queue.indexOf(waiter);
          if (i >= 0) queue.splice(i, 1);
          this.observer?.queueDepth(this.queued);
          reject(signal.reason);
        };
        signal.addEventListener("abort", waiter.onAbort, { once: true });
      }
      queue.push(waiter);
      this.observer?.queueDepth(this.queued);
      this.arm();
    });
  }

  /** Fails everything queued (the connection dropped) and refuses new work until {@link reopen}. */
  close(reason: Error): void {
    this.closedWith = reason;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const dropped = [...this.urgent.splice(0), ...this.normal.splice(0)];
    if (dropped.length > 0) this.observer?.queueDepth(0);
    for (const w of dropped) {
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
    if (this.timer || this.queued === 0) return;
    const wait = Math.max(1, Math.ceil(((1 - this.tokens) * 1000) / this.opts.ratePerSec));
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.drain();
    }, wait);
  }

  private drain(): void {
    const before = this.queued;
    while (this.queued > 0 && this.take()) {
      const w = (this.urgent.shift() ?? this.normal.shift()) as Waiter;
      this.detach(w);
      try {
        w.send();
        this.sent++;
        this.observer?.sent(w.priority, this.opts.now() - w.queuedAt);
        w.resolve();
      } catch (err) {
        w.reject(err);
      }
    }
    if (this.queued !== before) this.observer?.queueDepth(this.queued);
    this.arm();
  }

  private detach(w: Waiter): void {
    if (w.signal && w.onAbort) w.signal.removeEventListener("abort", w.onAbort);
  }
}
