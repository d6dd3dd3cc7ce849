import type * as http from "node:http";
import type * as http2 from "node:http2";
import type { Logger } from "pino";
import type { Caller } from "../auth/caller.js";
import type { RequiredScope } from "../auth/scopes.js";

export type HttpRequest = http.IncomingMessage | http2.Http2ServerRequest;
export type HttpResponse = http.ServerResponse | http2.Http2ServerResponse;

/**
 * A plain-HTTP endpoint served on the API port next to the RPCs (REST reads of the account history, /metrics).
 * Routes are checked before the RPC router, in order; the first whose method and path match answers. The server
 * authenticates the request and checks `scope` first, exactly as for an RPC: a handler only runs for a caller
 * allowed to call it. Request bodies are the handler's to read (and to cap: see {@link readBody}).
 */
export interface HttpRoute {
  /** "GET", or several; HEAD is not implied. */
  method: string | readonly string[];
  /** A path prefix ("/v1/accounts/") or a predicate on the path (query string removed). */
  path: string | ((path: string) => boolean);
  /** Scope the caller needs (default `read`); `public` for none. */
  scope?: RequiredScope;
  handler(req: HttpRequest, res: HttpResponse, ctx: HttpRouteContext): void | Promise<void>;
}

export interface HttpRouteContext {
  /** Who called: token id and scopes (see src/auth/caller.ts). */
  caller: Caller;
  /** The request path without its query string. */
  path: string;
  /** The query string, parsed. */
  query: URLSearchParams;
  /** Aborts when the client goes away or the server shuts down. */
  signal: AbortSignal;
  logger: Logger;
}

/** The first route matching the request, if any. */
export function matchRoute(routes: readonly HttpRoute[], method: string, path: string): HttpRoute | undefined {
  for (const r of routes) {
    const methodOk = typeof r.method === "string" ? r.method === method : r.method.includes(method);
    if (!methodOk) continue;
    if (typeof r.path === "string" ? path.startsWith(r.path) : r.path(path)) return r;
  }
  return undefined;
}

/** Any route matching the path whatever the method (to answer 405 rather than 404). */
export function routeForPath(routes: readonly HttpRoute[], path: string): HttpRoute | undefined {
  return routes.find((r) => (typeof r.path === "string" ? path.startsWith(r.path) : r.path(path)));
}

/** Writes a JSON answer (what every route and every refusal of the front layer sends). */
export function sendJson(res: HttpResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  if (res.headersSent) {
    res.end();
    return;
  }
  const text = JSON.stringify(body);
  (res as http.ServerResponse).writeHead(status, {
    "content-type": "application/json; charset=utf-8",
    "content-length": String(Buffer.byteLength(text)),
    ...headers,
  });
  res.end(text);
}

/**
 * Reads a request body of at most `maxBytes`, refusing (RangeError) as soon as more arrives, so a hostile client
 * cannot make the process buffer an unbounded body.
 */
export async function readBody(req: HttpRequest, maxBytes: number): Promise<Buffer> {
  const declared = Number(req.headers["content-length"] ?? 0);
  if (declared > maxBytes) throw new RangeError(`request body of ${declared} bytes exceeds ${maxBytes}`);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > maxBytes) throw new RangeError(`request body exceeds ${maxBytes} bytes`);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}
