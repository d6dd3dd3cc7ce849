import { cancelPnL, cancelPnLSingle, pnl, pnlSingle, reqPnL, reqPnLSingle } from "../messages/accounts.js";
import { RequestTag, refuse, resolveAccounts } from "../portfolio/account-scope.js";
import { ChangeFilter } from "../portfolio/change-filter.js";
import { cents, quantity } from "../portfolio/format.js";
import { TwsCode } from "../tws-codes.js";
import type { MessageLayout, MessageValues } from "../wire/layout.js";
import { NO_SECURITY_DEFINITION } from "../world/index.js";
import { type ClientSession, onRequest, type RequestHandler } from "./registry.js";

const PNL = "pnl";
const PNL_SINGLE = "pnlSingle";

/**
 * Sends `compute()` now and then every pnlMs of simulator time whenever it changed, until the subscription is
 * cancelled (TWS pushes PnL about once a second while it moves).
 */
function streamPnl<L extends MessageLayout>(
  session: ClientSession,
  kind: string,
  reqId: number,
  layout: L,
  compute: () => MessageValues<L>,
): void {
  const sent = new ChangeFilter();
  const refresh = () => {
    const values = compute();
    if (sent.changed("", JSON.stringify(values))) session.send(layout, values);
  };
  refresh();
  session.subscriptions.add(kind, reqId, session.sim.clock.every(session.sim.accountStreams.pnlMs, refresh));
}

/**
 * Account PnL in the base currency: today's move on the positions, their unrealized and realized PnL, equal to the
 * sums over the account's pnlSingle streams.
 */
function accountPnl(session: ClientSession, reqId: number, account: string) {
  const valuation = session.sim.world.ledger.value(account, session.sim.clock.now());
  return {
    reqId,
    dailyPnL: cents(valuation.dailyPnl),
    unrealizedPnL: cents(valuation.unrealizedPnl),
    realizedPnL: cents(valuation.realizedPnl),
  };
}

/** One position's PnL and value, converted to the account's base currency; zeros while the account holds none. */
function positionPnl(session: ClientSession, reqId: number, account: string, conId: number) {
  const { clock, world } = session.sim;
  const held = world.ledger.account(account).positions.get(conId);
  if (!held) return { reqId, position: "0", dailyPnL: 0, unrealizedPnL: 0, realizedPnL: 0, value: 0 };
  const at = clock.now();
  const valued = world.ledger.valuePosition(held, at);
  const toBase = (amount: number) =>
    cents(
      world.market.convert(amount, valued.instrument.contract.currency, world.ledger.account(account).baseCurrency, at),
    );
  return {
    reqId,
    position: quantity(held.quantity),
    dailyPnL: toBase(valued.dailyPnl),
    unrealizedPnL: toBase(valued.unrealizedPnl),
    realizedPnL: toBase(valued.realizedPnl),
    value: toBase(valued.marketValue),
  };
}

export const accountPnlHandlers: readonly RequestHandler[] = [
  onRequest(reqPnL, (session, request) => {
    const { reqId } = request;
    const scope = resolveAccounts(session.sim.accounts, request.account, request.modelCode, "first");
    if (!scope.ok) {
      refuse(session, reqId, RequestTag.PNL, scope.reason);
      return;
    }
    const [account = ""] = scope.accounts;
    streamPnl(session, PNL, reqId, pnl, () => accountPnl(session, reqId, account));
  }),
  onRequest(cancelPnL, (session, request) => {
    session.subscriptions.cancel(PNL, request.reqId);
  }),
  onRequest(reqPnLSingle, (session, request) => {
    const { reqId, conId } = request;
    const scope = resolveAccounts(session.sim.accounts, request.account, request.modelCode, "first");
    if (!scope.ok) {
      refuse(session, reqId, RequestTag.PNL_SINGLE, scope.reason);
      return;
    }
    if (!session.sim.world.catalog.byId(conId)) {
      session.sendError(reqId, TwsCode.NO_SECURITY_DEFINITION, NO_SECURITY_DEFINITION);
      return;
    }
    const [account = ""] = scope.accounts;
    streamPnl(session, PNL_SINGLE, reqId, pnlSingle, () => positionPnl(session, reqId, account, conId));
  }),
  onRequest(cancelPnLSingle, (session, request) => {
    session.subscriptions.cancel(PNL_SINGLE, request.reqId);
  }),
];
