import { Code, ConnectError } from "@connectrpc/connect";
import * as grpc from "@grpc/grpc-js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  ConnectionService,
  GatewayState,
  ReqCurrentTimeRequestSchema,
  ReqCurrentTimeResponseSchema,
} from "../../gen/ibrpc/v1/connection_pb.js";
import type { App } from "../../src/app.js";
import { buf, grpcJsUnary } from "../server/helpers.js";
import { allReady, clientFor, postJson, startTestApp, transports } from "./app-harness.js";

let app: App;

beforeAll(async () => {
  app = await startTestApp();
  await allReady(app);
});

afterAll(async () => {
  await app?.close();
});

describe("ConnectionService over every protocol, against the built-in simulator", () => {
  it.each(["grpc", "grpcWeb", "connectJson"] as const)("ReqCurrentTime answers over %s", async (protocol) => {
    const client = clientFor(ConnectionService, transports(app.server.url)[protocol]);
    const res = await client.reqCurrentTime({});
    expect(res.gateway).toBe("sim");
    const secs = Number(res.time?.seconds);
    expect(Math.abs(secs - Date.now() / 1000)).toBeLessThan(60);
  });

  it("ReqCurrentTime answers a plain Connect JSON POST and a GET (NO_SIDE_EFFECTS)", async () => {
    const post = await postJson(app.server.url, "/ibrpc.v1.ConnectionService/ReqCurrentTime", "{}");
    expect(post.status).toBe(200);
    expect(post.json.gateway).toBe("sim");
    expect(typeof post.json.time).toBe("string");
    expect(Date.parse(post.json.time as string)).toBeGreaterThan(Date.now() - 60_000);
    const get = await fetch(
      `${app.server.url}/ibrpc.v1.ConnectionService/ReqCurrentTime?connect=v1&encoding=json&message=${encodeURIComponent("{}")}`,
    );
    expect(get.status).toBe(200);
    expect(((await get.json()) as { gateway: string }).gateway).toBe("sim");
  });

  it("ReqCurrentTime answers @grpc/grpc-js", async () => {
    const client = new grpc.Client(app.server.url.replace("http://", ""), grpc.credentials.createInsecure());
    try {
      const res = await grpcJsUnary(
        client,
        "/ibrpc.v1.ConnectionService/ReqCurrentTime",
        ReqCurrentTimeRequestSchema,
        ReqCurrentTimeResponseSchema,
        {},
      );
      expect(res.gateway).toBe("sim");
      expect(Number(res.time?.seconds)).toBeGreaterThan(1_600_000_000);
    } finally {
      client.close();
    }
  });

  it("ReqManagedAccts, ReqIds and ReqUserInfo answer from the gateway", async () => {
    const client = clientFor(ConnectionService, transports(app.server.url).grpc);
    const accounts = await client.reqManagedAccts({});
    expect(accounts.accountsList).toEqual([...(app.simulators[0]?.accounts ?? [])]);
    expect(accounts.accountsList.length).toBeGreaterThanOrEqual(3);
    const ids = await client.reqIds({ numIds: 1 });
    expect(ids.orderId).toBeGreaterThan(0);
    const user = await client.reqUserInfo({});
    expect(user.whiteBrandingId).toBe("");
    expect(user.gateway).toBe("sim");
  });

  it("ListGateways describes the gateway", async () => {
    const client = clientFor(ConnectionService, transports(app.server.url).connectJson);
    const { gateways } = await client.listGateways({});
    expect(gateways).toHaveLength(1);
    const [gw] = gateways;
    expect(gw?.name).toBe("sim");
    expect(gw?.state).toBe(GatewayState.READY);
    expect(gw?.clientId).toBe(5555);
    expect(gw?.serverVersion).toBe(193);
    expect(gw?.managedAccounts.length).toBeGreaterThanOrEqual(3);
    expect(gw?.address).toMatch(/^127\.0\.0\.1:\d+$/);
  });

  it("WatchGateways streams the current state, then a drop and the recovery", async () => {
    const client = clientFor(ConnectionService, transports(app.server.url).grpc);
    const ac = new AbortController();
    const timer = setTimeout(() => ac.abort(), 15_000);
    const states: GatewayState[] = [];
    try {
      for await (const res of client.watchGateways({}, { signal: ac.signal })) {
        if (res.event.case !== "gateway") continue;
        states.push(res.event.value.state);
        if (states.length === 1) app.simulators[0]?.dropConnections();
        if (states.length > 1 && res.event.value.state === GatewayState.READY) break;
      }
    } finally {
      clearTimeout(timer);
      ac.abort();
    }
    expect(states[0]).toBe(GatewayState.READY);
    expect(states).toContain(GatewayState.DISCONNECTED);
    expect(states.at(-1)).toBe(GatewayState.READY);
  });

  it("lists its services through reflection (buf curl)", async () => {
    const out = await buf(["curl", "--list-services", "--protocol", "grpc", "--http2-prior-knowledge", app.server.url]);
    const services = out.trim().split("\n");
    expect(services).toContain("ibrpc.v1.ConnectionService");
    expect(services).toContain("grpc.health.v1.Health");
    const time = await buf([
      "curl",
      "--protocol",
      "grpcweb",
      `${app.server.url}/ibrpc.v1.ConnectionService/ReqCurrentTime`,
    ]);
    expect(JSON.parse(time).gateway).toBe("sim");
    const methods = await buf([
      "curl",
      "--list-methods",
      "--protocol",
      "grpc",
      "--http2-prior-knowledge",
      app.server.url,
    ]);
    expect(methods.trim().split("\n")).toEqual(
      expect.arrayContaining(["ibrpc.v1.OrderService/PlaceOrder", "ibrpc.v1.OrderService/WatchOrders"]),
    );
  });
});

describe("bad input never hurts the service or its IB connection", () => {
  it("answers malformed JSON, wrong types, bad values and unknown RPCs with the right codes", async () => {
    const before = app.pool.gateways[0]?.snapshot();
    const malformed = await postJson(app.server.url, "/ibrpc.v1.ConnectionService/ReqIds", "{not json");
    expect(malformed.status).toBe(400);
    expect(malformed.json.code).toBe("invalid_argument");
    const wrongType = await postJson(app.server.url, "/ibrpc.v1.ConnectionService/ReqIds", '{"numIds":"many"}');
    expect(wrongType.json.code).toBe("invalid_argument");
    const negative = await postJson(app.server.url, "/ibrpc.v1.ConnectionService/ReqIds", '{"numIds":-1}');
    expect(negative.json.code).toBe("invalid_argument");
    expect(negative.json.message).toMatch(/numIds/);
    const unknown = await postJson(app.server.url, "/ibrpc.v1.ConnectionService/ReqNothing", "{}");
    expect(unknown.status).toBe(404);
    expect(unknown.json.code).toBe("unimplemented");
    expect(unknown.json.message).toBe("ibrpc.v1.ConnectionService.ReqNothing does not exist");
    const client = clientFor(ConnectionService, transports(app.server.url).grpc);
    const err = await client.reqIds({ numIds: -5 }).catch((e: unknown) => ConnectError.from(e));
    expect(err).toBeInstanceOf(ConnectError);
    expect((err as ConnectError).code).toBe(Code.InvalidArgument);
    // Still up, on the same IB session.
    expect((await client.reqCurrentTime({})).gateway).toBe("sim");
    const after = app.pool.gateways[0]?.snapshot();
    expect(after?.state).toBe(GatewayState.READY);
    expect(after?.stateSince).toEqual(before?.stateSince);
  });

  it("rejects a request missing a required field with invalid_argument naming it, before IB sees it", async () => {
    const res = await postJson(app.server.url, "/ibrpc.v1.ContractService/ReqContractDetails", "{}");
    expect(res.status).toBe(400);
    expect(res.json.code).toBe("invalid_argument");
    expect(res.json.message).toMatch(/contract/);
    const order = await postJson(
      app.server.url,
      "/ibrpc.v1.OrderService/PlaceOrder",
      JSON.stringify({
        idempotencyKey: "k1",
        contract: { symbol: "AAPL", secType: "STK" },
        order: { orderType: "LMT" },
      }),
    );
    expect(order.json.code).toBe("invalid_argument");
    expect(order.json.message).toMatch(/order\.action is required/);
  });

  it("names the gateway header problem: unknown gateway is NOT_FOUND", async () => {
    const res = await postJson(app.server.url, "/ibrpc.v1.ConnectionService/ReqCurrentTime", "{}", {
      "ib-gateway": "nope",
    });
    expect(res.status).toBe(404);
    expect(res.json.code).toBe("not_found");
    expect(res.json.message).toMatch(/unknown gateway "nope"/);
  });
});

describe("several gateways", () => {
  let multi: App;

  beforeAll(async () => {
    multi = await startTestApp({ IB_GW: "paper=sim,live=sim", IB_CID: "77" });
    await allReady(multi);
  });

  afterAll(async () => {
    await multi?.close();
  });

  it("refuses to guess: no ib-gateway header is INVALID_ARGUMENT naming the choices", async () => {
    const res = await postJson(multi.server.url, "/ibrpc.v1.ConnectionService/ReqCurrentTime", "{}");
    expect(res.status).toBe(400);
    expect(res.json.code).toBe("invalid_argument");
    expect(res.json.message).toMatch(/paper, live/);
  });

  it("routes by the ib-gateway header and lists both", async () => {
    const client = clientFor(ConnectionService, transports(multi.server.url).grpc);
    const paper = await client.reqCurrentTime({}, { headers: { "ib-gateway": "paper" } });
    const live = await client.reqCurrentTime({}, { headers: { "ib-gateway": "live" } });
    expect([paper.gateway, live.gateway]).toEqual(["paper", "live"]);
    const { gateways } = await client.listGateways({});
    expect(gateways.map((g) => [g.name, g.state, g.clientId])).toEqual([
      ["paper", GatewayState.READY, 77],
      ["live", GatewayState.READY, 77],
    ]);
  });

  it("stays SERVING while one gateway is down", async () => {
    multi.simulators[0]?.refuseConnections(2_000);
    multi.simulators[0]?.dropConnections();
    const res = await postJson(multi.server.url, "/grpc.health.v1.Health/Check", "{}");
    expect(res.json.status).toBe("SERVING");
    const down = await postJson(multi.server.url, "/ibrpc.v1.ConnectionService/ReqCurrentTime", "{}", {
      "ib-gateway": "paper",
    });
    expect(down.json.code).toBe("unavailable");
    await allReady(multi);
  });
});
