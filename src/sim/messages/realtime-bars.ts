import { bool, decimal, double, int, str, tagValues, version } from "../wire/fields.js";
import { defineMessage } from "../wire/layout.js";
import { requestContractFields } from "./contract-fields.js";

/** 5-second real-time bars, both directions. */

export const reqRealTimeBars = defineMessage(50, "reqRealTimeBars", [
  version(3),
  int("reqId"),
  ...requestContractFields,
  /** Always 5: TWS serves nothing else. */
  int("barSize"),
  str("whatToShow"),
  bool("useRTH"),
  tagValues("options"),
]);
export const cancelRealTimeBars = defineMessage(51, "cancelRealTimeBars", [version(), int("reqId")]);

/** `time` is the bar's start in epoch seconds. */
export const realtimeBar = defineMessage(50, "realtimeBar", [
  version(),
  int("reqId"),
  int("time"),
  double("open"),
  double("high"),
  double("low"),
  double("close"),
  decimal("volume"),
  decimal("wap"),
  int("count"),
]);
