import { accountSummary, accountSummaryEnd, cancelAccountSummary, reqAccountSummary } from "../messages/accounts.js";
import { groupAccounts } from "../portfolio/account-groups.js";
import { RequestTag, refuse } from "../portfolio/account-scope.js";
import { streamAccounts } from "../portfolio/account-stream.js";
import { parseSummaryTags, summaryRows } from "../portfolio/summary-tags.js";
import { TwsCode } from "../tws-codes.js";
import { onRequest, type RequestHandler } from "./registry.js";

const ACCOUNT_SUMMARY = "accountSummary";
/** TWS keeps at most two account summary subscriptions per client; a third is refused with 322. */
export const MAX_ACCOUNT_SUMMARIES = 2;

export const accountSummaryHandlers: readonly RequestHandler[] = [
  onRequest(reqAccountSummary, (session, request) => {
    const { reqId } = request;
    const { subscriptions } = session;
    if (!subscriptions.has(ACCOUNT_SUMMARY, reqId) && subscriptions.count(ACCOUNT_SUMMARY) >= MAX_ACCOUNT_SUMMARIES) {
      session.sendError(
        reqId,
        TwsCode.ERROR_PROCESSING_REQUEST,
        `Error processing request.-'${RequestTag.ACCOUNT_SUMMARY}' : cause - Maximum number of account summary requests exceeded`,
      );
      return;
    }
    const accounts = groupAccounts(session.sim, request.group);
    if (!accounts) {
      refuse(session, reqId, RequestTag.ACCOUNT_SUMMARY, `Unknown group ${JSON.stringify(request.group)}`);
      return;
    }
    const tags = parseSummaryTags(request.tags);
    const stop = streamAccounts(session, accounts, session.sim.accountStreams.accountSummaryMs, {
      rows: (valuation) => summaryRows(valuation, tags),
      sendRow: (account, row) => session.send(accountSummary, { reqId, account, tag: row.key, ...row }),
      afterPass: (initial) => {
        if (initial) session.send(accountSummaryEnd, { reqId });
      },
    });
    subscriptions.add(ACCOUNT_SUMMARY, reqId, stop);
  }),
  onRequest(cancelAccountSummary, (session, request) => {
    session.subscriptions.cancel(ACCOUNT_SUMMARY, request.reqId);
  }),
];
