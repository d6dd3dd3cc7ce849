import { create } from "@bufbuild/protobuf";
import { Code, ConnectError, type HandlerContext, type ServiceImpl } from "@connectrpc/connect";
import { EventName } from "@stoqey/ib";
import {
  type AccountService,
  ReqAccountSummaryResponseSchema,
  ReqAccountUpdatesMultiResponseSchema,
  ReqAccountUpdatesResponseSchema,
  ReqFamilyCodesResponseSchema,
  ReqPositionsMultiResponseSchema,
  ReqPositionsResponseSchema,
  type UpdateAccountValue,
  type UpdatePortfolio,
} from "../../gen/ibrpc/v1/account_pb.js";
import {
  accountSummaryFromIb,
  accountUpdateMultiFromIb,
  familyCodesFromIb,
  positionFromIb,
  positionMultiFromIb,
  updateAccountTimeFromIb,
  updateAccountValueFromIb,
  updatePortfolioFromIb,
} from "../convert/index.js";
import { LANE } from "../gateway/exclusive-lane.js";
import type { GatewayConnection } from "../gateway/gateway-connection.js";
import { IbError } from "../gateway/ib-error.js";
import { askGateway, gatewayFor, gatewayForAccount, type ServiceDeps, withCallDeadline } from "./call-context.js";

/**
 * AccountService's unary RPCs: one IB request each, gathered to its End marker, then cancelled (IB keeps every one of
 * them as a subscription). The streaming RPCs (Watch*, ReqPnL*) live in src/services/streams.
 *
 * Requests IB answers without a reqId (reqPositions, reqAccountUpdates) hold their exclusive lane, so two callers
 * never read each other's rows; identical concurrent calls share one IB request.
 */

/**
 * Account summaries run one at a time per connection: TWS keeps at most two summary subscriptions per client (a
 * third is refused with 322), and the second is left to WatchAccountSummary.
 */
const ACCOUNT_SUMMARY_LANE = "reqAccountSummary";

/** IB's code for a request TWS could not process; for reqAccountSummary it means "too many summary requests". */
const ERROR_PROCESSING_REQUEST = 322;

export function accountService(deps: ServiceDeps): Partial<ServiceImpl<typeof AccountService>> {
  return {
    async reqAccountSummary(req, ctx) {
      const gw = gatewayFor(deps, ctx);
      const group = req.group.trim() || "All";
      const tags = [...new Set(req.tags.map((t) => t.trim()))].join(",");
      const rows = await withCallDeadline(
        deps,
        ctx,
        () => `reqAccountSummary: no accountSummaryEnd from gateway ${gw.name}`,
        (signal) =>
          gw.correlator
            .gather({
              request: "reqAccountSummary",
              send: (reqId) => gw.ib.reqAccountSummary(reqId, group, tags),
              items: { [EventName.accountSummary]: accountSummaryFromIb },
              end: EventName.accountSummaryEnd,
              cancel: (reqId) => gw.ib.cancelAccountSummary(reqId),
              cancelAfterEnd: true,
              lane: ACCOUNT_SUMMARY_LANE,
              share: `reqAccountSummary:${group}:${tags}`,
              noun: "summary rows",
              signal,
            })
            .catch(summaryLimitIsResourceExhausted),
      );
      return create(ReqAccountSummaryResponseSchema, { accountSummaries: rows });
    },

    async reqAccountUpdates(req, ctx) {
      const gw = routeAccount(deps, ctx, req.acctCode);
      const account = req.acctCode.trim() || onlyAccountOf(gw, "acct_code");
      const ofAccount = (e: { accountName?: string | undefined }) => e.accountName === account;
      type Row = { value: UpdateAccountValue } | { portfolio: UpdatePortfolio } | { time: string };
      const rows = await withCallDeadline(
        deps,
        ctx,
        () => `reqAccountUpdates: no accountDownloadEnd for ${account} from gateway ${gw.name}`,
        (signal) =>
          gw.correlator.gatherUnkeyed({
            request: "reqAccountUpdates",
            send: () => gw.ib.reqAccountUpdates(true, account),
            items: {
              [EventName.updateAccountValue]: (e): Row => ({ value: updateAccountValueFromIb(e) }),
              [EventName.updatePortfolio]: (e): Row => ({ portfolio: updatePortfolioFromIb(e) }),
              [EventName.updateAccountTime]: (e): Row => ({ time: updateAccountTimeFromIb(e).timeStamp }),
            },
            // IB streams one account per connection; rows of the account a previous holder of the lane asked for may
            // still be on the wire when this request starts.
            filter: { [EventName.updateAccountValue]: ofAccount, [EventName.updatePortfolio]: ofAccount },
            end: EventName.accountDownloadEnd,
            isEnd: (e) => e.account === account,
            cancel: () => gw.ib.reqAccountUpdates(false, account),
            cancelAfterEnd: true,
            lane: LANE.accountUpdates,
            share: `reqAccountUpdates:${account}`,
            noun: "account rows",
            signal,
          }),
      );
      const res = create(ReqAccountUpdatesResponseSchema, { accountName: account });
      for (const row of rows) {
        if ("value" in row) res.accountValues.push(row.value);
        else if ("portfolio" in row) res.portfolio.push(row.portfolio);
        else res.accountTime = row.time;
      }
      return res;
    },

    async reqAccountUpdatesMulti(req, ctx) {
      const gw = routeAccount(deps, ctx, req.account);
      const rows = await withCallDeadline(
        deps,
        ctx,
        () => `reqAccountUpdatesMulti: no accountUpdateMultiEnd from gateway ${gw.name}`,
        (signal) =>
          gw.correlator.gather({
            request: "reqAccountUpdatesMulti",
            send: (reqId) => gw.ib.reqAccountUpdatesMulti(reqId, req.account, req.modelCode, req.ledgerAndNlv),
            items: { [EventName.accountUpdateMulti]: accountUpdateMultiFromIb },
            end: EventName.accountUpdateMultiEnd,
            cancel: (reqId) => gw.ib.cancelAccountUpdatesMulti(reqId),
            cancelAfterEnd: true,
            noun: "account rows",
            signal,
          }),
      );
      return create(ReqAccountUpdatesMultiResponseSchema, { accountUpdateMultis: rows });
    },

    async reqPositions(_req, ctx) {
      const gw = gatewayFor(deps, ctx);
      const positions = await withCallDeadline(
        deps,
        ctx,
        () => `reqPositions: no positionEnd from gateway ${gw.name}`,
        (signal) =>
          gw.correlator.gatherUnkeyed({
            request: "reqPositions",
            send: () => gw.ib.reqPositions(),
            items: { [EventName.position]: positionFromIb },
            end: EventName.positionEnd,
            cancel: () => gw.ib.cancelPositions(),
            cancelAfterEnd: true,
            lane: LANE.positions,
            share: "reqPositions",
            noun: "position rows",
            signal,
          }),
      );
      return create(ReqPositionsResponseSchema, { positions });
    },

    async reqPositionsMulti(req, ctx) {
      const gw = routeAccount(deps, ctx, req.account);
      const positions = await withCallDeadline(
        deps,
        ctx,
        () => `reqPositionsMulti: no positionMultiEnd from gateway ${gw.name}`,
        (signal) =>
          gw.correlator.gather({
            request: "reqPositionsMulti",
            send: (reqId) => gw.ib.reqPositionsMulti(reqId, req.account, req.modelCode),
            items: { [EventName.positionMulti]: positionMultiFromIb },
            end: EventName.positionMultiEnd,
            cancel: (reqId) => gw.ib.cancelPositionsMulti(reqId),
            cancelAfterEnd: true,
            noun: "position rows",
            signal,
          }),
      );
      return create(ReqPositionsMultiResponseSchema, { positions });
    },

    async reqFamilyCodes(_req, ctx) {
      const { value: familyCodes } = await askGateway(deps, ctx, {
        request: "reqFamilyCodes",
        answer: EventName.familyCodes,
        send: (gw) => gw.ib.reqFamilyCodes(),
        map: (e) => familyCodesFromIb(e.familyCodes),
      });
      return create(ReqFamilyCodesResponseSchema, { familyCodes });
    },
  };
}

/**
 * The gateway of a request that may name an account: the one managing it, else (no account) the `ib-gateway` one or
 * the only one. An account the chosen gateway does not manage is NOT_FOUND here, before IB is asked: TWS refuses it
 * without a request id (reqAccountUpdates), which would leave the call waiting for its deadline.
 */
function routeAccount(deps: ServiceDeps, ctx: HandlerContext, account: string): GatewayConnection {
  const wanted = account.trim();
  if (wanted === "") return gatewayFor(deps, ctx);
  const gw = gatewayForAccount(deps, ctx, wanted);
  if (gw.isReady && !gw.accounts.includes(wanted)) {
    throw new ConnectError(
      `account ${wanted} is not managed by gateway ${gw.name} (it manages ${gw.accounts.join(", ")})`,
      Code.NotFound,
    );
  }
  return gw;
}

/** A request that names no account is for the login's only account; an advisor login must say which. */
function onlyAccountOf(gw: GatewayConnection, field: string): string {
  const [only, ...others] = gw.accounts;
  if (only !== undefined && others.length === 0) return only;
  if (only === undefined) {
    throw new ConnectError(`gateway ${gw.name} has not reported its accounts yet`, Code.Unavailable);
  }
  throw new ConnectError(
    `${field}: required, gateway ${gw.name} manages several accounts (${gw.accounts.join(", ")})`,
    Code.InvalidArgument,
  );
}

/** 322 on reqAccountSummary is TWS's "Maximum number of account summary requests exceeded": a capacity limit. */
function summaryLimitIsResourceExhausted(err: unknown): never {
  if (err instanceof IbError && err.ibCode === ERROR_PROCESSING_REQUEST) {
    throw new IbError(err.ibCode, err.ibMessage, {
      gateway: err.gateway,
      reqId: err.reqId,
      grpcCode: Code.ResourceExhausted,
      cause: err,
    });
  }
  throw err;
}
