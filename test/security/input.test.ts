import * as http2 from "node:http2";
import { Code, ConnectError, createClient } from "@connectrpc/connect";
import { createConnectTransport, createGrpcTransport } from "@connectrpc/connect-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ConnectionService } from "../../gen/ibrpc/v1/connection_pb.js";
import { startTestServer } from "../server/helpers.js";
import { connectCall, connectEnvelope } from "./harness.js";

type TestServer = Awaited<ReturnType<typeof startTestServer>>;
let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({
    routes: (router) =>
      router.service(ConnectionService, {
        listGateways: () => ({ gateways: [{ name: "sim" }] }),
        reqCurrentTime: () => ({}),
        async *watchGateways(_req, ctx) {
          yield {};
          await new Promise((resolve) => ctx.signal.addEventListener("abort", resolve, { once: true }));
        },
      }),
  });
});
afterAll(() => server.close(100));

const LIST = "/ibrpc.v1.ConnectionService/ListGateways";
const WATCH = "/ibrpc.v1.ConnectionService/WatchGateways";

describe("strict input", () => {
  it("refuses an unknown JSON field, naming it", async () => {
    const res = await connectCall(server.url, LIST, '{"gatewy":"sim"}');
    expect(res.status).toBe(400);
    expect(res.code).toBe("invalid_argument");
    expect(res.message).toContain("gatewy");
    // ...and the call is logged with its error, although it never reached a handler.
    const line = server.lines.find((l) => l.procedure === LIST && l.code === "invalid_argument");
    expect(line).toMatchObject({ msg: "rpc", protocol: "connect", error: expect.stringContaining("gatewy") });
  });

  it("answers a wrong Content-Type with a 415 that says what to send", async () => {
    const res = await fetch(`${server.url}${LIST}`, {
      method: "POST",
      headers: { "content-type": "text/plain" },
      body: "{}",
    });
    expect(res.status).toBe(415);
    const body = (await res.json()) as { message: string };
    expect(body.message).toMatch(/text\/plain.*application\/json.*application\/grpc/);
    const none = await fetch(`${server.url}${LIST}`, { method: "POST", body: new Uint8Array([1]) });
    expect(none.status).toBe(415);
  });

  it("answers a wrong method with a 405 that says which to use", async () => {
    const put = await fetch(`${server.url}${LIST}`, { method: "PUT", body: "{}" });
    expect(put.status).toBe(405);
    expect(((await put.json()) as { message: string }).message).toMatch(/POST/);
    // GET only for RPCs declared side-effect free.
    const get = await fetch(`${server.url}/ibrpc.v1.OrderService/PlaceOrder?connect=v1&encoding=json&message=%7B%7D`);
    expect(get.status).toBe(405);
    expect(((await get.json()) as { message: string }).message).toMatch(/side effects.*POST/);
  });

  it("tells a plain-JSON caller of a streaming RPC to use Connect streaming or gRPC", async () => {
    const res = await connectCall(server.url, WATCH, "{}");
    expect(res.status).toBe(415);
    expect(res.message).toMatch(/server-streaming.*application\/connect\+json.*gRPC/);
    // The same RPC over Connect streaming works.
    const ok = await fetch(`${server.url}${WATCH}`, {
      method: "POST",
      headers: { "content-type": "application/connect+json", "connect-timeout-ms": "2000" },
      body: connectEnvelope("{}"),
    });
    expect(ok.status).toBe(200);
    await ok.body?.cancel();
  });

  it("logs an undecodable protobuf body and answers INVALID_ARGUMENT (Connect and gRPC)", async () => {
    const bad = new Uint8Array([0xff, 0xff, 0xff, 0xff, 0x0f]);
    const res = await fetch(`${server.url}${LIST}`, {
      method: "POST",
      headers: { "content-type": "application/proto" },
      body: bad,
    });
    expect(res.status).toBe(400);
    const grpcFailure = await new Promise<{ status: string | undefined; message: string | undefined }>(
      (resolve, reject) => {
        const session = http2.connect(server.url);
        session.on("error", reject);
        const req = session.request({
          ":method": "POST",
          ":path": LIST,
          "content-type": "application/grpc",
          te: "trailers",
        });
        const frame = Buffer.alloc(5 + bad.length);
        frame.writeUInt32BE(bad.length, 1);
        Buffer.from(bad).copy(frame, 5);
        let status: string | undefined;
        let message: string | undefined;
        const take = (h: http2.IncomingHttpHeaders) => {
          status ??= h["grpc-status"] as string | undefined;
          message ??= h["grpc-message"] as string | undefined;
        };
        req.on("response", take);
        req.on("trailers", take);
        req.resume();
        req.on("close", () => {
          session.close();
          resolve({ status, message });
        });
        req.end(frame);
      },
    );
    expect(grpcFailure.status).toBe(String(Code.InvalidArgument));
    const logged = server.lines.filter((l) => l.procedure === LIST && l.code === "invalid_argument");
    expect(logged.map((l) => l.protocol)).toEqual(expect.arrayContaining(["connect", "grpc"]));
  });

  it("keeps well-formed calls working, over Connect JSON and gRPC", async () => {
    const res = await createClient(
      ConnectionService,
      createConnectTransport({ baseUrl: server.url, httpVersion: "1.1" }),
    ).listGateways({});
    expect(res.gateways[0]?.name).toBe("sim");
    const viaGrpc = await createClient(ConnectionService, createGrpcTransport({ baseUrl: server.url })).listGateways(
      {},
    );
    expect(viaGrpc.gateways).toHaveLength(1);
    // ConnectError codes stay what clients expect for a method that is not implemented.
    await expect(
      createClient(ConnectionService, createGrpcTransport({ baseUrl: server.url })).reqIds({}),
    ).rejects.toSatisfy((e) => ConnectError.from(e).code === Code.Unimplemented);
  });
});
