import { setTimeout as sleep } from "node:timers/promises";
import { Code, ConnectError, createClient } from "@connectrpc/connect";
import { createConnectTransport, createGrpcTransport } from "@connectrpc/connect-node";
import * as grpc from "@grpc/grpc-js";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { ErrorInfoSchema } from "../../gen/google/rpc/error_details_pb.js";
import {
  Health,
  HealthCheckRequestSchema,
  HealthCheckResponseSchema,
  HealthCheckResponse_ServingStatus as ServingStatus,
} from "../../gen/grpc/health/v1/health_pb.js";
import { IbError } from "../../src/gateway/ib-error.js";
import { grpcJsUnary, startTestServer, withTimeout } from "./helpers.js";

/**
 * A stand-in application service (the Health contract, our implementation) whose handlers fail the way real ones
 * can. Registered by the application, it replaces the server's own Health.
 */
const failing = {
  async check(req: { service: string }, ctx: { signal: AbortSignal }) {
    switch (req.service) {
      case "ib":
        throw new IbError(200, "No security definition has been found for the request", { gateway: "gw1", reqId: 7 });
      case "connect":
        throw new ConnectError("no trading permission", Code.PermissionDenied);
      case "timeout":
        throw new DOMException("no contractDataEnd within 50 ms", "TimeoutError");
      case "slow":
        // Waits on the call's signal, which the client's deadline aborts.
        await sleep(10_000, undefined, { signal: ctx.signal });
        return { status: ServingStatus.SERVING };
      default:
        throw new Error("connection refused by db.internal:5432");
    }
  },
  async *watch() {
    yield { status: ServingStatus.SERVING };
    throw new IbError(504, "Not connected", { gateway: "gw2" });
  },
};

async function startFailingServer(errInfo: boolean) {
  return startTestServer({ errInfo, routes: (router) => router.service(Health, failing) });
}

/** The error a call failed with; fails the test if the call succeeded. */
async function failure(call: Promise<unknown>): Promise<ConnectError> {
  try {
    await call;
  } catch (e) {
    return ConnectError.from(e);
  }
  throw new Error("expected the call to fail");
}

let server: Awaited<ReturnType<typeof startFailingServer>>;
beforeAll(async () => {
  server = await startFailingServer(false);
});
afterAll(() => server.close(1000));

describe("error mapping", () => {
  test("IbError -> its gRPC code plus a google.rpc.ErrorInfo detail", async () => {
    const client = createClient(Health, createConnectTransport({ baseUrl: server.url, httpVersion: "1.1" }));
    const err = await failure(client.check({ service: "ib" }, { timeoutMs: 5000 }));
    expect(err.code).toBe(Code.NotFound);
    expect(err.rawMessage).toContain("No security definition");
    const [info] = err.findDetails(ErrorInfoSchema);
    expect(info).toMatchObject({
      reason: "IB_ERROR",
      domain: "ibrpc",
      metadata: {
        ibCode: "200",
        ibMessage: "No security definition has been found for the request",
        gateway: "gw1",
        reqId: "7",
      },
    });
  });

  test("IbError thrown mid-stream -> the stream ends with its code and detail (gRPC)", async () => {
    const client = createClient(Health, createGrpcTransport({ baseUrl: server.url }));
    const got: ServingStatus[] = [];
    const err = await withTimeout(
      failure(
        (async () => {
          for await (const m of client.watch({ service: "" }, { timeoutMs: 5000 })) got.push(m.status);
        })(),
      ),
      "watch",
      5000,
    );
    expect(got).toEqual([ServingStatus.SERVING]);
    expect(err.code).toBe(Code.Unavailable);
    expect(err.findDetails(ErrorInfoSchema)[0]?.metadata).toMatchObject({ ibCode: "504", gateway: "gw2" });
  });

  test("ConnectError passes through", async () => {
    const client = createClient(Health, createGrpcTransport({ baseUrl: server.url }));
    await expect(client.check({ service: "connect" }, { timeoutMs: 5000 })).rejects.toMatchObject({
      code: Code.PermissionDenied,
      rawMessage: "no trading permission",
    });
  });

  test("our own timeouts -> DEADLINE_EXCEEDED; the client's deadline too", async () => {
    const client = createClient(Health, createGrpcTransport({ baseUrl: server.url }));
    await expect(client.check({ service: "timeout" }, { timeoutMs: 5000 })).rejects.toMatchObject({
      code: Code.DeadlineExceeded,
      rawMessage: "no contractDataEnd within 50 ms",
    });
    await expect(client.check({ service: "slow" }, { timeoutMs: 200 })).rejects.toMatchObject({
      code: Code.DeadlineExceeded,
    });
  });

  test("anything else -> INTERNAL 'internal error', the real error only in the log", async () => {
    const client = createClient(Health, createGrpcTransport({ baseUrl: server.url }));
    const err = await failure(client.check({ service: "bug" }, { timeoutMs: 5000 }));
    expect(err.code).toBe(Code.Internal);
    expect(err.rawMessage).toBe("internal error");
    const logged = server.lines.find((l) => l.msg === "unexpected error");
    expect(logged).toMatchObject({ procedure: "/grpc.health.v1.Health/Check" });
    expect((logged?.err as { stack?: string } | undefined)?.stack).toContain("db.internal:5432");
    await expect.poll(() => server.lines.filter((l) => l.msg === "rpc" && l.code === "internal").length).toBe(1);
  });

  test("with errInfo (ERR_INFO) the real message reaches the client", async () => {
    const verbose = await startFailingServer(true);
    try {
      const client = createClient(Health, createGrpcTransport({ baseUrl: verbose.url }));
      await expect(client.check({ service: "bug" }, { timeoutMs: 5000 })).rejects.toMatchObject({
        code: Code.Internal,
        rawMessage: "internal error: connection refused by db.internal:5432",
      });
    } finally {
      await verbose.close(1000);
    }
  });
});

describe("bad input never takes the server down", () => {
  const post = (path: string, body: string, contentType = "application/json") =>
    fetch(`${server.url}${path}`, {
      method: "POST",
      headers: { "content-type": contentType },
      body,
      signal: AbortSignal.timeout(5000),
    });

  test("malformed JSON -> invalid_argument", async () => {
    const res = await post("/grpc.health.v1.Health/Check", '{"service": ');
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ code: "invalid_argument" });
  });

  test("wrong field types -> invalid_argument", async () => {
    const res = await post("/grpc.health.v1.Health/Check", '{"service": 12}');
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ code: "invalid_argument" });
  });

  test("unknown RPC -> 404 for Connect, UNIMPLEMENTED for gRPC", async () => {
    expect((await post("/grpc.health.v1.Health/Nope", "{}")).status).toBe(404);
    expect((await post("/no.Such/Method", "{}")).status).toBe(404);
    const client = new grpc.Client(`127.0.0.1:${server.port}`, grpc.credentials.createInsecure());
    try {
      await expect(
        grpcJsUnary(client, "/no.Such/Method", HealthCheckRequestSchema, HealthCheckResponseSchema, {}),
      ).rejects.toMatchObject({ code: grpc.status.UNIMPLEMENTED });
    } finally {
      client.close();
    }
  });

  // connect-node answers a binary it cannot parse with INTERNAL (as grpc-go does); the client sent it, so ibrpc
  // says INVALID_ARGUMENT, with what is wrong, and stays up.
  test("undecodable protobuf over gRPC -> INVALID_ARGUMENT saying why", async () => {
    const client = new grpc.Client(`127.0.0.1:${server.port}`, grpc.credentials.createInsecure());
    try {
      const res = new Promise((resolve, reject) =>
        client.makeUnaryRequest(
          "/grpc.health.v1.Health/Check",
          () => Buffer.from([0x0a, 0xff, 0xff, 0xff]), // field 1, length far beyond the message
          (b: Buffer) => b,
          {},
          { deadline: Date.now() + 5000 },
          (err, r) => (err ? reject(err) : resolve(r)),
        ),
      );
      await expect(res).rejects.toMatchObject({
        code: grpc.status.INVALID_ARGUMENT,
        details: expect.stringMatching(/^cannot decode the request message \(protobuf binary\): /),
      });
    } finally {
      client.close();
    }
  });

  test("after all of the above, the server still answers", async () => {
    const client = createClient(Health, createConnectTransport({ baseUrl: server.url, httpVersion: "2" }));
    await expect(client.check({ service: "connect" }, { timeoutMs: 5000 })).rejects.toMatchObject({
      code: Code.PermissionDenied,
    });
  });
});
