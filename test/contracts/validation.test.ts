import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { create } from "@bufbuild/protobuf";
import { Code, ConnectError, type ConnectRouter, createClient } from "@connectrpc/connect";
import { connectNodeAdapter, createConnectTransport } from "@connectrpc/connect-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BadRequestSchema } from "../../gen/google/rpc/error_details_pb.js";
import { ContractService } from "../../gen/ibrpc/v1/contract_pb.js";
import { MarketDataService } from "../../gen/ibrpc/v1/market_data_pb.js";
import { OrderService, PlaceOrderResponseSchema } from "../../gen/ibrpc/v1/order_pb.js";
import { IBRPC_SERVICES } from "../../src/services/catalog.js";
import { validationInterceptor } from "../../src/validation/index.js";

// A real Connect server (HTTP/1.1, port 0) with stub implementations that count what reaches them: the
// interceptor must stop invalid requests before any handler (and so IB) sees them.
const reached: string[] = [];
let server: Server;
let baseUrl: string;

function routes(router: ConnectRouter) {
  for (const service of IBRPC_SERVICES) {
    if (service === ContractService || service === OrderService || service === MarketDataService) continue;
    router.service(service, {}); // registered, nothing implemented: every method answers UNIMPLEMENTED
  }
  router.service(ContractService, {
    reqContractDetails() {
      reached.push("ReqContractDetails");
      return {};
    },
  });
  router.service(OrderService, {
    placeOrder() {
      reached.push("PlaceOrder");
      return create(PlaceOrderResponseSchema, { orderId: 1 });
    },
  });
  router.service(MarketDataService, {
    async *reqMktData() {
      reached.push("ReqMktData");
      yield { event: { case: "tickSnapshotEnd", value: {} } };
    },
  });
}

beforeAll(async () => {
  server = createServer(connectNodeAdapter({ routes, interceptors: [validationInterceptor()] }));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
});

const transport = () => createConnectTransport({ baseUrl, httpVersion: "1.1" });

async function rejection(call: () => Promise<unknown>): Promise<ConnectError> {
  try {
    await call();
  } catch (e) {
    return ConnectError.from(e);
  }
  throw new Error("the call succeeded");
}

function violations(err: ConnectError) {
  return err.findDetails(BadRequestSchema).flatMap((d) => d.fieldViolations.map((v) => v.field));
}

const validOrder = {
  contract: { symbol: "AAPL", secType: "STK", exchange: "SMART", currency: "USD" },
  order: { action: "BUY", totalQuantity: "10", orderType: "LMT", lmtPrice: 100 },
  idempotencyKey: "k1",
};

describe("validationInterceptor through a real Connect server", () => {
  it("rejects ReqContractDetails without a contract, naming the field", async () => {
    const client = createClient(ContractService, transport());
    const err = await rejection(() => client.reqContractDetails({}));
    expect(err.code).toBe(Code.InvalidArgument);
    expect(err.rawMessage).toContain("contract is required");
    expect(violations(err)).toEqual(["contract"]);
    expect(reached).not.toContain("ReqContractDetails");
  });

  it("rejects a contract that names no instrument", async () => {
    const client = createClient(ContractService, transport());
    const err = await rejection(() => client.reqContractDetails({ contract: { exchange: "SMART" } }));
    expect(err.code).toBe(Code.InvalidArgument);
    expect(violations(err)).toEqual(["contract.conId"]);
  });

  it("rejects PlaceOrder without an action", async () => {
    const client = createClient(OrderService, transport());
    const err = await rejection(() => client.placeOrder({ ...validOrder, order: { ...validOrder.order, action: "" } }));
    expect(err.code).toBe(Code.InvalidArgument);
    expect(err.rawMessage).toContain("order.action is required");
    expect(violations(err)).toEqual(["order.action"]);
  });

  it("rejects PlaceOrder with a negative quantity, an unknown order type and no idempotency key", async () => {
    const client = createClient(OrderService, transport());
    const err = await rejection(() =>
      client.placeOrder({
        contract: validOrder.contract,
        order: { action: "BUY", totalQuantity: "-5", orderType: "LIMIT", lmtPrice: 1 },
      }),
    );
    expect(err.code).toBe(Code.InvalidArgument);
    expect(violations(err)).toEqual(
      expect.arrayContaining(["order.totalQuantity", "order.orderType", "idempotencyKey"]),
    );
    expect(err.rawMessage).toContain("order.totalQuantity must be at least 0");
    expect(reached).not.toContain("PlaceOrder");
  });

  it("rejects a quantity that is not a decimal string, and a LMT order without lmtPrice", async () => {
    const client = createClient(OrderService, transport());
    const err = await rejection(() =>
      client.placeOrder({ ...validOrder, order: { action: "BUY", totalQuantity: "1e3", orderType: "LMT" } }),
    );
    expect(violations(err)).toEqual(expect.arrayContaining(["order.totalQuantity", "order.lmtPrice"]));
  });

  it("names nested list elements by index", async () => {
    const client = createClient(OrderService, transport());
    const err = await rejection(() =>
      client.placeOrder({
        ...validOrder,
        order: {
          ...validOrder.order,
          algoStrategy: "Adaptive",
          algoParams: [{ tag: "a", value: "1" }, { value: "x" }],
        },
      }),
    );
    expect(violations(err)).toEqual(["order.algoParams[1].tag"]);
  });

  it("lets a valid request through to the implementation", async () => {
    const client = createClient(OrderService, transport());
    const res = await client.placeOrder(validOrder);
    expect(res.orderId).toBe(1);
    expect(reached).toContain("PlaceOrder");
  });

  it("validates the request of a server-streaming RPC before the stream starts", async () => {
    const client = createClient(MarketDataService, transport());
    const err = await rejection(async () => {
      for await (const _ of client.reqMktData({ snapshot: true })) {
        // nothing
      }
    });
    expect(err.code).toBe(Code.InvalidArgument);
    expect(violations(err)).toEqual(["contract"]);
    expect(reached).not.toContain("ReqMktData");

    const events = [];
    for await (const e of client.reqMktData({ contract: { conId: 265598 }, snapshot: true })) events.push(e);
    expect(events.map((e) => e.event.case)).toEqual(["tickSnapshotEnd"]);
  });

  it("registered services without an implementation answer UNIMPLEMENTED naming the method", async () => {
    const client = createClient(ContractService, transport());
    const err = await rejection(() => client.reqMatchingSymbols({ pattern: "AAP" }));
    expect(err.code).toBe(Code.Unimplemented);
    expect(err.rawMessage).toBe("ibrpc.v1.ContractService.ReqMatchingSymbols is not implemented");
  });

  it("works over Connect JSON as a plain HTTP client sends it", async () => {
    const res = await fetch(`${baseUrl}/ibrpc.v1.OrderService/PlaceOrder`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ ...validOrder, order: { ...validOrder.order, tif: "FOREVER" } }),
    });
    expect(res.status).toBe(400);
    const body = (await res.json()) as { code: string; message: string };
    expect(body.code).toBe("invalid_argument");
    expect(body.message).toContain("order.tif");
  });
});
