import {
  cancelPositions,
  cancelPositionsMulti,
  position,
  positionEnd,
  positionMulti,
  positionMultiEnd,
  reqPositions,
  reqPositionsMulti,
} from "../messages/accounts.js";
import { RequestTag, refuse, resolveAccounts } from "../portfolio/account-scope.js";
import { quantity } from "../portfolio/format.js";
import { heldContract } from "../portfolio/held-contract.js";
import type { Position } from "../world/index.js";
import { type ClientSession, onRequest, type RequestHandler } from "./registry.js";

const POSITIONS = "positions";
/** One reqPositions stream per client (it has no request id). */
const THE_SUBSCRIPTION = 0;
const POSITIONS_MULTI = "positionsMulti";

/** The columns position-style messages share for one holding; avgCost includes the multiplier, as TWS reports it. */
function positionColumns(session: ClientSession, held: Position) {
  const { catalog, ledger } = session.sim.world;
  const valued = ledger.valuePosition(held, session.sim.clock.now());
  return {
    account: held.account,
    ...heldContract(catalog.get(held.conId)),
    position: quantity(held.quantity),
    avgCost: valued.averageCost,
  };
}

/**
 * Every position of `accounts` (closed-today ones at 0, as TWS keeps them), then `end`; afterwards the position a
 * fill changed, at once, until cancelled. Cash-only moves change no position and send nothing.
 */
function streamPositions(
  session: ClientSession,
  accounts: readonly string[],
  send: (held: Position) => void,
  end: () => void,
): () => void {
  const { ledger } = session.sim.world;
  for (const account of accounts) for (const held of ledger.positions(account)) send(held);
  end();
  return ledger.onChange((change) => {
    if (change.conId === undefined || !accounts.includes(change.account)) return;
    const held = ledger.account(change.account).positions.get(change.conId);
    if (held) send(held);
  });
}

export const positionHandlers: readonly RequestHandler[] = [
  onRequest(reqPositions, (session) => {
    const stop = streamPositions(
      session,
      session.sim.accounts,
      (held) => session.send(position, positionColumns(session, held)),
      () => session.send(positionEnd, {}),
    );
    session.subscriptions.add(POSITIONS, THE_SUBSCRIPTION, stop);
  }),
  onRequest(cancelPositions, (session) => {
    session.subscriptions.cancel(POSITIONS, THE_SUBSCRIPTION);
  }),
  onRequest(reqPositionsMulti, (session, request) => {
    const { reqId, modelCode } = request;
    const scope = resolveAccounts(session.sim.accounts, request.account, modelCode, "all");
    if (!scope.ok) {
      refuse(session, reqId, RequestTag.POSITIONS_MULTI, scope.reason);
      return;
    }
    const stop = streamPositions(
      session,
      scope.accounts,
      (held) => session.send(positionMulti, { reqId, modelCode, ...positionColumns(session, held) }),
      () => session.send(positionMultiEnd, { reqId }),
    );
    session.subscriptions.add(POSITIONS_MULTI, reqId, stop);
  }),
  onRequest(cancelPositionsMulti, (session, request) => {
    session.subscriptions.cancel(POSITIONS_MULTI, request.reqId);
  }),
];
