import type { Counter, Gauge, Histogram } from "prom-client";
import { flushBeforeScrape, metrics } from "../metrics/registry.js";
import type { HistoricalPacerObserver } from "./historical-pacer.js";
import type { PacerObserver, Priority } from "./pacer.js";

/**
 * One gateway connection's Prometheus series (src/metrics/registry.ts): IB messages in and out by type, the 50 msg/s
 * pacer's queue and waits, the historical pacer's queue, open requests, waits and cache hits.
 *
 * Messages in run on the connection's hottest path (every IB event, ticks included): they are counted in plain numbers
 * (~25 ns) and added to ibrpc_ib_messages_in_total when /metrics is scraped, since prom-client's labelled inc()
 * hashes and validates its labels on every call (~400 ns measured). Everything else here is bounded by the 50 msg/s
 * pacer and uses label children looked up once.
 *
 * API: const m = new ConnectionMetrics("gw"); m.messageIn("tickPrice"); m.messageOut("reqMktData");
 *      new Pacer({ observer: m.pacer }); new HistoricalPacer({ observer: m.historical })
 */
export class ConnectionMetrics {
  readonly pacer: PacerObserver;
  readonly historical: HistoricalPacerObserver;
  /** Events by type since the last scrape, and the counter child each is added to. */
  private readonly messagesIn = new Map<string, { child: Counter.Internal; unflushed: number }>();
  private dirty = false;
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
    let count = this.messagesIn.get(type);
    if (!count) {
      count = { child: metrics.ibMessagesIn.labels(this.gateway, type), unflushed: 0 };
      this.messagesIn.set(type, count);
    }
    count.unflushed++;
    if (!this.dirty) {
      this.dirty = true;
      unflushed.add(this);
    }
  }

  /** Adds the events counted since the last scrape to ibrpc_ib_messages_in_total. */
  flush(): void {
    this.dirty = false;
    for (const count of this.messagesIn.values()) {
      if (count.unflushed === 0) continue;
      count.child.inc(count.unflushed);
      count.unflushed = 0;
    }
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

/** Connections with events counted since the last scrape (a connection stays here only until the next one). */
const unflushed = new Set<ConnectionMetrics>();
flushBeforeScrape(() => {
  for (const m of unflushed) m.flush();
  unflushed.clear();
});
