import * as net from "node:net";
import { setTimeout as sleep } from "node:timers/promises";
import { Code, ConnectError, type ConnectRouter, createClient } from "@connectrpc/connect";
import { createConnectTransport, createGrpcTransport } from "@connectrpc/connect-node";
import { describe, expect, test } from "vitest";
import { Health, HealthCheckResponse_ServingStatus as ServingStatus } from "../../gen/grpc/health/v1/health_pb.js";
import { ConnectionService } from "../../gen/ibrpc/v1/connection_pb.js";
import { startTestServer, withTimeout } from "./helpers.js";

/** A unary call that takes `ms` whatever happens, ignoring its signal: the worst case for draining. */
const slowRoutes = (ms: number) => (router: ConnectRouter) =>
  router.service(ConnectionService, {
    async listGateways() {
      // Unref'd, so a call the test cut short does not keep the worker alive.
      await sleep(ms, undefined, { ref: false });
      return {};
    },
  });

function refused(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect(port, "127.0.0.1");
    s.once("connect", () => {
      s.destroy();
      resolve(false);
    });
    s.once("error", () => resolve(true));
  });
}

describe("graceful close", () => {
  test("ends Watch streams with UNAVAILABLE, resolves, is idempotent, and frees the port", async () => {
    const server = await startTestServer();
    const client = createClient(Health, createGrpcTransport({ baseUrl: server.url }));
    const it = client.watch({ service: "" })[Symbol.asyncIterator]();
    expect((await withTimeout(it.next(), "first watch message", 5000)).value?.status).toBe(ServingStatus.SERVING);

    const started = Date.now();
    const closing = server.close(10_000);
    expect(server.close()).toBe(closing);
    const err = await withTimeout(
      it.next().then(
        () => undefined,
        (e) => ConnectError.from(e),
      ),
      "watch end",
      5000,
    );
    expect(err?.code).toBe(Code.Unavailable);
    await withTimeout(closing, "close", 5000);
    // Nothing was left in flight, so close did not sit out its 10 s grace.
    expect(Date.now() - started).toBeLessThan(5000);
    expect(server.health.get("")).toBe(ServingStatus.NOT_SERVING);
    expect(server.shutdownSignal.aborted).toBe(true);
    expect(await refused(server.port)).toBe(true);
    expect(server.lines.find((l) => l.procedure === "/grpc.health.v1.Health/Watch")).toMatchObject({
      code: "unavailable",
    });
  });

  test("lets an in-flight unary call finish within the grace period (HTTP/1.1 and HTTP/2)", async () => {
    const server = await startTestServer({ routes: slowRoutes(300) });
    const calls = (["1.1", "2"] as const).map((httpVersion) =>
      createClient(ConnectionService, createConnectTransport({ baseUrl: server.url, httpVersion })).listGateways(
        {},
        { timeoutMs: 5000 },
      ),
    );
    await sleep(50);
    const closed = server.close(5000);
    await expect(withTimeout(Promise.all(calls), "in-flight calls", 5000)).resolves.toHaveLength(2);
    await withTimeout(closed, "close", 5000);
  });

  test("does not abort the signal of an in-flight unary call: a call waiting on IB finishes within the grace", async () => {
    // The shape of every IB-bound handler: it waits for an answer and gives up when its signal fires.
    let started!: () => void;
    const inHandler = new Promise<void>((resolve) => {
      started = resolve;
    });
    let answer!: () => void;
    const answered = new Promise<void>((resolve) => {
      answer = resolve;
    });
    const server = await startTestServer({
      routes: (router) =>
        router.service(ConnectionService, {
          async listGateways(_req, ctx) {
            started();
            await new Promise<void>((resolve, reject) => {
              answered.then(resolve);
              ctx.signal.addEventListener("abort", () => reject(ctx.signal.reason), { once: true });
            });
            return { gateways: [{ name: "answered" }] };
          },
        }),
    });
    const client = createClient(ConnectionService, createGrpcTransport({ baseUrl: server.url }));
    const call = client.listGateways({}, { timeoutMs: 10_000 });
    await withTimeout(inHandler, "handler start", 5000);
    const closed = server.close(10_000);
    expect(server.health.get("")).toBe(ServingStatus.NOT_SERVING);
    answer();
    expect((await withTimeout(call, "in-flight call", 5000)).gateways[0]?.name).toBe("answered");
    await withTimeout(closed, "close", 5000);
  });

  test("cuts calls still running when the grace period is over", async () => {
    const server = await startTestServer({ routes: slowRoutes(60_000) });
    const client = createClient(ConnectionService, createGrpcTransport({ baseUrl: server.url }));
    const call = client.listGateways({}, { timeoutMs: 30_000 });
    await sleep(50);
    const started = Date.now();
    await withTimeout(server.close(200), "close", 5000);
    expect(Date.now() - started).toBeLessThan(3000);
    await expect(withTimeout(call, "cut call", 5000)).rejects.toBeInstanceOf(ConnectError);
  });
});
