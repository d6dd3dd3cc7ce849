import { int, str, version } from "../wire/fields.js";
import { defineMessage } from "../wire/layout.js";

/**
 * Client -> simulator requests, one layout per OUT_MSG_ID of @stoqey/ib's encoder. Field names follow the encoder's
 * parameter names so a handler reads `request.reqId`, `request.numIds`...
 */

/** Sent once right after the handshake, outside the client's rate limiter. */
export const startApi = defineMessage(71, "startApi", [
  version(2),
  int("clientId"),
  str("optionalCapabilities").orAbsent(),
]);

export const reqIds = defineMessage(8, "reqIds", [version(), int("numIds")]);
export const reqManagedAccts = defineMessage(17, "reqManagedAccts", [version()]);
export const reqCurrentTime = defineMessage(49, "reqCurrentTime", [version()]);
export const reqUserInfo = defineMessage(104, "reqUserInfo", [int("reqId")]);
