import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client";

/**
 * THE Prometheus registry of the process and every metric ibrpc exports, served at GET /metrics on the API port
 * (admin scope when tokens are configured). One file so that names, labels and units are reviewed together and no
 * two modules register the same name (prom-client throws on that at import time).
 *
 * Use: `import { metrics } from "../metrics/registry.js"` then e.g. `metrics.hubSubscriptions.set({ kind: "mkt" }, n)`,
 * `metrics.ibMessagesIn.inc({ gateway, type: "tickPrice" })`, `const end = metrics.storeWriteSeconds.startTimer({
 * operation: "snapshot" }); ...; end();`. Labels: keep their values bounded (event names, kinds, gateway names,
 * procedure paths) - never an account, a symbol, a token or an order id.
 *
 * Names (all prefixed ibrpc_; durations in seconds, as Prometheus wants):
 * - ibrpc_rpc_calls_total{procedure,protocol,code}           every finished call, refused ones (auth, limits) included
 * - ibrpc_rpc_duration_seconds{procedure,protocol}           unary latency, first byte in to last byte out
 * - ibrpc_rpc_streams_active{procedure}                      server streams open now
 * - ibrpc_http_refused_total{reason}                         plain-HTTP answers that never reached an RPC: not_found,
 *                                                            unsupported_media_type, method_not_allowed,
 *                                                            body_too_large, cors_refused
 * - ibrpc_auth_failures_total{reason}                        missing_token, bad_token, scope, client_cert
 * - ibrpc_limit_refusals_total{limit}                        rate, streams, deadline
 * - ibrpc_ib_messages_in_total{gateway,type}                 EWrapper events received, by event name
 * - ibrpc_ib_messages_out_total{gateway,type}                EClient requests sent, by request name
 * - ibrpc_pacer_queue_depth{gateway}                         messages waiting for the 50 msg/s pacer
 * - ibrpc_pacer_wait_seconds{gateway,priority}               time a message waited in the pacer
 * - ibrpc_historical_pacer_queue_depth{gateway}              historical requests waiting for IB's pacing rules
 * - ibrpc_historical_pacer_open{gateway}                     historical requests sent and not answered yet (IB: 50)
 * - ibrpc_historical_pacer_wait_seconds{gateway}             time a historical request waited
 * - ibrpc_historical_cache_hits_total{gateway}               historical requests served from the short cache
 * - ibrpc_hub_subscriptions{gateway,kind}                    IB subscriptions held by the stream hub
 * - ibrpc_hub_lines_used{gateway,kind}                       market data lines in use (IB's line budget)
 * - ibrpc_hub_lines_limit{gateway}                           the line budget itself
 * - ibrpc_conflated_ticks_total{kind}                        ticks replaced by a newer one before a slow client read them
 * - ibrpc_slow_client_cutoffs_total{kind}                    streams ended because the client could not keep up
 * - ibrpc_gateway_state{gateway,state}                       1 for the gateway's current state, 0 for the others
 * - ibrpc_gateway_reconnects_total{gateway}                  connection attempts after the first
 * - ibrpc_store_write_seconds{operation}                     database write latency
 * - ibrpc_process_* / nodejs_*                               prom-client's default process metrics (memory, GC, lag)
 */
export const registry = new Registry();
registry.setDefaultLabels({ service: "ibrpc" });
collectDefaultMetrics({ register: registry, prefix: "ibrpc_" });

const registers = [registry];

/**
 * Counts a hot path keeps in plain numbers and adds to their metric only when scraped: a labelled `inc()` hashes
 * and validates its labels on every call (~0.4 µs), too much for every IB event of a tick stream. A module that
 * counts this way registers its flush here; the metric's `collect` (run by prom-client before it is read) calls it.
 */
const flushes = new Set<() => void>();
export function flushBeforeScrape(flush: () => void): void {
  flushes.add(flush);
}
function flushAll(): void {
  for (const flush of flushes) flush();
}

/** Unary latency: most calls take a millisecond or two in-process, historical ones seconds. */
const LATENCY_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];
/** Waits in pacers and writes to the store: from nothing to a pacing window. */
const WAIT_BUCKETS = [0.001, 0.005, 0.02, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 600];

export const metrics = {
  rpcCalls: new Counter({
    name: "ibrpc_rpc_calls_total",
    help: "Finished calls by procedure, protocol and final code (refused ones included)",
    labelNames: ["procedure", "protocol", "code"] as const,
    registers,
  }),
  rpcDuration: new Histogram({
    name: "ibrpc_rpc_duration_seconds",
    help: "Latency of unary calls",
    labelNames: ["procedure", "protocol"] as const,
    buckets: LATENCY_BUCKETS,
    registers,
  }),
  rpcStreamsActive: new Gauge({
    name: "ibrpc_rpc_streams_active",
    help: "Server streams open now",
    labelNames: ["procedure"] as const,
    registers,
  }),
  httpRefused: new Counter({
    name: "ibrpc_http_refused_total",
    help: "Requests answered before reaching an RPC (404, 405, 413, 415, CORS)",
    labelNames: ["reason"] as const,
    registers,
  }),
  authFailures: new Counter({
    name: "ibrpc_auth_failures_total",
    help: "Requests refused by authentication or authorization",
    labelNames: ["reason"] as const,
    registers,
  }),
  limitRefusals: new Counter({
    name: "ibrpc_limit_refusals_total",
    help: "Calls refused by a limit (per-token rate, concurrent streams, deadline cap)",
    labelNames: ["limit"] as const,
    registers,
  }),
  ibMessagesIn: new Counter({
    name: "ibrpc_ib_messages_in_total",
    help: "Messages received from IB, by EWrapper event name",
    labelNames: ["gateway", "type"] as const,
    registers,
    collect: flushAll, // counted per event by src/gateway/connection-metrics.ts
  }),
  ibMessagesOut: new Counter({
    name: "ibrpc_ib_messages_out_total",
    help: "Requests sent to IB, by EClient request name",
    labelNames: ["gateway", "type"] as const,
    registers,
  }),
  pacerQueueDepth: new Gauge({
    name: "ibrpc_pacer_queue_depth",
    help: "Messages waiting for the 50 msg/s pacer",
    labelNames: ["gateway"] as const,
    registers,
  }),
  pacerWait: new Histogram({
    name: "ibrpc_pacer_wait_seconds",
    help: "Time a message waited in the 50 msg/s pacer",
    labelNames: ["gateway", "priority"] as const,
    buckets: WAIT_BUCKETS,
    registers,
  }),
  historicalPacerQueueDepth: new Gauge({
    name: "ibrpc_historical_pacer_queue_depth",
    help: "Historical data requests waiting for IB's pacing rules",
    labelNames: ["gateway"] as const,
    registers,
  }),
  historicalPacerOpen: new Gauge({
    name: "ibrpc_historical_pacer_open",
    help: "Historical data requests sent to IB and not answered yet (IB allows 50 at once)",
    labelNames: ["gateway"] as const,
    registers,
  }),
  historicalPacerWait: new Histogram({
    name: "ibrpc_historical_pacer_wait_seconds",
    help: "Time a historical data request waited for IB's pacing rules",
    labelNames: ["gateway"] as const,
    buckets: WAIT_BUCKETS,
    registers,
  }),
  historicalCacheHits: new Counter({
    name: "ibrpc_historical_cache_hits_total",
    help: "Historical data requests served from the short cache instead of IB",
    labelNames: ["gateway"] as const,
    registers,
  }),
  hubSubscriptions: new Gauge({
    name: "ibrpc_hub_subscriptions",
    help: "IB subscriptions held by the stream hub, by kind",
    labelNames: ["gateway", "kind"] as const,
    registers,
  }),
  hubLinesUsed: new Gauge({
    name: "ibrpc_hub_lines_used",
    help: "Market data lines in use, by kind",
    labelNames: ["gateway", "kind"] as const,
    registers,
  }),
  hubLinesLimit: new Gauge({
    name: "ibrpc_hub_lines_limit",
    help: "Market data lines the gateway allows",
    labelNames: ["gateway"] as const,
    registers,
  }),
  conflatedTicks: new Counter({
    name: "ibrpc_conflated_ticks_total",
    help: "Ticks replaced by a newer one before a slow client read them",
    labelNames: ["kind"] as const,
    registers,
  }),
  slowClientCutoffs: new Counter({
    name: "ibrpc_slow_client_cutoffs_total",
    help: "Streams ended because the client could not keep up",
    labelNames: ["kind"] as const,
    registers,
  }),
  gatewayState: new Gauge({
    name: "ibrpc_gateway_state",
    help: "1 for the gateway's current state (DISCONNECTED, CONNECTING, READY, ...), 0 for the others",
    labelNames: ["gateway", "state"] as const,
    registers,
  }),
  gatewayReconnects: new Counter({
    name: "ibrpc_gateway_reconnects_total",
    help: "Connection attempts to a gateway after the first",
    labelNames: ["gateway"] as const,
    registers,
  }),
  storeWriteSeconds: new Histogram({
    name: "ibrpc_store_write_seconds",
    help: "Database write latency",
    labelNames: ["operation"] as const,
    buckets: WAIT_BUCKETS,
    registers,
  }),
};

export type Metrics = typeof metrics;
