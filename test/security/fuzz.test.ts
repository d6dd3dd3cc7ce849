import * as http2 from "node:http2";
import * as net from "node:net";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { App } from "../../src/app.js";
import { allReady } from "../e2e/app-harness.js";
import { eventually, withTimeout } from "../support/wait.js";
import { decodesAsRequest, type FuzzCase, fuzzCases } from "./fuzz-cases.js";
import { connectCall, connectEnvelope, startSecuredApp } from "./harness.js";

/** How many requests (FUZZ_REQUESTS overrides; the full run is 10000) and their seed (FUZZ_SEED). */
const COUNT = Number(process.env.FUZZ_REQUESTS ?? 3000);
const SEED = Number(process.env.FUZZ_SEED ?? 20261130);
const CONCURRENCY = 24;
const FUZZ_TOKEN = "fuzz-token-0123456789abcdef";

let app: App;
beforeAll(async () => {
  // One token with every scope and no rate limit: every request reaches as deep as its content lets it. A 64 KiB
  // body cap makes "oversized" cheap to send.
  ({ app } = await startSecuredApp({
    AUTH_TOKENS: `${FUZZ_TOKEN}:read+trade+admin`,
    RATE_LIMIT: "0",
    MAX_BODY_BYTES: "65536",
  }));
  await allReady(app);
  // The embedded database opens in the background and, on a fresh DATA_DIR, keeps the event loop busy for seconds:
  // fuzz the running service, not its start-up.
  await eventually("the account history store open", 60_000, async () => {
    const res = await connectCall(
      app.server.url,
      "/grpc.health.v1.Health/Check",
      '{"service":"ibrpc.v1.AccountHistoryService"}',
    );
    return res.json.status === "SERVING";
  });
}, 120_000);
afterAll(() => app.close());

interface Outcome {
  httpStatus: number;
  body?: string;
  /** A server fault the client was told about (INTERNAL / UNKNOWN / DATA_LOSS), whatever the HTTP status. */
  fault?: string;
  /** The request did not finish: reset, or no answer in time. */
  broken?: string;
}

const FAULT = /"code":"(internal|unknown|data_loss)"|grpc-status: ?(13|2|15)\b/;

function defaultHeaders(c: FuzzCase): Record<string, string> {
  const grpcish = c.wire === "grpc" || c.wire === "grpc-web";
  return {
    authorization: `Bearer ${FUZZ_TOKEN}`,
    ...(grpcish ? { "grpc-timeout": "300m" } : { "connect-timeout-ms": "300" }),
    ...c.headers,
  };
}

async function sendHttp1(base: string, c: FuzzCase): Promise<Outcome> {
  const headers = defaultHeaders(c);
  let url = `${base}${c.path}`;
  let init: RequestInit;
  switch (c.wire) {
    case "connect-get": {
      const b64 = Buffer.from(c.body).toString("base64url");
      url += `?connect=v1&encoding=json&base64=1&message=${b64}`;
      init = { method: "GET", headers };
      break;
    }
    case "connect-json":
      init = { method: "POST", headers: { "content-type": "application/json", ...headers }, body: c.body };
      break;
    case "connect-proto":
      init = { method: "POST", headers: { "content-type": "application/proto", ...headers }, body: c.body };
      break;
    case "connect-stream":
      init = {
        method: "POST",
        headers: { "content-type": "application/connect+json", ...headers },
        body: connectEnvelope(Buffer.from(c.body).toString("latin1")),
      };
      break;
    default:
      init = {
        method: "POST",
        headers: { "content-type": "application/grpc-web+proto", "x-grpc-web": "1", ...headers },
        body: connectEnvelope(Buffer.from(c.body).toString("latin1")),
      };
  }
  try {
    const res = await fetch(url, { ...init, signal: AbortSignal.timeout(8000) });
    const body = Buffer.from(await res.arrayBuffer()).toString("latin1");
    const fault = FAULT.exec(body)?.[0] ?? FAULT.exec(`grpc-status: ${res.headers.get("grpc-status")}`)?.[0];
    return {
      httpStatus: res.status,
      body: body.slice(0, 200),
      fault: fault ? `${fault} ${body.slice(0, 200)}` : undefined,
    };
  } catch (err) {
    return { httpStatus: 0, broken: String(err) };
  }
}

function sendGrpc(session: http2.ClientHttp2Session, c: FuzzCase): Promise<Outcome> {
  return new Promise((resolve) => {
    const frame = Buffer.alloc(5 + c.body.length);
    frame.writeUInt32BE(c.body.length, 1);
    Buffer.from(c.body).copy(frame, 5);
    let status = 0;
    let grpcStatus: string | undefined;
    let message = "";
    const req = session.request({
      ":method": "POST",
      ":path": c.path,
      "content-type": "application/grpc",
      te: "trailers",
      ...defaultHeaders(c),
    });
    const timer = setTimeout(() => req.close(http2.constants.NGHTTP2_CANCEL), 8000);
    const take = (h: http2.IncomingHttpHeaders) => {
      if (h[":status"]) status = Number(h[":status"]);
      grpcStatus ??= h["grpc-status"] as string | undefined;
      message ||= (h["grpc-message"] as string | undefined) ?? "";
    };
    req.on("response", take);
    req.on("trailers", take);
    req.on("data", () => {});
    req.on("error", () => {});
    req.on("close", () => {
      clearTimeout(timer);
      const fault =
        grpcStatus && ["13", "2", "15"].includes(grpcStatus) ? `grpc-status ${grpcStatus} ${message}` : undefined;
      resolve({ httpStatus: status, fault, broken: status === 0 ? `reset ${req.rstCode}` : undefined });
    });
    req.end(frame);
  });
}

/**
 * Connect maps some codes to 5xx statuses by protocol: UNIMPLEMENTED 501, UNAVAILABLE 503, DEADLINE_EXCEEDED 504.
 * A request that is well formed (it decodes) may legitimately get those: a method not implemented yet, or a request
 * that reached IB and met its 300 ms deadline there. A malformed one must be refused with a 4xx before any of that.
 */
function allowedStatus(c: FuzzCase, out: Outcome): boolean {
  // Not implemented yet, or a compression the server does not speak (UNIMPLEMENTED by the gRPC and Connect specs).
  if (out.httpStatus === 501) return /is not implemented|unknown compression/.test(out.body ?? "");
  return decodesAsRequest(c) && (out.httpStatus === 503 || out.httpStatus === 504);
}

/** Raw HTTP/1.1 abuse the parser must survive: smuggling shapes, broken chunking, junk request lines. */
const RAW_REQUESTS = [
  "GARBAGE\r\n\r\n",
  "POST /ibrpc.v1.ConnectionService/ListGateways HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
  "POST /ibrpc.v1.ConnectionService/ListGateways HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n",
  "POST /ibrpc.v1.ConnectionService/ListGateways HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n",
  "GET /\u0000 HTTP/1.1\r\nHost: x\r\n\r\n",
  `GET / HTTP/1.1\r\nHost: x\r\n${"X: y\r\n".repeat(3000)}\r\n`,
  "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\ngarbage-after-preface",
  "GET / HTTP/9.9\r\nHost: x\r\n\r\n",
];

function rawSend(port: number, data: string): Promise<string> {
  return withTimeout(
    new Promise<string>((resolve) => {
      const s = net.connect(port, "127.0.0.1");
      let got = "";
      s.on("data", (d) => {
        got += d.toString("latin1");
        if (got.includes("\r\n\r\n")) s.end();
      });
      s.on("error", () => resolve(got));
      s.on("close", () => resolve(got));
      s.write(data);
    }),
    "raw exchange",
    15_000,
  );
}

function heapAfterGc(): number {
  setFlagsFromString("--expose-gc");
  const gc = runInNewContext("gc") as () => void;
  gc();
  gc();
  return process.memoryUsage().heapUsed;
}

describe("fuzz", () => {
  it(`survives ${COUNT} malformed, oversized, wrongly typed or hostile requests across every RPC and protocol`, async () => {
    const gatewaysBefore = app.pool.gateways.map((g) => g.snapshot());
    const heapBefore = heapAfterGc();
    const cases = fuzzCases(COUNT, SEED);
    const session = http2.connect(app.server.url);
    session.on("error", () => {});
    const failures: string[] = [];
    const faults: string[] = [];
    const byWire = new Map<string, number>();
    let next = 0;
    const started = performance.now();
    const worker = async () => {
      for (let i = next++; i < cases.length; i = next++) {
        const c = cases[i] as FuzzCase;
        const out = c.wire === "grpc" ? await sendGrpc(session, c) : await sendHttp1(app.server.url, c);
        byWire.set(c.wire, (byWire.get(c.wire) ?? 0) + 1);
        const what = `#${i} ${c.wire} ${c.path.slice(0, 60)} (${c.kind})`;
        if (out.httpStatus >= 500 && !allowedStatus(c, out))
          failures.push(`${what}: HTTP ${out.httpStatus} ${out.body}`);
        if (out.broken) failures.push(`${what}: ${out.broken}`);
        if (out.fault) faults.push(`${what}: ${out.fault}`);
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
    session.close();
    const raw = await Promise.all(RAW_REQUESTS.map((r) => rawSend(app.server.port, r)));
    for (const [i, answer] of raw.entries()) {
      if (/^HTTP\/1\.1 5/.test(answer)) failures.push(`raw #${i}: ${answer.slice(0, 80)}`);
    }
    const seconds = (performance.now() - started) / 1000;
    const heapGrowthMb = (heapAfterGc() - heapBefore) / 1024 / 1024;
    console.log(
      `fuzz: ${COUNT} requests + ${RAW_REQUESTS.length} raw in ${seconds.toFixed(1)} s; by wire ${JSON.stringify(Object.fromEntries(byWire))}; ` +
        `heap growth ${heapGrowthMb.toFixed(1)} MB; server faults ${faults.length}`,
    );

    if (failures.length + faults.length > 0) console.log([...failures, ...faults].slice(0, 400).join("\n"));
    expect(failures.slice(0, 20), `${failures.length} requests got a 5xx or no answer`).toEqual([]);
    expect(faults.slice(0, 20), `${faults.length} requests got INTERNAL/UNKNOWN`).toEqual([]);
    // The IB connection never dropped: same state since the same moment.
    expect(app.pool.gateways.map((g) => g.snapshot())).toEqual(
      gatewaysBefore.map((g) => expect.objectContaining({ name: g.name, state: g.state, stateSince: g.stateSince })),
    );
    expect(heapGrowthMb).toBeLessThan(64);
    // Still serving, for real calls.
    const ok = await connectCall(app.server.url, "/ibrpc.v1.ConnectionService/ReqCurrentTime", "{}", {
      authorization: `Bearer ${FUZZ_TOKEN}`,
    });
    expect(ok.status).toBe(200);
  }, 240_000);
});
