import { describe, expect, it } from "vitest";
import { backoffDelay, DEFAULT_BACKOFF } from "../../src/gateway/backoff.js";

describe("backoffDelay", () => {
  it("grows exponentially up to the cap", () => {
    const noJitter = { ...DEFAULT_BACKOFF, jitter: 0 };
    expect([0, 1, 2, 3, 4, 5, 10].map((a) => backoffDelay(a, noJitter))).toEqual([
      250, 500, 1000, 2000, 4000, 5000, 5000,
    ]);
  });

  it("randomizes within the jitter share of the delay", () => {
    const policy = { initialMs: 1000, maxMs: 1000, factor: 2, jitter: 0.5 };
    expect(backoffDelay(0, policy, () => 0)).toBe(500);
    expect(backoffDelay(0, policy, () => 0.999999)).toBe(1000);
    const seen = new Set(Array.from({ length: 50 }, () => backoffDelay(3, policy)));
    expect(Math.min(...seen)).toBeGreaterThanOrEqual(500);
    expect(Math.max(...seen)).toBeLessThanOrEqual(1000);
    expect(seen.size).toBeGreaterThan(1);
  });
});
