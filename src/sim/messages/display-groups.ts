import { int, str, version } from "../wire/fields.js";
import { defineMessage } from "../wire/layout.js";

/** TWS display groups (linked windows), both directions. */

// Client -> simulator.
export const queryDisplayGroups = defineMessage(67, "queryDisplayGroups", [version(), int("reqId")]);
export const subscribeToGroupEvents = defineMessage(68, "subscribeToGroupEvents", [
  version(),
  int("reqId"),
  int("groupId"),
]);
/** reqId is that of the client's subscribeToGroupEvents; contractInfo "conId@exchange", "none" or "combo". */
export const updateDisplayGroup = defineMessage(69, "updateDisplayGroup", [
  version(),
  int("reqId"),
  str("contractInfo"),
]);
export const unsubscribeFromGroupEvents = defineMessage(70, "unsubscribeFromGroupEvents", [version(), int("reqId")]);

// Simulator -> client.
/** groups: "1|2|3|4|5|6|7". */
export const displayGroupList = defineMessage(67, "displayGroupList", [version(), int("reqId"), str("groups")]);
export const displayGroupUpdated = defineMessage(68, "displayGroupUpdated", [
  version(),
  int("reqId"),
  str("contractInfo"),
]);
