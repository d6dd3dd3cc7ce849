import { pino } from "pino";
import { GatewayState } from "../../gen/ibrpc/v1/connection_pb.js";
import { GatewayConnection } from "../../src/gateway/gateway-connection.js";
import { ManualClock } from "../../src/sim/clock.js";
import { type LimitOptions, Simulator } from "../../src/sim/index.js";
import type { SubscriptionRegistry } from "../../src/sim/subscriptions.js";
import { STEP_MS } from "../../src/sim/world/index.js";

export const silent = pino({ level: "silent" });

/** 2025-01-02 14:30 UTC: the New York regular session opens, so every US feed moves. */
export const MARKET_OPEN = Date.UTC(2025, 0, 2, 14, 30, 0);

const MARKET_FEED_KINDS = [
  "mktData",
  "mktDepth",
  "tickByTick",
  "realTimeBars",
  "historicalData",
  "newsBulletins",
  "scanner",
  "displayGroup",
  "pnl",
  "pnlSingle",
];

/**
 * A simulator whose market runs on a ManualClock that a pump steps by one walk step every few real milliseconds:
 * feeds move whatever the wall clock says (nights, weekends, holidays), and a test can stop the market to make feeds
 * go quiet. Tests still wait for events, never for time.
 */
export interface Market {
  readonly sim: Simulator;
  readonly clock: ManualClock;
  readonly port: number;
  /** Stops (or restarts) the pump: the market freezes, timers of the simulator (fault restores) too. */
  pause(): void;
  resume(): void;
  /** IB subscriptions the simulator holds for every connected client. */
  subscriptionsAtIb(): number;
  /** The same, of one kind ("mktData", "mktDepth", "positions"...), as the simulator's registry names them. */
  subscriptionsAtIbOf(kind: string): number;
  /**
   * Market feeds at IB (market data, depth, tick-by-tick, bars, history, news, scanners, display groups, PnL): only
   * streams hold those, while orders and the account snapshotter also hold account and order subscriptions.
   */
  feedsAtIb(): number;
  stop(): Promise<void>;
}

export interface MarketOptions {
  limits?: LimitOptions;
  periodMs?: number;
}

export async function startMarket(opts: MarketOptions = {}): Promise<Market> {
  const clock = new ManualClock(MARKET_OPEN);
  const sim = new Simulator({ seed: 42, clock, logger: silent, limits: opts.limits });
  const { port } = await sim.start();
  let pump: NodeJS.Timeout | undefined;
  const resume = () => {
    pump ??= setInterval(() => clock.advance(STEP_MS), opts.periodMs ?? 5);
  };
  const pause = () => {
    if (pump) clearInterval(pump);
    pump = undefined;
  };
  resume();
  const subscriptionsAtIbOf = (kind: string) =>
    [...(sim as unknown as { sessions: Set<{ subscriptions: SubscriptionRegistry }> }).sessions].reduce(
      (n, s) => n + s.subscriptions.count(kind),
      0,
    );
  return {
    sim,
    clock,
    port,
    pause,
    resume,
    subscriptionsAtIb: () => sim.control.status().sessions.reduce((n, s) => n + s.subscriptions, 0),
    // status() counts every kind; the per-kind count reads the simulator's sessions (a test-only view).
    subscriptionsAtIbOf,
    feedsAtIb: () => MARKET_FEED_KINDS.reduce((n, kind) => n + subscriptionsAtIbOf(kind), 0),
    async stop() {
      pause();
      await sim.stop();
    },
  };
}

/** A gateway connection to the simulator, READY. Reconnects fast after a drop. */
export async function connectGateway(port: number, name = "sim"): Promise<GatewayConnection> {
  const gw = new GatewayConnection({
    endpoint: { name, host: "127.0.0.1", port },
    baseClientId: 100,
    logger: silent,
    backoff: { initialMs: 20, maxMs: 200, factor: 2, jitter: 0 },
  });
  gw.start();
  await untilReady(gw);
  return gw;
}

export function untilReady(gw: GatewayConnection, ms = 5_000): Promise<void> {
  if (gw.snapshot().state === GatewayState.READY) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      gw.off("change", onChange);
      reject(new Error(`gateway never READY (now ${GatewayState[gw.snapshot().state]})`));
    }, ms);
    const onChange = () => {
      if (gw.snapshot().state !== GatewayState.READY) return;
      clearTimeout(timer);
      gw.off("change", onChange);
      resolve();
    };
    gw.on("change", onChange);
  });
}

/**
 * Reads a stream in the background and lets a test wait for what it received: `until(predicate)` resolves with the
 * first matching message at or after `from`, or fails naming what was awaited after `ms`.
 */
export class StreamReader<M> {
  readonly received: M[] = [];
  error: unknown;
  ended = false;
  private waiters = new Set<() => void>();
  readonly done: Promise<void>;

  constructor(stream: AsyncIterable<M>) {
    this.done = (async () => {
      try {
        for await (const m of stream) {
          this.received.push(m);
          this.wake();
        }
      } catch (err) {
        this.error = err;
      } finally {
        this.ended = true;
        this.wake();
      }
    })();
  }

  /** The index the next message will have: pass it as `from` to wait only for what comes after now. */
  get mark(): number {
    return this.received.length;
  }

  until<S extends M>(predicate: (m: M) => m is S, what: string, opts?: { from?: number; ms?: number }): Promise<S>;
  until(predicate: (m: M) => boolean, what: string, opts?: { from?: number; ms?: number }): Promise<M>;
  async until(predicate: (m: M) => boolean, what: string, opts: { from?: number; ms?: number } = {}): Promise<M> {
    const ms = opts.ms ?? 5_000;
    const deadline = Date.now() + ms;
    let from = opts.from ?? 0;
    for (;;) {
      for (; from < this.received.length; from++) {
        const m = this.received[from] as M;
        if (predicate(m)) return m;
      }
      if (this.ended) throw new Error(`stream ended (${String(this.error)}) before ${what}`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`not within ${ms} ms: ${what}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        const wake = () => {
          clearTimeout(timer);
          this.waiters.delete(wake);
          resolve();
        };
        this.waiters.add(wake);
      });
    }
  }

  /** Waits for the stream to end; resolves with its error (undefined when it ended normally). */
  async ending(what: string, ms = 5_000): Promise<unknown> {
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      this.done,
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`not within ${ms} ms: ${what}`)), ms);
      }),
    ]).finally(() => clearTimeout(timer));
    return this.error;
  }

  private wake(): void {
    for (const w of [...this.waiters]) w();
  }
}

/** Polls `probe` (cheap, synchronous) until true; every wait has a deadline. */
export async function until(what: string, probe: () => boolean, ms = 5_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!probe()) {
    if (Date.now() > deadline) throw new Error(`not within ${ms} ms: ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
