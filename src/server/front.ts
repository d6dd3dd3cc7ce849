import { create } from "@bufbuild/protobuf";
import { Code, ConnectError } from "@connectrpc/connect";
import { parseTimeout as parseConnectTimeout } from "@connectrpc/connect/protocol-connect";
import { parseTimeout as parseGrpcTimeout } from "@connectrpc/connect/protocol-grpc";
import type { Logger } from "pino";
import { RetryInfoSchema } from "../../gen/google/rpc/error_details_pb.js";
import { type Authenticator, type AuthResult, allows } from "../auth/authenticator.js";
import type { Caller } from "../auth/caller.js";
import { type ProcedureInfo, procedureOfPath, type RequiredScope } from "../auth/scopes.js";
import type { Limits } from "../config.js";
import { GATEWAY_HEADER } from "../gateway/gateway-pool.js";
import { metrics } from "../metrics/registry.js";
import type { CallLimits } from "./call-limits.js";
import { type CallState, recordCall } from "./call-log.js";
import { applyCors } from "./cors.js";
import {
  type HttpRequest,
  type HttpResponse,
  type HttpRoute,
  matchRoute,
  routeForPath,
  sendJson,
} from "./http-routes.js";
import { protocolName, refuse, type Wire, wireOf } from "./refusal.js";
import { captureResponse, outcomeOf } from "./response-capture.js";

export interface FrontOptions {
  authenticator: Authenticator;
  callLimits: CallLimits;
  limits: Pick<Limits, "maxBodyBytes" | "maxDeadlineMs">;
  corsOrigins: readonly string[];
  httpRoutes: readonly HttpRoute[];
  logger: Logger;
  shutdown: AbortSignal;
  /** The RPC router (connect-node's adapter); `states` tells its context values who is calling. */
  rpc: (req: HttpRequest, res: HttpResponse) => void;
  /** The paths the router serves, to refuse one that has no scope in src/auth/scopes.ts (deny by default). */
  servedPaths?: ReadonlySet<string>;
}

/** The front layer's verdict on a request, kept for the router's contextValues hook. */
export const callStates = new WeakMap<HttpRequest, CallState>();

const SEND_INSTEAD =
  "send application/json (Connect JSON) or application/proto for unary RPCs, application/connect+json for Connect " +
  "streaming, application/grpc for gRPC, application/grpc-web+proto for gRPC-Web";

/**
 * Everything a request goes through before a handler sees it, in this order: CORS, plain-HTTP routes, the shape of
 * the request (method, Content-Type), authentication, the scope the procedure needs, the body cap, the deadline cap,
 * and the caller's rate and stream limits. All of it is decided from the headers, so a refused request is answered
 * without its body ever being read into memory, in its own protocol (see refusal.ts), and logged like any call.
 */
export function createFront(opts: FrontOptions): (req: HttpRequest, res: HttpResponse) => void {
  const { authenticator, callLimits, logger } = opts;
  const rateLimited = !authenticator.open;

  return (req, res) => {
    const start = performance.now();
    const url = req.url ?? "/";
    const q = url.indexOf("?");
    const path = q < 0 ? url : url.slice(0, q);
    const method = req.method ?? "";
    const wire = wireOf(method, req.headers["content-type"]);
    const peer = `${req.socket?.remoteAddress ?? "?"}:${req.socket?.remotePort ?? "?"}`;

    const cors = applyCors(opts.corsOrigins, req, res);
    if (cors === "preflight") return;
    if (cors === "refused") {
      metrics.httpRefused.inc({ reason: "cors_refused" });
      logger.info({ path, origin: req.headers.origin, peer }, "origin not allowed (CORS_ORIGINS)");
      sendJson(res, 403, {
        code: "permission_denied",
        message: `origin ${req.headers.origin} is not allowed; the operator can add it to CORS_ORIGINS`,
      });
      return;
    }

    // Plain-HTTP routes (REST reads, /metrics).
    const route = matchRoute(opts.httpRoutes, method, path);
    if (route) {
      serveRoute(route, req, res, path, url, q, peer, start);
      return;
    }
    const procedure = procedureOfPath(path);
    if (!procedure) {
      const other = routeForPath(opts.httpRoutes, path);
      if (other) {
        const allow = typeof other.method === "string" ? other.method : other.method.join(", ");
        httpRefusal(res, "method_not_allowed", 405, `${method} is not served on ${path}; use ${allow}`, path, peer, {
          allow,
        });
        return;
      }
      if (opts.servedPaths?.has(path)) {
        // A service registered without a line in the scope table: a bug, and never a reason to serve it open.
        logger.error({ path }, "RPC has no scope in src/auth/scopes.ts: refused");
        refuse(req, res, new ConnectError(`${path} has no declared scope`, Code.PermissionDenied));
        return;
      }
      opts.rpc(req, res); // the router's fallback answers (and logs) 404 and the landing page
      return;
    }

    const state: CallState = {
      caller: { tokenId: "-", scopes: new Set(), via: "open", peer },
      procedure: procedure.path,
      protocol: protocolName(wire),
      start,
      streaming: procedure.streaming,
      observed: false,
    };
    const shapeProblem = checkShape(procedure, method, wire, req.headers["content-type"]);
    if (shapeProblem) {
      const [status, message, reason] = shapeProblem;
      if (status === 405) res.setHeader("allow", procedure.getAllowed ? "POST, GET" : "POST");
      metrics.httpRefused.inc({ reason });
      // Protocol-shaped where the client speaks one (gRPC clients read grpc-status, not a 415 body).
      if (wire === "grpc" || wire === "grpc-web" || wire === "connect-stream")
        refuse(req, res, new ConnectError(message, Code.InvalidArgument));
      else sendJson(res, status, { code: "invalid_argument", message });
      recordCall(logger, state, { code: Code.InvalidArgument, error: message });
      return;
    }

    const refuseCall = (err: ConnectError, httpStatus?: number) => {
      refuse(req, res, err, httpStatus);
      recordCall(logger, state, { code: err.code, error: err.rawMessage, gatewayHeader: header(req, GATEWAY_HEADER) });
    };

    const auth = authenticateFor(procedure.scope, req, authenticator);
    if ("failure" in auth) {
      metrics.authFailures.inc({ reason: auth.failure.reason });
      refuseCall(new ConnectError(auth.failure.message, Code.Unauthenticated));
      return;
    }
    state.caller = auth.caller;
    if (!allows(auth.caller, procedure.scope)) {
      metrics.authFailures.inc({ reason: "scope" });
      refuseCall(
        new ConnectError(
          `${procedure.path} needs scope "${procedure.scope}"; token ${auth.caller.tokenId} has ${[...auth.caller.scopes].join("+") || "none"}`,
          Code.PermissionDenied,
        ),
      );
      return;
    }

    const declared = Number(req.headers["content-length"] ?? 0);
    if (declared > opts.limits.maxBodyBytes) {
      metrics.httpRefused.inc({ reason: "body_too_large" });
      refuseCall(
        new ConnectError(
          `request body of ${declared} bytes exceeds MAX_BODY_BYTES=${opts.limits.maxBodyBytes}`,
          Code.ResourceExhausted,
        ),
        413,
      );
      return;
    }

    if (!procedure.streaming) {
      const deadlineMs = requestedDeadlineMs(req, wire);
      if (deadlineMs !== undefined && deadlineMs > opts.limits.maxDeadlineMs) {
        metrics.limitRefusals.inc({ limit: "deadline" });
        refuseCall(
          new ConnectError(
            `deadline of ${deadlineMs} ms exceeds MAX_DEADLINE_MS=${opts.limits.maxDeadlineMs}; ask for less`,
            Code.InvalidArgument,
          ),
        );
        return;
      }
    }

    if (rateLimited && procedure.scope !== "public") {
      if (procedure.streaming) {
        const release = callLimits.openStream(auth.caller.tokenId);
        if (!release) {
          metrics.limitRefusals.inc({ limit: "streams" });
          refuseCall(
            retryLater(
              `token ${auth.caller.tokenId} already has ${callLimits.streamCap} streams open (STREAMS_PER_TOKEN); ` +
                "close one first",
              1000,
              res,
            ),
          );
          return;
        }
        res.once("close", release);
      } else {
        const waitMs = callLimits.takeUnary(auth.caller.tokenId);
        if (waitMs > 0) {
          metrics.limitRefusals.inc({ limit: "rate" });
          refuseCall(
            retryLater(
              `rate limit of token ${auth.caller.tokenId} exceeded (RATE_LIMIT); retry in ${waitMs} ms`,
              waitMs,
              res,
            ),
          );
          return;
        }
      }
    }

    callStates.set(req, state);
    // Failures before the interceptors (undecodable bodies, bodies over the cap without Content-Length) are only
    // visible in the response the router writes: read it back to log them.
    const capture = captureResponse(res, () => state.observed);
    res.once("close", () => {
      if (state.observed) return;
      recordCall(logger, state, { ...outcomeOf(wire, capture), gatewayHeader: header(req, GATEWAY_HEADER) });
    });
    opts.rpc(req, res);
  };

  function serveRoute(
    route: HttpRoute,
    req: HttpRequest,
    res: HttpResponse,
    path: string,
    url: string,
    q: number,
    peer: string,
    start: number,
  ): void {
    const scope: RequiredScope = route.scope ?? "read";
    const auth = authenticateFor(scope, req, authenticator);
    const logRoute = (status: number, error?: string) =>
      logger.info(
        {
          method: req.method,
          path,
          status,
          durationMs: Math.round((performance.now() - start) * 10) / 10,
          peer,
          tokenId: "caller" in auth ? auth.caller.tokenId : undefined,
          ...(error ? { error } : {}),
        },
        "http",
      );
    if ("failure" in auth) {
      metrics.authFailures.inc({ reason: auth.failure.reason });
      sendJson(res, 401, { code: "unauthenticated", message: auth.failure.message }, { "www-authenticate": "Bearer" });
      logRoute(401, auth.failure.message);
      return;
    }
    if (!allows(auth.caller, scope)) {
      metrics.authFailures.inc({ reason: "scope" });
      const message = `${path} needs scope "${scope}"; token ${auth.caller.tokenId} has ${[...auth.caller.scopes].join("+") || "none"}`;
      sendJson(res, 403, { code: "permission_denied", message });
      logRoute(403, message);
      return;
    }
    const aborted = new AbortController();
    res.once("close", () => {
      aborted.abort();
      logRoute(res.statusCode);
    });
    const ctx = {
      caller: auth.caller,
      path,
      query: new URLSearchParams(q < 0 ? "" : url.slice(q + 1)),
      signal: AbortSignal.any([aborted.signal, opts.shutdown]),
      logger,
    };
    Promise.resolve()
      .then(() => route.handler(req, res, ctx))
      .catch((err: unknown) => {
        logger.error({ err, path, method: req.method }, "http route failed");
        sendJson(res, 500, { code: "internal", message: "internal error" });
      });
  }

  function httpRefusal(
    res: HttpResponse,
    reason: string,
    status: number,
    message: string,
    path: string,
    peer: string,
    headers: Record<string, string> = {},
  ): void {
    metrics.httpRefused.inc({ reason });
    logger.info({ path, status, peer, error: message }, "http");
    sendJson(res, status, { code: status === 405 ? "unimplemented" : "invalid_argument", message }, headers);
  }
}

/** Public procedures need no credentials; a bad token sent to one is ignored rather than refused. */
function authenticateFor(scope: RequiredScope, req: HttpRequest, authenticator: Authenticator): AuthResult {
  const result = authenticator.authenticate({ authorization: header(req, "authorization"), socket: req.socket });
  if (scope === "public" && "failure" in result) {
    const peer = `${req.socket?.remoteAddress ?? "?"}:${req.socket?.remotePort ?? "?"}`;
    return { caller: { tokenId: "-", scopes: new Set(), via: "token", peer } satisfies Caller };
  }
  return result;
}

/**
 * What is wrong with the request's shape, as [HTTP status, message, metric reason]: connect-node answers these with
 * an empty 405 / 415, which tells a curl user nothing.
 */
function checkShape(
  p: ProcedureInfo,
  method: string,
  wire: Wire,
  contentType: string | undefined,
): [number, string, string] | undefined {
  const name = `${p.service}.${p.method}`;
  if (method === "GET") {
    if (p.streaming) {
      return [
        405,
        `${name} is a streaming RPC: use Connect streaming (POST application/connect+json) or gRPC / gRPC-Web`,
        "method_not_allowed",
      ];
    }
    if (!p.getAllowed) return [405, `${name} has side effects: call it with POST, not GET`, "method_not_allowed"];
    return undefined;
  }
  if (method !== "POST") {
    return [
      405,
      `${method} is not served: call ${name} with POST${p.getAllowed ? " (or Connect GET)" : ""}`,
      "method_not_allowed",
    ];
  }
  if (/^application\/grpc-web-text/i.test(contentType ?? "")) {
    return [
      415,
      "application/grpc-web-text is not supported: use application/grpc-web+proto (binary)",
      "unsupported_media_type",
    ];
  }
  if (wire === "unknown") {
    return [
      415,
      `Content-Type ${contentType ? `"${contentType}"` : "missing"} is not served: ${SEND_INSTEAD}`,
      "unsupported_media_type",
    ];
  }
  if (p.streaming && wire === "connect-unary") {
    return [
      415,
      `${name} is a server-streaming RPC: plain JSON POST only works for unary RPCs; use Connect streaming ` +
        "(Content-Type: application/connect+json with enveloped messages, e.g. buf curl or a Connect client) or gRPC / gRPC-Web",
      "unsupported_media_type",
    ];
  }
  if (!p.streaming && wire === "connect-stream") {
    return [
      415,
      `${name} is a unary RPC: POST it with Content-Type: application/json (or application/proto)`,
      "unsupported_media_type",
    ];
  }
  return undefined;
}

/** The deadline the client asked for, in ms (undefined: none, or unparsable: the router answers that). */
function requestedDeadlineMs(req: HttpRequest, wire: Wire): number | undefined {
  if (wire === "grpc" || wire === "grpc-web") {
    const raw = header(req, "grpc-timeout");
    return raw === undefined ? undefined : parseGrpcTimeout(raw, Number.MAX_SAFE_INTEGER).timeoutMs;
  }
  const raw = header(req, "connect-timeout-ms");
  return raw === undefined ? undefined : parseConnectTimeout(raw, Number.MAX_SAFE_INTEGER).timeoutMs;
}

/** RESOURCE_EXHAUSTED with google.rpc.RetryInfo (and Retry-After for plain HTTP clients). */
function retryLater(message: string, delayMs: number, res: HttpResponse): ConnectError {
  res.setHeader("retry-after", String(Math.max(1, Math.ceil(delayMs / 1000))));
  const retryDelay = { seconds: BigInt(Math.floor(delayMs / 1000)), nanos: (delayMs % 1000) * 1_000_000 };
  return new ConnectError(message, Code.ResourceExhausted, undefined, [
    { desc: RetryInfoSchema, value: create(RetryInfoSchema, { retryDelay }) },
  ]);
}

function header(req: HttpRequest, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}
