import { receiveFA, replaceFA, replaceFAEnd, requestFA } from "../messages/fa.js";
import { FaDataType, isFaDataType } from "../reference/fa.js";
import { referenceFeeds } from "../reference/feeds.js";
import { ReferenceCode, validationFailed } from "../reference/reference-codes.js";
import { ServerVersion } from "../server-version.js";
import { NO_REQUEST_ID } from "../tws-codes.js";
import { type ClientSession, onRequest, type RequestHandler } from "./registry.js";

/** The request tags TWS quotes in its 321 texts for requestFA and replaceFA. */
const REQUEST_FA_TAG = "bE";
const REPLACE_FA_TAG = "bF";

/** Why TWS would refuse an FA operation of `faDataType` on this login, if it would. */
function refusal(session: ClientSession, faDataType: number): string | undefined {
  // A login managing one account is not an advisor login.
  if (session.sim.accounts.length < 2) return "FA data operations ignored for non FA customers.";
  if (!isFaDataType(faDataType)) return "Non-existent FA data operation request.";
  if (faDataType === FaDataType.PROFILES && session.serverVersion >= ServerVersion.FA_PROFILE_DESUPPORT) {
    return "FA Profile is not supported anymore, use FA Group instead.";
  }
  return undefined;
}

export const faHandlers: readonly RequestHandler[] = [
  onRequest(requestFA, (session, request) => {
    const refused = refusal(session, request.faDataType);
    if (refused) {
      session.sendError(NO_REQUEST_ID, ReferenceCode.VALIDATION_FAILED, validationFailed(REQUEST_FA_TAG, refused));
      return;
    }
    const xml = referenceFeeds(session.sim).fa.document(request.faDataType);
    session.send(receiveFA, { faDataType: request.faDataType, xml });
  }),
  onRequest(replaceFA, (session, request) => {
    const reqId = request.reqId ?? NO_REQUEST_ID;
    const refused = refusal(session, request.faDataType);
    const outcome = refused
      ? { ok: false as const, reason: refused }
      : referenceFeeds(session.sim).fa.replace(request.faDataType, request.xml);
    if (!outcome.ok) {
      session.sendError(reqId, ReferenceCode.VALIDATION_FAILED, validationFailed(REPLACE_FA_TAG, outcome.reason));
      return;
    }
    session.send(replaceFAEnd, { reqId, text: "" });
  }),
];
