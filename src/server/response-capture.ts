import type * as http from "node:http";
import { Code } from "@connectrpc/connect";
import { codeFromHttpStatus, codeFromString } from "@connectrpc/connect/protocol-connect";
import type { HttpResponse } from "./http-routes.js";
import type { Wire } from "./refusal.js";

/** The start of a response, as far as it tells how a call ended. */
export interface ResponseCapture {
  status: number;
  headers: Record<string, string>;
  trailers: Record<string, string>;
  /** The first bytes of the body (an error body is small). */
  body: Buffer;
}

/** Bytes of body kept: error bodies and end-stream messages fit; answers to calls the interceptors saw are not kept. */
const KEEP_BYTES = 8 * 1024;

/**
 * Records the status, headers, trailers and first bytes of the body connect-node writes, until `stop()` says the
 * call reached the interceptors (which log it with the real error), so that calls the router failed by itself
 * (undecodable body, body over the cap, bad timeout header) are still logged with their code and message.
 */
export function captureResponse(res: HttpResponse, stop: () => boolean): ResponseCapture {
  const capture: ResponseCapture = { status: 200, headers: {}, trailers: {}, body: Buffer.alloc(0) };
  const r = res as http.ServerResponse & { addTrailers(h: Record<string, string>): void };
  const writeHead = r.writeHead.bind(r) as (...a: unknown[]) => unknown;
  const write = r.write.bind(r) as (...a: unknown[]) => boolean;
  const end = r.end.bind(r) as (...a: unknown[]) => unknown;
  const addTrailers = r.addTrailers.bind(r);
  const keep = (chunk: Uint8Array) => {
    if (capture.body.length >= KEEP_BYTES) return;
    capture.body = Buffer.concat([capture.body, chunk.subarray(0, KEEP_BYTES - capture.body.length)]);
  };
  /** A 500 or 429 from the router itself: held back until its body is known (a parse failure, a body too large). */
  let held: { status: number; headers: Record<string, unknown>; body: Buffer[] } | undefined;

  r.writeHead = ((status: number, ...rest: unknown[]) => {
    // connect-node writes the head again when headersSent is still false, which it is while held.
    if (held) return r;
    capture.status = status;
    const headers = (rest.find((x) => typeof x === "object" && x !== null) ?? {}) as Record<string, unknown>;
    for (const [k, v] of Object.entries(headers)) capture.headers[k.toLowerCase()] = String(v);
    if ((status === 500 || status === 429) && !stop()) {
      held = { status, headers, body: [] };
      return r;
    }
    return writeHead(status, ...rest);
  }) as typeof r.writeHead;
  r.write = ((chunk: unknown, ...rest: unknown[]) => {
    if (stop()) return write(chunk, ...rest);
    const bytes = toBytes(chunk);
    if (held && bytes) {
      held.body.push(Buffer.from(bytes));
      const cb = rest.find((x) => typeof x === "function") as (() => void) | undefined;
      if (cb) process.nextTick(cb);
      return true;
    }
    const out = bytes ? rewriteFrames(Buffer.from(bytes)) : chunk;
    if (out instanceof Uint8Array) keep(out);
    return write(out, ...rest);
  }) as typeof r.write;
  r.end = ((chunk?: unknown, ...rest: unknown[]) => {
    const bytes = typeof chunk === "function" ? undefined : toBytes(chunk);
    const args = typeof chunk === "function" ? [chunk, ...rest] : rest;
    if (held) {
      if (bytes) held.body.push(Buffer.from(bytes));
      const { status, headers, body } = rewriteUnary(held.status, Buffer.concat(held.body));
      capture.status = status;
      keep(body);
      const out: Record<string, unknown> = { ...held.headers, ...headers };
      for (const k of Object.keys(out)) if (k.toLowerCase() === "content-length") delete out[k];
      out["content-length"] = String(body.length);
      held = undefined;
      writeHead(status, out);
      return end(body, ...args);
    }
    if (bytes && !stop()) {
      const out = rewriteFrames(Buffer.from(bytes));
      keep(out);
      return end(out, ...args);
    }
    return end(chunk, ...rest);
  }) as typeof r.end;
  r.addTrailers = (trailers: Record<string, string>) => {
    const out = stop() ? trailers : rewriteGrpcStatus(trailers);
    for (const [k, v] of Object.entries(out)) capture.trailers[k.toLowerCase()] = String(v);
    addTrailers(out);
  };
  return capture;
}

/**
 * connect-es reports a request body that is not valid protobuf as INTERNAL ("parse binary: ..."): right for a
 * client reading a server's answer, wrong for a server reading a client's request, and an HTTP 500 over Connect.
 * The client sent it, so it is INVALID_ARGUMENT (400). These rewrite that one error, in each protocol's framing.
 */
const PARSE_FAILURE = "parse binary: ";
const DECODE_MESSAGE = "cannot decode the request message (protobuf binary): ";

function rewriteUnary(status: number, body: Buffer): { status: number; headers: Record<string, string>; body: Buffer } {
  const json = safeJson(body) as { code?: string; message?: string } | undefined;
  // A body without Content-Length that grew over the cap while being read: the same 413 as a declared one.
  const tooLarge = /larger than configured readMaxBytes (\d+)/.exec(json?.message ?? "");
  if (json?.code === "resource_exhausted" && tooLarge) {
    const message = `request body exceeds MAX_BODY_BYTES=${tooLarge[1]}`;
    return { status: 413, headers: {}, body: Buffer.from(JSON.stringify({ ...json, message })) };
  }
  if (json?.code !== "internal" || !json.message?.startsWith(PARSE_FAILURE)) return { status, headers: {}, body };
  const fixed = {
    ...json,
    code: "invalid_argument",
    message: DECODE_MESSAGE + json.message.slice(PARSE_FAILURE.length),
  };
  return { status: 400, headers: {}, body: Buffer.from(JSON.stringify(fixed)) };
}

function rewriteGrpcStatus(trailers: Record<string, string>): Record<string, string> {
  const status = trailers["grpc-status"];
  const message = decodeGrpcMessage(trailers["grpc-message"]);
  if (status !== String(Code.Internal) || !message?.startsWith(PARSE_FAILURE)) return trailers;
  return {
    ...trailers,
    "grpc-status": String(Code.InvalidArgument),
    "grpc-message": grpcPercentEncode(DECODE_MESSAGE + message.slice(PARSE_FAILURE.length)),
  };
}

/** Connect end-stream messages (flag 0x02) and gRPC-Web trailer frames (0x80) inside a body chunk. */
function rewriteFrames(chunk: Buffer): Buffer {
  // gRPC-Web trailers carry the message percent-encoded.
  if (!chunk.includes(PARSE_FAILURE) && !chunk.includes("parse%20binary")) return chunk;
  const parts: Buffer[] = [];
  let at = 0;
  while (at + 5 <= chunk.length) {
    const flags = chunk[at] ?? 0;
    const len = chunk.readUInt32BE(at + 1);
    if (at + 5 + len > chunk.length) break;
    let payload = chunk.subarray(at + 5, at + 5 + len);
    if (flags & 0x80) payload = rewriteGrpcWebTrailer(payload);
    else if (flags & 0b10) payload = rewriteEndStream(payload);
    const head = Buffer.alloc(5);
    head[0] = flags;
    head.writeUInt32BE(payload.length, 1);
    parts.push(head, payload);
    at += 5 + len;
  }
  parts.push(chunk.subarray(at));
  return Buffer.concat(parts);
}

function rewriteEndStream(payload: Buffer): Buffer {
  const json = safeJson(payload) as { error?: { code?: string; message?: string } } | undefined;
  const e = json?.error;
  if (e?.code !== "internal" || !e.message?.startsWith(PARSE_FAILURE)) return payload;
  const fixed = { code: "invalid_argument", message: DECODE_MESSAGE + e.message.slice(PARSE_FAILURE.length) };
  return Buffer.from(JSON.stringify({ ...json, error: { ...e, ...fixed } }));
}

function rewriteGrpcWebTrailer(payload: Buffer): Buffer {
  const fields: Record<string, string> = {};
  for (const line of payload.toString("latin1").split("\r\n")) {
    const colon = line.indexOf(":");
    if (colon > 0) fields[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  const fixed = rewriteGrpcStatus(fields);
  if (fixed === fields) return payload;
  return Buffer.from(
    Object.entries(fixed)
      .map(([k, v]) => `${k}: ${v}\r\n`)
      .join(""),
    "latin1",
  );
}

/** gRPC's grpc-message encoding: printable ASCII but '%' as is, every other byte of the UTF-8 as %XX. */
function grpcPercentEncode(message: string): string {
  let out = "";
  for (const byte of Buffer.from(message, "utf8")) {
    out +=
      byte >= 0x20 && byte <= 0x7e && byte !== 0x25
        ? String.fromCharCode(byte)
        : `%${byte.toString(16).toUpperCase().padStart(2, "0")}`;
  }
  return out;
}

function toBytes(chunk: unknown): Uint8Array | undefined {
  if (typeof chunk === "string") return Buffer.from(chunk);
  return chunk instanceof Uint8Array ? chunk : undefined;
}

/** The code and message a client read from the captured response. */
export function outcomeOf(wire: Wire, c: ResponseCapture): { code: Code | undefined; error?: string } {
  if (wire === "grpc" || wire === "grpc-web") {
    const fields = { ...c.headers, ...c.trailers, ...(wire === "grpc-web" ? grpcWebTrailers(c.body) : {}) };
    const status = Number(fields["grpc-status"] ?? Number.NaN);
    if (Number.isNaN(status))
      return c.status === 200 ? { code: Code.Canceled, error: "no status sent" } : httpFailure(c);
    if (status === 0) return { code: undefined };
    return { code: status as Code, error: decodeGrpcMessage(fields["grpc-message"]) };
  }
  if (wire === "connect-stream") {
    const end = lastEnvelope(c.body, 0b10);
    if (end) {
      const json = safeJson(end) as { error?: { code?: string; message?: string } } | undefined;
      if (json?.error)
        return { code: codeFromString(json.error.code ?? "") ?? Code.Unknown, error: json.error.message };
      return { code: undefined };
    }
    return c.status === 200 ? { code: Code.Canceled, error: "stream cut" } : httpFailure(c);
  }
  if (c.status === 200) return { code: undefined };
  return httpFailure(c);
}

function httpFailure(c: ResponseCapture): { code: Code; error?: string } {
  const json = safeJson(c.body) as { code?: string; message?: string } | undefined;
  const code = (json?.code ? codeFromString(json.code) : undefined) ?? codeFromHttpStatus(c.status);
  return { code, error: json?.message ?? `HTTP ${c.status}${c.body.length === 0 ? " (empty body)" : ""}` };
}

/** gRPC-Web over HTTP/1.1 sends trailers as a last body frame with flag 0x80. */
function grpcWebTrailers(body: Buffer): Record<string, string> {
  const frame = lastEnvelope(body, 0x80);
  const out: Record<string, string> = {};
  if (!frame) return out;
  for (const line of frame.toString("latin1").split("\r\n")) {
    const colon = line.indexOf(":");
    if (colon > 0) out[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  return out;
}

function lastEnvelope(body: Buffer, flag: number): Buffer | undefined {
  let found: Buffer | undefined;
  for (let at = 0; at + 5 <= body.length; ) {
    const len = body.readUInt32BE(at + 1);
    if (at + 5 + len > body.length) break;
    if ((body[at] ?? 0) & flag) found = body.subarray(at + 5, at + 5 + len);
    at += 5 + len;
  }
  return found;
}

function decodeGrpcMessage(m: string | undefined): string | undefined {
  if (m === undefined) return undefined;
  try {
    return decodeURIComponent(m);
  } catch {
    return m;
  }
}

function safeJson(b: Buffer): unknown {
  try {
    return JSON.parse(b.toString("utf8"));
  } catch {
    return undefined;
  }
}
