import { reqExecutions } from "../messages/executions.js";
import {
  cancelOrder,
  placeOrder,
  reqAllOpenOrders,
  reqAutoOpenOrders,
  reqCompletedOrders,
  reqGlobalCancel,
  reqOpenOrders,
} from "../messages/orders.js";
import { OrderCode } from "../orders/order-codes.js";
import { ordersOf } from "../orders/order-engine.js";
import { NO_REQUEST_ID } from "../tws-codes.js";
import { onRequest, type RequestHandler } from "./registry.js";

/** Orders and executions: every request goes to the simulator's one order engine (orders/order-engine.ts). */
export const orderHandlers: readonly RequestHandler[] = [
  onRequest(placeOrder, (session, request) => ordersOf(session.sim).place(session, request)),
  onRequest(cancelOrder, (session, request) => ordersOf(session.sim).cancel(session, request.orderId)),
  onRequest(reqGlobalCancel, (session) => ordersOf(session.sim).cancelAll()),
  onRequest(reqOpenOrders, (session) => ordersOf(session.sim).sendOpenOrders(session, "own")),
  onRequest(reqAllOpenOrders, (session) => ordersOf(session.sim).sendOpenOrders(session, "all")),
  onRequest(reqAutoOpenOrders, (session, request) => {
    if (session.clientId !== 0) {
      // TWS binds orders only to the master client, id 0.
      session.sendError(
        NO_REQUEST_ID,
        OrderCode.VALIDATION_ERROR,
        "Error validating request.-'reqAutoOpenOrders' : cause - only client id 0 can bind orders",
      );
      return;
    }
    ordersOf(session.sim).bindAutoOpenOrders(session, request.autoBind);
  }),
  onRequest(reqCompletedOrders, (session) => ordersOf(session.sim).sendCompletedOrders(session)),
  onRequest(reqExecutions, (session, request) => ordersOf(session.sim).sendExecutions(session, request.reqId, request)),
];
