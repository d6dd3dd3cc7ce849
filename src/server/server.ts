import { setMaxListeners } from "node:events";
import { Code, ConnectError, type ConnectRouter, createContextValues, type Interceptor } from "@connectrpc/connect";
import { type ConnectNodeAdapterOptions, connectNodeAdapter } from "@connectrpc/connect-node";
import type { Logger } from "pino";
import { file_google_rpc_error_details } from "../../gen/google/rpc/error_details_pb.js";
import { Authenticator } from "../auth/authenticator.js";
import { CALLER } from "../auth/caller.js";
import { type AuthToken, type CertScope, DEFAULT_LIMITS, type Limits } from "../config.js";
import { metrics } from "../metrics/registry.js";
import { CallLimits } from "./call-limits.js";
import { CALL_STATE } from "./call-log.js";
import { errorInterceptor } from "./error-interceptor.js";
import { callStates, createFront } from "./front.js";
import { type HealthStatus, registerHealth } from "./health.js";
import type { HttpRoute } from "./http-routes.js";
import { listen, type RequestHandler } from "./listener.js";
import { loggingInterceptor } from "./logging-interceptor.js";
import { registerReflection } from "./reflection.js";
import { streamShutdownInterceptor } from "./stream-shutdown.js";
import type { TlsConfig } from "./tls.js";

export interface ServerOptions {
  host: string;
  /** 0 picks a free port; {@link RunningServer.port} tells which. */
  port: number;
  tls?: TlsConfig;
  logger: Logger;
  /** ERR_INFO: the real message of unexpected errors goes to clients. */
  errInfo: boolean;
  /** Served as grpc.health.v1.Health; set to NOT_SERVING for good by {@link RunningServer.close}. */
  health: HealthStatus;
  /** Registers the application's services. Health and reflection are added by the server. */
  routes: (router: ConnectRouter) => void;
  /**
   * Run inside logging and error mapping, so their failures are logged and mapped too (e.g. validation).
   * Authentication, scopes and limits come before any interceptor (front.ts): a refused call never reaches them.
   */
  interceptors?: Interceptor[];
  /**
   * Plain-HTTP endpoints on the same port (REST reads, /metrics), checked before the RPC router; authenticated and
   * scope-checked like RPCs. See {@link HttpRoute}.
   */
  httpRoutes?: readonly HttpRoute[];
  /** Who may call (AUTH_TOKENS, MTLS_SCOPES). Without tokens or certificate rules every caller has every scope. */
  auth?: { tokens: readonly AuthToken[]; certScopes?: readonly CertScope[] };
  /** Body cap, deadline cap, per-token rate and streams, HTTP timeouts; defaults as in src/config.ts. */
  limits?: Partial<Limits>;
  /** CORS_ORIGINS: browser origins allowed to call; none by default. */
  corsOrigins?: readonly string[];
}

export interface RunningServer {
  readonly host: string;
  /** The bound port (the real one when port 0 was asked). */
  readonly port: number;
  /** Base URL for clients, e.g. http://127.0.0.1:50051. */
  readonly url: string;
  /** Aborted when closing starts: server streams end with UNAVAILABLE; unary calls keep running within the grace. */
  readonly shutdownSignal: AbortSignal;
  /**
   * Graceful stop: refuses new connections, marks health NOT_SERVING, ends streams with UNAVAILABLE, lets in-flight
   * unary calls finish for up to `graceMs` (default 5000), then cuts the rest. Idempotent.
   */
  close(graceMs?: number): Promise<void>;
}

/** Serves gRPC, gRPC-Web and Connect, over HTTP/1.1 and HTTP/2, on one port. */
export async function startServer(opts: ServerOptions): Promise<RunningServer> {
  const logger = opts.logger;
  const limits: Limits = { ...DEFAULT_LIMITS, ...opts.limits };
  const shutdown = new AbortController();
  // Every open stream listens for shutdown (stream-shutdown.ts): thousands of them are normal, not a leak.
  setMaxListeners(0, shutdown.signal);
  const services: string[] = [];
  /** Every RPC path the router serves: one without a scope in the table is refused, never served open. */
  const servedPaths = new Set<string>();
  const rpcHandler = connectNodeAdapter({
    routes(router) {
      registerHealth(router, opts.health);
      registerReflection(router, [file_google_rpc_error_details]);
      // After ours, so that an application registering a path twice (its own Health, say) wins.
      opts.routes(router);
      for (const h of router.handlers) {
        if (!services.includes(h.service.typeName)) services.push(h.service.typeName);
        servedPaths.add(h.requestPath);
      }
    },
    // Outermost first: logging sees the final (mapped) code of everything inside, including the app's interceptors.
    interceptors: [
      loggingInterceptor(logger),
      errorInterceptor({ errInfo: opts.errInfo, logger }),
      streamShutdownInterceptor(shutdown.signal),
      ...(opts.interceptors ?? []),
    ],
    // Not connect's shutdownSignal: it aborts unary handlers too (see stream-shutdown.ts).
    fallback: fallback(services, logger),
    contextValues: (req) => {
      const values = createContextValues();
      const state = callStates.get(req);
      if (state) values.set(CALLER, state.caller).set(CALL_STATE, state);
      return values;
    },
    // Bodies (and gRPC messages) over the cap are refused, not buffered; the front layer refuses declared ones first.
    readMaxBytes: limits.maxBodyBytes,
    // A misspelt field (e.g. an order's "quantity" as "qty") must fail loudly, not be dropped silently.
    jsonOptions: { ignoreUnknownFields: false },
  });
  const authenticator = new Authenticator({ tokens: opts.auth?.tokens ?? [], certScopes: opts.auth?.certScopes });
  if (authenticator.open) {
    logger.warn(
      { host: opts.host },
      "no AUTH_TOKENS configured: every caller may read, trade and administer (acceptable on loopback only)",
    );
  }
  const front = createFront({
    authenticator,
    callLimits: new CallLimits({
      ratePerSecond: limits.ratePerSecond,
      burst: limits.rateBurst,
      streamsPerToken: limits.streamsPerToken,
    }),
    limits,
    corsOrigins: opts.corsOrigins ?? [],
    httpRoutes: opts.httpRoutes ?? [],
    logger,
    shutdown: shutdown.signal,
    rpc: rpcHandler as RequestHandler,
    servedPaths,
  });
  const listener = await listen({
    host: opts.host,
    port: opts.port,
    handler: front,
    tls: opts.tls,
    logger,
    limits,
  });
  const hostInUrl = listener.host.includes(":") ? `[${listener.host}]` : listener.host;
  const url = `${opts.tls ? "https" : "http"}://${hostInUrl}:${listener.port}`;
  logger.info({ url, tls: opts.tls !== undefined, mtls: opts.tls?.ca !== undefined, services }, "listening");

  let closing: Promise<void> | undefined;
  return {
    host: listener.host,
    port: listener.port,
    url,
    shutdownSignal: shutdown.signal,
    close(graceMs = 5000) {
      closing ??= (async () => {
        logger.info({ graceMs }, "shutting down");
        opts.health.shutdown();
        shutdown.abort(new ConnectError("server is shutting down", Code.Unavailable));
        await listener.close(graceMs);
        logger.info("stopped");
      })();
      return closing;
    },
  };
}

/**
 * Unknown paths stay a bare 404, which every gRPC and Connect client reads as UNIMPLEMENTED; but someone opening
 * the port in a browser or with curl gets told what this is instead of an empty page.
 */
function fallback(services: readonly string[], logger: Logger): NonNullable<ConnectNodeAdapterOptions["fallback"]> {
  return (req, res) => {
    if (!(req.method === "GET" && (req.url === "/" || req.url === ""))) {
      metrics.httpRefused.inc({ reason: "not_found" });
      logger.info(
        { method: req.method, path: req.url?.slice(0, 200), status: 404, peer: req.socket?.remoteAddress },
        "http",
      );
    }
    if (req.method === "GET" && (req.url === "/" || req.url === "")) {
      const body = JSON.stringify({
        server: "ibrpc",
        protocols: ["grpc", "grpc-web", "connect"],
        services,
        hint: "POST /<service>/<method> with Content-Type: application/json, or use a gRPC client with reflection",
      });
      res.writeHead(200, { "content-type": "application/json" });
      res.end(body);
      return;
    }
    const procedure = /^\/([\w.]+)\/(\w+)(\?|$)/.exec(req.url ?? "");
    if (procedure) {
      // What a Connect JSON caller (curl) can read; gRPC clients map the 404 itself to UNIMPLEMENTED.
      const [, service = "", method = ""] = procedure;
      const message = services.includes(service)
        ? `${service}.${method} does not exist`
        : `unknown service ${service}; served: ${services.join(", ")}`;
      res.writeHead(404, { "content-type": "application/json" });
      res.end(JSON.stringify({ code: "unimplemented", message }));
      return;
    }
    res.writeHead(404, { "content-type": "text/plain" });
    res.end("not found\n");
  };
}
