import { create } from "@bufbuild/protobuf";
import type { HandlerContext } from "@connectrpc/connect";
import { EventName } from "@stoqey/ib";
import {
  type ReqNewsBulletinsRequest,
  type ReqNewsBulletinsResponse,
  ReqNewsBulletinsResponseSchema,
} from "../../../gen/ibrpc/v1/news_pb.js";
import { updateNewsBulletinFromIb } from "../../convert/index.js";
import { decodeEvent } from "../../gateway/ib-events.js";
import type { FeedSpec } from "../../hub/feed-spec.js";
import { stateModel } from "../../hub/feeds/state-model.js";
import { gatewayFor, type ServiceDeps } from "../call-context.js";
import { streamOf } from "./stream-context.js";

/** Today's bulletins a late joiner asking all_msgs gets (IB sends few; this only bounds memory). */
const BULLETINS_KEPT = 500;

/**
 * IB's news bulletins: one reqNewsBulletins per connection (its events carry no reqId), always asked with allMsgs so
 * the hub holds today's bulletins; a caller with all_msgs gets them first, others only new ones. Never dropped: a
 * client too far behind is cut off.
 */
export function newsBulletinsFeed(): FeedSpec<ReqNewsBulletinsResponse> {
  const wrap = (event: ReqNewsBulletinsResponse["event"]) => create(ReqNewsBulletinsResponseSchema, { event });
  return {
    key: "newsBulletins",
    kind: "newsBulletins",
    describe: "news bulletins",
    reqIdLess: [EventName.updateNewsBulletin],
    open: (ib) => ib.reqNewsBulletins(true),
    cancel: (ib) => ib.cancelNewsBulletins(),
    model: () =>
      stateModel({
        conflate: false,
        keepEvents: BULLETINS_KEPT,
        read: (name, args) =>
          name === EventName.updateNewsBulletin
            ? {
                message: wrap({
                  case: "updateNewsBulletin",
                  value: updateNewsBulletinFromIb(decodeEvent(EventName.updateNewsBulletin, args)),
                }),
              }
            : undefined,
      }),
    gap: (gap) => wrap({ case: "gap", value: gap }),
    missed: "bulletins: today's bulletins are sent again",
    overflow: "cut",
  };
}

/** The streaming method of NewsService (the unary ones are in ../news-service.ts). */
export function newsStreams(deps: ServiceDeps) {
  return {
    reqNewsBulletins(req: ReqNewsBulletinsRequest, ctx: HandlerContext): AsyncGenerator<ReqNewsBulletinsResponse> {
      return streamOf(deps, ctx, gatewayFor(deps, ctx), newsBulletinsFeed(), { withState: req.allMsgs });
    },
  };
}
