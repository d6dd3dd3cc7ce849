import { ConnectError, createClient } from "@connectrpc/connect";
import { createConnectTransport, createGrpcTransport, createGrpcWebTransport } from "@connectrpc/connect-node";
import * as grpc from "@grpc/grpc-js";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import {
  Health,
  HealthCheckRequestSchema,
  HealthCheckResponseSchema,
  HealthCheckResponse_ServingStatus as ServingStatus,
} from "../../gen/grpc/health/v1/health_pb.js";
import { certificateDir, type Pem } from "../support/certs.js";
import { buf, grpcJsUnary, startTestServer } from "./helpers.js";

const certs = certificateDir();
const selfSigned = certs.selfSigned;

let serverPem: Pem;
let clientPem: Pem;
beforeAll(() => {
  serverPem = selfSigned("ibrpc-server");
  clientPem = selfSigned("ibrpc-client");
});
afterAll(() => certs.dispose());

describe("TLS", () => {
  let server: Awaited<ReturnType<typeof startTestServer>>;
  beforeAll(async () => {
    server = await startTestServer({ tls: { cert: serverPem.cert, key: serverPem.key } });
  });
  afterAll(() => server.close(1000));

  test("url is https", () => {
    expect(server.url).toBe(`https://127.0.0.1:${server.port}`);
  });

  test("gRPC over h2 (ALPN), gRPC-Web and Connect over HTTP/1.1, on one port", async () => {
    const ca = serverPem.cert;
    const transports = [
      createGrpcTransport({ baseUrl: server.url, nodeOptions: { ca } }),
      createGrpcWebTransport({ baseUrl: server.url, httpVersion: "1.1", nodeOptions: { ca } }),
      createConnectTransport({ baseUrl: server.url, httpVersion: "1.1", nodeOptions: { ca } }),
      createConnectTransport({ baseUrl: server.url, httpVersion: "2", nodeOptions: { ca } }),
    ];
    for (const transport of transports) {
      const res = await createClient(Health, transport).check({ service: "" }, { timeoutMs: 5000 });
      expect(res.status).toBe(ServingStatus.SERVING);
    }
  });

  test("@grpc/grpc-js with the server's certificate as root", async () => {
    const client = new grpc.Client(`127.0.0.1:${server.port}`, grpc.credentials.createSsl(serverPem.cert));
    try {
      const res = await grpcJsUnary(
        client,
        "/grpc.health.v1.Health/Check",
        HealthCheckRequestSchema,
        HealthCheckResponseSchema,
        {},
      );
      expect(res.status).toBe(ServingStatus.SERVING);
    } finally {
      client.close();
    }
  });

  test("a client that does not trust the certificate is refused", async () => {
    // connect-node reports TLS failures with varying codes (internal, unavailable, canceled): the refusal is the point.
    const client = createClient(Health, createGrpcTransport({ baseUrl: server.url }));
    await expect(client.check({}, { timeoutMs: 5000 })).rejects.toThrow(/certificate/);
  });

  test("buf curl reflection over TLS", async () => {
    const out = await buf(["curl", "--list-services", "--cacert", serverPem.certFile, server.url]);
    expect(out).toContain("grpc.health.v1.Health");
  });
});

describe("mTLS (a CA given)", () => {
  let server: Awaited<ReturnType<typeof startTestServer>>;
  beforeAll(async () => {
    server = await startTestServer({ tls: { cert: serverPem.cert, key: serverPem.key, ca: clientPem.cert } });
  });
  afterAll(() => server.close(1000));

  test("a client with a certificate the CA vouches for is served", async () => {
    const nodeOptions = { ca: serverPem.cert, cert: clientPem.cert, key: clientPem.key };
    for (const transport of [
      createGrpcTransport({ baseUrl: server.url, nodeOptions }),
      createConnectTransport({ baseUrl: server.url, httpVersion: "1.1", nodeOptions }),
    ]) {
      const res = await createClient(Health, transport).check({}, { timeoutMs: 5000 });
      expect(res.status).toBe(ServingStatus.SERVING);
    }
  });

  test("a client without a certificate is rejected (gRPC and HTTP/1.1)", async () => {
    const ca = serverPem.cert;
    for (const transport of [
      createGrpcTransport({ baseUrl: server.url, nodeOptions: { ca } }),
      createConnectTransport({ baseUrl: server.url, httpVersion: "1.1", nodeOptions: { ca } }),
    ]) {
      await expect(createClient(Health, transport).check({}, { timeoutMs: 5000 })).rejects.toBeInstanceOf(ConnectError);
    }
    const client = new grpc.Client(`127.0.0.1:${server.port}`, grpc.credentials.createSsl(serverPem.cert));
    try {
      await expect(
        grpcJsUnary(client, "/grpc.health.v1.Health/Check", HealthCheckRequestSchema, HealthCheckResponseSchema, {}),
      ).rejects.toMatchObject({ code: grpc.status.UNAVAILABLE });
    } finally {
      client.close();
    }
  });

  test("a client with a certificate the CA did not sign is rejected", async () => {
    const nodeOptions = { ca: serverPem.cert, cert: serverPem.cert, key: serverPem.key };
    const client = createClient(Health, createGrpcTransport({ baseUrl: server.url, nodeOptions }));
    await expect(client.check({}, { timeoutMs: 5000 })).rejects.toBeInstanceOf(ConnectError);
    // The server saw, and logged, a failed handshake: the refusal was TLS, not something else.
    await expect
      .poll(() => server.lines.filter((l) => l.msg === "tls handshake failed").length, { timeout: 5000 })
      .toBeGreaterThan(0);
  });
});
