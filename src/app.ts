import type { ServiceImpl } from "@connectrpc/connect";
import type { Logger } from "pino";
import { AccountHistoryService } from "../gen/ibrpc/v1/account_history_pb.js";
import type { Config } from "./config.js";
import type { GatewayEndpoint } from "./gateway/gateway-connection.js";
import { GatewayPool } from "./gateway/gateway-pool.js";
import { historyRestRoutes } from "./history/rest-routes.js";
import { lockDataDirUnlessShared, type RunningHistory, startHistory } from "./history/start-history.js";
import { observeGateways } from "./metrics/gateway-metrics.js";
import { metricsRoute } from "./metrics/metrics-route.js";
import { openAuditLog } from "./orders/audit-log.js";
import { Orders } from "./orders/orders.js";
import { servingStatusOf } from "./server/gateway-health.js";
import { HealthStatus, OVERALL, type RunningServer, ServingStatus, startServer } from "./server/index.js";
import type { ServiceDeps } from "./services/call-context.js";
import { IBRPC_SERVICES } from "./services/catalog.js";
import { serviceImplementations } from "./services/implementations.js";
import { Simulator } from "./sim/index.js";
import { validationInterceptor } from "./validation/index.js";

/** A running ibrpc: the server, its gateways and, when configured, in-process simulators. */
export interface App {
  readonly server: RunningServer;
  readonly pool: GatewayPool;
  readonly health: HealthStatus;
  readonly simulators: readonly Simulator[];
  /** Account snapshots and the store they live in (opening in the background). */
  readonly history: RunningHistory;
  /** Graceful stop: stop accepting, end streams, disconnect from IB, stop simulators. Idempotent. */
  close(): Promise<void>;
}

/** Services whose health follows gateway connectivity: all but the history, which is served from the database. */
const GATEWAY_BOUND_SERVICES = IBRPC_SERVICES.filter((s) => s.typeName !== AccountHistoryService.typeName);

export async function startApp(config: Config, logger: Logger): Promise<App> {
  // First of all: a second ibrpc on the same DATA_DIR stops here, with one line and nothing started.
  const dataDirLock = lockDataDirUnlessShared(config);
  const simulators: Simulator[] = [];
  const endpoints: GatewayEndpoint[] = [];
  for (const g of config.gateways) {
    if (!g.simulated) {
      endpoints.push(g);
      continue;
    }
    const sim = new Simulator({ seed: config.simSeed, logger: logger.child({ component: "sim", gateway: g.name }) });
    const address = await sim.start();
    simulators.push(sim);
    endpoints.push({ name: g.name, ...address });
    logger.warn(
      { gateway: g.name, address: `${address.host}:${address.port}`, seed: config.simSeed },
      `SIMULATED DATA: gateway "${g.name}" is ibrpc's built-in IB Gateway simulator, not Interactive Brokers. ` +
        (sim.alwaysOpen
          ? "Every market is open at any hour (SIM_ALWAYS_OPEN=0 follows real trading sessions and holidays). "
          : "Markets follow their real trading sessions and holidays (SIM_ALWAYS_OPEN=0). ") +
        "Set IB_GW=host:port to connect to TWS or IB Gateway.",
    );
  }

  const pool = new GatewayPool({ endpoints, baseClientId: config.baseClientId, logger });
  const health = new HealthStatus({ [OVERALL]: ServingStatus.NOT_SERVING });
  const followGateways = () => {
    const status = servingStatusOf(pool.gateways.map((g) => g.snapshot()));
    health.set(OVERALL, status);
    for (const s of GATEWAY_BOUND_SERVICES) health.set(s.typeName, status);
  };
  followGateways();
  pool.on("change", followGateways);
  observeGateways(pool);

  let history: RunningHistory;
  try {
    history = startHistory(config, pool, health, logger, dataDirLock);
  } catch (err) {
    await Promise.all(simulators.map((s) => s.stop()));
    throw err;
  }
  const orders = new Orders({
    pool,
    store: () => history.store.ready,
    audit: openAuditLog(config.dataDir),
  });
  const shutdown = new AbortController();
  const deps: ServiceDeps = {
    pool,
    requestTimeoutMs: config.requestTimeoutMs,
    ibLimits: config.ibLimits,
    shutdown: shutdown.signal,
    history: history.history,
    orders,
  };
  let server: RunningServer;
  try {
    server = await startServer({
      host: config.host,
      port: config.port,
      tls: config.tls,
      logger,
      errInfo: config.errInfo,
      health,
      routes: (router) => {
        const implemented = serviceImplementations(deps);
        // A service (or method) not implemented yet answers UNIMPLEMENTED, saying so; reflection shows the whole API.
        for (const service of IBRPC_SERVICES) {
          router.service(service, (implemented.get(service.typeName) ?? {}) as Partial<ServiceImpl<typeof service>>);
        }
      },
      interceptors: [validationInterceptor()],
      auth: { tokens: config.authTokens, certScopes: config.certScopes },
      limits: config.limits,
      corsOrigins: config.corsOrigins,
      httpRoutes: [
        metricsRoute(),
        ...historyRestRoutes({
          history: history.history,
          errInfo: config.errInfo,
          refreshTimeoutMs: config.requestTimeoutMs,
        }),
      ],
    });
  } catch (err) {
    orders.close();
    await history.close();
    await Promise.all(simulators.map((s) => s.stop()));
    throw err;
  }
  pool.start();
  logger.info(
    { url: server.url, gateways: endpoints.map((e) => `${e.name}=${e.host}:${e.port}`) },
    `ibrpc serving gRPC, gRPC-Web and Connect on ${server.url}`,
  );

  let closing: Promise<void> | undefined;
  const close = () => {
    closing ??= (async () => {
      logger.info("shutting down");
      shutdown.abort();
      await server.close();
      pool.off("change", followGateways);
      orders.close();
      await history.close();
      await pool.close();
      await Promise.all(simulators.map((s) => s.stop()));
      logger.info("stopped");
    })();
    return closing;
  };
  return { server, pool, health, simulators, history, close };
}
