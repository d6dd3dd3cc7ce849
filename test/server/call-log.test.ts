import { Code, ConnectError, createClient } from "@connectrpc/connect";
import { createConnectTransport, createGrpcTransport, createGrpcWebTransport } from "@connectrpc/connect-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ConnectionService } from "../../gen/ibrpc/v1/connection_pb.js";
import { createLogger } from "../../src/log.js";
import { noteGateway } from "../../src/server/call-log.js";
import { startTestServer, withTimeout } from "./helpers.js";

type TestServer = Awaited<ReturnType<typeof startTestServer>>;
let server: TestServer;
let streamEnded: Promise<void>;
beforeAll(async () => {
  let ended!: () => void;
  streamEnded = new Promise((resolve) => {
    ended = resolve;
  });
  server = await startTestServer({
    routes: (router) =>
      router.service(ConnectionService, {
        listGateways: (_req, ctx) => {
          noteGateway(ctx.values, "paper");
          return {};
        },
        reqCurrentTime: () => {
          throw new ConnectError("no such account", Code.NotFound);
        },
        async *watchGateways(_req, ctx) {
          try {
            yield {};
            await new Promise((resolve) => ctx.signal.addEventListener("abort", resolve, { once: true }));
          } finally {
            ended();
          }
        },
      }),
  });
});
afterAll(() => server.close(100));

const rpcLines = (procedure: string) => server.lines.filter((l) => l.msg === "rpc" && l.procedure === procedure);

describe("one log line per call", () => {
  it("says procedure, protocol, code, duration, peer, token id and the gateway that served it", async () => {
    for (const transport of [
      createGrpcTransport({ baseUrl: server.url }),
      createGrpcWebTransport({ baseUrl: server.url, httpVersion: "1.1" }),
      createConnectTransport({ baseUrl: server.url, httpVersion: "1.1" }),
    ]) {
      await createClient(ConnectionService, transport).listGateways({});
    }
    const lines = rpcLines("/ibrpc.v1.ConnectionService/ListGateways");
    expect(lines.map((l) => l.protocol)).toEqual(["grpc", "grpc-web", "connect"]);
    for (const l of lines) {
      expect(l).toMatchObject({
        code: "ok",
        durationMs: expect.any(Number),
        peer: expect.stringMatching(/^127\.0\.0\.1:\d+$/),
        tokenId: "anonymous",
        gateway: "paper",
      });
    }
  });

  it("carries the error message of a failed call, and the gateway the caller named", async () => {
    const client = createClient(ConnectionService, createConnectTransport({ baseUrl: server.url, httpVersion: "1.1" }));
    await expect(client.reqCurrentTime({}, { headers: { "ib-gateway": "live" } })).rejects.toThrow(/no such account/);
    expect(rpcLines("/ibrpc.v1.ConnectionService/ReqCurrentTime")[0]).toMatchObject({
      code: "not_found",
      error: "no such account",
      gateway: "live",
      level: 30,
    });
  });

  it("logs a client that cancels a stream as canceled at info level, with no error-level line", async () => {
    const abort = new AbortController();
    const client = createClient(ConnectionService, createGrpcTransport({ baseUrl: server.url }));
    const it = client.watchGateways({}, { signal: abort.signal })[Symbol.asyncIterator]();
    await it.next();
    const errorsBefore = server.lines.filter((l) => (l.level as number) >= 50).length;
    abort.abort();
    await withTimeout(streamEnded, "the handler to see the cancel");
    await withTimeout(
      (async () => {
        while (rpcLines("/ibrpc.v1.ConnectionService/WatchGateways").length === 0)
          await new Promise((r) => setImmediate(r));
      })(),
      "the stream's log line",
    );
    expect(rpcLines("/ibrpc.v1.ConnectionService/WatchGateways")[0]).toMatchObject({
      code: "canceled",
      level: 30,
      stream: true,
    });
    expect(server.lines.filter((l) => (l.level as number) >= 50).length).toBe(errorsBefore);
  });

  it("logs 404s and answers them with a body", async () => {
    const res = await fetch(`${server.url}/wp-login.php`);
    expect(res.status).toBe(404);
    expect(server.lines.find((l) => l.msg === "http" && l.status === 404)).toMatchObject({ path: "/wp-login.php" });
    const rpc = await fetch(`${server.url}/ibrpc.v1.NoSuchService/Foo`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: "{}",
    });
    expect(rpc.status).toBe(404);
    expect(((await rpc.json()) as { message: string }).message).toMatch(/unknown service ibrpc.v1.NoSuchService/);
  });
});

describe("the process logger", () => {
  it("writes ISO-8601 UTC timestamps and level names", () => {
    const lines: string[] = [];
    const logger = createLogger("info", { write: (s: string) => lines.push(s) });
    logger.info({ a: 1 }, "hello");
    const line = JSON.parse(lines[0] ?? "{}") as Record<string, unknown>;
    expect(line.time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    expect(line).toMatchObject({ level: "info", service: "ibrpc", msg: "hello", a: 1 });
  });
});
