import { create } from "@bufbuild/protobuf";
import { Code, ConnectError, type HandlerContext, type ServiceImpl } from "@connectrpc/connect";
import type { OrderCancel } from "@stoqey/ib";
import {
  type CancelOrderResponse,
  CancelOrderResponseSchema,
  type OrderService,
  OrderStatusSchema,
  ReqAllOpenOrdersResponseSchema,
  ReqCompletedOrdersResponseSchema,
  ReqGlobalCancelResponseSchema,
  ReqOpenOrdersResponseSchema,
} from "../../gen/ibrpc/v1/order_pb.js";
import { CALLER } from "../auth/caller.js";
import type { GatewayConnection } from "../gateway/gateway-connection.js";
import { IbError } from "../gateway/ib-error.js";
import { codeName } from "../orders/audit-log.js";
import { isFinalStatus } from "../orders/order-book.js";
import type { OrderDesk } from "../orders/order-desk.js";
import type { Caller } from "../orders/order-placer.js";
import type { Orders } from "../orders/orders.js";
import { watchOrders } from "../orders/watch-orders.js";
import { gatewayFor, gatewayForAccount, type ServiceDeps, withCallDeadline } from "./call-context.js";

/**
 * OrderService: thin translation between the proto and the orders feature (src/orders): routing to the gateway,
 * the call's deadline, the caller's identity for idempotency and the audit log.
 */
export function orderService(deps: ServiceDeps & { orders?: Orders }): Partial<ServiceImpl<typeof OrderService>> {
  const orders = () => {
    if (!deps.orders) throw new ConnectError("orders are not configured", Code.Unavailable);
    return deps.orders;
  };
  /** A list request on the gateway of the call (`ib-gateway` or the only one), within the call's deadline. */
  const onDesk = <T>(
    ctx: HandlerContext,
    missing: string,
    work: (desk: OrderDesk, signal: AbortSignal) => Promise<T>,
  ) => {
    const gw = gatewayFor(deps, ctx);
    return withCallDeadline(
      deps,
      ctx,
      () => `${missing} from gateway ${gw.name}`,
      (signal) => work(orders().desk(gw), signal),
    );
  };
  return {
    async placeOrder(req, ctx) {
      const gw = routeByAccount(deps, ctx, req.order?.account ?? "");
      const desk = orders().desk(gw);
      const placer = await orders()
        .placer()
        .catch((err: unknown) => {
          throw new ConnectError(
            "orders need the database, which is not open yet",
            Code.Unavailable,
            undefined,
            undefined,
            err,
          );
        });
      return withCallDeadline(
        deps,
        ctx,
        () => `placeOrder: no answer from gateway ${gw.name}`,
        (signal) => placer.place(desk, req, callerOf(ctx), signal),
      );
    },

    async cancelOrder(req, ctx) {
      const gw = routeByAccount(deps, ctx, req.account);
      const desk = orders().desk(gw);
      const orderId = req.orderId as number;
      const caller = callerOf(ctx);
      const audit = (outcome: string, extra: { code?: string; ibCode?: number; status?: string } = {}) =>
        orders().audit.record({
          action: "cancel",
          who: caller.who,
          gateway: gw.name,
          account: req.account || undefined,
          orderId,
          permId: desk.book.get(orderId)?.status?.permId?.toString(),
          outcome,
          ...extra,
        });
      const tracked = desk.book.get(orderId);
      const known = tracked?.status?.status;
      if (isFinalStatus(known)) {
        audit("refused", { code: "failed_precondition", status: known });
        throw new ConnectError(`order ${orderId} is already ${known}: nothing to cancel`, Code.FailedPrecondition);
      }
      const placedBy = tracked?.status?.clientId ?? tracked?.openOrder?.order?.clientId;
      if (placedBy !== undefined && placedBy !== gw.clientId) {
        // IB takes a cancel only from the client id that placed the order (e.g. ibrpc's id before a 326 switch);
        // it stays visible in ReqAllOpenOrders / WatchOrders, and ReqGlobalCancel reaches it.
        audit("refused", { code: "failed_precondition", status: known });
        throw new ConnectError(
          `order ${orderId} was placed by API client ${placedBy} and ibrpc is now client ${gw.clientId}: IB takes its cancel only from that client; ReqGlobalCancel cancels it`,
          Code.FailedPrecondition,
        );
      }
      const orderCancel: OrderCancel = {
        manualOrderCancelTime: req.manualOrderCancelTime,
        extOperator: req.extOperator,
        manualOrderIndicator: req.manualOrderIndicator,
      };
      try {
        await withCallDeadline(
          deps,
          ctx,
          () => `cancelOrder ${orderId}: no answer from gateway ${gw.name}`,
          (signal) => desk.cancel(orderId, orderCancel, signal),
        );
      } catch (err) {
        const e = cancelError(err);
        const code = e instanceof IbError ? e.grpcCode : e.code;
        audit("failed", { code: codeName(code), ibCode: e instanceof IbError ? e.ibCode : undefined });
        throw e;
      }
      const status = desk.book.get(orderId)?.status ?? create(OrderStatusSchema, { orderId, status: "Cancelled" });
      audit("cancelled", { status: status.status });
      return create(CancelOrderResponseSchema, { orderStatus: status }) as CancelOrderResponse;
    },

    async reqGlobalCancel(req, ctx) {
      const gw = gatewayFor(deps, ctx);
      const desk = orders().desk(gw);
      const caller = callerOf(ctx);
      await withCallDeadline(
        deps,
        ctx,
        () => `reqGlobalCancel: gateway ${gw.name} did not take it`,
        (signal) =>
          desk.globalCancel(
            {
              manualOrderCancelTime: req.manualOrderCancelTime,
              extOperator: req.extOperator,
              manualOrderIndicator: req.manualOrderIndicator,
            },
            signal,
          ),
      );
      orders().audit.record({ action: "global_cancel", who: caller.who, gateway: gw.name, outcome: "sent" });
      return create(ReqGlobalCancelResponseSchema, { gateway: gw.name });
    },

    async reqOpenOrders(_req, ctx) {
      const list = await onDesk(ctx, "reqOpenOrders: no openOrderEnd", (desk, signal) =>
        desk.openOrders("own", signal),
      );
      return create(ReqOpenOrdersResponseSchema, list);
    },

    async reqAllOpenOrders(_req, ctx) {
      const list = await onDesk(ctx, "reqAllOpenOrders: no openOrderEnd", (desk, signal) =>
        desk.openOrders("all", signal),
      );
      return create(ReqAllOpenOrdersResponseSchema, list);
    },

    async reqCompletedOrders(req, ctx) {
      const completedOrders = await onDesk(ctx, "reqCompletedOrders: no completedOrdersEnd", (desk, signal) =>
        desk.completedOrders(req.apiOnly, signal),
      );
      return create(ReqCompletedOrdersResponseSchema, { completedOrders });
    },

    async *watchOrders(req, ctx) {
      const gw = routeByAccount(deps, ctx, req.account);
      yield* watchOrders(orders().desk(gw), req.account, deps.shutdown, ctx.signal);
    },
  };
}

/** An order request goes to the gateway managing its account, else to the named or only gateway. */
export function routeByAccount(deps: ServiceDeps, ctx: HandlerContext, account: string): GatewayConnection {
  if (account) return gatewayForAccount(deps, ctx, account);
  return gatewayFor(deps, ctx);
}

/** The idempotency scope and audit name of the caller: its token id, or one shared scope when the server is open. */
function callerOf(ctx: HandlerContext): Caller {
  const caller = ctx.values.get(CALLER);
  return { scope: caller.via === "open" ? "" : caller.tokenId, who: caller.tokenId };
}

/**
 * IB's cancel refusals keep IB's code (ErrorInfo) and map as the contract says: 10147 unknown -> NOT_FOUND,
 * 161 / 10148 not cancellable -> FAILED_PRECONDITION (see ib-codes.ts); IB's text names the order.
 */
function cancelError(err: unknown): IbError | ConnectError {
  if (err instanceof IbError) return err;
  return ConnectError.from(err);
}
