import { EventEmitter } from "node:events";
import { Code, ConnectError } from "@connectrpc/connect";
import { EventName, type IBApi } from "@stoqey/ib";
import type { Logger } from "pino";
import { IbMessageKind } from "../../gen/ibrpc/v1/common_pb.js";
import { GatewayState } from "../../gen/ibrpc/v1/connection_pb.js";
import { type BackoffPolicy, backoffDelay, DEFAULT_BACKOFF } from "./backoff.js";
import { ConnectionMetrics } from "./connection-metrics.js";
import { withDeadline } from "./deadline.js";
import { HistoricalPacer } from "./historical-pacer.js";
import { classifyIbCode } from "./ib-codes.js";
import { IbError } from "./ib-error.js";
import { IbEventBus } from "./ib-event-bus.js";
import { decodeEvent } from "./ib-events.js";
import { MeteredIBApi } from "./metered-ib-api.js";
import { DEFAULT_PACING, Pacer, type PacerOptions, type Priority } from "./pacer.js";
import { type IbEventArgs, RequestCorrelator } from "./request-correlator.js";

/** Where a gateway listens, as configured in IB_GW. */
export interface GatewayEndpoint {
  name: string;
  host: string;
  port: number;
}

/** One IB message as ibrpc keeps it (mirrors ibrpc.v1.IbMessage). */
export interface IbNotice {
  code: number;
  message: string;
  kind: IbMessageKind;
  id?: number;
  time: Date;
}

/** The observable state of one gateway connection (mirrors ibrpc.v1.Gateway). */
export interface GatewaySnapshot {
  name: string;
  address: string;
  state: GatewayState;
  clientId: number;
  serverVersion: number | undefined;
  managedAccounts: readonly string[];
  lastError: IbNotice | undefined;
  stateSince: Date;
  nextAttemptAt: Date | undefined;
  nextValidId: number | undefined;
}

export interface GatewayConnectionOptions {
  endpoint: GatewayEndpoint;
  /** IB_CID: the first client id tried; on 326 (in use) the next ones are tried, up to 32 ids. */
  baseClientId: number;
  logger: Logger;
  backoff?: BackoffPolicy;
  pacing?: Partial<PacerOptions>;
  /** Time from opening the socket to nextValidId and managedAccounts before the attempt counts as failed. */
  handshakeTimeoutMs?: number;
  /**
   * While connected, a reqCurrentTime every `intervalMs` that must answer within `timeoutMs`: a gateway that keeps
   * its socket open but stops answering (hung TWS, half-open TCP) is dropped and reconnected instead of failing every
   * call at its deadline forever.
   */
  heartbeat?: { intervalMs: number; timeoutMs: number };
}

interface ConnectionEvents {
  /** The snapshot changed (state, accounts, errors...). */
  change: [GatewaySnapshot];
  /** An IB notice or connectivity message (id -1 or notice codes). */
  notice: [IbNotice];
  /** IB said 1101: the gateway is back but every market data subscription is gone and must be re-sent. */
  subscriptionsLost: [];
  /**
   * Every raw IBApi event. Prefer the typed {@link GatewayConnection.events} (named fields); this stays for code that
   * forwards events without reading them.
   */
  event: [EventName, IbEventArgs];
}

/** TWS allows 32 API clients per instance: the ids ibrpc tries are base .. base + 31. */
const CLIENT_ID_SPAN = 32;
const DEFAULT_HEARTBEAT = { intervalMs: 30_000, timeoutMs: 10_000 };
/** IBApi's own limiter is set above ours so that ours, which knows deadlines, is the one that binds. */
const IBAPI_MAX_REQ_PER_SEC = 100;
/** IBApi events that are not messages from IB (socket life, raw frames): not counted in ibrpc_ib_messages_in_total. */
const NOT_IB_MESSAGES: ReadonlySet<string> = new Set([
  EventName.connected,
  EventName.disconnected,
  EventName.sent,
  EventName.received,
]);
/**
 * Farm-level warnings and the notices that end them. A 2110 ("connectivity between TWS and server is broken. It will
 * be restored automatically") is TWS's own link flapping: TWS keeps answering, so it is a warning kept as lastError
 * until a farm reports OK again (or 1101 / 1102), not an outage of the gateway like 1100.
 */
const FARM_RESTORED: ReadonlyMap<number, readonly number[]> = new Map([
  [2104, [2103, 2110]], // market data farm connection is OK
  [2106, [2105, 2110]], // HMDS data farm connection is OK
  [2158, [2157, 2110]], // sec-def data farm connection is OK
  [1101, [2110]], // connectivity restored, data lost
  [1102, [2110]], // connectivity restored, data maintained
]);
/**
 * Failed connection attempts reported at warn level: the first few, then only powers of two (8, 16, 32...), the
 * others at debug. A gateway down for a night (~6,000 attempts at the default 5 s cap) logs about 15 warnings.
 */
const LOUD_FAILURES = 4;
function isReportedFailure(attempt: number): boolean {
  return attempt <= LOUD_FAILURES || (attempt & (attempt - 1)) === 0;
}
function nextReportedFailure(attempt: number): number {
  let next = attempt + 1;
  while (!isReportedFailure(next)) next++;
  return next;
}

/**
 * One gateway (TWS / IB Gateway) connection and its life: connect, wait for nextValidId and managedAccounts (only
 * then READY), try the next client id on 326 (backing off once all 32 were refused), reconnect with capped
 * exponential backoff after any drop, and fail every waiting request at once when the socket goes (no hangs until a
 * deadline).
 *
 * API: start(), close(), send(write, signal?, priority?), correlator (request-correlator.ts), events (typed
 * subscriptions, ib-event-bus.ts), ib (the session's IBApi, only inside a write given to send), snapshot(),
 * accounts, isReady / isConnected; emits "change", "notice", "subscriptionsLost" and the raw "event".
 *
 * A fresh IBApi per attempt: IBApi queues requests made while disconnected and would replay them into the next
 * session, where their reqIds mean nothing.
 */
export class GatewayConnection extends EventEmitter<ConnectionEvents> {
  readonly name: string;
  readonly address: string;
  readonly correlator: RequestCorrelator;
  /** Typed subscriptions to this connection's IB events, across reconnects: `conn.events.on(EventName.x, (e) => ...)`. */
  readonly events: IbEventBus;
  /**
   * IB's historical pacing rules for this connection (historical-pacer.ts): every historical request (bars, ticks,
   * head timestamp, histogram, keepUpToDate) goes through it, so unary calls and streams share one count.
   */
  readonly historicalPacer: HistoricalPacer;
  private readonly opts: GatewayConnectionOptions;
  private readonly log: Logger;
  private readonly pacer: Pacer;
  private readonly meter: ConnectionMetrics;
  private api: IBApi | undefined;
  private state = GatewayState.DISCONNECTED;
  private stateSince = new Date();
  private clientIdOffset = 0;
  private serverVersion: number | undefined;
  private managedAccounts: string[] = [];
  private nextValidId: number | undefined;
  private lastError: IbNotice | undefined;
  /** Retries since the last READY: the backoff's exponent. */
  private attempt = 0;
  /** Attempts that failed since the last READY (a session's close is not one): the number its log line carries. */
  private failedAttempts = 0;
  /** Set once the first attempt was logged: later "connecting" lines go to debug (the failures say enough). */
  private connectingLogged = false;
  /** A 326 was logged at warn since the last READY. */
  private clientIdInUseLogged = false;
  /** The current session reached READY: its end is logged as the connection closing, not as a failed attempt. */
  private sessionOpen = false;
  /** Why the current attempt or session is ending, for its log line. */
  private endReason: string | undefined;
  private nextAttemptAt: Date | undefined;
  private reconnectTimer: NodeJS.Timeout | undefined;
  private handshakeTimer: NodeJS.Timeout | undefined;
  private heartbeatTimer: NodeJS.Timeout | undefined;
  private closing = false;
  /** Set when the last attempt ended on 326, so the retry comes at once with the next client id. */
  private clientIdRejected = false;
  /** 326s in a row: once every id of the span was refused, the next retry backs off instead of coming at once. */
  private clientIdsRefusedInARow = 0;
  /** What the handshake of the current attempt has seen: READY needs both (account routing needs the accounts). */
  private handshake = { nextValidId: false, managedAccounts: false, askedForAccounts: false };

  constructor(opts: GatewayConnectionOptions) {
    super();
    this.opts = opts;
    this.name = opts.endpoint.name;
    this.address = `${opts.endpoint.host}:${opts.endpoint.port}`;
    this.log = opts.logger.child({ gateway: this.name });
    this.meter = new ConnectionMetrics(this.name);
    this.pacer = new Pacer({ ...DEFAULT_PACING, observer: this.meter.pacer, ...opts.pacing });
    this.historicalPacer = new HistoricalPacer({ observer: this.meter.historical });
    this.pacer.close(this.notConnectedError());
    this.correlator = new RequestCorrelator({
      send: (write, signal, priority) => this.send(write, signal, priority),
      gatewayName: this.name,
    });
    this.events = new IbEventBus((err, event) => this.log.error({ err, event }, "IB event listener failed"));
  }

  get clientId(): number {
    return this.opts.baseClientId + this.clientIdOffset;
  }

  /** READY, or connected while IB's own link is down (requests still reach the gateway, which answers them). */
  get isConnected(): boolean {
    return this.state === GatewayState.READY || this.state === GatewayState.IB_DISCONNECTED;
  }

  get isReady(): boolean {
    return this.state === GatewayState.READY;
  }

  get accounts(): readonly string[] {
    return this.managedAccounts;
  }

  /** The IBApi of the current session, for writing requests: only inside a function given to {@link send}. */
  get ib(): IBApi {
    if (!this.api) throw this.notConnectedError();
    return this.api;
  }

  snapshot(): GatewaySnapshot {
    return {
      name: this.name,
      address: this.address,
      state: this.state,
      clientId: this.clientId,
      serverVersion: this.serverVersion,
      managedAccounts: [...this.managedAccounts],
      lastError: this.lastError,
      stateSince: this.stateSince,
      nextAttemptAt: this.nextAttemptAt,
      nextValidId: this.nextValidId,
    };
  }

  /** Starts connecting; reconnects by itself until {@link close}. */
  start(): void {
    if (this.closing || this.api || this.reconnectTimer) return;
    this.connect();
  }

  /**
   * Writes one message to IB through the connection's pacer. Fails with UNAVAILABLE while not connected, so a
   * request never waits for a gateway that is down. `priority` "urgent" is for cancels and order messages.
   */
  send(write: () => void, signal?: AbortSignal, priority?: Priority): Promise<void> {
    if (!this.isConnected) return Promise.reject(this.notConnectedError());
    return this.pacer.schedule(write, signal, priority);
  }

  /** Disconnects for good: fails pending requests, stops reconnecting. Idempotent. */
  async close(): Promise<void> {
    if (this.closing) return;
    this.closing = true;
    this.clearTimers();
    const err = new IbError(504, `gateway ${this.name} is shutting down`, { gateway: this.name });
    this.pacer.close(err);
    this.historicalPacer.close(err);
    this.correlator.failAll(err);
    const api = this.api;
    this.api = undefined;
    if (api) {
      const gone = new Promise<void>((resolve) => {
        const t = setTimeout(resolve, 1_000);
        api.once(EventName.disconnected, () => {
          clearTimeout(t);
          resolve();
        });
      });
      api.disconnect();
      await gone;
      api.removeAllListeners();
    }
    this.setState(GatewayState.CLOSED);
  }

  private connect(): void {
    this.reconnectTimer = undefined;
    this.nextAttemptAt = undefined;
    this.serverVersion = undefined;
    this.endReason = undefined;
    const api = new MeteredIBApi(
      { host: this.opts.endpoint.host, port: this.opts.endpoint.port, maxReqPerSec: IBAPI_MAX_REQ_PER_SEC },
      (method) => this.meter.messageOut(method),
    );
    this.api = api;
    // IBApi re-emits every event as `all`; one listener routes them (cheaper than one listener per pending request).
    (api as unknown as EventEmitter).on(EventName.all, (name: EventName, args: IbEventArgs) =>
      this.onEvent(api, name, args),
    );
    // Without an `error` listener EventEmitter would throw on socket errors.
    api.on(EventName.error, () => {});
    this.setState(GatewayState.CONNECTING);
    // The first attempt is news; each retry is already announced by the failure line before it.
    if (this.connectingLogged) this.log.debug({ clientId: this.clientId }, "connecting to gateway");
    else this.log.info({ address: this.address, clientId: this.clientId }, "connecting to gateway");
    this.connectingLogged = true;
    this.handshake = { nextValidId: false, managedAccounts: false, askedForAccounts: false };
    this.handshakeTimer = setTimeout(() => {
      const missing = this.handshake.nextValidId ? "managedAccounts" : "nextValidId";
      this.recordError(-1, `no ${missing} within ${this.handshakeTimeoutMs} ms of connecting`);
      api.disconnect();
    }, this.handshakeTimeoutMs);
    api.connect(this.clientId);
  }

  private get handshakeTimeoutMs(): number {
    return this.opts.handshakeTimeoutMs ?? 10_000;
  }

  private onEvent(api: IBApi, name: EventName, args: IbEventArgs): void {
    if (api !== this.api) return; // a late event from a session already given up
    if (!NOT_IB_MESSAGES.has(name)) this.meter.messageIn(name);
    switch (name) {
      case EventName.server:
        this.serverVersion = decodeEvent(name, args).serverVersion;
        break;
      case EventName.nextValidId:
        this.onNextValidId(api, decodeEvent(name, args).orderId);
        break;
      case EventName.managedAccounts:
        this.managedAccounts = splitAccounts(decodeEvent(name, args).accountsList);
        this.handshake.managedAccounts = true;
        if (this.state === GatewayState.CONNECTING) this.completeHandshake(api);
        else this.emitChange();
        break;
      case EventName.info: {
        const { code, message } = decodeEvent(name, args);
        this.onConnectionMessage(code, String(message));
        break;
      }
      case EventName.error: {
        const { error, code, reqId } = decodeEvent(name, args);
        if (reqId === -1 || reqId === undefined) this.onConnectionMessage(code, error.message);
        break;
      }
      case EventName.disconnected:
        this.onDisconnected(api);
        return;
    }
    this.correlator.dispatch(name, args);
    this.events.dispatch(name, args);
    this.emit("event", name, args);
  }

  private onNextValidId(api: IBApi, id: number): void {
    this.nextValidId = Math.max(id, this.nextValidId ?? id);
    this.handshake.nextValidId = true;
    if (this.state === GatewayState.CONNECTING) this.completeHandshake(api);
    else this.emitChange();
  }

  /**
   * READY once both nextValidId and managedAccounts came (in either order): READY on nextValidId alone would let
   * account routing answer NOT_FOUND for an account the gateway manages. A gateway that sent nextValidId but no
   * accounts is asked once (reqManagedAccts); the handshake deadline bounds the wait.
   */
  private completeHandshake(api: IBApi): void {
    const { nextValidId, managedAccounts, askedForAccounts } = this.handshake;
    if (nextValidId && !managedAccounts && !askedForAccounts) {
      this.handshake.askedForAccounts = true;
      api.reqManagedAccts(); // the pacer opens at READY; one handshake message does not need it
    }
    if (!nextValidId || !managedAccounts) return;
    if (this.handshakeTimer) clearTimeout(this.handshakeTimer);
    this.handshakeTimer = undefined;
    const failedAttempts = this.failedAttempts;
    this.attempt = 0;
    this.failedAttempts = 0;
    this.clientIdInUseLogged = false;
    this.sessionOpen = true;
    this.clientIdRejected = false;
    this.clientIdsRefusedInARow = 0;
    this.pacer.reopen();
    this.setState(GatewayState.READY);
    this.startHeartbeat(api);
    this.log.info(
      {
        address: this.address,
        clientId: this.clientId,
        serverVersion: this.serverVersion,
        accounts: this.managedAccounts,
        ...(failedAttempts > 0 ? { failedAttempts } : {}),
      },
      "gateway ready",
    );
  }

  /** Messages for the connection as a whole (IB id -1): connectivity, client id in use, farm notices. */
  private onConnectionMessage(code: number, message: string): void {
    const kind = classifyIbCode(code).kind;
    const notice: IbNotice = { code, message, kind, time: new Date() };
    const lastErrorBefore = this.lastError;
    // 1101/1102 say an outage is over: not errors. A farm-OK notice ends the farm warning it answers.
    if (kind !== IbMessageKind.NOTICE && code !== 1101 && code !== 1102) this.lastError = notice;
    if (this.lastError && FARM_RESTORED.get(code)?.includes(this.lastError.code)) this.lastError = undefined;
    if (kind === IbMessageKind.ERROR) this.endReason = message; // if the socket goes next, this is why
    this.emit("notice", notice);
    switch (code) {
      case 326:
        // Client id in use: TWS closes the socket next; the retry uses the next id, at once.
        this.clientIdOffset = (this.clientIdOffset + 1) % CLIENT_ID_SPAN;
        this.clientIdsRefusedInARow++;
        // Every id of the span in use (another ibrpc, or 32 clients): retrying at once would hammer the gateway
        // with hundreds of connections a second, so that retry waits like any failed attempt.
        this.clientIdRejected = this.clientIdsRefusedInARow < CLIENT_ID_SPAN;
        if (!this.clientIdRejected) this.clientIdsRefusedInARow = 0;
        // Once until the next READY: the ids after it are tried at once and would add a line each, and with all 32
        // taken the failed attempts' lines (growing intervals) carry this message.
        this.log[this.clientIdInUseLogged ? "debug" : "warn"](
          { code, message, nextClientId: this.clientId },
          "client id in use; trying the next one",
        );
        this.clientIdInUseLogged = true;
        return;
      case 1100:
        if (this.state === GatewayState.READY) this.setState(GatewayState.IB_DISCONNECTED);
        break;
      case 1101:
        if (this.state === GatewayState.IB_DISCONNECTED) this.setState(GatewayState.READY);
        this.emit("subscriptionsLost");
        break;
      case 1102:
        if (this.state === GatewayState.IB_DISCONNECTED) this.setState(GatewayState.READY);
        break;
    }
    if (this.lastError !== lastErrorBefore) this.emitChange();
    // Before READY, an error ends the attempt: the attempt's failure line reports it, with the retry.
    if (kind === IbMessageKind.NOTICE || !this.isConnected) this.log.debug({ code, message }, "gateway notice");
    else this.log.warn({ code, message }, "gateway message");
  }

  private startHeartbeat(api: IBApi): void {
    const { intervalMs, timeoutMs } = this.opts.heartbeat ?? DEFAULT_HEARTBEAT;
    let inFlight = false;
    this.heartbeatTimer = setInterval(() => {
      if (inFlight || api !== this.api || !this.isConnected) return;
      inFlight = true;
      withDeadline(
        { timeoutMs },
        () => "heartbeat: no currentTime",
        (signal) =>
          this.correlator.next({
            request: "reqCurrentTime",
            event: EventName.currentTime,
            send: () => api.reqCurrentTime(),
            map: () => true,
            signal,
          }),
      ).then(
        () => {
          inFlight = false;
        },
        (err: unknown) => {
          inFlight = false;
          if (api !== this.api || ConnectError.from(err).code !== Code.DeadlineExceeded) return;
          this.recordError(-1, `gateway stopped answering: no currentTime within ${timeoutMs} ms; reconnecting`);
          this.log.warn({ timeoutMs }, "gateway stopped answering; dropping the connection");
          api.disconnect();
        },
      );
    }, intervalMs);
    this.heartbeatTimer.unref();
  }

  private onDisconnected(api: IBApi): void {
    api.removeAllListeners();
    api.on(EventName.error, () => {});
    this.api = undefined;
    this.clearTimers();
    const err = this.notConnectedError();
    this.pacer.close(err);
    this.correlator.failAll(err);
    if (this.closing) return;
    const wasOpen = this.sessionOpen;
    this.sessionOpen = false;
    const immediate = this.clientIdRejected;
    if (this.endReason === undefined) {
      this.recordError(
        -1,
        wasOpen ? "the gateway closed the connection" : "the gateway closed the connection during the handshake",
      );
    }
    const error = this.endReason;
    const delay = immediate ? 0 : backoffDelay(this.attempt++, this.opts.backoff ?? DEFAULT_BACKOFF);
    if (!wasOpen && !immediate) this.failedAttempts++;
    this.clientIdRejected = false;
    this.nextAttemptAt = new Date(Date.now() + delay);
    this.setState(GatewayState.DISCONNECTED);
    this.logEnd(wasOpen, immediate, error, delay);
    this.reconnectTimer = setTimeout(() => this.connect(), delay);
  }

  /**
   * The end of a session is logged once, at warn. A failed attempt is one line with its number, the error and the
   * retry delay: at warn for the first few and then at growing intervals, at debug in between, so that a gateway
   * down for hours does not flood the log. An attempt refused with 326 retries at once with the next client id.
   */
  private logEnd(wasOpen: boolean, immediate: boolean, error: string | undefined, retryInMs: number): void {
    if (wasOpen) {
      this.log.warn({ address: this.address, error, retryInMs }, "gateway disconnected");
      return;
    }
    if (immediate) {
      this.log.debug({ error, nextClientId: this.clientId }, "gateway connection attempt refused; retrying at once");
      return;
    }
    const attempt = this.failedAttempts;
    if (!isReportedFailure(attempt)) {
      this.log.debug({ attempt, retryInMs, error }, "gateway connection attempt failed");
      return;
    }
    const quiet = attempt >= LOUD_FAILURES ? { nextReportedAttempt: nextReportedFailure(attempt) } : {};
    this.log.warn({ address: this.address, attempt, retryInMs, error, ...quiet }, "gateway connection attempt failed");
  }

  private recordError(code: number, message: string): void {
    this.lastError = { code, message, kind: IbMessageKind.ERROR, time: new Date() };
    this.endReason = message;
  }

  private setState(state: GatewayState): void {
    if (state === this.state) return;
    this.state = state;
    this.stateSince = new Date();
    this.emitChange();
  }

  private emitChange(): void {
    this.emit("change", this.snapshot());
  }

  private clearTimers(): void {
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    if (this.handshakeTimer) clearTimeout(this.handshakeTimer);
    if (this.heartbeatTimer) clearInterval(this.heartbeatTimer);
    this.reconnectTimer = undefined;
    this.handshakeTimer = undefined;
    this.heartbeatTimer = undefined;
  }

  private notConnectedError(): IbError {
    return new IbError(504, `gateway ${this.name} (${this.address}) is not connected`, { gateway: this.name });
  }
}

/** managedAccounts' comma list ("DU1,DU2,") as account ids. */
export function splitAccounts(csv: string | undefined): string[] {
  return String(csv ?? "")
    .split(",")
    .map((a) => a.trim())
    .filter((a) => a.length > 0);
}
