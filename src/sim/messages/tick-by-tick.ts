import { bool, decimal, double, int, str, when } from "../wire/fields.js";
import { defineMessage } from "../wire/layout.js";
import { requestContractFields } from "./contract-fields.js";

/** Tick-by-tick data, both directions. */

export const reqTickByTickData = defineMessage(97, "reqTickByTickData", [
  int("reqId"),
  ...requestContractFields,
  /** "Last", "AllLast", "BidAsk" or "MidPoint". */
  str("tickType"),
  int("numberOfTicks").orAbsent(),
  bool("ignoreSize").orAbsent(),
]);
export const cancelTickByTickData = defineMessage(98, "cancelTickByTickData", [int("reqId")]);

/** The wire codes of tickByTick's tickType: what follows `time` depends on it. */
export const TickByTickKind = { LAST: 1, ALL_LAST: 2, BID_ASK: 3, MID_POINT: 4 } as const;

const isTrade = (values: Readonly<Record<string, unknown>>) =>
  values.tickType === TickByTickKind.LAST || values.tickType === TickByTickKind.ALL_LAST;

/** `time` is epoch seconds. Masks: Last bit 0 pastLimit, 1 unreported; BidAsk bit 0 bidPastLow, 1 askPastHigh. */
export const tickByTick = defineMessage(99, "tickByTick", [
  int("reqId"),
  int("tickType"),
  str("time"),
  when(isTrade, [double("price"), decimal("size"), int("mask"), str("exchange"), str("specialConditions")]),
  when(
    (values) => values.tickType === TickByTickKind.BID_ASK,
    [double("bidPrice"), double("askPrice"), decimal("bidSize"), decimal("askSize"), int("bidAskMask")],
  ),
  when((values) => values.tickType === TickByTickKind.MID_POINT, [double("midPoint")]),
]);
