import { CONNECTIVITY_LOST_MESSAGE } from "../control/control.js";
import { reqCurrentTime, reqIds, reqManagedAccts, reqUserInfo } from "../messages/incoming.js";
import { currentTime, errMsg, managedAccounts, nextValidId, userInfo } from "../messages/outgoing.js";
import { NO_REQUEST_ID, TwsCode } from "../tws-codes.js";
import { type ClientSession, onRequest, type RequestHandler } from "./registry.js";

function sendManagedAccounts(session: ClientSession): void {
  session.send(managedAccounts, { accountsList: session.sim.accounts.join(",") });
}

function sendNextValidId(session: ClientSession): void {
  session.send(nextValidId, { orderId: session.sim.orderIds.peek(session.clientId) });
}

const FARM_NOTICES = [
  [TwsCode.MARKET_DATA_FARM_OK, "Market data farm connection is OK:usfarm"],
  [TwsCode.HMDS_FARM_OK, "HMDS data farm connection is OK:ushmds"],
  [TwsCode.SEC_DEF_FARM_OK, "Sec-def data farm connection is OK:secdefnj"],
] as const;

/**
 * What TWS sends once startApi is accepted. IBApi holds back every request until nextValidId arrives. During an
 * outage of IB's link (1100 sent, no 1101 / 1102 yet) a client that connects is told so instead of "farm OK".
 */
export function welcome(session: ClientSession): void {
  sendManagedAccounts(session);
  sendNextValidId(session);
  const notices = session.sim.ibConnectivityLost()
    ? [[TwsCode.CONNECTIVITY_LOST, CONNECTIVITY_LOST_MESSAGE] as const]
    : FARM_NOTICES;
  for (const [code, message] of notices) {
    session.send(errMsg, { id: NO_REQUEST_ID, code, message, advancedOrderRejectJson: "" });
  }
}

export const connectionHandlers: readonly RequestHandler[] = [
  onRequest(reqCurrentTime, (session) => {
    session.send(currentTime, { time: Math.floor(session.sim.clock.now() / 1000) });
  }),
  onRequest(reqIds, sendNextValidId),
  onRequest(reqManagedAccts, sendManagedAccounts),
  onRequest(reqUserInfo, (session, request) => {
    session.send(userInfo, { reqId: request.reqId, whiteBrandingId: "" });
  }),
];
