import { create } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import { Code, ConnectError, type HandlerContext, type ServiceImpl } from "@connectrpc/connect";
import { EventName } from "@stoqey/ib";
import { type IbMessage, IbMessageSchema } from "../../gen/ibrpc/v1/common_pb.js";
import {
  type ConnectionService,
  type Gateway,
  GatewayNoticeSchema,
  GatewaySchema,
  type WatchGatewaysResponse,
  WatchGatewaysResponseSchema,
} from "../../gen/ibrpc/v1/connection_pb.js";
import { type GatewaySnapshot, type IbNotice, splitAccounts } from "../gateway/gateway-connection.js";
import { AsyncQueue } from "../util/async-queue.js";
import { askGateway, gatewayFor, type ServiceDeps, withCallDeadline } from "./call-context.js";

/** Updates a WatchGateways client may fall behind by before its stream is ended (it can re-watch). */
const WATCH_BUFFER = 1_000;

export function connectionService(deps: ServiceDeps): ServiceImpl<typeof ConnectionService> {
  return {
    async reqCurrentTime(_req, ctx) {
      const { gateway, value: secs } = await askGateway(deps, ctx, {
        request: "reqCurrentTime",
        answer: EventName.currentTime,
        send: (gw) => gw.ib.reqCurrentTime(),
        map: (e) => e.time,
      });
      return { time: timestampFromDate(new Date(secs * 1000)), gateway };
    },

    async reqManagedAccts(_req, ctx) {
      const { gateway, value: csv } = await askGateway(deps, ctx, {
        request: "reqManagedAccts",
        answer: EventName.managedAccounts,
        send: (gw) => gw.ib.reqManagedAccts(),
        map: (e) => e.accountsList,
      });
      return { accountsList: splitAccounts(csv), gateway };
    },

    async reqIds(req, ctx) {
      if (req.numIds < 0) throw new ConnectError("numIds: must be >= 0", Code.InvalidArgument);
      const { gateway, value: orderId } = await askGateway(deps, ctx, {
        request: "reqIds",
        answer: EventName.nextValidId,
        send: (gw) => gw.ib.reqIds(req.numIds),
        map: (e) => e.orderId,
      });
      return { orderId, gateway };
    },

    async reqUserInfo(_req, ctx) {
      const gw = gatewayFor(deps, ctx);
      const [whiteBrandingId = ""] = await withCallDeadline(
        deps,
        ctx,
        () => `reqUserInfo: no userInfo from gateway ${gw.name}`,
        (signal) =>
          gw.correlator.gather({
            request: "reqUserInfo",
            send: (reqId) => gw.ib.reqUserInfo(reqId),
            items: { [EventName.userInfo]: (e) => e.whiteBrandingId ?? "" },
            noun: "userInfo answers",
            end: EventName.userInfo,
            signal,
          }),
      );
      return { whiteBrandingId, gateway: gw.name };
    },

    listGateways() {
      return { gateways: deps.pool.gateways.map((g) => toGateway(g.snapshot())) };
    },

    async *watchGateways(_req, ctx: HandlerContext) {
      const queue = new AsyncQueue<WatchGatewaysResponse>(
        WATCH_BUFFER,
        () => new ConnectError("client too slow: more than 1000 gateway updates behind", Code.ResourceExhausted),
      );
      const onChange = (s: GatewaySnapshot) =>
        queue.push(create(WatchGatewaysResponseSchema, { event: { case: "gateway", value: toGateway(s) } }));
      const onNotice = (gateway: string, n: IbNotice) =>
        queue.push(
          create(WatchGatewaysResponseSchema, {
            event: { case: "notice", value: create(GatewayNoticeSchema, { gateway, message: toIbMessage(n) }) },
          }),
        );
      const onShutdown = () => queue.end(new ConnectError("server is shutting down", Code.Unavailable));
      for (const g of deps.pool.gateways) onChange(g.snapshot());
      deps.pool.on("change", onChange);
      deps.pool.on("notice", onNotice);
      deps.shutdown.addEventListener("abort", onShutdown, { once: true });
      if (deps.shutdown.aborted) onShutdown();
      try {
        yield* queue.iterate(ctx.signal);
      } finally {
        deps.pool.off("change", onChange);
        deps.pool.off("notice", onNotice);
        deps.shutdown.removeEventListener("abort", onShutdown);
      }
    },
  };
}

export function toGateway(s: GatewaySnapshot): Gateway {
  return create(GatewaySchema, {
    name: s.name,
    address: s.address,
    state: s.state,
    clientId: s.clientId,
    serverVersion: s.serverVersion,
    managedAccounts: [...s.managedAccounts],
    lastError: s.lastError ? toIbMessage(s.lastError) : undefined,
    stateSince: timestampFromDate(s.stateSince),
    nextAttemptAt: s.nextAttemptAt ? timestampFromDate(s.nextAttemptAt) : undefined,
    nextValidId: s.nextValidId,
  });
}

function toIbMessage(n: IbNotice): IbMessage {
  return create(IbMessageSchema, {
    code: n.code,
    message: n.message,
    kind: n.kind,
    id: n.id,
    time: timestampFromDate(n.time),
  });
}
