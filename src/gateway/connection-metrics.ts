import type { Counter, Gauge, Histogram } from "prom-client";
import { metrics } from "../metrics/registry.js";
import type { HistoricalPacerObserver } from "./historical-pacer.js";
import type { PacerObserver, Priority } from "./pacer.js";

/**
 * One gateway connection's Prometheus series (src/metrics/registry.ts): IB messages in and out by type, the 50 msg/s
 * pacer's queue and waits, the historical pacer's queue, open requests, waits and cache hits.
 *
 * These run on the connection's hot paths (every IB event, every message sent), so each label set's child is looked
 * up once and kept: `counter.labels(...)` hashes the label values on every call, a Map hit on the type does not.
 *
 * API: const m = new ConnectionMetrics("gw"); m.messageIn("tickPrice"); m.messageOut("reqMktData");
 *      new Pacer({ observer: m.pacer }); new HistoricalPacer({ observer: m.historical })
 */
export class ConnectionMetrics {
  readonly pacer: PacerObserver;
  readonly historical: HistoricalPacerObserver;
  private readonly messagesIn = new Map<string, Counter.Internal>();
  private readonly messagesOut = new Map<string, Counter.Internal>();

  constructor(readonly gateway: string) {
    const queueDepth: Gauge.Internal<"gateway"> = metrics.pacerQueueDepth.labels(gateway);
    queueDepth.set(0); // the series exists (at 0) from the start, not only after a first wait
    const waits: Record<Priority, Histogram.Internal<"gateway" | "priority">> = {
      urgent: metrics.pacerWait.labels(gateway, "urgent"),
      normal: metrics.pacerWait.labels(gateway, "normal"),
    };
    this.pacer = {
      queueDepth: (depth) => queueDepth.set(depth),
      sent: (priority, waitedMs) => waits[priority].observe(waitedMs / 1000),
    };
    const historicalQueue = metrics.historicalPacerQueueDepth.labels(gateway);
    const historicalOpen = metrics.historicalPacerOpen.labels(gateway);
    const historicalWait = metrics.historicalPacerWait.labels(gateway);
    const cacheHits = metrics.historicalCacheHits.labels(gateway);
    historicalQueue.set(0);
    historicalOpen.set(0);
    this.historical = {
      depth: (queued, open) => {
        historicalQueue.set(queued);
        historicalOpen.set(open);
      },
      waited: (waitedMs) => historicalWait.observe(waitedMs / 1000),
      cacheHit: () => cacheHits.inc(),
    };
  }

  /** One message from IB, by its IBApi event name (tickPrice, error, nextValidId...). */
  messageIn(type: string): void {
    let child = this.messagesIn.get(type);
    if (!child) {
      child = metrics.ibMessagesIn.labels(this.gateway, type);
      this.messagesIn.set(type, child);
    }
    child.inc();
  }

  /** One request to IB, by its EClient method name (reqMktData, placeOrder, cancelHistoricalData...). */
  messageOut(type: string): void {
    let child = this.messagesOut.get(type);
    if (!child) {
      child = metrics.ibMessagesOut.labels(this.gateway, type);
      this.messagesOut.set(type, child);
    }
    child.inc();
  }
}
