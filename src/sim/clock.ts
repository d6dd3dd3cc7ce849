/** Milliseconds since the epoch. The shape of the older `now` option; a {@link SimClock} is the full clock. */
export type Clock = () => number;

/** Cancels a timer; calling it twice, or after the timer fired, is harmless. */
export type CancelTimer = () => void;

/**
 * The simulator's only notion of time. Handlers ask it for "now" and schedule with it, so a test can swap in a
 * {@link ManualClock} and step a whole simulator (ticks, bars, order fills) deterministically.
 */
export interface SimClock {
  /** Epoch milliseconds. */
  now(): number;
  /** Runs `fn` once after `delayMs` (clamped to >= 0). */
  setTimer(delayMs: number, fn: () => void): CancelTimer;
  /** Runs `fn` every `periodMs` (> 0), the first time one period from now. */
  every(periodMs: number, fn: () => void): CancelTimer;
}

function assertPeriod(periodMs: number): void {
  if (!(periodMs > 0) || !Number.isFinite(periodMs)) throw new RangeError(`timer period ${periodMs} must be > 0`);
}

/**
 * Wall-clock time with real timers. Timers are unref'd: a simulator's ticking subscriptions must not keep a process
 * alive on their own (the listening socket does that for `ibrpc sim`). `now` may be replaced, e.g. by a fixed instant
 * for tests that only care what currentTime says.
 */
export function systemClock(now: Clock = Date.now): SimClock {
  return {
    now,
    setTimer(delayMs, fn) {
      const timer = setTimeout(fn, Math.max(0, delayMs));
      timer.unref();
      return () => clearTimeout(timer);
    },
    every(periodMs, fn) {
      assertPeriod(periodMs);
      const timer = setInterval(fn, periodMs);
      timer.unref();
      return () => clearInterval(timer);
    },
  };
}

interface ManualTimer {
  at: number;
  /** Creation order: timers due at the same instant run in the order they were set. */
  seq: number;
  readonly fn: () => void;
  readonly periodMs: number | undefined;
  cancelled: boolean;
}

/**
 * Test time: nothing happens until `advance` or `set` moves it, and then due timers run in time order (ties in
 * creation order), each seeing `now()` equal to its due time. Timers set by a running timer also run if they fall due
 * within the same advance.
 */
export class ManualClock implements SimClock {
  private current: number;
  private nextSeq = 0;
  private timers: ManualTimer[] = [];

  constructor(startMs: number) {
    this.current = startMs;
  }

  now(): number {
    return this.current;
  }

  setTimer(delayMs: number, fn: () => void): CancelTimer {
    return this.schedule(this.current + Math.max(0, delayMs), fn, undefined);
  }

  every(periodMs: number, fn: () => void): CancelTimer {
    assertPeriod(periodMs);
    return this.schedule(this.current + periodMs, fn, periodMs);
  }

  /** Timers still pending (cancelled ones excluded). */
  get pendingTimers(): number {
    return this.timers.filter((timer) => !timer.cancelled).length;
  }

  /** Moves time forward by `ms`, running every timer that falls due on the way. */
  advance(ms: number): void {
    if (!(ms >= 0)) throw new RangeError(`cannot advance by ${ms} ms`);
    this.runUntil(this.current + ms);
  }

  /** Moves time to `epochMs` (never backwards), running every timer due by then. */
  set(epochMs: number): void {
    if (epochMs < this.current)
      throw new RangeError(`cannot move a ManualClock backwards (${epochMs} < ${this.current})`);
    this.runUntil(epochMs);
  }

  private schedule(at: number, fn: () => void, periodMs: number | undefined): CancelTimer {
    const timer: ManualTimer = { at, seq: this.nextSeq++, fn, periodMs, cancelled: false };
    this.timers.push(timer);
    return () => {
      timer.cancelled = true;
    };
  }

  private runUntil(target: number): void {
    for (;;) {
      this.timers = this.timers.filter((timer) => !timer.cancelled);
      let due: ManualTimer | undefined;
      for (const timer of this.timers) {
        if (timer.at <= target && (!due || timer.at < due.at || (timer.at === due.at && timer.seq < due.seq))) {
          due = timer;
        }
      }
      if (!due) break;
      this.current = due.at;
      if (due.periodMs === undefined) due.cancelled = true;
      else {
        due.at += due.periodMs;
        // A re-armed periodic timer goes behind others due at the same instant, as a fresh timer would.
        due.seq = this.nextSeq++;
      }
      due.fn();
    }
    this.current = target;
  }
}

const pad = (value: number) => String(value).padStart(2, "0");

/**
 * TWS's connection-time format, "yyyyMMdd HH:mm:ss zone". Always UTC: a simulator whose answers depend on the host's
 * time zone would not be deterministic.
 */
export function formatConnectionTime(epochMs: number): string {
  const at = new Date(epochMs);
  const date = `${at.getUTCFullYear()}${pad(at.getUTCMonth() + 1)}${pad(at.getUTCDate())}`;
  return `${date} ${pad(at.getUTCHours())}:${pad(at.getUTCMinutes())}:${pad(at.getUTCSeconds())} UTC`;
}
