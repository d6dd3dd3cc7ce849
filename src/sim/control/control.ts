import type { CancelTimer, SimClock } from "../clock.js";
import type { SubscriptionRegistry } from "../subscriptions.js";
import { NO_REQUEST_ID, TwsCode } from "../tws-codes.js";
import type { EndMarkerGate, EndMarkerHold } from "./end-marker-gate.js";

/** TWS's own texts for the connectivity notices (sent with id -1; IBApi emits them as `info`). */
export const CONNECTIVITY_LOST_MESSAGE = "Connectivity between IB and Trader Workstation has been lost.";
export const CONNECTIVITY_RESTORED_DATA_MAINTAINED_MESSAGE =
  "Connectivity between IB and Trader Workstation has been restored - data maintained.";
export const CONNECTIVITY_RESTORED_DATA_LOST_MESSAGE =
  "Connectivity between IB and Trader Workstation has been restored - data lost.";
export const CONNECTIVITY_BROKEN_MESSAGE =
  "Connectivity between Trader Workstation and server is broken. It will be restored automatically.";

/** What the control API needs of a connection. */
export interface ControlledSession {
  readonly sessionId: number;
  readonly clientId: number;
  readonly serverVersion: number;
  readonly isReady: boolean;
  readonly subscriptions: SubscriptionRegistry;
  sendError(id: number, code: number, message: string): void;
}

/** What the control API needs of the simulator it drives. */
export interface ControlHost {
  readonly clock: SimClock;
  readonly endMarkers: EndMarkerGate;
  sessions(): Iterable<ControlledSession>;
  /** Every connection dies at once, without a goodbye. */
  dropConnections(): void;
  violationCount(): number;
}

export type DataRestore = "data-maintained" | "data-lost";

export interface ConnectivityLoss {
  /** 1102 (subscriptions keep flowing) or 1101 (every market and account data subscription is gone, as TWS does). */
  restore: DataRestore;
  /** When the restore notice follows the 1100. */
  afterMs: number;
}

export interface SessionStatus {
  sessionId: number;
  clientId: number;
  serverVersion: number;
  subscriptions: number;
}

export interface SimulatorStatus {
  sessions: SessionStatus[];
  clientIds: number[];
  /** Protocol violations recorded so far (requests the simulator could not read exactly). */
  violations: number;
  faults: {
    refusingConnections: boolean;
    connectivity: "ok" | "lost";
    withheldEnds: Array<{ message: string; delayMs: number | "forever" }>;
  };
}

function assertDuration(name: string, ms: number): void {
  if (!(Number.isFinite(ms) && ms >= 0)) throw new RangeError(`${name} ${ms} must be a finite number of ms >= 0`);
}

/**
 * Faults on demand, the way a real gateway misbehaves; used by tests directly and by the admin port for manual use.
 * Every delay runs on the simulator clock, so a ManualClock steps through an outage deterministically.
 */
export class SimulatorControl {
  private refusing = false;
  private refuseUntil = 0;
  private endRefusal: CancelTimer | undefined;
  private lost = false;
  private endOutage: CancelTimer | undefined;

  constructor(private readonly host: ControlHost) {}

  /** Between a 1100 and its 1101 / 1102. */
  get ibConnectivityLost(): boolean {
    return this.lost;
  }

  /** Read by the listener for every accepted socket: true means close it at once. */
  get refusingConnections(): boolean {
    return this.refusing;
  }

  /** Every client connection dies at once, like a gateway crash; the listener stays up. */
  dropConnections(): void {
    this.host.dropConnections();
  }

  /** For `ms`, accepted connections are closed at once (as while a gateway restarts). A longer refusal wins. */
  refuseConnections(ms: number): void {
    assertDuration("refuseConnections", ms);
    const until = this.host.clock.now() + ms;
    if (this.refusing && until <= this.refuseUntil) return;
    this.refusing = true;
    this.refuseUntil = until;
    this.endRefusal?.();
    this.endRefusal = this.host.clock.setTimer(ms, () => {
      this.refusing = false;
      this.endRefusal = undefined;
    });
  }

  /** IB Gateway's nightly restart: every connection drops and none is accepted for `durationMs`. */
  nightlyRestart({ durationMs }: { durationMs: number }): void {
    this.refuseConnections(durationMs);
    this.dropConnections();
  }

  /**
   * 1100 to every client, then after `afterMs` 1102 (data maintained) or 1101 (data lost). With data lost, every
   * subscription of every session stops at the loss: TWS asks clients to resubmit market and account data requests.
   */
  connectivityLost({ restore, afterMs }: ConnectivityLoss): void {
    assertDuration("afterMs", afterMs);
    if (restore !== "data-maintained" && restore !== "data-lost") {
      throw new RangeError(`restore ${JSON.stringify(restore)} is not "data-maintained" or "data-lost"`);
    }
    this.endOutage?.();
    this.lost = true;
    this.notify(TwsCode.CONNECTIVITY_LOST, CONNECTIVITY_LOST_MESSAGE);
    if (restore === "data-lost") for (const session of this.host.sessions()) session.subscriptions.cancelAll();
    this.endOutage = this.host.clock.setTimer(afterMs, () => {
      this.lost = false;
      this.endOutage = undefined;
      if (restore === "data-lost") {
        this.notify(TwsCode.CONNECTIVITY_RESTORED_DATA_LOST, CONNECTIVITY_RESTORED_DATA_LOST_MESSAGE);
      } else {
        this.notify(TwsCode.CONNECTIVITY_RESTORED_DATA_MAINTAINED, CONNECTIVITY_RESTORED_DATA_MAINTAINED_MESSAGE);
      }
    });
  }

  /** 2110: the gateway's link to IB's servers is broken (IBApiNext reconnects on it). */
  farmBroken(): void {
    this.notify(TwsCode.CONNECTIVITY_BROKEN, CONNECTIVITY_BROKEN_MESSAGE);
  }

  /** Withholds ("forever") or delays an End marker by layout name (e.g. "contractDataEnd"), or every one with "all". */
  withholdEnd(message: string, hold: EndMarkerHold): void {
    this.host.endMarkers.hold(message, hold);
  }

  /** Lifts refusal and End-marker rules; an outage in progress still ends with its restore notice. */
  clearFaults(): void {
    this.endRefusal?.();
    this.endRefusal = undefined;
    this.refusing = false;
    this.host.endMarkers.clear();
  }

  status(): SimulatorStatus {
    const sessions = [...this.host.sessions()]
      .filter((session) => session.isReady)
      .map(({ sessionId, clientId, serverVersion, subscriptions }) => ({
        sessionId,
        clientId,
        serverVersion,
        subscriptions: subscriptions.count(),
      }));
    return {
      sessions,
      clientIds: sessions.map((session) => session.clientId).sort((a, b) => a - b),
      violations: this.host.violationCount(),
      faults: {
        refusingConnections: this.refusing,
        connectivity: this.lost ? "lost" : "ok",
        withheldEnds: this.host.endMarkers.holds.map(({ message, hold }) => ({
          message,
          delayMs: hold === "forever" ? "forever" : hold.delayMs,
        })),
      },
    };
  }

  /** The simulator stopped: pending fault timers must not fire into it. */
  dispose(): void {
    this.endRefusal?.();
    this.endOutage?.();
    this.host.endMarkers.dispose();
  }

  private notify(code: number, message: string): void {
    for (const session of this.host.sessions()) {
      if (session.isReady) session.sendError(NO_REQUEST_ID, code, message);
    }
  }
}
