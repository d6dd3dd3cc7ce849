import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { Code, ConnectError } from "@connectrpc/connect";
import { EventName, OrderAction, OrderType, SecType } from "@stoqey/ib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ExecutionService } from "../../gen/ibrpc/v1/execution_pb.js";
import { OrderService, OrderWait, type WatchOrdersResponse } from "../../gen/ibrpc/v1/order_pb.js";
import type { App } from "../../src/app.js";
import { AUDIT_LOG_FILE } from "../../src/orders/audit-log.js";
import { allReady, clientFor, postJson, startTestApp, transports } from "../e2e/app-harness.js";
import { IbClient } from "../sim/helpers.js";
import { withTimeout } from "../support/wait.js";

const ACCOUNT = "DU1000002";
const AAPL = { symbol: "AAPL", secType: "STK", exchange: "SMART", currency: "USD" };

/** The acceptance of issue 9, as a new user would check it: `npm start` (here in-process) and Connect JSON. */
describe("OrderService and ExecutionService through ibrpc", () => {
  let app: App;
  let url: string;
  let dataDir: string;
  const watched: WatchOrdersResponse[] = [];
  const watchAbort = new AbortController();
  let watching: Promise<unknown>;

  const post = (method: string, body: unknown, service = "OrderService") =>
    postJson(url, `/ibrpc.v1.${service}/${method}`, JSON.stringify(body), { "connect-timeout-ms": "15000" });

  beforeAll(async () => {
    dataDir = mkdtempSync(path.join(tmpdir(), "ibrpc-orders-"));
    app = await startTestApp({ DATA_DIR: dataDir });
    await allReady(app);
    await app.history.store.ready; // PGlite's first start in a new DATA_DIR takes seconds
    url = app.server.url;
    // The WatchOrders stream is opened first: it must see everything the tests below do.
    const client = clientFor(OrderService, transports(url).grpc);
    let resolveEnd: () => void = () => {};
    const firstEnd = new Promise<void>((r) => {
      resolveEnd = r;
    });
    watching = (async () => {
      for await (const m of client.watchOrders({}, { signal: watchAbort.signal })) {
        watched.push(m);
        if (m.event.case === "openOrderEnd") resolveEnd();
      }
    })().catch((err) => err);
    await withTimeout(firstEnd, "WatchOrders' first OpenOrderEnd", 15_000);
  }, 60_000);

  afterAll(async () => {
    watchAbort.abort();
    await watching;
    await app?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  let filledOrderId: number;

  it("a MKT order with waitFor FILLED answers Filled with the quantity", async () => {
    const res = await post("PlaceOrder", {
      contract: AAPL,
      order: { action: "BUY", orderType: "MKT", totalQuantity: "7", account: ACCOUNT },
      idempotencyKey: "e2e-fill",
      waitFor: "ORDER_WAIT_FILLED",
    });
    expect(res.status, res.text).toBe(200);
    const body = res.json as { orderId: number; orderStatus: { status: string; filled: string }; replayed?: boolean };
    expect(body.orderStatus).toMatchObject({ status: "Filled", filled: "7" });
    expect(body.replayed).toBeUndefined();
    filledOrderId = body.orderId;
  });

  it("the same key again is replayed with the same order id; with another quantity it is already_exists", async () => {
    const again = await post("PlaceOrder", {
      contract: AAPL,
      order: { action: "BUY", orderType: "MKT", totalQuantity: "7", account: ACCOUNT },
      idempotencyKey: "e2e-fill",
    });
    expect(again.json).toMatchObject({ orderId: filledOrderId, replayed: true });
    const other = await post("PlaceOrder", {
      contract: AAPL,
      order: { action: "BUY", orderType: "MKT", totalQuantity: "8", account: ACCOUNT },
      idempotencyKey: "e2e-fill",
    });
    expect(other.status).toBe(409);
    expect(other.json.code).toBe("already_exists");
  });

  it("20 concurrent calls with a new key produce one order id and exactly its quantity filled", async () => {
    const sim = app.simulators[0];
    const held = () => sim?.world.ledger.positions(ACCOUNT).find((p) => p.conId === 265598)?.quantity ?? 0;
    const before = held();
    const calls = await Promise.all(
      Array.from({ length: 20 }, () =>
        post("PlaceOrder", {
          contract: AAPL,
          order: { action: "BUY", orderType: "MKT", totalQuantity: "4", account: ACCOUNT },
          idempotencyKey: "e2e-burst",
          waitFor: "ORDER_WAIT_FILLED",
        }),
      ),
    );
    for (const c of calls) expect(c.status, c.text).toBe(200);
    expect(new Set(calls.map((c) => c.json.orderId)).size).toBe(1);
    expect(held() - before).toBe(4);
  });

  it("executions carry their commission reports", async () => {
    const res = await post("ReqExecutions", { filter: { acctCode: ACCOUNT } }, "ExecutionService");
    expect(res.status, res.text).toBe(200);
    const body = res.json as {
      execDetails: { execution: { execId: string; orderId: number } }[];
      commissionReports: { execId: string; commission: number }[];
    };
    const mine = body.execDetails.filter((x) => x.execution.orderId === filledOrderId);
    expect(mine.length).toBeGreaterThan(0);
    for (const x of mine) {
      const report = body.commissionReports.find((r) => r.execId === x.execution.execId);
      expect(report?.commission).toBeGreaterThan(0);
    }
  });

  let farOrderId: number;

  it("a far LMT is Submitted, listed by ReqOpenOrders, and cancelled by CancelOrder", async () => {
    const placed = await post("PlaceOrder", {
      contract: AAPL,
      order: { action: "BUY", orderType: "LMT", lmtPrice: 1, totalQuantity: "2", account: ACCOUNT },
      idempotencyKey: "e2e-far",
      waitFor: "ORDER_WAIT_SUBMITTED",
    });
    expect(placed.status, placed.text).toBe(200);
    expect((placed.json.orderStatus as { status: string }).status).toBe("Submitted");
    farOrderId = placed.json.orderId as number;
    const open = await post("ReqOpenOrders", {});
    expect((open.json.openOrders as { orderId: number }[]).map((o) => o.orderId)).toContain(farOrderId);
    const cancelled = await post("CancelOrder", { orderId: farOrderId, account: ACCOUNT });
    expect(cancelled.status, cancelled.text).toBe(200);
    expect((cancelled.json.orderStatus as { status: string }).status).toMatch(/Cancelled|PendingCancel/);
    const again = await post("CancelOrder", { orderId: farOrderId, account: ACCOUNT });
    expect(again.json.code).toBe("failed_precondition");
  });

  it("a cancel of an unknown id is not_found, of a filled order failed_precondition", async () => {
    const unknown = await post("CancelOrder", { orderId: 987654 });
    expect(unknown.json.code).toBe("not_found");
    const filled = await post("CancelOrder", { orderId: filledOrderId });
    expect(filled.json.code).toBe("failed_precondition");
  });

  it("shows another client's order and refuses to cancel it, naming the client that can", async () => {
    const port = app.simulators[0]?.address?.port as number;
    const other = new IbClient(port, 7).connect();
    try {
      await other.ready();
      const theirs = 4_000;
      other.api.placeOrder(
        theirs,
        { ...AAPL, secType: SecType.STK },
        {
          action: OrderAction.BUY,
          orderType: OrderType.LMT,
          lmtPrice: 1.91,
          totalQuantity: 1,
          account: ACCOUNT,
        },
      );
      await other.next(EventName.openOrder, "the other client's openOrder");
      const all = await post("ReqAllOpenOrders", {});
      expect((all.json.openOrders as { orderId: number }[]).map((o) => o.orderId)).toContain(theirs);
      const refused = await post("CancelOrder", { orderId: theirs, account: ACCOUNT });
      expect(refused.json.code).toBe("failed_precondition");
      expect(refused.json.message).toContain("API client 7");
    } finally {
      other.api.disconnect();
    }
  });

  it("what-if answers margins and places nothing", async () => {
    const res = await post("PlaceOrder", {
      contract: AAPL,
      order: { action: "BUY", orderType: "LMT", lmtPrice: 150, totalQuantity: "10", account: ACCOUNT, whatIf: true },
      idempotencyKey: "e2e-whatif",
    });
    expect(res.status, res.text).toBe(200);
    const state = (res.json.openOrder as { orderState: Record<string, unknown> }).orderState;
    expect(state.initMarginChange).toBeDefined();
    expect(res.json.orderStatus).toBeUndefined();
  });

  it("LMT without lmtPrice is invalid_argument naming the field", async () => {
    const res = await post("PlaceOrder", {
      contract: AAPL,
      order: { action: "BUY", orderType: "LMT", totalQuantity: "1", account: ACCOUNT },
      idempotencyKey: "e2e-bad",
    });
    expect(res.json.code).toBe("invalid_argument");
    expect(res.json.message).toContain("lmtPrice");
  });

  it("a rejected order fails with IB's code in ErrorInfo (gRPC client)", async () => {
    const client = clientFor(OrderService, transports(url).grpc);
    const err = await client
      .placeOrder({
        contract: AAPL,
        order: { action: "BUY", orderType: "MKT", totalQuantity: "100000000", account: ACCOUNT },
        idempotencyKey: "e2e-rejected",
        waitFor: OrderWait.FILLED,
      })
      .catch((e) => ConnectError.from(e));
    expect(err).toBeInstanceOf(ConnectError);
    expect((err as ConnectError).code).toBe(Code.FailedPrecondition);
    expect((err as ConnectError).message).toContain("201");
  });

  it("ReqCompletedOrders lists the fill; ReqAllOpenOrders answers", async () => {
    const res = await post("ReqCompletedOrders", { apiOnly: true });
    expect(res.status, res.text).toBe(200);
    const completed = res.json.completedOrders as { order: { permId: string }; orderState: { status: string } }[];
    expect(completed.some((c) => c.orderState.status === "Filled")).toBe(true);
    const all = await post("ReqAllOpenOrders", {});
    expect(all.status, all.text).toBe(200);
  });

  it("the WatchOrders stream opened first saw all of it", async () => {
    const client = clientFor(ExecutionService, transports(url).grpc);
    const { execDetails } = await client.reqExecutions({});
    const statusesOf = (id: number) =>
      watched.flatMap((m) =>
        m.event.case === "orderStatus" && m.event.value.orderId === id ? [m.event.value.status] : [],
      );
    expect(statusesOf(filledOrderId)).toContain("Filled");
    expect(statusesOf(farOrderId)).toContain("Cancelled");
    const seenExecIds = new Set(
      watched.flatMap((m) => (m.event.case === "execDetails" ? [m.event.value.execution?.execId] : [])),
    );
    for (const x of execDetails) expect(seenExecIds).toContain(x.execution?.execId);
    const reports = watched.filter((m) => m.event.case === "commissionReport");
    expect(reports.length).toBeGreaterThanOrEqual(execDetails.length);
  });

  it("wrote one audit line per order action, with the token id and never a secret", () => {
    const lines = readFileSync(path.join(dataDir, AUDIT_LOG_FILE), "utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines.find((l) => l.orderId === filledOrderId && l.outcome === "placed")).toMatchObject({
      audit: "order",
      action: "place",
      who: "anonymous",
      account: ACCOUNT,
      idempotencyKey: "e2e-fill",
    });
    expect(lines.some((l) => l.action === "cancel" && l.orderId === farOrderId && l.outcome === "cancelled")).toBe(
      true,
    );
    expect(lines.some((l) => l.outcome === "replayed")).toBe(true);
  });
});
