import { Code, ConnectError } from "@connectrpc/connect";
import { EventName, OrderStatus as IbOrderStatus, type OrderCancel } from "@stoqey/ib";
import type { Contract, ExecDetails } from "../../gen/ibrpc/v1/common_pb.js";
import type { CompletedOrder, OpenOrder, Order, OrderStatus } from "../../gen/ibrpc/v1/order_pb.js";
import { contractToIb } from "../convert/contract.js";
import { commissionReportFromIb, execDetailsFromIb } from "../convert/execution.js";
import { orderToIb } from "../convert/order.js";
import { completedOrderFromIb, openOrderFromIb, orderStatusFromIb } from "../convert/order-state.js";
import { LANE } from "../gateway/exclusive-lane.js";
import type { GatewayConnection } from "../gateway/gateway-connection.js";
import { FIRST_REQ_ID } from "../gateway/request-correlator.js";
import { OrderBook } from "./order-book.js";
import { OrderIdAllocator } from "./order-id-allocator.js";

/** The first server version whose completedOrder @stoqey/ib 1.6.10 decodes correctly (faProfile gate). */
const MIN_COMPLETED_ORDERS_SERVER_VERSION = 177;

/** Open orders and their statuses, as ReqOpenOrders / ReqAllOpenOrders answer them. */
export interface OpenOrders {
  openOrders: OpenOrder[];
  orderStatuses: OrderStatus[];
}

/**
 * One gateway's order desk: its order-id allocator, its order book fed by IB's order events, and the order requests
 * ibrpc sends it (place, cancel, global cancel, the open / completed order lists). Everything else about orders
 * (idempotency, waiting, audit) sits above, in OrderPlacer and the service.
 */
export class OrderDesk {
  readonly allocator: OrderIdAllocator;
  readonly book = new OrderBook();
  private readonly unsubscribe: Array<() => void>;

  constructor(readonly gateway: GatewayConnection) {
    this.allocator = new OrderIdAllocator(gateway);
    const events = gateway.events;
    this.unsubscribe = [
      events.on(EventName.openOrder, (e) => {
        // what-if previews come back as openOrder too; they are answers, not orders (IB keeps no such order).
        const openOrder = openOrderFromIb(e);
        if (openOrder.order?.whatIf) return;
        this.book.apply({ kind: "openOrder", orderId: e.orderId, openOrder });
      }),
      events.on(EventName.orderStatus, (e) =>
        this.book.apply({ kind: "orderStatus", orderId: e.orderId, status: orderStatusFromIb(e) }),
      ),
      events.on(EventName.openOrderEnd, () => this.book.apply({ kind: "openOrderEnd" })),
      events.on(EventName.execDetails, (e) => {
        const execDetails = execDetailsFromIb(e);
        this.book.apply({ kind: "execDetails", orderId: e.execution.orderId ?? 0, execDetails });
      }),
      events.on(EventName.commissionReport, (e) =>
        this.book.apply({ kind: "commissionReport", commissionReport: commissionReportFromIb(e.commissionReport) }),
      ),
      events.on(EventName.error, (e) => {
        // Errors addressed to an order id (reqIds live far above, from FIRST_REQ_ID; -1 is the connection).
        if (e.reqId > 0 && e.reqId < FIRST_REQ_ID) {
          this.book.apply({
            kind: "error",
            orderId: e.reqId,
            error: {
              code: e.code,
              message: e.error.message,
              advancedOrderRejectJson:
                e.advancedOrderReject === undefined ? undefined : JSON.stringify(e.advancedOrderReject),
            },
          });
        }
      }),
    ];
  }

  get name(): string {
    return this.gateway.name;
  }

  /**
   * EClient.placeOrder, answered by IB's acknowledgement (its orderStatus, after the openOrder) or refusal (an
   * IbError: 201, 203, 321, 103 ...). `onWritten` runs when the message is handed to the socket: from then on IB may
   * have the order, whatever happens to the connection.
   */
  async place(
    orderId: number,
    contract: Contract,
    order: Order,
    onWritten: () => void,
    signal: AbortSignal,
  ): Promise<void> {
    const ibContract = contractToIb(contract);
    const ibOrder = orderToIb(order);
    await this.gateway.correlator.gatherOrder({
      request: "placeOrder",
      orderId,
      send: (id) => {
        onWritten();
        this.gateway.ib.placeOrder(id, ibContract, ibOrder);
      },
      items: {},
      end: EventName.orderStatus,
      noun: "acknowledgements",
      signal,
    });
  }

  /** EClient.placeOrder with whatIf: IB answers the margin and commission preview as an openOrder, and keeps nothing. */
  async whatIf(orderId: number, contract: Contract, order: Order, signal: AbortSignal): Promise<OpenOrder> {
    const ibContract = contractToIb(contract);
    const ibOrder = { ...orderToIb(order), whatIf: true };
    const [preview] = await this.gateway.correlator.gatherOrder({
      request: "placeOrder (what-if)",
      orderId,
      send: (id) => this.gateway.ib.placeOrder(id, ibContract, ibOrder),
      items: { [EventName.openOrder]: (e) => openOrderFromIb(e) },
      end: EventName.openOrder,
      noun: "previews",
      signal,
    });
    return preview as OpenOrder;
  }

  /**
   * EClient.cancelOrder, answered by the order's Cancelled / PendingCancel / ApiCancelled status, or IB's 202 (which
   * is the success answer of a cancel); 10147 (unknown) and 161 / 10148 (not cancellable) fail it.
   */
  async cancel(orderId: number, orderCancel: OrderCancel, signal: AbortSignal): Promise<void> {
    await this.gateway.correlator.gatherOrder({
      request: "cancelOrder",
      orderId,
      send: (id) => this.gateway.ib.cancelOrder(id, orderCancel),
      items: {},
      end: EventName.orderStatus,
      isEnd: (e) => CANCEL_ANSWERS.has(String(e.status)),
      endOnCodes: [202],
      noun: "cancel answers",
      signal,
    });
  }

  /** EClient.reqGlobalCancel: every open order of the gateway, whoever placed it. Resolves once written. */
  globalCancel(orderCancel: OrderCancel, signal: AbortSignal): Promise<void> {
    return this.gateway.send(() => this.gateway.ib.reqGlobalCancel(orderCancel), signal, "urgent");
  }

  /** EWrapper.openOrder ... openOrderEnd for ibrpc's client id ("own") or every client ("all"). */
  async openOrders(scope: "own" | "all", signal: AbortSignal): Promise<OpenOrders> {
    type Row = { openOrder?: OpenOrder; status?: OrderStatus };
    const rows = await this.gateway.correlator.gatherUnkeyed({
      request: scope === "own" ? "reqOpenOrders" : "reqAllOpenOrders",
      lane: LANE.openOrders,
      send: () => (scope === "own" ? this.gateway.ib.reqOpenOrders() : this.gateway.ib.reqAllOpenOrders()),
      items: {
        [EventName.openOrder]: (e): Row => ({ openOrder: openOrderFromIb(e) }),
        [EventName.orderStatus]: (e): Row => ({ status: orderStatusFromIb(e) }),
      },
      end: EventName.openOrderEnd,
      noun: "open orders",
      signal,
    });
    // IB sends one openOrder and one or more orderStatus per order: the latest of each per order id.
    const openOrders = new Map<number, OpenOrder>();
    const statuses = new Map<number, OrderStatus>();
    for (const row of rows) {
      if (row.openOrder) openOrders.set(row.openOrder.orderId, row.openOrder);
      if (row.status) statuses.set(row.status.orderId, row.status);
    }
    return { openOrders: [...openOrders.values()], orderStatuses: [...statuses.values()] };
  }

  /**
   * EWrapper.completedOrder ... completedOrdersEnd. Refused below server version 177: @stoqey/ib 1.6.10 reads
   * completedOrder's faProfile with the wrong version gate there (docs/sim-conformance.md), so orders would be lost
   * to decode errors, and a reconciliation that trusted the shortened list could place a key's order twice.
   */
  completedOrders(apiOnly: boolean, signal: AbortSignal): Promise<CompletedOrder[]> {
    const serverVersion = this.gateway.snapshot().serverVersion;
    if (serverVersion !== undefined && serverVersion < MIN_COMPLETED_ORDERS_SERVER_VERSION) {
      return Promise.reject(
        new ConnectError(
          `reqCompletedOrders: gateway ${this.gateway.name} speaks server version ${serverVersion}; ibrpc's IB client ` +
            `(@stoqey/ib 1.6.10) decodes completed orders only from ${MIN_COMPLETED_ORDERS_SERVER_VERSION} (update TWS / IB Gateway)`,
          Code.FailedPrecondition,
        ),
      );
    }
    return this.gateway.correlator.gatherUnkeyed({
      request: "reqCompletedOrders",
      lane: LANE.completedOrders,
      send: () => this.gateway.ib.reqCompletedOrders(apiOnly),
      items: { [EventName.completedOrder]: (e) => completedOrderFromIb(e) },
      end: EventName.completedOrdersEnd,
      noun: "completed orders",
      signal,
    });
  }

  /** Today's executions (all of them: reconciliation looks for an orderRef). */
  async executions(signal: AbortSignal): Promise<ExecDetails[]> {
    return this.gateway.correlator.gather({
      request: "reqExecutions",
      send: (reqId) => this.gateway.ib.reqExecutions(reqId, {}),
      items: { [EventName.execDetails]: (e) => execDetailsFromIb(e) },
      end: EventName.execDetailsEnd,
      noun: "executions",
      signal,
    });
  }

  dispose(): void {
    for (const off of this.unsubscribe.splice(0)) off();
    this.allocator.dispose();
  }
}

/** The statuses that answer a cancel. */
const CANCEL_ANSWERS: ReadonlySet<string> = new Set([
  IbOrderStatus.Cancelled,
  IbOrderStatus.PendingCancel,
  IbOrderStatus.ApiCancelled,
]);
