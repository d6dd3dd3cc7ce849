import { Code, ConnectError, createClient } from "@connectrpc/connect";
import { createConnectTransport, createGrpcTransport } from "@connectrpc/connect-node";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { ConnectionService } from "../../gen/ibrpc/v1/connection_pb.js";
import { OrderService } from "../../gen/ibrpc/v1/order_pb.js";
import type { ServerOptions } from "../../src/server/index.js";
import { startTestServer } from "../server/helpers.js";
import { certificateDir, type Pem } from "../support/certs.js";
import { bearer, TOKENS } from "./harness.js";

type TestServer = Awaited<ReturnType<typeof startTestServer>>;
let server: TestServer | undefined;
afterEach(async () => {
  await server?.close(100);
  server = undefined;
});

const LIST = "/ibrpc.v1.ConnectionService/ListGateways";
const routes: ServerOptions["routes"] = (router) => {
  router.service(ConnectionService, { listGateways: () => ({}) });
  router.service(OrderService, { reqOpenOrders: () => ({}) });
};

describe("CORS", () => {
  const APP = "https://app.example.com";

  it("answers a connect-web / grpc-web preflight from an allowed origin with what the browser needs", async () => {
    server = await startTestServer({ routes, corsOrigins: [APP] });
    const res = await fetch(`${server.url}${LIST}`, {
      method: "OPTIONS",
      headers: {
        origin: APP,
        "access-control-request-method": "POST",
        "access-control-request-headers":
          "content-type,connect-protocol-version,connect-timeout-ms,authorization,x-grpc-web,grpc-timeout,x-user-agent",
      },
    });
    expect(res.status).toBe(204);
    expect(res.headers.get("access-control-allow-origin")).toBe(APP);
    expect(res.headers.get("access-control-allow-methods")).toMatch(/POST.*GET|GET.*POST/);
    const allowed = (res.headers.get("access-control-allow-headers") ?? "").toLowerCase();
    for (const h of [
      "content-type",
      "connect-protocol-version",
      "connect-timeout-ms",
      "authorization",
      "x-grpc-web",
      "grpc-timeout",
      "x-user-agent",
    ]) {
      expect(allowed).toContain(h);
    }
    expect(Number(res.headers.get("access-control-max-age"))).toBeGreaterThan(0);

    const call = await fetch(`${server.url}${LIST}`, {
      method: "POST",
      headers: { origin: APP, "content-type": "application/json" },
      body: "{}",
    });
    expect(call.status).toBe(200);
    expect(call.headers.get("access-control-allow-origin")).toBe(APP);
    expect(call.headers.get("access-control-expose-headers")).toMatch(/grpc-status.*grpc-message/i);
    expect(call.headers.get("vary")).toMatch(/origin/i);
  });

  it("refuses other origins, and every origin when none is configured", async () => {
    server = await startTestServer({ routes, corsOrigins: [APP] });
    const preflight = await fetch(`${server.url}${LIST}`, {
      method: "OPTIONS",
      headers: { origin: "https://evil.example", "access-control-request-method": "POST" },
    });
    expect(preflight.status).toBe(403);
    expect(preflight.headers.get("access-control-allow-origin")).toBeNull();
    const simple = await fetch(`${server.url}${LIST}?connect=v1&encoding=json&message=%7B%7D`, {
      headers: { origin: "https://evil.example" },
    });
    expect(simple.status).toBe(403);
    expect(((await simple.json()) as { message: string }).message).toMatch(/CORS_ORIGINS/);
    await server.close(100);

    server = await startTestServer({ routes });
    const none = await fetch(`${server.url}${LIST}`, {
      method: "POST",
      headers: { origin: APP, "content-type": "application/json" },
      body: "{}",
    });
    expect(none.status).toBe(403);
    // Clients that are not browsers send no Origin and are not affected.
    const plain = await fetch(`${server.url}${LIST}`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: "{}",
    });
    expect(plain.status).toBe(200);
  });
});

describe("mTLS client certificates", () => {
  const certs = certificateDir();
  let serverPem: Pem;
  let trader: Pem;
  let unmapped: Pem;
  beforeAll(() => {
    serverPem = certs.selfSigned("ibrpc-server");
    trader = certs.selfSigned("desk-reader");
    unmapped = certs.selfSigned("someone-else");
  });
  afterAll(() => certs.dispose());

  it("maps a certificate's subject CN to its scopes; an unmapped one still needs a token", async () => {
    server = await startTestServer({
      routes,
      tls: { cert: serverPem.cert, key: serverPem.key, ca: Buffer.concat([trader.cert, unmapped.cert]) },
      auth: {
        tokens: [{ token: TOKENS.read, scopes: ["read"] }],
        certScopes: [{ subject: "desk-reader", scopes: ["read"] }],
      },
    });
    const url = server.url;
    const withCert = (pem: Pem) => ({ ca: serverPem.cert, cert: pem.cert, key: pem.key });
    const reader = createClient(
      ConnectionService,
      createGrpcTransport({ baseUrl: url, nodeOptions: withCert(trader) }),
    );
    await expect(reader.listGateways({})).resolves.toBeDefined();
    const orders = createClient(
      OrderService,
      createConnectTransport({ baseUrl: url, httpVersion: "1.1", nodeOptions: withCert(trader) }),
    );
    await expect(orders.reqOpenOrders({})).resolves.toBeDefined();
    const placing = await orders.placeOrder({}).then(() => undefined, ConnectError.from);
    expect(placing?.code).toBe(Code.PermissionDenied);
    expect(placing?.rawMessage).toMatch(/cert:desk-reader/);

    const stranger = createClient(
      ConnectionService,
      createGrpcTransport({ baseUrl: url, nodeOptions: withCert(unmapped) }),
    );
    const refused = await stranger.listGateways({}).then(() => undefined, ConnectError.from);
    expect(refused?.code).toBe(Code.Unauthenticated);
    await expect(stranger.listGateways({}, { headers: bearer(TOKENS.read) })).resolves.toBeDefined();
    const logged = server.lines.find((l) => l.msg === "rpc" && l.tokenId === "cert:desk-reader");
    expect(logged).toBeDefined();
  });
});
