import type * as http from "node:http";
import * as http2 from "node:http2";
import type { Code, ConnectError } from "@connectrpc/connect";
import {
  codeToHttpStatus,
  codeToString,
  contentTypeStreamRegExp,
  contentTypeUnaryRegExp,
  endStreamFlag,
  endStreamToJson,
  errorToJson,
} from "@connectrpc/connect/protocol-connect";
import { contentTypeRegExp as grpcContentType, setTrailerStatus } from "@connectrpc/connect/protocol-grpc";
import { contentTypeRegExp as grpcWebContentType } from "@connectrpc/connect/protocol-grpc-web";
import type { HttpRequest, HttpResponse } from "./http-routes.js";

/** How a request is framed, from its method and Content-Type: what a refusal must look like for its client to read it. */
export type Wire = "grpc" | "grpc-web" | "connect-unary" | "connect-get" | "connect-stream" | "unknown";

export function wireOf(method: string | undefined, contentType: string | undefined): Wire {
  if (method === "GET") return "connect-get";
  const type = contentType ?? "";
  if (grpcWebContentType.test(type)) return "grpc-web";
  if (grpcContentType.test(type)) return "grpc";
  if (contentTypeStreamRegExp.test(type)) return "connect-stream";
  if (contentTypeUnaryRegExp.test(type)) return "connect-unary";
  return "unknown";
}

/** The protocol name logs and metrics use. */
export function protocolName(wire: Wire): "grpc" | "grpc-web" | "connect" | "http" {
  if (wire === "grpc" || wire === "grpc-web") return wire;
  return wire === "unknown" ? "http" : "connect";
}

/** A request body this large (or of unknown size) is not worth draining after a refusal: the connection is cut. */
const DRAIN_LIMIT = 64 * 1024;

/**
 * Answers `req` with `err` in its own protocol, before (and without) reading its body: gRPC and gRPC-Web get a
 * trailers-only response (HTTP 200, grpc-status in the headers), Connect unary and GET an HTTP error status with
 * the JSON error body, Connect streaming an end-stream message. Anything else gets the Connect JSON shape, which
 * curl users can read. `httpStatus` overrides the Connect status (413 for a body too large).
 */
export function refuse(req: HttpRequest, res: HttpResponse, err: ConnectError, httpStatus?: number): void {
  if (res.headersSent || res.writableEnded) {
    res.destroy();
    return;
  }
  const wire = wireOf(req.method, req.headers["content-type"]);
  const extra = outgoingHeaders(res);
  if (!bodyWillBeRead(req)) cutAfterAnswer(req, res, extra);
  if (wire === "grpc" || wire === "grpc-web") {
    const trailers = new Headers();
    setTrailerStatus(trailers, err);
    const headers: Record<string, string> = {
      ...extra,
      "content-type": req.headers["content-type"] ?? "application/grpc",
    };
    trailers.forEach((value, key) => {
      headers[key] = value;
    });
    const stream = (res as http2.Http2ServerResponse).stream as http2.ServerHttp2Stream | undefined;
    if (stream && !stream.destroyed) {
      // Trailers-only: one HEADERS frame with END_STREAM. res.end() would send the status in headers without
      // END_STREAM and an empty trailer frame after it, which gRPC clients read as "no status received".
      stream.respond({ ":status": 200, ...headers }, { endStream: true });
    } else {
      writeAll(res, 200, headers);
    }
    return;
  }
  if (wire === "connect-stream") {
    const json = new TextEncoder().encode(JSON.stringify(endStreamToJson(new Headers(), err, undefined)));
    const envelope = new Uint8Array(5 + json.length);
    envelope[0] = endStreamFlag;
    new DataView(envelope.buffer).setUint32(1, json.length);
    envelope.set(json, 5);
    writeAll(
      res,
      200,
      { ...extra, "content-type": req.headers["content-type"] ?? "application/connect+json" },
      envelope,
    );
    return;
  }
  const body = JSON.stringify(errorToJson(err, undefined));
  writeAll(res, httpStatus ?? codeToHttpStatus(err.code), { ...extra, "content-type": "application/json" }, body);
}

/** The Connect JSON error body, for plain-HTTP answers that are not an RPC (404, 405, 415 on unknown paths). */
export function errorBody(code: Code, message: string): { code: string; message: string } {
  return { code: codeToString(code), message };
}

function writeAll(
  res: HttpResponse,
  status: number,
  headers: Record<string, string>,
  body?: string | Uint8Array,
): void {
  const length = body === undefined ? 0 : typeof body === "string" ? Buffer.byteLength(body) : body.length;
  (res as http.ServerResponse).writeHead(status, { ...headers, "content-length": String(length) });
  if (body === undefined) res.end();
  else (res as http.ServerResponse).end(body);
}

/** Headers already set on the response (CORS), which a direct stream.respond() would otherwise drop. */
function outgoingHeaders(res: HttpResponse): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(res.getHeaders())) {
    if (v !== undefined) out[k] = Array.isArray(v) ? v.join(", ") : String(v);
  }
  return out;
}

/** Small bodies are drained (and discarded) by Node on keep-alive connections; big or unsized ones are not worth it. */
function bodyWillBeRead(req: HttpRequest): boolean {
  if (req.method === "GET" || req.method === "HEAD" || req.method === "OPTIONS") return true;
  const length = req.headers["content-length"];
  return length !== undefined && Number(length) <= DRAIN_LIMIT;
}

/**
 * Refuses the rest of a large body: HTTP/1.1 closes the connection after the answer (the client learns why first),
 * HTTP/2 resets just the stream once the answer is out (RFC 9113 8.1: a complete response, then RST_STREAM NO_ERROR).
 */
function cutAfterAnswer(req: HttpRequest, res: HttpResponse, headers: Record<string, string>): void {
  if (req.httpVersionMajor < 2) {
    headers.connection = "close";
    return;
  }
  const stream = (res as http2.Http2ServerResponse).stream as http2.ServerHttp2Stream | undefined;
  setImmediate(() => {
    if (stream && !stream.destroyed && !(req as http2.Http2ServerRequest).complete) {
      stream.close(http2.constants.NGHTTP2_NO_ERROR);
    }
  });
}
