import { bool, int, optInt, str } from "../wire/fields.js";
import { defineMessage } from "../wire/layout.js";

/** Wall Street Horizon corporate-event calendar (JSON payloads), both directions. */

const WSH_EVENT_DATA_FILTERS = 171;
const WSH_EVENT_DATA_FILTERS_DATE = 173;

// Client -> simulator.
export const reqWshMetaData = defineMessage(100, "reqWshMetaData", [int("reqId")]);
export const cancelWshMetaData = defineMessage(101, "cancelWshMetaData", [int("reqId")]);
export const reqWshEventData = defineMessage(102, "reqWshEventData", [
  int("reqId"),
  /** Unset ("") when the request selects by filter instead. */
  optInt("conId"),
  /** JSON, e.g. {"watchlist":["8314"],"wshe_ed":"true"}. */
  str("filter").since(WSH_EVENT_DATA_FILTERS),
  bool("fillWatchlist").since(WSH_EVENT_DATA_FILTERS),
  bool("fillPortfolio").since(WSH_EVENT_DATA_FILTERS),
  bool("fillCompetitors").since(WSH_EVENT_DATA_FILTERS),
  /** yyyyMMdd or "". */
  str("startDate").since(WSH_EVENT_DATA_FILTERS_DATE),
  str("endDate").since(WSH_EVENT_DATA_FILTERS_DATE),
  /** 0 or unset: no limit beyond TWS's own. */
  optInt("totalLimit").since(WSH_EVENT_DATA_FILTERS_DATE),
]);
export const cancelWshEventData = defineMessage(103, "cancelWshEventData", [int("reqId")]);

// Simulator -> client.
export const wshMetaData = defineMessage(104, "wshMetaData", [int("reqId"), str("dataJson")]);
export const wshEventData = defineMessage(105, "wshEventData", [int("reqId"), str("dataJson")]);
