import { int, str, version } from "../wire/fields.js";
import { defineMessage } from "../wire/layout.js";

/** Financial-advisor configuration (groups, profiles before v177, account aliases), both directions. */

/** From this version replaceFA carries a reqId and is answered with replaceFAEnd. */
const REPLACE_FA_END = 157;

// Client -> simulator.
export const requestFA = defineMessage(18, "requestFA", [version(), int("faDataType")]);
export const replaceFA = defineMessage(19, "replaceFA", [
  version(),
  int("faDataType"),
  str("xml"),
  int("reqId").since(REPLACE_FA_END),
]);

// Simulator -> client.
export const receiveFA = defineMessage(16, "receiveFA", [version(), int("faDataType"), str("xml")]);
export const replaceFAEnd = defineMessage(103, "replaceFAEnd", [int("reqId"), str("text")]);
