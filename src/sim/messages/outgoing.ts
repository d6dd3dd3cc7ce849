import { int, str, version } from "../wire/fields.js";
import { defineMessage } from "../wire/layout.js";

/**
 * Simulator -> client messages, one layout per IN_MSG_ID of @stoqey/ib's decoder, in the order its decodeMsg_* reads
 * them. The decoder is the judge: a field it reads with readDouble must be `double` here (unset goes out as MAX),
 * one it reads with readDoubleOrUndefined must be `optDouble` (unset goes out as "").
 */

/** id -1 is a notice (IBApi emits `info`); otherwise the request or order id it answers. */
export const errMsg = defineMessage(4, "errMsg", [
  version(2),
  int("id"),
  int("code"),
  str("message"),
  // Parsed with JSON.parse by the client when non-empty: invalid JSON throws out of its socket handler.
  str("advancedOrderRejectJson"),
]);

export const nextValidId = defineMessage(9, "nextValidId", [version(), int("orderId")]);
export const managedAccounts = defineMessage(15, "managedAccounts", [version(), str("accountsList")]);
export const currentTime = defineMessage(49, "currentTime", [version(), int("time")]);
export const userInfo = defineMessage(107, "userInfo", [int("reqId"), str("whiteBrandingId")]);
