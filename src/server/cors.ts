import { cors as connectCors } from "@connectrpc/connect";
import type { HttpRequest, HttpResponse } from "./http-routes.js";

/** Headers browser clients may send: what connect-web and grpc-web send, plus our own. */
const ALLOWED_HEADERS = [...connectCors.allowedHeaders, "Authorization", "ib-gateway", "idempotency-key"].join(", ");
/** Response headers scripts may read: gRPC-Web's status lives in them. */
const EXPOSED_HEADERS = [...connectCors.exposedHeaders, "retry-after"].join(", ");
const ALLOWED_METHODS = connectCors.allowedMethods.join(", ");
/** Browsers cache a preflight answer this long (Chrome caps it at 2 h). */
const MAX_AGE_S = "7200";

export type CorsOutcome =
  /** No Origin header: not a browser's cross-origin call; nothing to do. */
  | "none"
  /** An allowed origin: CORS headers are set, the request goes on. */
  | "allowed"
  /** A preflight answered (204) here. */
  | "preflight"
  /** An origin not in CORS_ORIGINS: the caller answers 403 (a page of another site must not drive ibrpc). */
  | "refused";

/**
 * CORS for browser clients (connect-web, grpc-web) from the origins in CORS_ORIGINS (default none). A request whose
 * Origin is not allowed is refused outright rather than merely unreadable: on an open loopback server a web page
 * could otherwise send side-effect-free GETs or simple POSTs to 127.0.0.1 (CSRF, DNS rebinding).
 */
export function applyCors(allowed: readonly string[], req: HttpRequest, res: HttpResponse): CorsOutcome {
  const origin = req.headers.origin;
  if (origin === undefined) return "none";
  if (!(allowed.includes("*") || allowed.includes(origin))) return "refused";
  res.setHeader("access-control-allow-origin", origin);
  res.setHeader("vary", "Origin");
  if (req.method === "OPTIONS" && req.headers["access-control-request-method"] !== undefined) {
    res.setHeader("access-control-allow-methods", ALLOWED_METHODS);
    res.setHeader("access-control-allow-headers", ALLOWED_HEADERS);
    res.setHeader("access-control-max-age", MAX_AGE_S);
    res.writeHead(204);
    res.end();
    return "preflight";
  }
  res.setHeader("access-control-expose-headers", EXPOSED_HEADERS);
  return "allowed";
}
