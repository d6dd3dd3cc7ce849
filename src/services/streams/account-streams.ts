import { create } from "@bufbuild/protobuf";
import type { HandlerContext } from "@connectrpc/connect";
import { EventName } from "@stoqey/ib";
import {
  AccountSummaryEndSchema,
  PositionEndSchema,
  type ReqPnLRequest,
  type ReqPnLResponse,
  ReqPnLResponseSchema,
  type ReqPnLSingleRequest,
  type ReqPnLSingleResponse,
  ReqPnLSingleResponseSchema,
  type WatchAccountSummaryRequest,
  type WatchAccountSummaryResponse,
  WatchAccountSummaryResponseSchema,
  type WatchAccountUpdatesRequest,
  type WatchAccountUpdatesResponse,
  WatchAccountUpdatesResponseSchema,
  type WatchPositionsRequest,
  type WatchPositionsResponse,
  WatchPositionsResponseSchema,
} from "../../../gen/ibrpc/v1/account_pb.js";
import {
  accountDownloadEndFromIb,
  accountSummaryFromIb,
  pnlFromIb,
  pnlSingleFromIb,
  positionFromIb,
  updateAccountTimeFromIb,
  updateAccountValueFromIb,
  updatePortfolioFromIb,
} from "../../convert/index.js";
import { LANE } from "../../gateway/exclusive-lane.js";
import { decodeEvent } from "../../gateway/ib-events.js";
import type { FeedSpec } from "../../hub/feed-spec.js";
import { stateModel } from "../../hub/feeds/state-model.js";
import { gatewayFor, gatewayForAccount, type ServiceDeps } from "../call-context.js";
import { streamOf } from "./stream-context.js";

/** IB sends PnL about once a second: a minute of silence means the subscription is gone. */
const PNL_LIVENESS_MS = 60_000;

export function pnlFeed(account: string, modelCode: string): FeedSpec<ReqPnLResponse> {
  return {
    key: `pnl|${account}|${modelCode}`,
    kind: "pnl",
    describe: `PnL of ${account}${modelCode ? ` model ${modelCode}` : ""}`,
    open: (ib, reqId) => ib.reqPnL(reqId, account, modelCode || null),
    cancel: (ib, reqId) => ib.cancelPnL(reqId),
    model: () =>
      stateModel({
        conflate: true,
        read: (name, args) =>
          name === EventName.pnl
            ? {
                key: "pnl",
                message: create(ReqPnLResponseSchema, {
                  event: { case: "pnl", value: pnlFromIb(decodeEvent(EventName.pnl, args)) },
                }),
              }
            : undefined,
      }),
    gap: (gap) => create(ReqPnLResponseSchema, { event: { case: "gap", value: gap } }),
    missed: "PnL updates: the current figures follow",
    overflow: "resync",
    livenessMs: PNL_LIVENESS_MS,
  };
}

export function pnlSingleFeed(account: string, modelCode: string, conId: number): FeedSpec<ReqPnLSingleResponse> {
  return {
    key: `pnlSingle|${account}|${modelCode}|${conId}`,
    kind: "pnlSingle",
    describe: `PnL of ${account} position ${conId}${modelCode ? ` model ${modelCode}` : ""}`,
    open: (ib, reqId) => ib.reqPnLSingle(reqId, account, modelCode || null, conId),
    cancel: (ib, reqId) => ib.cancelPnLSingle(reqId),
    model: () =>
      stateModel({
        conflate: true,
        read: (name, args) =>
          name === EventName.pnlSingle
            ? {
                key: "pnlSingle",
                message: create(ReqPnLSingleResponseSchema, {
                  event: { case: "pnlSingle", value: pnlSingleFromIb(decodeEvent(EventName.pnlSingle, args)) },
                }),
              }
            : undefined,
      }),
    gap: (gap) => create(ReqPnLSingleResponseSchema, { event: { case: "gap", value: gap } }),
    missed: "PnL updates: the current figures follow",
    overflow: "resync",
    livenessMs: PNL_LIVENESS_MS,
  };
}

/** IB's tags list, normalized so the same set in any order shares one subscription. */
function normalizedTags(tags: readonly string[]): string {
  return [...new Set(tags.map((t) => t.trim()).filter((t) => t.length > 0))].sort().join(",");
}

export function accountSummaryFeed(group: string, tags: readonly string[]): FeedSpec<WatchAccountSummaryResponse> {
  const tagList = normalizedTags(tags);
  const groupName = group || "All";
  const wrap = (event: WatchAccountSummaryResponse["event"]) => create(WatchAccountSummaryResponseSchema, { event });
  return {
    key: `accountSummary|${groupName}|${tagList}`,
    kind: "accountSummary",
    describe: `account summary of group ${groupName} (${tagList})`,
    open: (ib, reqId) => ib.reqAccountSummary(reqId, groupName, tagList),
    cancel: (ib, reqId) => ib.cancelAccountSummary(reqId),
    model: () =>
      stateModel({
        conflate: true,
        read: (name, args) => {
          if (name === EventName.accountSummary) {
            const row = decodeEvent(EventName.accountSummary, args);
            return {
              key: `${row.account}|${row.tag}|${row.currency}`,
              message: wrap({ case: "accountSummary", value: accountSummaryFromIb(row) }),
            };
          }
          if (name === EventName.accountSummaryEnd)
            return { end: true, message: wrap({ case: "accountSummaryEnd", value: create(AccountSummaryEndSchema) }) };
          return undefined;
        },
      }),
    gap: (gap) => wrap({ case: "gap", value: gap }),
    missed: "account summary rows: every row follows again, then AccountSummaryEnd",
    overflow: "resync",
  };
}

export function accountUpdatesFeed(account: string): FeedSpec<WatchAccountUpdatesResponse> {
  const wrap = (event: WatchAccountUpdatesResponse["event"]) => create(WatchAccountUpdatesResponseSchema, { event });
  return {
    key: `accountUpdates|${account}`,
    kind: "accountUpdates",
    describe: `account updates of ${account || "the only account"}`,
    // IB streams one account at a time per connection: a second account is refused naming the one watched.
    resource: "accountUpdates",
    lane: LANE.accountUpdates,
    reqIdLess: [
      EventName.updateAccountValue,
      EventName.updatePortfolio,
      EventName.updateAccountTime,
      EventName.accountDownloadEnd,
    ],
    open: (ib) => ib.reqAccountUpdates(true, account),
    cancel: (ib) => ib.reqAccountUpdates(false, account),
    model: () =>
      stateModel({
        conflate: true,
        read: (name, args) => {
          switch (name) {
            case EventName.updateAccountValue: {
              const row = decodeEvent(EventName.updateAccountValue, args);
              return {
                key: `value|${row.accountName}|${row.key}|${row.currency}`,
                message: wrap({ case: "updateAccountValue", value: updateAccountValueFromIb(row) }),
              };
            }
            case EventName.updatePortfolio: {
              const row = decodeEvent(EventName.updatePortfolio, args);
              return {
                key: `portfolio|${row.accountName}|${row.contract.conId}`,
                message: wrap({ case: "updatePortfolio", value: updatePortfolioFromIb(row) }),
              };
            }
            case EventName.updateAccountTime:
              return {
                key: "time",
                message: wrap({
                  case: "updateAccountTime",
                  value: updateAccountTimeFromIb(decodeEvent(EventName.updateAccountTime, args)),
                }),
              };
            case EventName.accountDownloadEnd:
              return {
                end: true,
                message: wrap({
                  case: "accountDownloadEnd",
                  value: accountDownloadEndFromIb(decodeEvent(EventName.accountDownloadEnd, args)),
                }),
              };
            default:
              return undefined;
          }
        },
      }),
    gap: (gap) => wrap({ case: "gap", value: gap }),
    missed: "account updates: the whole account follows again, then AccountDownloadEnd",
    overflow: "resync",
  };
}

export function positionsFeed(): FeedSpec<WatchPositionsResponse> {
  const wrap = (event: WatchPositionsResponse["event"]) => create(WatchPositionsResponseSchema, { event });
  return {
    key: "positions",
    kind: "positions",
    describe: "positions",
    lane: LANE.positions,
    reqIdLess: [EventName.position, EventName.positionEnd],
    open: (ib) => ib.reqPositions(),
    cancel: (ib) => ib.cancelPositions(),
    // Position changes are never dropped (a slow client is cut off); late joiners get the latest row per position.
    model: () =>
      stateModel({
        conflate: false,
        read: (name, args) => {
          if (name === EventName.position) {
            const row = decodeEvent(EventName.position, args);
            return {
              key: `${row.account}|${row.contract.conId}`,
              message: wrap({ case: "position", value: positionFromIb(row) }),
            };
          }
          if (name === EventName.positionEnd)
            return { end: true, message: wrap({ case: "positionEnd", value: create(PositionEndSchema) }) };
          return undefined;
        },
      }),
    gap: (gap) => wrap({ case: "gap", value: gap }),
    missed: "position changes: every position follows again, then PositionEnd",
    overflow: "cut",
  };
}

/** The streaming methods of AccountService (the unary ones are in ../account-service.ts). */
export function accountStreams(deps: ServiceDeps) {
  return {
    reqPnL(req: ReqPnLRequest, ctx: HandlerContext): AsyncGenerator<ReqPnLResponse> {
      const gw = gatewayForAccount(deps, ctx, req.account);
      return streamOf(deps, ctx, gw, pnlFeed(req.account, req.modelCode));
    },
    reqPnLSingle(req: ReqPnLSingleRequest, ctx: HandlerContext): AsyncGenerator<ReqPnLSingleResponse> {
      const gw = gatewayForAccount(deps, ctx, req.account);
      return streamOf(deps, ctx, gw, pnlSingleFeed(req.account, req.modelCode, req.conId ?? 0));
    },
    watchAccountSummary(
      req: WatchAccountSummaryRequest,
      ctx: HandlerContext,
    ): AsyncGenerator<WatchAccountSummaryResponse> {
      return streamOf(deps, ctx, gatewayFor(deps, ctx), accountSummaryFeed(req.group, req.tags));
    },
    watchAccountUpdates(
      req: WatchAccountUpdatesRequest,
      ctx: HandlerContext,
    ): AsyncGenerator<WatchAccountUpdatesResponse> {
      const gw = req.acctCode ? gatewayForAccount(deps, ctx, req.acctCode) : gatewayFor(deps, ctx);
      return streamOf(deps, ctx, gw, accountUpdatesFeed(req.acctCode));
    },
    watchPositions(_req: WatchPositionsRequest, ctx: HandlerContext): AsyncGenerator<WatchPositionsResponse> {
      return streamOf(deps, ctx, gatewayFor(deps, ctx), positionsFeed());
    },
  };
}
