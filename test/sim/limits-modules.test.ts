import { describe, expect, it } from "vitest";
import {
  HISTORICAL_PACING_VIOLATION,
  HistoricalPacing,
  type HistoricalRequestKey,
} from "../../src/sim/limits/historical-pacing.js";
import { MessageRateGuard } from "../../src/sim/limits/message-rate.js";
import { DEFAULT_LIMITS, resolveLimits } from "../../src/sim/limits/options.js";
import { RecentEvents } from "../../src/sim/limits/recent-events.js";
import { SubscriptionQuota } from "../../src/sim/limits/subscription-quota.js";

/** Records what a limit said to its session. */
class FakeSession {
  readonly errors: Array<[number, number, string]> = [];
  closedBecause: string | undefined;
  sendError(id: number, code: number, message: string): void {
    this.errors.push([id, code, message]);
  }
  close(reason: string): void {
    this.closedBecause = reason;
  }
}

describe("RecentEvents", () => {
  it("counts events in the half-open window (now - W, now] and survives compaction", () => {
    const events = new RecentEvents(1000);
    for (let t = 0; t < 5000; t++) events.add(t);
    expect(events.count(4999)).toBe(1000); // 4000..4999
    expect(events.count(5999)).toBe(0);
    events.add(6000);
    expect(events.count(6000)).toBe(1);
  });
});

describe("message rate guard", () => {
  const limits = { maxMessagesPerSec: 50, dropAfterViolations: 2, violationWindowMs: 5000 };

  it("lets 50 messages a second through silently", () => {
    let now = 0;
    const session = new FakeSession();
    const guard = new MessageRateGuard(session, limits, () => now);
    for (let second = 0; second < 3; second++) {
      for (let i = 0; i < 50; i++) {
        expect(guard.admit()).toBe(true);
        now += 19; // 50 messages in 950 ms, then a pause: never 51 within any second
      }
      now += 100;
    }
    expect(session.errors).toEqual([]);
  });

  it("warns with 100 on the 51st message in a second, once per second, and drops on the second violation", () => {
    let now = 1000;
    const session = new FakeSession();
    const guard = new MessageRateGuard(session, limits, () => now);
    for (let i = 0; i < 80; i++) expect(guard.admit()).toBe(true);
    expect(session.errors).toEqual([[-1, 100, "Max rate of messages per second has been exceeded:max=50 rec=51 (1)"]]);
    expect(session.closedBecause).toBeUndefined();

    now = 1500; // still within the warned second: no second warning
    for (let i = 0; i < 30; i++) expect(guard.admit()).toBe(true);
    expect(session.errors).toHaveLength(1);
    now = 2000; // the burst at 1000 has left the window; the 30 at 1500 have not
    for (let i = 0; i < 20; i++) expect(guard.admit()).toBe(true);
    expect(guard.admit()).toBe(false); // the 51st in (1000, 2000]: second violation within 5 s
    expect(session.errors[1]).toEqual([-1, 100, "Max rate of messages per second has been exceeded:max=50 rec=51 (2)"]);
    expect(session.closedBecause).toMatch(/more than 50 messages per second/);
    expect(guard.admit()).toBe(false);
    expect(guard.violationCount).toBe(2);
  });

  it("forgives a violation older than the violation window", () => {
    let now = 0;
    const session = new FakeSession();
    const guard = new MessageRateGuard(session, limits, () => now);
    for (let i = 0; i < 51; i++) guard.admit();
    now += 6000;
    for (let i = 0; i < 51; i++) expect(guard.admit()).toBe(true);
    expect(session.errors.map(([, code]) => code)).toEqual([100, 100]);
    expect(session.closedBecause).toBeUndefined();
  });

  it("is off at Infinity", () => {
    const session = new FakeSession();
    const guard = new MessageRateGuard(session, resolveLimits({ enforce: false }), () => 0);
    for (let i = 0; i < 10_000; i++) guard.admit();
    expect(session.errors).toEqual([]);
  });
});

describe("historical pacing", () => {
  const bars = (symbol: string, end: string, whatToShow = "TRADES"): HistoricalRequestKey => ({
    identical: `${symbol}|SMART|${end}|1 D|5 mins|${whatToShow}`,
    contract: `${symbol}|SMART|${whatToShow}`,
  });

  it("refuses an identical request within 15 s and accepts it after", () => {
    let now = 0;
    const pacing = new HistoricalPacing(DEFAULT_LIMITS.historical, () => now);
    expect(pacing.check(bars("AAPL", "20250102"))).toBeUndefined();
    now = 14_999;
    expect(pacing.check(bars("AAPL", "20250102"))).toBe("identical-request");
    now = 15_000;
    expect(pacing.check(bars("AAPL", "20250102"))).toBeUndefined();
  });

  it("refuses the 6th request for one contract, exchange and tick type within 2 s", () => {
    let now = 0;
    const pacing = new HistoricalPacing(DEFAULT_LIMITS.historical, () => now);
    for (let day = 1; day <= 5; day++) {
      expect(pacing.check(bars("AAPL", `2025010${day}`))).toBeUndefined();
      now += 100;
    }
    expect(pacing.check(bars("AAPL", "20250106"))).toBe("same-contract-burst");
    // Another tick type or contract is another key.
    expect(pacing.check(bars("AAPL", "20250106", "MIDPOINT"))).toBeUndefined();
    expect(pacing.check(bars("MSFT", "20250106"))).toBeUndefined();
    now = 2000; // the first request (at 0) has left the window
    expect(pacing.check(bars("AAPL", "20250106"))).toBeUndefined();
  });

  it("refuses the 61st request within 10 minutes; refused requests do not count", () => {
    let now = 0;
    const pacing = new HistoricalPacing(DEFAULT_LIMITS.historical, () => now);
    for (let i = 0; i < 60; i++) {
      expect(pacing.check(bars(`S${i}`, "20250102"))).toBeUndefined();
      now += 1000;
    }
    expect(pacing.check(bars("LATE", "20250102"))).toBe("too-many-requests");
    expect(pacing.check(bars("LATE", "20250102"))).toBe("too-many-requests");
    now = 600_000; // the request at 0 expires
    expect(pacing.check(bars("LATE", "20250102"))).toBeUndefined();
    expect(pacing.check(bars("LATER", "20250102"))).toBe("too-many-requests");
  });

  it("answers a refusal with 162 on the request id", () => {
    const pacing = new HistoricalPacing(DEFAULT_LIMITS.historical, () => 0);
    const session = new FakeSession();
    expect(pacing.admit(session, 7, bars("AAPL", "x"))).toBe(true);
    expect(pacing.admit(session, 8, bars("AAPL", "x"))).toBe(false);
    expect(session.errors).toEqual([[8, 162, HISTORICAL_PACING_VIOLATION]]);
    expect(HISTORICAL_PACING_VIOLATION).toBe(
      "Historical Market Data Service error message:Historical data request pacing violation",
    );
  });

  it("is off with enforce: false", () => {
    const pacing = new HistoricalPacing(resolveLimits({ enforce: false }).historical, () => 0);
    for (let i = 0; i < 200; i++) expect(pacing.check(bars("AAPL", "same"))).toBeUndefined();
  });
});

describe("subscription quota", () => {
  it("holds lines per session and request id, refuses beyond capacity, and frees a closed session's lines", () => {
    const quota = new SubscriptionQuota(3, { code: 101, message: "Max number of tickers has been reached" });
    const first = new FakeSession();
    const second = new FakeSession();
    expect(quota.acquire(first, 1)).toBe(true);
    expect(quota.acquire(first, 1)).toBe(true); // a re-request keeps its line
    expect(quota.acquire(first, 2)).toBe(true);
    expect(quota.acquire(second, 1)).toBe(true);
    expect(quota.used).toBe(3);
    expect(quota.acquire(second, 2)).toBe(false);
    expect(second.errors).toEqual([[2, 101, "Max number of tickers has been reached"]]);

    quota.release(first, 2);
    quota.release(first, 2); // twice is harmless
    expect(quota.used).toBe(2);
    expect(quota.acquire(second, 2)).toBe(true);
    quota.releaseSession(second);
    expect(quota.used).toBe(1);
    quota.releaseAll();
    expect(quota.used).toBe(0);
  });
});

describe("limit options", () => {
  it("defaults to the real gateway's numbers", () => {
    expect(resolveLimits()).toEqual(DEFAULT_LIMITS);
    expect(DEFAULT_LIMITS).toMatchObject({ maxMessagesPerSec: 50, marketDataLines: 100, depthSubscriptions: 3 });
  });

  it("takes overrides and rejects nonsense", () => {
    expect(resolveLimits({ marketDataLines: 5, historical: { maxRequests: 3 } })).toMatchObject({
      marketDataLines: 5,
      historical: { maxRequests: 3, sameContractMax: 5 },
    });
    expect(() => resolveLimits({ maxMessagesPerSec: -1 })).toThrow(/limits.maxMessagesPerSec/);
    expect(() => resolveLimits({ historical: { windowMs: 1.5 } })).toThrow(/limits.historical.windowMs/);
    expect(resolveLimits({ depthSubscriptions: Number.POSITIVE_INFINITY }).depthSubscriptions).toBe(
      Number.POSITIVE_INFINITY,
    );
  });
});
