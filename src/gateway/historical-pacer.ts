import { Code, ConnectError } from "@connectrpc/connect";
import { classifyIbCode } from "./ib-codes.js";
import { IbError } from "./ib-error.js";

/**
 * IB's historical data pacing, enforced before sending. IB answers a request that breaks one of these rules with
 * error 162 ("pacing violation") instead of data, and keeps counting it; so ibrpc never sends such a request: it
 * queues it until every rule allows it, within the caller's deadline. Identical requests in flight are sent once and
 * answered together, and an answer is replayed to identical requests for the window in which IB would refuse them.
 *
 * The rules (https://interactivebrokers.github.io/tws-api/historical_limitations.html), all of them on every kind of
 * historical request (bars incl. keepUpToDate, ticks, head timestamp, histogram), as the simulator also applies them:
 * - no identical request within 15 s;
 * - "six or more requests for the same contract, exchange and tick type within two seconds" is a violation: at most 5;
 * - at most 60 requests in any 10 minutes;
 * - at most 50 requests open at once;
 * - a BID_ASK request counts twice.
 *
 * Time: a request is stamped when IB answers it (while it is open it counts as "now"). IB stamps it at some moment
 * between our write and its answer, so counting windows from the answer can only over-estimate how recent it is:
 * whatever the socket, the 50 msg/s pacer or IB's processing delayed, a window computed here never closes before
 * IB's does. `marginMs` (plus 0.1% of each window for clock drift) absorbs the rest (network time of the answer).
 */
export type PacingRule = "identical-request" | "same-contract-burst" | "request-window" | "open-requests";

/** What the pacer needs to know about one request. {@link historicalRequestKeys} builds it from a Contract. */
export interface HistoricalRequest {
  /** Exact identity of the request: callers with the same key share one IB request, and its answer is replayed. */
  key: string;
  /** IB's "identical request" (coarser than `key`: parameters that only change the format left out); default `key`. */
  identicalKey?: string;
  /** The instrument as IB's pacing counts it (with `whatToShow`, the key of the "5 in 2 seconds" rule). */
  contractKey: string;
  whatToShow: string;
  /** How many requests IB counts it as: 2 for BID_ASK. Default: 2 when whatToShow is BID_ASK, else 1. */
  weight?: 1 | 2;
  /** False for live requests (keepUpToDate): never shared with another caller, never replayed. Default true. */
  reuse?: boolean;
}

/** The one send of a request, as the pacer hands it to the caller's `send`. */
export interface HistoricalAttempt {
  /**
   * Aborts when every caller waiting for this request has gone (the last deadline or cancel), with that caller's
   * reason. Give it to the correlator, not a caller's own signal: the first caller leaving must not cancel the others.
   */
  readonly signal: AbortSignal;
  /**
   * Call when the request is written to IB (in the correlator's send callback). An attempt that fails without it is
   * refunded: it never reached IB (not connected, or dropped while queued for the 50 msg/s budget), so IB did not
   * count it either. An attempt that succeeds always counts.
   */
  written(): void;
}

/** Time for the pacer; the simulator's ManualClock fits, so tests and the simulator can share one steppable clock. */
export interface PacerClock {
  now(): number;
  /** Runs `fn` once after `delayMs`; returns a function that cancels it. */
  setTimer(delayMs: number, fn: () => void): () => void;
}

export interface HistoricalPacingRules {
  /** @default 15_000 */
  identicalWindowMs: number;
  /** Requests (by weight) per contract, exchange and tick type within `sameContractWindowMs`. @default 5 */
  sameContractMax: number;
  /** @default 2_000 */
  sameContractWindowMs: number;
  /** Requests (by weight) within `windowMs`. @default 60 */
  maxRequests: number;
  /** @default 600_000 */
  windowMs: number;
  /** Requests (by weight) open at once. @default 50 */
  maxOpen: number;
}

export interface HistoricalPacerOptions {
  rules?: Partial<HistoricalPacingRules>;
  /** Added to every window (see the class comment). @default 100 */
  marginMs?: number;
  /** How long an answer is replayed to identical requests, from the answer. @default the identical window + margin */
  cacheTtlMs?: number;
  /** Answers kept for replay; the oldest goes first. @default 256 */
  maxCacheEntries?: number;
  /** Requests waiting at most; beyond that a call fails at once with RESOURCE_EXHAUSTED. @default 1000 */
  maxQueue?: number;
  /** @default performance.now() with unref'd timers */
  clock?: PacerClock;
  /** Failures that are IB's final answer, replayed like results. @default {@link isFinalAnswer} */
  replayFailure?: (error: unknown) => boolean;
  /** Queue, open requests, waits and cache hits as they happen, for /metrics (connection-metrics.ts). */
  observer?: HistoricalPacerObserver;
}

/** What the historical pacer reports for metrics. Called synchronously: keep it cheap. */
export interface HistoricalPacerObserver {
  /** After every change of the queue or of the open requests. */
  depth(queued: number, open: number): void;
  /** A request was sent after waiting `waitedMs` in the queue (0 when the rules let it go at once). */
  waited(waitedMs: number): void;
  /** A call was answered from the replay cache. */
  cacheHit(): void;
}

/** Counters and gauges for /metrics; every field only grows except `queued`, `open` and `cached`. */
export interface HistoricalPacerStats {
  /** Requests waiting for pacing (a request shared by several callers counts once). */
  queued: number;
  /** Requests sent and not yet answered. */
  open: number;
  /** Answers kept for replay. */
  cached: number;
  /** Requests sent to IB. */
  sent: number;
  /** Calls that joined an identical request already queued or open. */
  shared: number;
  /** Calls answered from the replay cache. */
  cacheHits: number;
  /** Sent requests that never reached IB (not counted against the rules). */
  refunded: number;
  /** Calls that gave up (deadline or cancel) while queued: nothing was sent for them. */
  abandonedWhileQueued: number;
  /** Requests that had to wait, by the rule that held them (a request held by two rules counts for both). */
  waits: Record<PacingRule, number>;
}

export const DEFAULT_HISTORICAL_PACING: Readonly<HistoricalPacingRules> = {
  identicalWindowMs: 15_000,
  sameContractMax: 5,
  sameContractWindowMs: 2_000,
  maxRequests: 60,
  windowMs: 600_000,
  maxOpen: 50,
};

export const systemPacerClock: PacerClock = {
  now: () => performance.now(),
  setTimer(delayMs, fn) {
    const timer = setTimeout(fn, delayMs);
    timer.unref();
    return () => clearTimeout(timer);
  },
};

/** One request as IB counts it: stamped when answered; `at` is undefined while open (it counts as "now"). */
interface SentRecord {
  at: number | undefined;
  readonly weight: number;
}

interface Caller {
  readonly since: number;
  readonly signal: AbortSignal;
  readonly resolve: (value: unknown) => void;
  readonly reject: (error: unknown) => void;
  readonly onAbort: () => void;
}

type Outcome = { ok: true; value: unknown } | { ok: false; error: unknown };

interface Entry {
  readonly key: string;
  readonly identicalKey: string;
  readonly burstKey: string;
  readonly weight: number;
  readonly reuse: boolean;
  readonly send: (attempt: HistoricalAttempt) => Promise<unknown>;
  readonly callers: Set<Caller>;
  readonly controller: AbortController;
  /** clock.now() when it was queued, for the wait metric. */
  readonly queuedAt: number;
  state: "queued" | "open" | "done";
  /** The rule that held it last, for the DEADLINE_EXCEEDED message. */
  blockedBy: PacingRule | undefined;
  readonly heldBy: Set<PacingRule>;
}

interface Blockage {
  rule: PacingRule;
  /** When the rule lets the request go, if nothing else changes; Infinity: when an open request is answered. */
  until: number;
}

/** Rules every request shares: a request held by one holds the queue, so a heavy request is not starved by light ones. */
const SHARED_RULES: ReadonlySet<PacingRule> = new Set(["request-window", "open-requests"]);

export class HistoricalPacer {
  private readonly rules: HistoricalPacingRules;
  private readonly clock: PacerClock;
  private readonly marginMs: number;
  private readonly cacheTtlMs: number;
  private readonly maxCacheEntries: number;
  private readonly maxQueue: number;
  private readonly replayFailure: (error: unknown) => boolean;
  private readonly observer: HistoricalPacerObserver | undefined;

  private readonly queue: Entry[] = [];
  /** Queued or open requests that may be shared, by key. */
  private readonly pending = new Map<string, Entry>();
  private readonly cache = new Map<string, { outcome: Outcome; expiresAt: number }>();
  private window: SentRecord[] = [];
  private readonly byContract = new Map<string, SentRecord[]>();
  private readonly lastIdentical = new Map<string, SentRecord>();
  private openCount = 0;
  private openWeight = 0;
  private cancelTimer: (() => void) | undefined;
  private pumping = false;
  private pumpAgain = false;
  private closedWith: unknown;
  private readonly counters = {
    sent: 0,
    shared: 0,
    cacheHits: 0,
    refunded: 0,
    abandonedWhileQueued: 0,
    waits: { "identical-request": 0, "same-contract-burst": 0, "request-window": 0, "open-requests": 0 },
  };

  constructor(options: HistoricalPacerOptions = {}) {
    this.rules = { ...DEFAULT_HISTORICAL_PACING, ...options.rules };
    // A max below 2 could never admit a BID_ASK request: it would wait until its deadline, every time. Infinity is
    // allowed (a rule switched off, as the simulator's limits allow); NaN, from a typo, is not.
    const checks = Object.entries({ ...this.rules, marginMs: options.marginMs ?? 100 });
    for (const [name, value] of checks) {
      const least = name.endsWith("Ms") ? 0 : 2;
      if (!(value >= least)) throw new RangeError(`historical pacing ${name}: ${value} must be >= ${least}`);
    }
    this.clock = options.clock ?? systemPacerClock;
    this.marginMs = options.marginMs ?? 100;
    this.cacheTtlMs = options.cacheTtlMs ?? this.span(this.rules.identicalWindowMs);
    this.maxCacheEntries = options.maxCacheEntries ?? 256;
    this.maxQueue = options.maxQueue ?? 1000;
    this.replayFailure = options.replayFailure ?? isFinalAnswer;
    this.observer = options.observer;
  }

  /** Requests waiting for pacing. */
  get queued(): number {
    return this.queue.length;
  }

  /** Requests sent and not yet answered. */
  get open(): number {
    return this.openCount;
  }

  get stats(): HistoricalPacerStats {
    return {
      queued: this.queue.length,
      open: this.openCount,
      cached: this.cache.size,
      sent: this.counters.sent,
      shared: this.counters.shared,
      cacheHits: this.counters.cacheHits,
      refunded: this.counters.refunded,
      abandonedWhileQueued: this.counters.abandonedWhileQueued,
      waits: { ...this.counters.waits },
    };
  }

  /**
   * Runs `send` (the one IB request, through the correlator) as soon as IB's pacing allows, and resolves with its
   * answer; an identical request queued or open is joined instead, and a recent identical answer replayed. A caller
   * whose signal aborts while the request is queued fails at once (DEADLINE_EXCEEDED naming the rule that held it,
   * or the signal's own reason for a cancel) and, if nobody else waits for it, the request is never sent.
   *
   * Shared and replayed answers are the same object for every caller: treat them as read-only.
   */
  run<T>(
    request: HistoricalRequest,
    signal: AbortSignal,
    send: (attempt: HistoricalAttempt) => Promise<T>,
  ): Promise<T> {
    if (signal.aborted) return Promise.reject(signal.reason);
    if (this.closedWith !== undefined) return Promise.reject(this.closedWith);
    const reuse = request.reuse ?? true;
    if (reuse) {
      const replay = this.cached(request.key);
      if (replay) {
        this.counters.cacheHits++;
        this.observer?.cacheHit();
        return replay.ok ? Promise.resolve(replay.value as T) : Promise.reject(replay.error);
      }
      const pending = this.pending.get(request.key);
      if (pending) {
        this.counters.shared++;
        return this.attach(pending, signal) as Promise<T>;
      }
    }
    if (this.queue.length >= this.maxQueue) {
      return Promise.reject(
        new ConnectError(
          `${this.queue.length} historical requests are already waiting for IB's pacing; retry later`,
          Code.ResourceExhausted,
        ),
      );
    }
    const whatToShow = request.whatToShow.trim().toUpperCase();
    const entry: Entry = {
      key: request.key,
      identicalKey: request.identicalKey ?? request.key,
      burstKey: `${request.contractKey}|${whatToShow}`,
      weight: request.weight ?? (whatToShow === "BID_ASK" ? 2 : 1),
      reuse,
      send,
      callers: new Set(),
      controller: new AbortController(),
      queuedAt: this.clock.now(),
      state: "queued",
      blockedBy: undefined,
      heldBy: new Set(),
    };
    if (reuse) this.pending.set(entry.key, entry);
    this.queue.push(entry);
    const answer = this.attach(entry, signal) as Promise<T>;
    this.pump();
    return answer;
  }

  /** Fails every queued call with `reason` and refuses new ones (server shutdown). Open requests finish. */
  close(reason: unknown): void {
    this.closedWith = reason;
    this.cancelTimer?.();
    this.cancelTimer = undefined;
    for (const entry of this.queue.splice(0)) {
      entry.state = "done";
      this.pending.delete(entry.key);
      for (const caller of entry.callers) this.settle(caller, { ok: false, error: reason });
      entry.callers.clear();
    }
    this.observer?.depth(0, this.openCount);
  }

  private attach(entry: Entry, signal: AbortSignal): Promise<unknown> {
    return new Promise((resolve, reject) => {
      const caller: Caller = {
        since: this.clock.now(),
        signal,
        resolve,
        reject,
        onAbort: () => this.leave(entry, caller),
      };
      entry.callers.add(caller);
      signal.addEventListener("abort", caller.onAbort, { once: true });
    });
  }

  /** A caller gave up: it fails now; the request goes on for the others, or is dropped (queued) / aborted (open). */
  private leave(entry: Entry, caller: Caller): void {
    if (!entry.callers.delete(caller)) return;
    const reason = caller.signal.reason;
    if (entry.state === "queued") {
      this.counters.abandonedWhileQueued++;
      this.settle(caller, { ok: false, error: this.queuedAbortReason(entry, caller, reason) });
      if (entry.callers.size > 0) return;
      entry.state = "done";
      this.queue.splice(this.queue.indexOf(entry), 1);
      if (this.pending.get(entry.key) === entry) this.pending.delete(entry.key);
      // It may have been holding the queue behind a shared rule.
      this.pump();
      return;
    }
    this.settle(caller, { ok: false, error: reason });
    if (entry.callers.size > 0 || entry.state !== "open") return;
    // IB is told to stop (the correlator sends the cancel); a newcomer must not join an answer that will not come.
    if (this.pending.get(entry.key) === entry) this.pending.delete(entry.key);
    entry.controller.abort(reason);
  }

  /** A deadline that passed in the queue says so, and which rule held the request; a cancel stays a cancel. */
  private queuedAbortReason(entry: Entry, caller: Caller, reason: unknown): unknown {
    const isDeadline =
      (reason instanceof ConnectError && reason.code === Code.DeadlineExceeded) ||
      (reason instanceof Error && reason.name === "TimeoutError");
    if (!isDeadline) return reason;
    const waited = Math.round(this.clock.now() - caller.since);
    const rule = entry.blockedBy ?? "open-requests";
    return new ConnectError(
      `waited ${waited} ms for IB's historical data pacing (${this.describe(rule)}); the request was not sent`,
      Code.DeadlineExceeded,
      undefined,
      undefined,
      reason,
    );
  }

  private describe(rule: PacingRule): string {
    const r = this.rules;
    switch (rule) {
      case "identical-request":
        return `no identical request within ${r.identicalWindowMs / 1000} s`;
      case "same-contract-burst":
        return `at most ${r.sameContractMax} requests per contract and tick type within ${r.sameContractWindowMs / 1000} s`;
      case "request-window":
        return `at most ${r.maxRequests} requests within ${r.windowMs / 60_000} minutes`;
      case "open-requests":
        return `at most ${r.maxOpen} requests open at once`;
    }
  }

  private settle(caller: Caller, outcome: Outcome): void {
    caller.signal.removeEventListener("abort", caller.onAbort);
    if (outcome.ok) caller.resolve(outcome.value);
    else caller.reject(outcome.error);
  }

  /** Sends every queued request the rules allow, in order, and sets one timer for the next that will be allowed. */
  private pump(): void {
    if (this.pumping) {
      this.pumpAgain = true;
      return;
    }
    this.pumping = true;
    try {
      do {
        this.pumpAgain = false;
        this.admitAllowed();
      } while (this.pumpAgain);
    } finally {
      this.pumping = false;
    }
    this.observer?.depth(this.queue.length, this.openCount);
  }

  private admitAllowed(): void {
    this.cancelTimer?.();
    this.cancelTimer = undefined;
    const now = this.clock.now();
    this.forgetExpired(now);
    let wake = Number.POSITIVE_INFINITY;
    let sharedBlock: Blockage | undefined;
    for (let i = 0; i < this.queue.length; ) {
      const entry = this.queue[i] as Entry;
      const blocked = sharedBlock ?? this.blockage(entry, now);
      if (blocked === undefined) {
        this.queue.splice(i, 1);
        this.start(entry);
        continue;
      }
      entry.blockedBy = blocked.rule;
      if (!entry.heldBy.has(blocked.rule)) {
        entry.heldBy.add(blocked.rule);
        this.counters.waits[blocked.rule]++;
      }
      if (SHARED_RULES.has(blocked.rule)) sharedBlock = blocked;
      wake = Math.min(wake, blocked.until);
      i++;
    }
    if (wake !== Number.POSITIVE_INFINITY) {
      this.cancelTimer = this.clock.setTimer(Math.max(0, Math.ceil(wake - now)), () => {
        this.cancelTimer = undefined;
        this.pump();
      });
    }
  }

  /** The rule that holds `entry` now and until when (the latest of them), or undefined if it may go. */
  private blockage(entry: Entry, now: number): Blockage | undefined {
    const r = this.rules;
    let worst: Blockage | undefined;
    const hold = (rule: PacingRule, until: number) => {
      if (until > now && (worst === undefined || until > worst.until)) worst = { rule, until };
    };
    if (this.openWeight + entry.weight > r.maxOpen) hold("open-requests", Number.POSITIVE_INFINITY);
    const previous = this.lastIdentical.get(entry.identicalKey);
    if (previous) {
      hold(
        "identical-request",
        previous.at === undefined ? Number.POSITIVE_INFINITY : previous.at + this.span(r.identicalWindowMs),
      );
    }
    const sameContract = this.byContract.get(entry.burstKey) ?? [];
    hold(
      "same-contract-burst",
      this.fitsAt(sameContract, entry.weight, r.sameContractMax, r.sameContractWindowMs, now),
    );
    hold("request-window", this.fitsAt(this.window, entry.weight, r.maxRequests, r.windowMs, now));
    return worst;
  }

  /** When `weight` more fits under `max` in a window of `windowMs` (records expire oldest answer first). */
  private fitsAt(records: readonly SentRecord[], weight: number, max: number, windowMs: number, now: number): number {
    const span = this.span(windowMs);
    let used = 0;
    const answered: SentRecord[] = [];
    for (const record of records) {
      if (record.at === undefined) used += record.weight;
      else if (record.at + span > now) {
        used += record.weight;
        answered.push(record);
      }
    }
    if (used + weight <= max) return now;
    answered.sort((a, b) => (a.at as number) - (b.at as number));
    for (const record of answered) {
      used -= record.weight;
      if (used + weight <= max) return (record.at as number) + span;
    }
    return Number.POSITIVE_INFINITY;
  }

  /** A window as this side must keep it: IB's, plus the margin and 0.1% for clocks that do not tick alike. */
  private span(windowMs: number): number {
    return windowMs + this.marginMs + windowMs / 1000;
  }

  private start(entry: Entry): void {
    entry.state = "open";
    const record: SentRecord = { at: undefined, weight: entry.weight };
    this.window.push(record);
    const sameContract = this.byContract.get(entry.burstKey);
    if (sameContract) sameContract.push(record);
    else this.byContract.set(entry.burstKey, [record]);
    this.lastIdentical.set(entry.identicalKey, record);
    this.openCount++;
    this.openWeight += entry.weight;
    this.counters.sent++;
    this.observer?.waited(this.clock.now() - entry.queuedAt);

    let written = false;
    const attempt: HistoricalAttempt = {
      signal: entry.controller.signal,
      written: () => {
        written = true;
      },
    };
    let answer: Promise<unknown>;
    try {
      answer = Promise.resolve(entry.send(attempt));
    } catch (error) {
      // A send that throws instead of rejecting must still free its slot and fail its callers.
      answer = Promise.reject(error);
    }
    answer.then(
      (value) => this.finish(entry, record, { ok: true, value }, true),
      (error: unknown) => this.finish(entry, record, { ok: false, error }, written),
    );
  }

  private finish(entry: Entry, record: SentRecord, outcome: Outcome, reachedIb: boolean): void {
    const now = this.clock.now();
    record.at = now;
    this.openCount--;
    this.openWeight -= entry.weight;
    if (!reachedIb) this.refund(entry, record);
    entry.state = "done";
    if (this.pending.get(entry.key) === entry) this.pending.delete(entry.key);
    if (entry.reuse && reachedIb && (outcome.ok || this.replayFailure(outcome.error))) {
      this.remember(entry.key, outcome, now);
    }
    for (const caller of entry.callers) this.settle(caller, outcome);
    entry.callers.clear();
    this.pump();
  }

  private refund(entry: Entry, record: SentRecord): void {
    this.counters.refunded++;
    this.window = this.window.filter((r) => r !== record);
    const sameContract = this.byContract.get(entry.burstKey);
    if (sameContract) {
      const rest = sameContract.filter((r) => r !== record);
      if (rest.length > 0) this.byContract.set(entry.burstKey, rest);
      else this.byContract.delete(entry.burstKey);
    }
    if (this.lastIdentical.get(entry.identicalKey) === record) this.lastIdentical.delete(entry.identicalKey);
  }

  private remember(key: string, outcome: Outcome, now: number): void {
    this.cache.delete(key);
    this.cache.set(key, { outcome, expiresAt: now + this.cacheTtlMs });
    while (this.cache.size > this.maxCacheEntries) {
      const oldest = this.cache.keys().next().value as string;
      this.cache.delete(oldest);
    }
  }

  private cached(key: string): Outcome | undefined {
    const hit = this.cache.get(key);
    if (hit === undefined) return undefined;
    if (hit.expiresAt > this.clock.now()) return hit.outcome;
    this.cache.delete(key);
    return undefined;
  }

  /** Drops answered requests that no window counts any more, so every structure stays as small as IB's windows. */
  private forgetExpired(now: number): void {
    const live = (windowMs: number) => (record: SentRecord) =>
      record.at === undefined || record.at + this.span(windowMs) > now;
    this.window = this.window.filter(live(this.rules.windowMs));
    const liveBurst = live(this.rules.sameContractWindowMs);
    for (const [key, records] of this.byContract) {
      const rest = records.filter(liveBurst);
      if (rest.length === 0) this.byContract.delete(key);
      else if (rest.length !== records.length) this.byContract.set(key, rest);
    }
    const liveIdentical = live(this.rules.identicalWindowMs);
    for (const [key, record] of this.lastIdentical) if (!liveIdentical(record)) this.lastIdentical.delete(key);
    for (const [key, hit] of this.cache) if (hit.expiresAt <= now) this.cache.delete(key);
  }
}

/**
 * Failures that are IB's last word on the request (unknown contract, no permission, invalid request): asking again
 * within the identical window gets the same answer, or a pacing violation. Deadlines, cancels, disconnects and
 * pacing are not: the same request may succeed later.
 */
export function isFinalAnswer(error: unknown): boolean {
  if (!(error instanceof IbError) || error.reqId === undefined) return false;
  return FINAL_CODES.has(error.grpcCode);
}

const FINAL_CODES: ReadonlySet<Code> = new Set([
  Code.NotFound,
  Code.InvalidArgument,
  Code.PermissionDenied,
  Code.FailedPrecondition,
]);

/** What a failed historical request means, for the caller to decide (e.g. "no data" as an empty answer). */
export type HistoricalFailure =
  | "no-data"
  | "no-permission"
  | "pacing"
  | "cancelled"
  | "invalid-request"
  | "not-found"
  | "unavailable"
  | "notice"
  | "other";

export interface HistoricalErrorClass {
  failure: HistoricalFailure;
  /** The gRPC code to fail with ("no-data": NOT_FOUND, unless the caller answers empty instead). */
  grpcCode: Code;
}

/**
 * IB's 162 covers every failure of its historical data service (HMDS), not only pacing: it says "query returned no
 * data", "No market data permissions for ...", "API historical data query cancelled", "No data of type X is available",
 * "Time length exceed max.", or a broken HMDS connection. Its text decides the gRPC code; other codes that historical
 * requests earn (165, 166, 366) are read here too, the rest as the IB code table says.
 */
export function classifyHistoricalError(code: number, message: string): HistoricalErrorClass {
  const text = message.toLowerCase();
  switch (code) {
    case 162:
      for (const [pattern, failure] of HMDS_TEXTS) if (pattern.test(text)) return { failure, grpcCode: CODES[failure] };
      return { failure: "other", grpcCode: Code.FailedPrecondition };
    // "Historical Market Data Service query message": information (e.g. about the HMDS connection), never a failure.
    case 165:
      return { failure: "notice", grpcCode: Code.Unknown };
    // HMDS expired contract violation: data of an expired contract is not available.
    case 166:
      return { failure: "no-data", grpcCode: Code.NotFound };
    // "No historical data query found for ticker id": the request IB was asked to cancel is already gone.
    case 366:
      return { failure: "not-found", grpcCode: Code.NotFound };
    default: {
      const grpcCode = classifyIbCode(code).grpc;
      return { failure: grpcCode === Code.Unavailable ? "unavailable" : "other", grpcCode };
    }
  }
}

/** An IbError for a failed historical request with the code {@link classifyHistoricalError} gives it. */
export function historicalIbError(
  code: number,
  message: string,
  opts: { gateway?: string; reqId?: number; cause?: unknown } = {},
): IbError {
  return new IbError(code, message, { ...opts, grpcCode: classifyHistoricalError(code, message).grpcCode });
}

const CODES: Record<HistoricalFailure, Code> = {
  "no-data": Code.NotFound,
  "no-permission": Code.PermissionDenied,
  pacing: Code.ResourceExhausted,
  cancelled: Code.Canceled,
  "invalid-request": Code.InvalidArgument,
  "not-found": Code.NotFound,
  unavailable: Code.Unavailable,
  notice: Code.Unknown,
  other: Code.FailedPrecondition,
};

/** 162's texts, most specific first (lower-cased). */
const HMDS_TEXTS: ReadonlyArray<readonly [RegExp, HistoricalFailure]> = [
  [/pacing violation/, "pacing"],
  [/no market data permissions|not subscribed|no permission/, "no-permission"],
  [/query cancelled|query canceled/, "cancelled"],
  [
    /no data of type|time length exceed|invalid|not supported|bar size|step|must occur before|duration/,
    "invalid-request",
  ],
  [/returned no data|no data|no head time stamp/, "no-data"],
  [/unknown contract|no security definition|contract .*not found/, "not-found"],
  [/connection (is )?broken|disconnect|connection was lost|timed out|timeout|server error|try again/, "unavailable"],
];
