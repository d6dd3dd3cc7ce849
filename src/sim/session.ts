import type { Socket } from "node:net";
import type { Logger } from "pino";
import { formatConnectionTime } from "./clock.js";
import type { SimulatorContext } from "./context.js";
import type { EndMarkerGate } from "./control/end-marker-gate.js";
import { welcome } from "./handlers/connection.js";
import type { ClientSession, HandlerRegistry } from "./handlers/registry.js";
import type { MessageRateGuard } from "./limits/message-rate.js";
import { startApi } from "./messages/incoming.js";
import { errMsg } from "./messages/outgoing.js";
import { negotiateVersion, parseVersionRange } from "./server-version.js";
import { SubscriptionRegistry } from "./subscriptions.js";
import { NO_REQUEST_ID, TwsCode } from "./tws-codes.js";
import type { ProtocolViolation, ViolationKind, ViolationLog } from "./violations.js";
import { FrameReader } from "./wire/frame.js";
import { FrameBatch } from "./wire/frame-batch.js";
import { decodeMessage, encodeMessage, type MessageLayout, type MessageValues } from "./wire/layout.js";

export type ClientIdClaim = "granted" | "in-use" | "too-many-clients";

/** What a session needs from the simulator that owns it. */
export interface SessionHost {
  readonly sim: SimulatorContext;
  readonly maxServerVersion: number;
  readonly handlers: HandlerRegistry;
  readonly violations: ViolationLog;
  claimClientId(clientId: number, session: Session): ClientIdClaim;
  onClosed(session: Session): void;
  /** Fault injection: may withhold or delay End markers on their way out. */
  readonly endMarkers: EndMarkerGate;
}

type SessionState = "handshake" | "awaiting-start-api" | "ready" | "closed";

/** How long a socket we ended politely may linger before it is destroyed. */
const CLOSE_GRACE_MS = 1000;
const INTEGER = /^\d+$/;

/** One API connection: handshake, version negotiation, startApi, then request dispatch through the registry. */
export class Session implements ClientSession {
  private state: SessionState = "handshake";
  private negotiatedVersion = 0;
  private assignedClientId: number | undefined;
  private readonly reader: FrameReader;
  private readonly out: FrameBatch;
  private readonly logger: Logger;
  private readonly sessionViolations: ProtocolViolation[] = [];
  private readonly messageRate: MessageRateGuard;
  private readonly closeListeners: Array<() => void> = [];
  readonly subscriptions = new SubscriptionRegistry();

  constructor(
    readonly id: number,
    private readonly socket: Socket,
    private readonly host: SessionHost,
  ) {
    this.logger = host.sim.logger.child({ session: id });
    this.out = new FrameBatch(socket);
    this.messageRate = host.sim.limits.guardMessageRate(this);
    this.reader = new FrameReader(
      {
        onHandshake: (payload) => this.onHandshake(payload),
        onFrame: (tokens) => this.onFrame(tokens),
        onCorrupt: (detail) => {
          this.violation("corrupt-frame", [], detail);
          this.close("corrupt stream");
        },
      },
      { expectHandshake: true },
    );
    socket.setNoDelay(true);
    socket.on("data", (chunk: Buffer) => this.reader.push(chunk));
    socket.on("error", (error) => this.logger.debug({ err: error }, "socket error"));
    socket.on("close", () => this.onSocketClosed());
  }

  get sim(): SimulatorContext {
    return this.host.sim;
  }

  get sessionId(): number {
    return this.id;
  }

  onClose(fn: () => void): void {
    this.closeListeners.push(fn);
  }

  /** The API client id; -1 until startApi has been accepted. */
  get clientId(): number {
    return this.assignedClientId ?? NO_REQUEST_ID;
  }

  get serverVersion(): number {
    return this.negotiatedVersion;
  }

  get isReady(): boolean {
    return this.state === "ready";
  }

  get violations(): readonly ProtocolViolation[] {
    return this.sessionViolations;
  }

  send<L extends MessageLayout>(layout: L, values: MessageValues<L>): void {
    const tokens = encodeMessage(layout, values, this.negotiatedVersion);
    if (!this.host.endMarkers.intercept(layout.name, tokens, this.out)) this.out.push(tokens);
  }

  sendError(id: number, code: number, message: string): void {
    this.send(errMsg, { id, code, message, advancedOrderRejectJson: "" });
  }

  /** Sends what is queued, then ends the connection the way TWS does after a fatal error. */
  close(reason: string): void {
    if (this.state === "closed") return;
    this.logger.info({ reason }, "closing session");
    this.state = "closed";
    this.out.flush();
    this.out.close();
    this.runCloseListeners();
    this.socket.end();
    setTimeout(() => this.socket.destroy(), CLOSE_GRACE_MS).unref();
  }

  /** Fault injection: the connection vanishes without a goodbye, as when a gateway crashes. */
  drop(): void {
    this.state = "closed";
    this.out.close();
    this.runCloseListeners();
    this.socket.destroy();
  }

  private onHandshake(payload: string): void {
    const range = parseVersionRange(payload);
    if (!range) {
      this.violation("bad-handshake", [], `handshake payload ${JSON.stringify(payload)} is not "vMIN..MAX"`);
      this.close("bad handshake");
      return;
    }
    const chosen = negotiateVersion(range, this.host.maxServerVersion);
    if (chosen === undefined) {
      this.violation(
        "unsupported-version",
        [],
        `client speaks v${range.min}..${range.max}, simulator serves up to v${this.host.maxServerVersion}`,
      );
      this.close("no common server version");
      return;
    }
    this.negotiatedVersion = chosen;
    this.state = "awaiting-start-api";
    this.out.push([String(chosen), formatConnectionTime(this.sim.clock.now())]);
  }

  private onFrame(tokens: string[]): void {
    switch (this.state) {
      case "awaiting-start-api":
        this.onStartApi(tokens);
        return;
      case "ready":
        if (this.messageRate.admit()) this.dispatch(tokens);
        return;
      default:
        return; // closing: whatever is still in flight is moot
    }
  }

  private onStartApi(tokens: string[]): void {
    if (tokens[0] !== String(startApi.id)) {
      this.violation("unexpected-message", tokens, `expected startApi (${startApi.id}) before any request`);
      this.close("no startApi");
      return;
    }
    const { values, problems } = decodeMessage(startApi, tokens, this.negotiatedVersion);
    for (const problem of problems) this.violation(problem.kind, tokens, problem.detail, startApi.name, problem.field);
    if (problems.length > 0) {
      this.close("malformed startApi");
      return;
    }

    const claim = this.host.claimClientId(values.clientId, this);
    if (claim === "in-use") {
      this.sendError(
        NO_REQUEST_ID,
        TwsCode.CLIENT_ID_IN_USE,
        "Unable to connect as the client id is already in use. Retry with a unique client id.",
      );
      this.close(`client id ${values.clientId} in use`);
      return;
    }
    if (claim === "too-many-clients") {
      this.sendError(NO_REQUEST_ID, TwsCode.TOO_MANY_CLIENTS, "Maximum number of API client connections reached.");
      this.close("too many clients");
      return;
    }
    this.assignedClientId = values.clientId;
    this.state = "ready";
    this.logger.info({ clientId: values.clientId, serverVersion: this.negotiatedVersion }, "API client started");
    welcome(this);
  }

  private dispatch(tokens: string[]): void {
    const messageId = tokens[0] ?? "";
    const handler = INTEGER.test(messageId) ? this.host.handlers.get(Number(messageId)) : undefined;
    if (!handler) {
      this.violation("unknown-message", tokens, `no handler for message id ${JSON.stringify(messageId)}`);
      this.sendError(
        NO_REQUEST_ID,
        TwsCode.UNSUPPORTED_REQUEST,
        `Unsupported request: message id ${JSON.stringify(messageId)} is not implemented by the ibrpc simulator.`,
      );
      return;
    }
    const { layout } = handler;
    const { values, problems } = decodeMessage(layout, tokens, this.negotiatedVersion);
    if (problems.length > 0) {
      for (const problem of problems) this.violation(problem.kind, tokens, problem.detail, layout.name, problem.field);
      const summary = problems.map((problem) => `${problem.kind} ${problem.field}`.trim()).join(", ");
      this.sendError(
        requestIdOf(values),
        TwsCode.ERROR_READING_REQUEST,
        `Error reading request: ${layout.name} at server version ${this.negotiatedVersion}: ${summary}`,
      );
      return;
    }
    try {
      handler.handle(this, values);
    } catch (error) {
      // A simulator bug must cost one request, not the connection or the process.
      this.logger.error({ err: error, request: layout.name }, "request handler failed");
      this.sendError(requestIdOf(values), TwsCode.ERROR_PROCESSING_REQUEST, `Error processing request: ${layout.name}`);
    }
  }

  private violation(
    kind: ViolationKind,
    tokens: readonly string[],
    detail: string,
    messageName?: string,
    field?: string,
  ): void {
    const violation: ProtocolViolation = {
      kind,
      sessionId: this.id,
      clientId: this.assignedClientId,
      messageId: tokens[0] ?? "",
      messageName,
      field: field || undefined,
      detail,
      tokens: [...tokens],
    };
    this.sessionViolations.push(violation);
    this.host.violations.record(violation);
  }

  private onSocketClosed(): void {
    this.state = "closed";
    this.out.close();
    this.host.onClosed(this);
    this.runCloseListeners();
  }

  /**
   * Once per session, as soon as it stops serving (a polite close, a drop or the peer going away): a gone client's
   * timers must stop. One failing listener must not keep the others from running.
   */
  private runCloseListeners(): void {
    this.subscriptions.cancelAll();
    for (const listener of this.closeListeners.splice(0)) {
      try {
        listener();
      } catch (error) {
        this.logger.error({ err: error }, "session close listener failed");
      }
    }
  }
}

/** The id an error about this request should carry, so the client routes it to the right caller. */
function requestIdOf(values: Readonly<Record<string, unknown>>): number {
  for (const key of ["reqId", "tickerId", "orderId"]) {
    const value = values[key];
    if (typeof value === "number") return value;
  }
  return NO_REQUEST_ID;
}
