import { createServer, type Server, type Socket } from "node:net";
import { type Logger, pino } from "pino";
import { resolveAccounts } from "./accounts.js";
import { type Clock, type SimClock, systemClock } from "./clock.js";
import type { SimulatorContext } from "./context.js";
import { SimulatorControl } from "./control/control.js";
import { EndMarkerGate } from "./control/end-marker-gate.js";
import { createHandlerRegistry } from "./handlers/index.js";
import type { LimitOptions } from "./limits/options.js";
import { SimulatorLimits } from "./limits/simulator-limits.js";
import { MarketHours } from "./market-data/market-hours.js";
import { OrderIdBook } from "./order-ids.js";
import { type AccountStreamOptions, resolveAccountStreams } from "./portfolio/stream-options.js";
import { seededRandom } from "./random.js";
import { assertSupportedVersion, MAX_SERVER_VERSION } from "./server-version.js";
import { type ClientIdClaim, Session, type SessionHost } from "./session.js";
import { MAX_CLIENTS } from "./tws-codes.js";
import { type ProtocolViolation, ViolationLog } from "./violations.js";
import { createWorld, type World } from "./world/index.js";

export interface SimulatorOptions {
  /** Default 127.0.0.1. */
  host?: string;
  /** Default 0: an ephemeral port, read it from start() or `address`. */
  port?: number;
  /** Default 42. */
  seed?: number;
  /** The highest server version offered, 176..193 (default 193). */
  serverVersion?: number;
  /** A number of generated accounts (default 3, an advisor-style login) or explicit account ids. */
  accounts?: number | readonly string[];
  /** Time and timers; default the system clock. A ManualClock makes a whole simulator steppable in tests. */
  clock?: SimClock;
  /** Shorthand for tests that only fix what "now" says (real timers); ignored when `clock` is given. */
  now?: Clock;
  /** Default: pino at "info". */
  logger?: Logger;
  /** The real gateway's limits (50 msg/s, 100 lines, 3 depth books, historical pacing); all on by default. */
  limits?: LimitOptions;
  /** Refresh periods of account updates, account summary and PnL (defaults 3 s, 3 s, 1 s of simulator time). */
  accountStreams?: AccountStreamOptions;
  /**
   * Keep every live market in session at any hour (quotes move, trades print, market orders fill), so what a test or
   * a demo sees does not depend on when it runs. Default: SIM_ALWAYS_OPEN if set ("0", "false", "no", "off" turn it
   * off), else true. `ibrpc sim` passes false unless given --always-open. Historical bars, contract details' trading
   * hours and the daily views follow the real calendar (weekends, holidays, sessions) either way.
   */
  alwaysOpen?: boolean;
}

/** The programmatic default of `alwaysOpen`: SIM_ALWAYS_OPEN when set, else on. */
export function defaultAlwaysOpen(env: NodeJS.ProcessEnv = process.env): boolean {
  const raw = env.SIM_ALWAYS_OPEN?.trim().toLowerCase();
  if (raw === undefined || raw === "") return true;
  return !["0", "false", "no", "off"].includes(raw);
}

export interface SimulatorAddress {
  host: string;
  port: number;
}

export const DEFAULT_SEED = 42;

/** An IB Gateway that speaks the TWS socket protocol over TCP, for tests and `ibrpc sim`. */
export class Simulator {
  private readonly options: { host: string; port: number; serverVersion: number };
  private readonly context: SimulatorContext;
  private readonly violationLog: ViolationLog;
  private readonly sessionHost: SessionHost;
  private readonly endMarkers: EndMarkerGate;
  /** Faults on demand: connectivity notices, withheld End markers, refusals, a nightly restart. */
  readonly control: SimulatorControl;
  private readonly logger: Logger;
  private readonly sessions = new Set<Session>();
  private readonly clients = new Map<number, Session>();
  private server: Server | undefined;
  private listening: SimulatorAddress | undefined;
  private stopping: Promise<void> | undefined;
  private nextSessionId = 1;

  constructor(options: SimulatorOptions = {}) {
    const serverVersion = options.serverVersion ?? MAX_SERVER_VERSION;
    assertSupportedVersion(serverVersion);
    const port = options.port ?? 0;
    if (!Number.isInteger(port) || port < 0 || port > 65535) throw new RangeError(`port ${port} is not in 0..65535`);
    const seed = options.seed ?? DEFAULT_SEED;
    if (!Number.isInteger(seed)) throw new RangeError(`seed ${seed} is not an integer`);

    this.options = { host: options.host ?? "127.0.0.1", port, serverVersion };
    this.logger = options.logger ?? pino({ name: "ibrpc-sim" });
    const clock = options.clock ?? systemClock(options.now);
    const accounts = resolveAccounts(options.accounts);
    this.context = {
      clock,
      world: createWorld(seed, accounts, clock.now()),
      marketHours: new MarketHours(options.alwaysOpen ?? defaultAlwaysOpen()),
      sessions: () => [...this.sessions].filter((session) => session.isReady),
      random: seededRandom(seed),
      seed,
      accounts,
      orderIds: new OrderIdBook(),
      accountStreams: resolveAccountStreams(options.accountStreams),
      ibConnectivityLost: () => this.control.ibConnectivityLost,
      logger: this.logger,
      limits: new SimulatorLimits(options.limits, {
        simulated: () => this.context.clock.now(),
        monotonic: () => performance.now(),
      }),
    };
    this.endMarkers = new EndMarkerGate(this.context.clock);
    this.violationLog = new ViolationLog(this.logger);
    this.sessionHost = {
      sim: this.context,
      maxServerVersion: serverVersion,
      handlers: createHandlerRegistry(),
      violations: this.violationLog,
      claimClientId: (clientId, session) => this.claimClientId(clientId, session),
      onClosed: (session) => this.release(session),
      endMarkers: this.endMarkers,
    };
    this.control = new SimulatorControl({
      clock: this.context.clock,
      endMarkers: this.endMarkers,
      sessions: () => this.context.sessions(),
      dropConnections: () => this.dropConnections(),
      violationCount: () => this.violationLog.all.length,
    });
  }

  get address(): SimulatorAddress | undefined {
    return this.listening;
  }

  /** Every protocol violation seen by any session so far. */
  get violations(): readonly ProtocolViolation[] {
    return this.violationLog.all;
  }

  /** API clients that completed startApi and are still connected. */
  get sessionCount(): number {
    return this.clients.size;
  }

  get accounts(): readonly string[] {
    return this.context.accounts;
  }

  /** The simulated world (catalog, market, ledger): tests book fills and check figures against it. */
  get world(): World {
    return this.context.world;
  }

  /** True when live markets trade at any hour (see SimulatorOptions.alwaysOpen). */
  get alwaysOpen(): boolean {
    return this.context.marketHours.alwaysOpen;
  }

  async start(): Promise<SimulatorAddress> {
    if (this.stopping) throw new Error("simulator was stopped; create a new one");
    if (this.listening) return this.listening;
    const server = createServer((socket) => this.accept(socket));
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(this.options.port, this.options.host, () => {
        server.off("error", reject);
        resolve();
      });
    });
    server.on("error", (error) => this.logger.error({ err: error }, "simulator server error"));
    const bound = server.address();
    if (bound === null || typeof bound === "string") throw new Error("simulator is not listening on TCP");
    this.listening = { host: this.options.host, port: bound.port };
    this.logger.info(
      { ...this.listening, serverVersion: this.options.serverVersion, accounts: this.context.accounts },
      "IB Gateway simulator listening",
    );
    return this.listening;
  }

  /** Closes the listener and every connection. Idempotent. */
  stop(): Promise<void> {
    this.stopping ??= this.shutDown();
    return this.stopping;
  }

  /** Fault: every client connection dies at once, like a gateway crash. The listener stays up. */
  dropConnections(): void {
    this.logger.warn({ connections: this.sessions.size }, "fault: dropping all connections");
    for (const session of this.sessions) session.drop();
  }

  /** Fault: for `ms` milliseconds, accepted connections are closed at once (as while a gateway restarts). */
  refuseConnections(ms: number): void {
    this.logger.warn({ ms }, "fault: refusing connections");
    this.control.refuseConnections(ms);
  }

  private accept(socket: Socket): void {
    if (this.stopping || this.control.refusingConnections) {
      socket.destroy();
      return;
    }
    const session = new Session(this.nextSessionId++, socket, this.sessionHost);
    this.sessions.add(session);
    session.onClose(() => this.context.limits.releaseSession(session));
  }

  private claimClientId(clientId: number, session: Session): ClientIdClaim {
    if (this.clients.has(clientId)) return "in-use";
    if (this.clients.size >= MAX_CLIENTS) return "too-many-clients";
    this.clients.set(clientId, session);
    return "granted";
  }

  private release(session: Session): void {
    this.sessions.delete(session);
    if (this.clients.get(session.clientId) === session) this.clients.delete(session.clientId);
  }

  private async shutDown(): Promise<void> {
    const server = this.server;
    this.control.dispose();
    for (const session of this.sessions) session.drop();
    if (server?.listening) await new Promise<void>((resolve) => server.close(() => resolve()));
    this.listening = undefined;
    this.logger.info("IB Gateway simulator stopped");
  }
}
