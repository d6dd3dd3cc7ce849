import { create, equals } from "@bufbuild/protobuf";
import { Code, ConnectError } from "@connectrpc/connect";
import { GapReason } from "../../gen/ibrpc/v1/common_pb.js";
import {
  OpenOrderEndSchema,
  OpenOrderSchema,
  OrderStatusSchema,
  type WatchOrdersResponse,
  WatchOrdersResponseSchema,
} from "../../gen/ibrpc/v1/order_pb.js";
import type { GatewaySnapshot } from "../gateway/gateway-connection.js";
import { makeGap } from "../hub/gap.js";
import { ConflatingQueue } from "../util/conflating-queue.js";
import type { OrderEvent } from "./order-book.js";
import type { OpenOrders, OrderDesk } from "./order-desk.js";

/** Order events one WatchOrders client may have unread before it is cut off (they are never dropped). */
export const WATCH_ORDERS_CAPACITY = 10_000;
/** How long the initial (or post-reconnect) open-order list may take. */
const LIST_TIMEOUT_MS = 30_000;

/**
 * WatchOrders on one gateway: every open order, then OpenOrderEnd, then every openOrder, orderStatus, execDetails and
 * commissionReport IB sends, in IB's order. Nothing is dropped or conflated: the stream's bounded buffer (the hub's
 * ConflatingQueue, used without slots) cuts a client that falls too far behind with RESOURCE_EXHAUSTED. After the
 * gateway reconnects: a Gap, then the open orders again, then OpenOrderEnd. `account` narrows to one account.
 */
export async function* watchOrders(
  desk: OrderDesk,
  account: string,
  shutdown: AbortSignal,
  signal: AbortSignal,
  capacity = WATCH_ORDERS_CAPACITY,
): AsyncGenerator<WatchOrdersResponse> {
  if (!desk.gateway.isConnected) {
    throw new ConnectError(`gateway ${desk.name} (${desk.gateway.address}) is not connected`, Code.Unavailable);
  }
  const queue = new ConflatingQueue<WatchOrdersResponse>({
    capacity,
    onOverflow: (q) =>
      q.abort(
        new ConnectError(
          `client too slow: more than ${capacity} order events unread; order events are never dropped, so the ` +
            "stream was ended: read faster, or watch again (the open orders come first)",
          Code.ResourceExhausted,
        ),
      ),
  });
  // While a list of open orders is being fetched, live events wait behind it, so the list comes first.
  let held: WatchOrdersResponse[] | undefined = [];
  const push = (message: WatchOrdersResponse) => {
    if (held) held.push(message);
    else queue.push(message);
  };
  const ofAccount = (a: string | undefined) => account === "" || a === undefined || a === account;
  const offBook = desk.book.subscribe((event) => {
    const message = toMessage(event, desk, ofAccount);
    if (message) push(message);
  });

  const sendList = async (gapSince: Date | undefined) => {
    held = [];
    if (gapSince) {
      queue.push(
        create(WatchOrdersResponseSchema, {
          event: {
            case: "gap",
            value: makeGap(
              { reason: GapReason.GATEWAY_RECONNECTED, since: gapSince },
              new Date(),
              "order events while the gateway was disconnected: the open orders follow; executions since then are in ReqExecutions",
            ),
          },
        }),
      );
    }
    let list: OpenOrders;
    try {
      list = await desk.openOrders("all", AbortSignal.any([signal, AbortSignal.timeout(LIST_TIMEOUT_MS)]));
    } catch (err) {
      queue.abort(ConnectError.from(err));
      return;
    }
    for (const openOrder of list.openOrders) {
      if (!ofAccount(openOrder.order?.account)) continue;
      queue.push(create(WatchOrdersResponseSchema, { event: { case: "openOrder", value: openOrder } }));
      const status = list.orderStatuses.find((s) => s.orderId === openOrder.orderId);
      if (status) queue.push(create(WatchOrdersResponseSchema, { event: { case: "orderStatus", value: status } }));
    }
    queue.push(
      create(WatchOrdersResponseSchema, { event: { case: "openOrderEnd", value: create(OpenOrderEndSchema) } }),
    );
    // Events that arrived while listing include the list's own answers (IB sends them to everyone listening):
    // those already sent as part of the list are not sent twice.
    const live = (held ?? []).filter((m) => !alreadyListed(m, list));
    held = undefined;
    for (const message of live) queue.push(message);
  };

  let downSince: Date | undefined;
  const onChange = (snapshot: GatewaySnapshot) => {
    if (!desk.gateway.isConnected) {
      downSince ??= snapshot.stateSince;
      return;
    }
    if (downSince && desk.gateway.isReady) {
      const since = downSince;
      downSince = undefined;
      void sendList(since);
    }
  };
  desk.gateway.on("change", onChange);
  const onShutdown = () => queue.abort(new ConnectError("server is shutting down", Code.Unavailable));
  shutdown.addEventListener("abort", onShutdown, { once: true });
  if (shutdown.aborted) onShutdown();
  try {
    void sendList(undefined);
    yield* queue.iterate(signal);
  } finally {
    offBook();
    desk.gateway.off("change", onChange);
    shutdown.removeEventListener("abort", onShutdown);
  }
}

function alreadyListed(message: WatchOrdersResponse, list: OpenOrders): boolean {
  const { event } = message;
  if (event.case === "openOrder") return list.openOrders.some((o) => equals(OpenOrderSchema, o, event.value));
  if (event.case === "orderStatus") return list.orderStatuses.some((s) => equals(OrderStatusSchema, s, event.value));
  return false;
}

/** A book event as the stream's message (undefined: not for this stream). */
function toMessage(
  event: OrderEvent,
  desk: OrderDesk,
  ofAccount: (account: string | undefined) => boolean,
): WatchOrdersResponse | undefined {
  switch (event.kind) {
    case "openOrder":
      if (!ofAccount(event.openOrder.order?.account)) return undefined;
      return create(WatchOrdersResponseSchema, { event: { case: "openOrder", value: event.openOrder } });
    case "orderStatus":
      if (!ofAccount(desk.book.get(event.orderId)?.openOrder?.order?.account)) return undefined;
      return create(WatchOrdersResponseSchema, { event: { case: "orderStatus", value: event.status } });
    case "execDetails":
      if (!ofAccount(event.execDetails.execution?.acctNumber)) return undefined;
      return create(WatchOrdersResponseSchema, { event: { case: "execDetails", value: event.execDetails } });
    case "commissionReport":
      return create(WatchOrdersResponseSchema, { event: { case: "commissionReport", value: event.commissionReport } });
    default:
      // openOrderEnd of someone's list request, errors: not order events of the stream.
      return undefined;
  }
}
