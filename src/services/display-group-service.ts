import { create } from "@bufbuild/protobuf";
import { Code, ConnectError, type ServiceImpl } from "@connectrpc/connect";
import { EventName } from "@stoqey/ib";
import {
  type DisplayGroupService,
  QueryDisplayGroupsResponseSchema,
  UpdateDisplayGroupResponseSchema,
} from "../../gen/ibrpc/v1/display_group_pb.js";
import { displayGroupIdsFromIb, isDisplayGroupContractInfo } from "../convert/index.js";
import type { GatewayConnection } from "../gateway/gateway-connection.js";
import { existingHub } from "../hub/hub-registry.js";
import type { ServiceDeps } from "./call-context.js";
import { onGateway } from "./gather-on-gateway.js";
import { displayGroupFeed } from "./streams/display-group-streams.js";

/**
 * DisplayGroupService's unary RPCs: the TWS session's display groups, and showing a contract in one of them.
 *
 * IB takes updateDisplayGroup only for a group this client subscribes to, naming the subscription's reqId (not the
 * group), and never answers it. So UpdateDisplayGroup uses the hub's live subscription to the group when a
 * SubscribeToGroupEvents stream holds one; otherwise it subscribes for the length of the call (the group's first
 * displayGroupUpdated proves the group exists, IB's 321 that it does not), sends the update, and unsubscribes.
 * SubscribeToGroupEvents (a stream) lives in streams/display-group-streams.ts.
 */
export function displayGroupService(deps: ServiceDeps): Partial<ServiceImpl<typeof DisplayGroupService>> {
  return {
    async queryDisplayGroups(_req, ctx) {
      const [groups = []] = await onGateway(deps, ctx, "queryDisplayGroups", EventName.displayGroupList, (gw, signal) =>
        gw.correlator.gather({
          request: "queryDisplayGroups",
          send: (reqId) => gw.ib.queryDisplayGroups(reqId),
          items: { [EventName.displayGroupList]: (e) => displayGroupIdsFromIb(e.groups) },
          end: EventName.displayGroupList,
          share: "queryDisplayGroups",
          noun: "answers",
          signal,
        }),
      );
      return create(QueryDisplayGroupsResponseSchema, { groups });
    },

    async updateDisplayGroup(req, ctx) {
      const groupId = req.groupId ?? 0;
      const contractInfo = req.contractInfo;
      if (!isDisplayGroupContractInfo(contractInfo)) {
        throw new ConnectError(
          `contractInfo: ${JSON.stringify(contractInfo)} is not "conId@exchange" (e.g. "265598@SMART"), "none" or "combo"`,
          Code.InvalidArgument,
        );
      }
      await onGateway(deps, ctx, "updateDisplayGroup", EventName.displayGroupUpdated, async (gw, signal) => {
        const live = liveSubscription(gw, groupId);
        if (live !== undefined) {
          await gw.send(() => gw.ib.updateDisplayGroup(live, contractInfo), signal);
          return;
        }
        let reqId: number | undefined;
        await gw.correlator.gather({
          request: "subscribeToGroupEvents",
          send: (id) => {
            reqId = id;
            gw.ib.subscribeToGroupEvents(id, groupId);
          },
          items: {},
          end: EventName.displayGroupUpdated,
          cancel: (id) => gw.ib.unsubscribeFromGroupEvents(id),
          noun: "group events",
          signal,
        });
        const subscription = reqId as number;
        try {
          // Written before the unsubscribe is queued: IB reads them in order, so the update finds its subscription.
          await gw.send(() => gw.ib.updateDisplayGroup(subscription, contractInfo), signal);
        } finally {
          gw.send(() => gw.ib.unsubscribeFromGroupEvents(subscription), undefined, "urgent").catch(() => {});
        }
      });
      return create(UpdateDisplayGroupResponseSchema);
    },
  };
}

/** The reqId of the hub's open subscription to `groupId` on `gw`, if a SubscribeToGroupEvents stream holds one. */
function liveSubscription(gw: GatewayConnection, groupId: number): number | undefined {
  const key = displayGroupFeed(groupId).key;
  const feed = existingHub(gw)
    ?.status()
    .feeds.find((f) => f.key === key);
  return feed?.reqId !== undefined && feed.reqId >= 0 ? feed.reqId : undefined;
}
