import { create } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import { Code, ConnectError, type ServiceImpl } from "@connectrpc/connect";
import { EventName } from "@stoqey/ib";
import { type ConnectionService, type Gateway, GatewaySchema } from "../../gen/ibrpc/v1/connection_pb.js";
import { type GatewaySnapshot, splitAccounts } from "../gateway/gateway-connection.js";
import { ibMessageFromNotice } from "../hub/gap.js";
import { askGateway, gatewayFor, type ServiceDeps, withCallDeadline } from "./call-context.js";

/** The unary RPCs; WatchGateways is served from the hub's fan-out (streams/gateway-watch.ts). */
export function connectionService(deps: ServiceDeps): Omit<ServiceImpl<typeof ConnectionService>, "watchGateways"> {
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
    lastError: s.lastError ? ibMessageFromNotice(s.lastError) : undefined,
    stateSince: timestampFromDate(s.stateSince),
    nextAttemptAt: s.nextAttemptAt ? timestampFromDate(s.nextAttemptAt) : undefined,
    nextValidId: s.nextValidId,
  });
}
