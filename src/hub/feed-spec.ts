import type { EventName, IBApi } from "@stoqey/ib";
import type { Gap } from "../../gen/ibrpc/v1/common_pb.js";
import type { HistoricalRequest } from "../gateway/historical-pacer.js";
import type { IbEventArgs } from "../gateway/request-correlator.js";

/** The kinds of IB subscription the hub holds (a metric label, and the key's first part). */
export type FeedKind =
  | "mktData"
  | "depth"
  | "tickByTick"
  | "realTimeBars"
  | "historical"
  | "pnl"
  | "pnlSingle"
  | "positions"
  | "accountSummary"
  | "accountUpdates"
  | "newsBulletins"
  | "scanner"
  | "displayGroup"
  | "gateways";

/** IB's scarce per-login resources the hub budgets (see ResourceBudgets). */
export type ScarceResource = "marketDataLines" | "depth" | "tickByTick" | "keepUpToDate" | "accountUpdates";

/**
 * What a stream does when its client falls too far behind on items that cannot conflate:
 * - "cut": end the stream with RESOURCE_EXHAUSTED (orders, news, scanner rows, positions: never silently dropped);
 * - "resync": drop what is queued, send a Gap (client too slow) and the current state (depth: the book).
 */
export type OverflowPolicy = "cut" | "resync";

/** What a model tells its feed while it applies an IB event. */
export interface FeedSink<M> {
  /** Sends to every stream. With a slot, the message conflates (a queued one of the same slot is replaced). */
  emit(message: M, slot?: string): void;
  /** The subscription ended by itself at IB (a snapshot's tickSnapshotEnd): streams end normally. */
  complete(): void;
}

/**
 * The state of one subscription, kept so that a late joiner gets the current picture at once (the latest value per
 * tick type, the book, the bars so far and their End marker) before live updates.
 */
export interface FeedModel<M> {
  /** Applies one IB event addressed to this subscription; calls `sink.emit` for what streams must see. */
  onEvent(name: EventName, args: IbEventArgs, sink: FeedSink<M>): void;
  /** The current state, in the order a new client must see it (with each message's conflation slot). */
  snapshot(): Array<{ message: M; slot?: string | undefined }>;
  /** IB will send everything again (re-subscribed after a gap): forget what was held. */
  reset(): void;
}

/** A stream's shape, whatever feeds it: its key, its state model and how it treats a slow client. */
export interface StreamSpec<M> {
  /** The normalized request: kind + contract identity + parameters. Equal keys share one subscription. */
  key: string;
  kind: FeedKind;
  /** For people: errors, logs, budget refusals ("market data AAPL STK SMART USD"). */
  describe: string;
  model(): FeedModel<M>;
  /** Wraps a Gap into this stream's response message. */
  gap(gap: Gap): M;
  /** What may have been missed during a gap, in words ("ticks: the current values follow"). */
  missed: string;
  overflow: OverflowPolicy;
}

/**
 * One kind of IB subscription, normalized: everything the hub needs to open, share, cancel and re-open it.
 * Two calls with the same `key` share one IB subscription.
 */
export interface FeedSpec<M> extends StreamSpec<M> {
  /** The scarce resource one subscription of this key takes, if any. */
  resource?: ScarceResource;
  /**
   * Events that carry no reqId and belong to this feed (positions, account updates, news bulletins). IB allows one
   * such subscription per connection, so at most one feed may claim an event name. Omitted: routed by reqId.
   */
  reqIdLess?: readonly EventName[];
  /**
   * The exclusive lane (src/gateway/exclusive-lane.ts LANE) this subscription holds while it lives: IB allows one
   * reqPositions / reqAccountUpdates at a time per connection, and a unary call's cancel would end the feed's too.
   */
  lane?: string;
  /**
   * A historical request (keepUpToDate): every open and re-open waits for IB's historical pacing rules
   * (GatewayConnection.historicalPacer), so a reconnect re-requesting many feeds never earns a 162.
   */
  paced?: HistoricalRequest;
  /** Writes the request (reqId is unused by reqId-less feeds). Called in a pacer slot, on the current IBApi. */
  open(ib: IBApi, reqId: number): void;
  /** Writes IB's cancel. */
  cancel(ib: IBApi, reqId: number): void;
  /** A subscription silent for this long while its gateway is up is re-requested (a check); omitted = never. */
  livenessMs?: number;
}
