import { Code, ConnectError, createClient } from "@connectrpc/connect";
import { createConnectTransport, createGrpcTransport, createGrpcWebTransport } from "@connectrpc/connect-node";
import * as grpc from "@grpc/grpc-js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Health, HealthCheckResponse_ServingStatus as ServingStatus } from "../../gen/grpc/health/v1/health_pb.js";
import { ServerReflection } from "../../gen/grpc/reflection/v1/reflection_pb.js";
import {
  ConnectionService,
  ListGatewaysRequestSchema,
  ListGatewaysResponseSchema,
} from "../../gen/ibrpc/v1/connection_pb.js";
import type { App } from "../../src/app.js";
import { tokenId } from "../../src/auth/authenticator.js";
import { allReady } from "../e2e/app-harness.js";
import { grpcJsUnary } from "../server/helpers.js";
import { bearer, connectCall, startSecuredApp, TOKENS } from "./harness.js";

let app: App;
let lines: Record<string, unknown>[];
let raw: string[];
beforeAll(async () => {
  ({ app, lines, raw } = await startSecuredApp());
  await allReady(app);
}, 60_000);
afterAll(() => app.close());

const LIST = "/ibrpc.v1.ConnectionService/ListGateways";

/** The code a client of each protocol sees for a call with `headers`. */
async function codesFor(headers: Record<string, string>): Promise<Record<string, Code | "ok">> {
  const url = app.server.url;
  const transports = {
    grpc: createGrpcTransport({ baseUrl: url }),
    grpcWeb: createGrpcWebTransport({ baseUrl: url, httpVersion: "1.1" }),
    connect: createConnectTransport({ baseUrl: url, httpVersion: "1.1" }),
  };
  const out: Record<string, Code | "ok"> = {};
  for (const [name, transport] of Object.entries(transports)) {
    try {
      await createClient(ConnectionService, transport).listGateways({}, { headers, timeoutMs: 5000 });
      out[name] = "ok";
    } catch (err) {
      out[name] = ConnectError.from(err).code;
    }
  }
  return out;
}

describe("authentication", () => {
  it("refuses a call without a token: 401 over Connect JSON, UNAUTHENTICATED over gRPC, gRPC-Web and Connect", async () => {
    const res = await connectCall(app.server.url, LIST, "{}");
    expect(res.status).toBe(401);
    expect(res.code).toBe("unauthenticated");
    expect(res.message).toMatch(/Authorization: Bearer/);
    const all = Code.Unauthenticated;
    expect(await codesFor({})).toEqual({ grpc: all, grpcWeb: all, connect: all });
  });

  it("refuses a wrong token and a malformed Authorization header, and never logs a token", async () => {
    const wrong = "wrong-token-0123456789abcdef";
    const res = await connectCall(app.server.url, LIST, "{}", bearer(wrong));
    expect(res.status).toBe(401);
    expect(res.message).toBe("invalid token");
    expect((await connectCall(app.server.url, LIST, "{}", { authorization: `Basic ${TOKENS.read}` })).status).toBe(401);
    const all = Code.Unauthenticated;
    expect(await codesFor(bearer(wrong))).toEqual({ grpc: all, grpcWeb: all, connect: all });
    // A prefix of a real token is no token either.
    expect((await connectCall(app.server.url, LIST, "{}", bearer(TOKENS.read.slice(0, -1)))).status).toBe(401);

    expect(await codesFor(bearer(TOKENS.read))).toEqual({ grpc: "ok", grpcWeb: "ok", connect: "ok" });
    const text = raw.join("");
    for (const t of [wrong, ...Object.values(TOKENS)]) expect(text).not.toContain(t);
    const ok = lines.find((l) => l.procedure === LIST && l.code === "ok");
    expect(ok).toMatchObject({ tokenId: tokenId(TOKENS.read), protocol: expect.any(String), peer: expect.any(String) });
    const refused = lines.find((l) => l.procedure === LIST && l.code === "unauthenticated");
    expect(refused).toMatchObject({ error: expect.any(String), durationMs: expect.any(Number) });
  });

  it("takes the token from @grpc/grpc-js metadata", async () => {
    const client = new grpc.Client(`127.0.0.1:${app.server.port}`, grpc.credentials.createInsecure());
    try {
      const call = (md: grpc.Metadata) =>
        new Promise<unknown>((resolve, reject) =>
          client.makeUnaryRequest(
            LIST,
            (m: object) => Buffer.from(m as Uint8Array),
            (b: Buffer) => b,
            new Uint8Array(0),
            md,
            { deadline: Date.now() + 5000 },
            (err, res) => (err ? reject(err) : resolve(res)),
          ),
        );
      const md = new grpc.Metadata();
      md.set("authorization", `Bearer ${TOKENS.read}`);
      await expect(call(md)).resolves.toBeDefined();
      await expect(call(new grpc.Metadata())).rejects.toMatchObject({ code: grpc.status.UNAUTHENTICATED });
      await expect(
        grpcJsUnary(client, LIST, ListGatewaysRequestSchema, ListGatewaysResponseSchema, {}),
      ).rejects.toMatchObject({ code: grpc.status.UNAUTHENTICATED });
    } finally {
      client.close();
    }
  });

  it("answers health without a token (even with a wrong one), over every protocol", async () => {
    const url = app.server.url;
    for (const transport of [
      createGrpcTransport({ baseUrl: url }),
      createGrpcWebTransport({ baseUrl: url, httpVersion: "1.1" }),
      createConnectTransport({ baseUrl: url, httpVersion: "1.1" }),
    ]) {
      const health = createClient(Health, transport);
      expect((await health.check({ service: "" }, { timeoutMs: 5000 })).status).toBe(ServingStatus.SERVING);
      const withWrong = await health.check(
        { service: "" },
        { timeoutMs: 5000, headers: bearer("nope-nope-nope-nope") },
      );
      expect(withWrong.status).toBe(ServingStatus.SERVING);
    }
  });

  it("needs read for reflection", async () => {
    const reflect = async (headers: Record<string, string>) => {
      const client = createClient(ServerReflection, createGrpcTransport({ baseUrl: app.server.url }));
      async function* one() {
        yield { host: "", messageRequest: { case: "listServices" as const, value: "" } };
      }
      const out: unknown[] = [];
      for await (const r of client.serverReflectionInfo(one(), { headers, timeoutMs: 5000 })) out.push(r);
      return out;
    };
    await expect(reflect({})).rejects.toMatchObject({ code: Code.Unauthenticated });
    expect(await reflect(bearer(TOKENS.read))).toHaveLength(1);
    await expect(reflect(bearer(TOKENS.admin))).rejects.toMatchObject({ code: Code.PermissionDenied });
  });
});

describe("scopes", () => {
  it("lets the read token read but not place an order (403 naming the scope)", async () => {
    expect((await connectCall(app.server.url, LIST, "{}", bearer(TOKENS.read))).status).toBe(200);
    const res = await connectCall(app.server.url, "/ibrpc.v1.OrderService/PlaceOrder", "{}", bearer(TOKENS.read));
    expect(res.status).toBe(403);
    expect(res.code).toBe("permission_denied");
    expect(res.message).toMatch(/needs scope "trade"/);
  });

  it("does not let the trade token replace the FA configuration (admin)", async () => {
    const res = await connectCall(
      app.server.url,
      "/ibrpc.v1.FinancialAdvisorService/ReplaceFA",
      '{"faDataType":"FA_DATA_TYPE_GROUPS","xml":"<x/>"}',
      bearer(TOKENS.trade),
    );
    expect(res.status).toBe(403);
    expect(res.message).toMatch(/needs scope "admin"/);
  });

  it("puts /metrics behind admin", async () => {
    const get = (headers: Record<string, string>) =>
      fetch(`${app.server.url}/metrics`, { headers, signal: AbortSignal.timeout(5000) });
    expect((await get({})).status).toBe(401);
    expect((await get(bearer(TOKENS.read))).status).toBe(403);
    const ok = await get(bearer(TOKENS.admin));
    expect(ok.status).toBe(200);
    expect(ok.headers.get("content-type")).toMatch(/^text\/plain/);
    const text = await ok.text();
    expect(text).toContain(`ibrpc_rpc_calls_total{procedure="${LIST}"`);
    expect(text).toMatch(/ibrpc_gateway_state\{gateway="sim",state="READY",service="ibrpc"\} 1/);
  });
});
