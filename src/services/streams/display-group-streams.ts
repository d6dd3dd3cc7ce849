import { create } from "@bufbuild/protobuf";
import type { HandlerContext } from "@connectrpc/connect";
import { EventName } from "@stoqey/ib";
import {
  DisplayGroupUpdatedSchema,
  type SubscribeToGroupEventsRequest,
  type SubscribeToGroupEventsResponse,
  SubscribeToGroupEventsResponseSchema,
} from "../../../gen/ibrpc/v1/display_group_pb.js";
import { ibString } from "../../convert/index.js";
import { decodeEvent } from "../../gateway/ib-events.js";
import type { FeedSpec } from "../../hub/feed-spec.js";
import { stateModel } from "../../hub/feeds/state-model.js";
import { gatewayFor, type ServiceDeps } from "../call-context.js";
import { streamOf } from "./stream-context.js";

/** A display group's events: its current contract first (state), then each change. */
export function displayGroupFeed(groupId: number): FeedSpec<SubscribeToGroupEventsResponse> {
  const wrap = (event: SubscribeToGroupEventsResponse["event"]) =>
    create(SubscribeToGroupEventsResponseSchema, { event });
  return {
    key: `displayGroup|${groupId}`,
    kind: "displayGroup",
    describe: `display group ${groupId}`,
    open: (ib, reqId) => ib.subscribeToGroupEvents(reqId, groupId),
    cancel: (ib, reqId) => ib.unsubscribeFromGroupEvents(reqId),
    model: () =>
      stateModel({
        conflate: true,
        read: (name, args) =>
          name === EventName.displayGroupUpdated
            ? {
                key: "contract",
                message: wrap({
                  case: "displayGroupUpdated",
                  value: create(DisplayGroupUpdatedSchema, {
                    contractInfo: ibString(decodeEvent(EventName.displayGroupUpdated, args).contractInfo),
                  }),
                }),
              }
            : undefined,
      }),
    gap: (gap) => wrap({ case: "gap", value: gap }),
    missed: "group changes: the group's current contract follows",
    overflow: "resync",
  };
}

/** The streaming method of DisplayGroupService (the unary ones are in ../display-group-service.ts). */
export function displayGroupStreams(deps: ServiceDeps) {
  return {
    subscribeToGroupEvents(
      req: SubscribeToGroupEventsRequest,
      ctx: HandlerContext,
    ): AsyncGenerator<SubscribeToGroupEventsResponse> {
      return streamOf(deps, ctx, gatewayFor(deps, ctx), displayGroupFeed(req.groupId ?? 0));
    },
  };
}
