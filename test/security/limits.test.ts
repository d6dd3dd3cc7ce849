import * as http2 from "node:http2";
import * as net from "node:net";
import { fromBinary } from "@bufbuild/protobuf";
import { Code, ConnectError, createClient } from "@connectrpc/connect";
import { createConnectTransport, createGrpcTransport } from "@connectrpc/connect-node";
import { afterEach, describe, expect, it } from "vitest";
import { RetryInfoSchema } from "../../gen/google/rpc/error_details_pb.js";
import { ConnectionService } from "../../gen/ibrpc/v1/connection_pb.js";
import { ContractService } from "../../gen/ibrpc/v1/contract_pb.js";
import type { ServerOptions } from "../../src/server/index.js";
import { startTestServer, withTimeout } from "../server/helpers.js";
import { bearer, connectCall, TOKENS } from "./harness.js";

type TestServer = Awaited<ReturnType<typeof startTestServer>>;
let server: TestServer | undefined;
afterEach(async () => {
  await server?.close(100);
  server = undefined;
});

const LIST = "/ibrpc.v1.ConnectionService/ListGateways";

/** A server with the three tokens and a ConnectionService whose stream stays open until the client leaves. */
async function start(opts: Partial<ServerOptions> = {}): Promise<TestServer> {
  server = await startTestServer({
    auth: {
      tokens: [
        { token: TOKENS.read, scopes: ["read"] },
        { token: TOKENS.trade, scopes: ["read", "trade"] },
      ],
    },
    routes: (router) => {
      // Echoes the pattern's length: a request with a string field of any size.
      router.service(ContractService, {
        reqMatchingSymbols: (req) => ({ contractDescriptions: [{ derivativeSecTypes: [String(req.pattern.length)] }] }),
      });
      router.service(ConnectionService, {
        listGateways: () => ({ gateways: [] }),
        async *watchGateways(_req, ctx) {
          yield {};
          await new Promise((resolve) => ctx.signal.addEventListener("abort", resolve, { once: true }));
        },
      });
    },
    ...opts,
  });
  return server;
}

/**
 * Sends `head` on a raw socket and resolves with everything the server answered before it closed ("" for a
 * connection reset at once, which is how a refused connection looks).
 */
function rawExchange(port: number, head: string, ms = 5000): Promise<string> {
  return withTimeout(
    new Promise<string>((resolve, reject) => {
      const s = net.connect(port, "127.0.0.1");
      let got = "";
      s.on("data", (d) => {
        got += d.toString("latin1");
      });
      s.on("error", (err: NodeJS.ErrnoException) => (err.code === "ECONNRESET" ? resolve(got) : reject(err)));
      s.on("close", () => resolve(got));
      s.write(head);
    }),
    "server to answer and close",
    ms,
  );
}

describe("body cap", () => {
  it("refuses a 20 MB body from its Content-Length alone, before any of it is sent", async () => {
    const s = await start({ limits: { maxBodyBytes: 4 * 1024 * 1024 } });
    // Only the head is sent; the answer must come anyway, and the connection is closed rather than drained.
    const answer = await rawExchange(
      s.port,
      `POST ${LIST} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nAuthorization: Bearer ${TOKENS.read}\r\nContent-Length: 20971520\r\n\r\n`,
    );
    expect(answer).toMatch(/^HTTP\/1.1 413/);
    expect(answer).toMatch(/connection: close/i);
    expect(answer).toContain("MAX_BODY_BYTES=4194304");
  });

  it("refuses a chunked body (no Content-Length) once it grows over the cap, with the same 413", async () => {
    const s = await start({ limits: { maxBodyBytes: 64 * 1024 } });
    const chunks = async function* () {
      for (let i = 0; i < 100; i++) yield new TextEncoder().encode(i === 0 ? '{"pattern":"' : "x".repeat(4096));
    };
    const res = await fetch(`${s.url}/ibrpc.v1.ContractService/ReqMatchingSymbols`, {
      method: "POST",
      headers: { "content-type": "application/json", ...bearer(TOKENS.read) },
      body: ReadableStream.from(chunks()),
      duplex: "half",
    } as RequestInit);
    expect(res.status).toBe(413);
    expect(((await res.json()) as { message: string }).message).toBe("request body exceeds MAX_BODY_BYTES=65536");
  });

  it("refuses a gRPC message over the cap (no Content-Length) with RESOURCE_EXHAUSTED", async () => {
    const s = await start({ limits: { maxBodyBytes: 64 * 1024 } });
    const client = createClient(ContractService, createGrpcTransport({ baseUrl: s.url }));
    const err = await client
      .reqMatchingSymbols({ pattern: "x".repeat(100 * 1024) }, { headers: bearer(TOKENS.read), timeoutMs: 5000 })
      .then(() => undefined, ConnectError.from);
    expect(err?.code).toBe(Code.ResourceExhausted);
    // A message under the cap passes.
    const ok = await client.reqMatchingSymbols({ pattern: "y".repeat(1000) }, { headers: bearer(TOKENS.read) });
    expect(ok.contractDescriptions[0]?.derivativeSecTypes).toEqual(["1000"]);
  });
});

describe("deadline cap", () => {
  it("refuses a unary deadline above MAX_DEADLINE_MS, naming it; streams may run longer", async () => {
    const s = await start({ limits: { maxDeadlineMs: 60_000 } });
    const grpc = createClient(ConnectionService, createGrpcTransport({ baseUrl: s.url }));
    const err = await grpc
      .listGateways({}, { headers: bearer(TOKENS.read), timeoutMs: 120_000 })
      .then(() => undefined, ConnectError.from);
    expect(err?.code).toBe(Code.InvalidArgument);
    expect(err?.rawMessage).toMatch(/MAX_DEADLINE_MS=60000/);
    await expect(grpc.listGateways({}, { headers: bearer(TOKENS.read), timeoutMs: 30_000 })).resolves.toBeDefined();
    const stream = grpc.watchGateways({}, { headers: bearer(TOKENS.read), timeoutMs: 3_600_000 });
    for await (const first of stream) {
      expect(first).toBeDefined();
      break;
    }
  });
});

describe("per-token limits", () => {
  it("rate-limits unary calls per token with RESOURCE_EXHAUSTED and a retry hint; other tokens are not affected", async () => {
    const s = await start({ limits: { ratePerSecond: 1, rateBurst: 3 } });
    const statuses: number[] = [];
    for (let i = 0; i < 3; i++) statuses.push((await connectCall(s.url, LIST, "{}", bearer(TOKENS.read))).status);
    expect(statuses).toEqual([200, 200, 200]);
    const limited = await connectCall(s.url, LIST, "{}", bearer(TOKENS.read));
    expect(limited.status).toBe(429);
    expect(limited.code).toBe("resource_exhausted");
    expect(limited.message).toMatch(/rate limit .*retry in \d+ ms/);
    expect(Number(limited.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
    const details = limited.json.details as { type: string; value: string }[];
    const retry = details.find((d) => d.type === "google.rpc.RetryInfo");
    const info = fromBinary(RetryInfoSchema, Buffer.from(retry?.value ?? "", "base64"));
    expect(Number(info.retryDelay?.nanos ?? 0) + Number(info.retryDelay?.seconds ?? 0)).toBeGreaterThan(0);
    // gRPC clients get the same code.
    const viaGrpc = await createClient(ConnectionService, createGrpcTransport({ baseUrl: s.url }))
      .listGateways({}, { headers: bearer(TOKENS.read) })
      .then(() => undefined, ConnectError.from);
    expect(viaGrpc?.code).toBe(Code.ResourceExhausted);
    expect(viaGrpc?.findDetails(RetryInfoSchema)).toHaveLength(1);
    // Another token has its own bucket.
    expect((await connectCall(s.url, LIST, "{}", bearer(TOKENS.trade))).status).toBe(200);
  });

  it("caps concurrent streams per token and frees a slot when a stream ends", async () => {
    const s = await start({ limits: { streamsPerToken: 2 } });
    const client = createClient(ConnectionService, createConnectTransport({ baseUrl: s.url, httpVersion: "2" }));
    const open = (token: string) => {
      const abort = new AbortController();
      const it = client.watchGateways({}, { headers: bearer(token), signal: abort.signal })[Symbol.asyncIterator]();
      return { first: it.next(), abort };
    };
    const a = open(TOKENS.read);
    const b = open(TOKENS.read);
    await Promise.all([a.first, b.first]);
    const third = await open(TOKENS.read).first.then(() => undefined, ConnectError.from);
    expect(third?.code).toBe(Code.ResourceExhausted);
    expect(third?.rawMessage).toMatch(/2 streams open \(STREAMS_PER_TOKEN\)/);
    // Another token is not affected...
    const other = open(TOKENS.trade);
    await other.first;
    // ...and closing one stream frees its slot.
    a.abort.abort();
    await withTimeout(
      (async () => {
        for (;;) {
          const again = open(TOKENS.read);
          const ok = await again.first.then(
            () => true,
            () => false,
          );
          if (ok) return again.abort.abort();
          await new Promise((r) => setImmediate(r));
        }
      })(),
      "a slot to free up",
    );
    b.abort.abort();
    other.abort.abort();
  });
});

describe("connections", () => {
  it("closes an HTTP/1.1 connection whose headers do not arrive in time, even one trickling bytes", async () => {
    const s = await start({ limits: { headersTimeoutMs: 300, requestTimeoutMs: 300 } });
    const closed = await withTimeout(
      new Promise<string>((resolve) => {
        const sock = net.connect(s.port, "127.0.0.1");
        let got = "";
        sock.on("data", (d) => {
          got += d.toString("latin1");
        });
        sock.on("error", () => {});
        // Slowloris: a header byte every 50 ms keeps a socket timeout from ever firing.
        const trickle = setInterval(() => sock.writable && sock.write("X"), 50);
        sock.write(`POST ${LIST} HTTP/1.1\r\nHost: x\r\nX-Slow: `);
        sock.on("close", () => {
          clearInterval(trickle);
          resolve(got);
        });
      }),
      "the slow connection to be closed",
      8000,
    );
    expect(closed).toMatch(/^HTTP\/1.1 408/);
  });

  it("closes idle keep-alive connections", async () => {
    const s = await start({ limits: { idleTimeoutMs: 200 } });
    const answer = await rawExchange(s.port, "GET / HTTP/1.1\r\nHost: x\r\n\r\n");
    expect(answer).toMatch(/^HTTP\/1.1 200/);
  });

  it("closes an idle HTTP/2 session, but not one with a quiet stream open", async () => {
    const s = await start({ limits: { idleTimeoutMs: 200 } });
    const idle = http2.connect(s.url);
    idle.on("error", () => {});
    const busy = http2.connect(s.url);
    busy.on("error", () => {});
    // A stream that stays open and silent (WatchGateways sends one message, then nothing).
    const stream = busy.request({
      ":method": "POST",
      ":path": "/ibrpc.v1.ConnectionService/WatchGateways",
      "content-type": "application/grpc",
      te: "trailers",
      ...bearer(TOKENS.read),
    });
    stream.on("error", () => {});
    stream.end(Buffer.alloc(5));
    await withTimeout(new Promise((resolve) => stream.once("data", resolve)), "the stream's first message");
    // Touch the idle session once so that it is established, then leave it alone.
    await withTimeout(new Promise<void>((resolve) => idle.ping(() => resolve())), "a ping");
    await withTimeout(new Promise((resolve) => idle.once("close", resolve)), "the idle session to be closed");
    expect(busy.closed || busy.destroyed).toBe(false);
    stream.close();
    busy.close();
  });

  it("refuses connections beyond MAX_CONNECTIONS and keeps serving the others", async () => {
    const s = await start({ limits: { maxConnections: 2 } });
    const sockets = await Promise.all(
      [1, 2].map(
        () =>
          new Promise<net.Socket>((resolve) => {
            const sock = net.connect(s.port, "127.0.0.1", () => resolve(sock));
          }),
      ),
    );
    const third = await rawExchange(s.port, "GET / HTTP/1.1\r\nHost: x\r\n\r\n");
    expect(third).toBe("");
    for (const sock of sockets) sock.destroy();
    await withTimeout(
      (async () => {
        for (;;) {
          const again = await rawExchange(s.port, "GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
          if (again.startsWith("HTTP/1.1 200")) return;
          await new Promise((r) => setImmediate(r));
        }
      })(),
      "serving again",
    );
  });
});
