import { createClient, type Transport } from "@connectrpc/connect";
import { createConnectTransport, createGrpcTransport, createGrpcWebTransport } from "@connectrpc/connect-node";
import * as grpc from "@grpc/grpc-js";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import {
  Health,
  HealthCheckRequestSchema,
  HealthCheckResponseSchema,
  HealthCheckResponse_ServingStatus as ServingStatus,
} from "../../gen/grpc/health/v1/health_pb.js";
import { grpcJsUnary, startTestServer, withTimeout } from "./helpers.js";

let server: Awaited<ReturnType<typeof startTestServer>>;

beforeAll(async () => {
  server = await startTestServer();
  server.health.set("ibrpc.v1.ConnectionService", ServingStatus.NOT_SERVING);
});
afterAll(() => server.close(1000));

describe("Health/Check over every protocol and HTTP version on one port", () => {
  const transports: [string, () => Transport][] = [
    ["grpc (h2c)", () => createGrpcTransport({ baseUrl: server.url })],
    ["grpc-web over HTTP/1.1", () => createGrpcWebTransport({ baseUrl: server.url, httpVersion: "1.1" })],
    ["grpc-web over h2c", () => createGrpcWebTransport({ baseUrl: server.url, httpVersion: "2" })],
    ["connect JSON over HTTP/1.1", () => createConnectTransport({ baseUrl: server.url, httpVersion: "1.1" })],
    ["connect JSON over h2c", () => createConnectTransport({ baseUrl: server.url, httpVersion: "2" })],
    [
      "connect binary over HTTP/1.1",
      () => createConnectTransport({ baseUrl: server.url, httpVersion: "1.1", useBinaryFormat: true }),
    ],
  ];
  test.each(transports)("%s", async (_, transport) => {
    const client = createClient(Health, transport());
    expect((await client.check({ service: "" }, { timeoutMs: 5000 })).status).toBe(ServingStatus.SERVING);
    expect((await client.check({ service: "ibrpc.v1.ConnectionService" }, { timeoutMs: 5000 })).status).toBe(
      ServingStatus.NOT_SERVING,
    );
    await expect(client.check({ service: "no.such.Service" }, { timeoutMs: 5000 })).rejects.toMatchObject({
      code: 5, // NOT_FOUND
    });
  });

  test("@grpc/grpc-js", async () => {
    const client = new grpc.Client(`127.0.0.1:${server.port}`, grpc.credentials.createInsecure());
    try {
      const path = "/grpc.health.v1.Health/Check";
      const res = await grpcJsUnary(client, path, HealthCheckRequestSchema, HealthCheckResponseSchema, { service: "" });
      expect(res.status).toBe(ServingStatus.SERVING);
      await expect(
        grpcJsUnary(client, path, HealthCheckRequestSchema, HealthCheckResponseSchema, { service: "nope" }),
      ).rejects.toMatchObject({ code: grpc.status.NOT_FOUND });
    } finally {
      client.close();
    }
  });

  test("Connect JSON via plain fetch POST", async () => {
    const res = await fetch(`${server.url}/grpc.health.v1.Health/Check`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ service: "" }),
      signal: AbortSignal.timeout(5000),
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: "SERVING" });
  });

  test("every call above left one log line with procedure, protocol, code and duration", () => {
    const rpcs = server.lines.filter((l) => l.msg === "rpc");
    const seen = new Set(rpcs.map((l) => `${l.protocol} ${l.code}`));
    for (const protocol of ["grpc", "grpc-web", "connect"]) {
      expect(seen).toContain(`${protocol} ok`);
      expect(seen).toContain(`${protocol} not_found`);
    }
    for (const l of rpcs) {
      expect(l.procedure).toBe("/grpc.health.v1.Health/Check");
      expect(typeof l.durationMs).toBe("number");
    }
  });

  test("GET / answers a hint listing the services", async () => {
    const res = await fetch(`${server.url}/`, { signal: AbortSignal.timeout(5000) });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { services: string[] };
    expect(body.services).toContain("grpc.health.v1.Health");
  });
});

describe("Health/Watch", () => {
  test("streams the current status, then each change, until the client cancels", async () => {
    const client = createClient(Health, createGrpcTransport({ baseUrl: server.url }));
    const ac = new AbortController();
    const it = client.watch({ service: "svc.A" }, { signal: ac.signal })[Symbol.asyncIterator]();
    const next = async () => (await withTimeout(it.next(), "watch message", 5000)).value?.status;
    // Unknown services are watchable: they report SERVICE_UNKNOWN until the application registers them.
    expect(await next()).toBe(ServingStatus.SERVICE_UNKNOWN);
    server.health.set("svc.A", ServingStatus.SERVING);
    expect(await next()).toBe(ServingStatus.SERVING);
    server.health.set("svc.A", ServingStatus.NOT_SERVING);
    expect(await next()).toBe(ServingStatus.NOT_SERVING);
    ac.abort();
    await expect(withTimeout(it.next(), "watch end", 5000)).rejects.toMatchObject({ code: 1 }); // CANCELED
    // The log line for the stream is written when it ends, with its lifetime.
    await expect
      .poll(() => server.lines.find((l) => l.procedure === "/grpc.health.v1.Health/Watch"))
      .toMatchObject({
        protocol: "grpc",
        code: "canceled",
      });
  });

  test("over Connect streaming on HTTP/1.1 too", async () => {
    const client = createClient(Health, createConnectTransport({ baseUrl: server.url, httpVersion: "1.1" }));
    const ac = new AbortController();
    const it = client.watch({ service: "" }, { signal: ac.signal })[Symbol.asyncIterator]();
    expect((await withTimeout(it.next(), "watch message", 5000)).value?.status).toBe(ServingStatus.SERVING);
    ac.abort();
    await expect(withTimeout(it.next(), "watch end", 5000)).rejects.toBeDefined();
  });
});
