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
  const writeHead = r.writeHead.bind(r);
  const write = r.write.bind(r);
  const end = r.end.bind(r);
  const addTrailers = r.addTrailers.bind(r);
  const keep = (chunk: unknown) => {
    if (stop() || capture.body.length >= KEEP_BYTES) return;
    if (typeof chunk === "string") chunk = Buffer.from(chunk);
    if (chunk instanceof Uint8Array) {
      capture.body = Buffer.concat([capture.body, chunk.subarray(0, KEEP_BYTES - capture.body.length)]);
    }
  };
  r.writeHead = ((status: number, ...rest: unknown[]) => {
    capture.status = status;
    const headers = rest.find((x) => typeof x === "object" && x !== null) as Record<string, unknown> | undefined;
    for (const [k, v] of Object.entries(headers ?? {})) capture.headers[k.toLowerCase()] = String(v);
    return (writeHead as (...a: unknown[]) => unknown)(status, ...rest);
  }) as typeof r.writeHead;
  r.write = ((chunk: unknown, ...rest: unknown[]) => {
    keep(chunk);
    return (write as (...a: unknown[]) => boolean)(chunk, ...rest);
  }) as typeof r.write;
  r.end = ((chunk?: unknown, ...rest: unknown[]) => {
    if (chunk !== undefined && typeof chunk !== "function") keep(chunk);
    return (end as (...a: unknown[]) => unknown)(chunk, ...rest);
  }) as typeof r.end;
  r.addTrailers = (trailers: Record<string, string>) => {
    for (const [k, v] of Object.entries(trailers)) capture.trailers[k.toLowerCase()] = String(v);
    addTrailers(trailers);
  };
  return capture;
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
