import {
  accountDownloadEnd,
  accountUpdateMulti,
  accountUpdateMultiEnd,
  cancelAccountUpdatesMulti,
  reqAccountUpdates,
  reqAccountUpdatesMulti,
  updateAccountTime,
  updateAccountValue,
  updatePortfolio,
} from "../messages/accounts.js";
import { accountUpdateRows, ledgerAndNlvRows } from "../portfolio/account-rows.js";
import { RequestTag, refuse, resolveAccounts } from "../portfolio/account-scope.js";
import { streamAccounts } from "../portfolio/account-stream.js";
import { accountTime, cents, quantity } from "../portfolio/format.js";
import { heldContract } from "../portfolio/held-contract.js";
import { NO_REQUEST_ID } from "../tws-codes.js";
import type { PositionValuation } from "../world/index.js";
import { type ClientSession, onRequest, type RequestHandler } from "./registry.js";

/** TWS serves one reqAccountUpdates account per client: the registry key is constant, so a new one replaces it. */
const ACCOUNT_UPDATES = "accountUpdates";
const THE_SUBSCRIPTION = 0;
const ACCOUNT_UPDATES_MULTI = "accountUpdatesMulti";

function sendPortfolioRow(session: ClientSession, account: string, holding: PositionValuation): void {
  session.send(updatePortfolio, {
    ...heldContract(holding.instrument),
    position: quantity(holding.position.quantity),
    marketPrice: holding.marketPrice,
    marketValue: cents(holding.marketValue),
    averageCost: holding.averageCost,
    unrealizedPNL: cents(holding.unrealizedPnl),
    realizedPNL: cents(holding.realizedPnl),
    accountName: account,
  });
}

/** Values, portfolio, time, then accountDownloadEnd once; afterwards changed rows and the time of each refresh. */
function subscribeAccountUpdates(session: ClientSession, accounts: readonly string[]): void {
  const stop = streamAccounts(session, accounts, session.sim.accountStreams.accountUpdatesMs, {
    rows: accountUpdateRows,
    sendRow: (accountName, row) => session.send(updateAccountValue, { ...row, accountName }),
    sendHolding: (accountName, holding) => sendPortfolioRow(session, accountName, holding),
    afterPass: (initial, at) => {
      session.send(updateAccountTime, { timeStamp: accountTime(at) });
      if (initial) for (const accountName of accounts) session.send(accountDownloadEnd, { accountName });
    },
  });
  session.subscriptions.add(ACCOUNT_UPDATES, THE_SUBSCRIPTION, stop);
}

export const accountUpdateHandlers: readonly RequestHandler[] = [
  onRequest(reqAccountUpdates, (session, request) => {
    if (!request.subscribe) {
      session.subscriptions.cancel(ACCOUNT_UPDATES, THE_SUBSCRIPTION);
      return;
    }
    const scope = resolveAccounts(session.sim.accounts, request.acctCode, "", "first");
    if (!scope.ok) {
      refuse(session, NO_REQUEST_ID, RequestTag.ACCOUNT_UPDATES, scope.reason);
      return;
    }
    subscribeAccountUpdates(session, scope.accounts);
  }),
  onRequest(reqAccountUpdatesMulti, (session, request) => {
    const { reqId, modelCode } = request;
    const scope = resolveAccounts(session.sim.accounts, request.account, modelCode, "first");
    if (!scope.ok) {
      refuse(session, reqId, RequestTag.ACCOUNT_UPDATES_MULTI, scope.reason);
      return;
    }
    const stop = streamAccounts(session, scope.accounts, session.sim.accountStreams.accountUpdatesMs, {
      rows: request.ledgerAndNLV ? ledgerAndNlvRows : accountUpdateRows,
      sendRow: (account, row) => session.send(accountUpdateMulti, { reqId, account, modelCode, ...row }),
      afterPass: (initial) => {
        if (initial) session.send(accountUpdateMultiEnd, { reqId });
      },
    });
    session.subscriptions.add(ACCOUNT_UPDATES_MULTI, reqId, stop);
  }),
  onRequest(cancelAccountUpdatesMulti, (session, request) => {
    session.subscriptions.cancel(ACCOUNT_UPDATES_MULTI, request.reqId);
  }),
];
