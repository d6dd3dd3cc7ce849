import { bool, decimal, double, group, int, str, tagValues, version, when } from "../wire/fields.js";
import { defineMessage } from "../wire/layout.js";
import { requestContractFields } from "./contract-fields.js";

/**
 * Historical data, both directions: bars (with keepUpToDate updates), head timestamp, histogram and historical ticks.
 * Requests other than reqHistoricalData send the contract through the client's encodeContract, which appends
 * includeExpired.
 */

const contractWithExpired = [...requestContractFields, bool("includeExpired")] as const;

// Client -> simulator.
export const reqHistoricalData = defineMessage(20, "reqHistoricalData", [
  int("reqId"),
  ...contractWithExpired,
  /** "", "yyyyMMdd HH:mm:ss[ zone]" or "yyyyMMdd-HH:mm:ss" (UTC). */
  str("endDateTime"),
  /** "5 mins", "1 hour", "1 day"... */
  str("barSizeSetting"),
  /** "1 D", "3600 S", "2 W"... */
  str("durationStr"),
  bool("useRTH"),
  str("whatToShow"),
  /** 1 readable dates, 2 epoch seconds. */
  int("formatDate"),
  when(
    (values) => String(values.secType).toUpperCase() === "BAG",
    [group("comboLegs", [int("conId"), int("ratio"), str("action"), str("exchange")])],
  ),
  bool("keepUpToDate").orAbsent(),
  tagValues("chartOptions"),
]);
export const cancelHistoricalData = defineMessage(25, "cancelHistoricalData", [version(), int("reqId")]);
export const reqHeadTimestamp = defineMessage(87, "reqHeadTimestamp", [
  int("reqId"),
  ...contractWithExpired,
  bool("useRTH"),
  str("whatToShow"),
  int("formatDate").orAbsent(),
]);
export const reqHistogramData = defineMessage(88, "reqHistogramData", [
  int("reqId"),
  ...contractWithExpired,
  bool("useRTH"),
  /** "3 days", "1 weeks"... */
  str("timePeriod"),
]);
export const cancelHistogramData = defineMessage(89, "cancelHistogramData", [int("reqId")]);
export const cancelHeadTimestamp = defineMessage(90, "cancelHeadTimestamp", [int("reqId")]);
export const reqHistoricalTicks = defineMessage(96, "reqHistoricalTicks", [
  int("reqId"),
  ...contractWithExpired,
  str("startDateTime"),
  str("endDateTime"),
  int("numberOfTicks"),
  /** TRADES, BID_ASK or MIDPOINT. */
  str("whatToShow"),
  bool("useRth"),
  bool("ignoreSize"),
  tagValues("miscOptions"),
]);

// Simulator -> client.
/** No version from SYNT_REALTIME_BARS (124); IBApi emits one event per bar, then one whose date starts "finished". */
export const historicalData = defineMessage(17, "historicalData", [
  int("reqId"),
  str("startDate"),
  str("endDate"),
  group("bars", [
    str("date"),
    double("open"),
    double("high"),
    double("low"),
    double("close"),
    decimal("volume"),
    decimal("wap"),
    int("count"),
  ]),
]);
/** keepUpToDate: the bar in progress. Note the order: close before high, wap before volume. */
export const historicalDataUpdate = defineMessage(90, "historicalDataUpdate", [
  int("reqId"),
  int("count"),
  str("date"),
  double("open"),
  double("close"),
  double("high"),
  double("low"),
  decimal("wap"),
  decimal("volume"),
]);
export const headTimestamp = defineMessage(88, "headTimestamp", [int("reqId"), str("headTimestamp")]);
export const histogramData = defineMessage(89, "histogramData", [
  int("reqId"),
  group("items", [double("price"), decimal("size")]),
]);
/** MIDPOINT ticks; `time` is epoch seconds, the second int is unused. */
export const historicalTicks = defineMessage(96, "historicalTicks", [
  int("reqId"),
  group("ticks", [int("time"), int("unused"), double("price"), decimal("size")]),
  bool("done"),
]);
export const historicalTicksBidAsk = defineMessage(97, "historicalTicksBidAsk", [
  int("reqId"),
  group("ticks", [
    int("time"),
    int("mask"),
    double("priceBid"),
    double("priceAsk"),
    decimal("sizeBid"),
    decimal("sizeAsk"),
  ]),
  bool("done"),
]);
export const historicalTicksLast = defineMessage(98, "historicalTicksLast", [
  int("reqId"),
  group("ticks", [
    int("time"),
    int("mask"),
    double("price"),
    decimal("size"),
    str("exchange"),
    str("specialConditions"),
  ]),
  bool("done"),
]);
