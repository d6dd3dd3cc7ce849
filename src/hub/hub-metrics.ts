import { flushBeforeScrape, metrics } from "../metrics/registry.js";
import type { FeedKind } from "./feed-spec.js";
import type { HubObserver } from "./hub.js";

/**
 * The hub's Prometheus metrics (src/metrics/registry.ts): IB subscriptions held per kind, market data lines used
 * against the budget, ticks conflated for slow clients, slow clients cut off.
 */
export function hubMetrics(): HubObserver {
  const reported = new Map<string, Set<FeedKind>>();
  // Conflation happens per tick under load: counted in plain numbers, added to the counter when /metrics is read
  // (a labelled inc() costs ~0.4 us).
  const conflated = new Map<FeedKind, number>();
  flushBeforeScrape(() => {
    for (const [kind, n] of conflated) if (n > 0) metrics.conflatedTicks.inc({ kind }, n);
    conflated.clear();
  });
  return {
    feedsChanged(gateway, counts, lines, limit) {
      const before = reported.get(gateway) ?? new Set<FeedKind>();
      for (const kind of before) if (!counts.has(kind)) metrics.hubSubscriptions.set({ gateway, kind }, 0);
      for (const [kind, n] of counts) metrics.hubSubscriptions.set({ gateway, kind }, n);
      reported.set(gateway, new Set(counts.keys()));
      metrics.hubLinesUsed.set({ gateway, kind: "mktData" }, lines);
      metrics.hubLinesLimit.set({ gateway }, limit);
    },
    conflated(kind) {
      conflated.set(kind, (conflated.get(kind) ?? 0) + 1);
    },
    cutOff(kind) {
      metrics.slowClientCutoffs.inc({ kind });
    },
  };
}
