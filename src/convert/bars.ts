/**
 * Bars: historicalData / historicalDataUpdate rows, the "finished" end row, realtimeBar, and histogram entries.
 *
 * Bar.time stays IB's string (a date for daily bars, "yyyyMMdd HH:mm:ss zone" or epoch seconds otherwise): use
 * barTimeToTimestamp when an instant is wanted. IB writes -1 for volume, WAP and count where the bar type has none
 * (MIDPOINT, BID, ASK bars): absent. RealtimeBar.time is an instant (epoch seconds from IB).
 */

import { create } from "@bufbuild/protobuf";
import type { Timestamp } from "@bufbuild/protobuf/wkt";
import type { HistogramEntry as IbHistogramEntry } from "@stoqey/ib";
import {
  type Bar,
  BarSchema,
  type HistogramEntry,
  HistogramEntrySchema,
  type HistoricalDataEnd,
  HistoricalDataEndSchema,
} from "../../gen/ibrpc/v1/historical_data_pb.js";
import { type RealtimeBar, RealtimeBarSchema } from "../../gen/ibrpc/v1/market_data_pb.js";
import { decimalFromString, sizeToString } from "./decimal.js";
import { epochSecondsToTimestamp, type IbTimeOptions, ibTimeToTimestampOrUndefined } from "./time.js";
import { ibString, optionalDouble, optionalInt, optionalPrice, withoutUndefined } from "./unset.js";

/** One historicalData / historicalDataUpdate row by name (the typed events of src/gateway have this shape). */
export interface IbBarRow {
  readonly time: string;
  readonly open: number | undefined;
  readonly high: number | undefined;
  readonly low: number | undefined;
  readonly close: number | undefined;
  readonly volume: number | undefined;
  readonly count?: number | undefined;
  readonly WAP: number | undefined;
}

/** The prefix of the extra row IBApi emits after the last bar: "finished-<start>-<end>". */
const FINISHED = "finished";

/** True for IBApi's end-of-answer row (use it as the gather's `until`); it is not a bar. */
export function isHistoricalDataEnd(row: { readonly time: string }): boolean {
  return typeof row.time === "string" && row.time.startsWith(FINISHED);
}

/**
 * The end row's start and end strings. IBApi joins them with "-" ("finished-20250102 09:30:00-20250103 09:30:00"),
 * and IB's UTC form has dashes of its own ("20250102-14:30:00"), so the separator is the dash followed by the end's
 * "yyyyMMdd" (or epoch seconds): a UTC form's own dash is followed by "HH:".
 */
export function historicalDataEndFromIb(row: { readonly time: string }): HistoricalDataEnd {
  const rest = row.time.startsWith(`${FINISHED}-`) ? row.time.slice(FINISHED.length + 1) : "";
  const separator = /-(?=\d{8}(?:[ -]|$)|\d{9,}$)/.exec(rest.slice(1));
  if (!separator) return create(HistoricalDataEndSchema, { startDateStr: rest, endDateStr: "" });
  const at = separator.index + 1;
  return create(HistoricalDataEndSchema, { startDateStr: rest.slice(0, at), endDateStr: rest.slice(at + 1) });
}

export function barFromIb(row: IbBarRow): Bar {
  return create(BarSchema, {
    time: ibString(row.time),
    open: optionalDouble(row.open),
    high: optionalDouble(row.high),
    low: optionalDouble(row.low),
    close: optionalDouble(row.close),
    volume: sizeToString(row.volume),
    wap: sizeToString(row.WAP),
    count: optionalCount(row.count),
  });
}

export function barToIb(bar: Bar): IbBarRow {
  return withoutUndefined<IbBarRow>({
    time: bar.time,
    open: bar.open,
    high: bar.high,
    low: bar.low,
    close: bar.close,
    volume: decimalFromString(bar.volume),
    count: bar.count,
    WAP: decimalFromString(bar.wap),
  });
}

/** -1 is IB's "no count" for bar types without trades. */
function optionalCount(count: number | null | undefined): number | undefined {
  const value = optionalInt(count);
  return value === -1 ? undefined : value;
}

/**
 * A bar's time as an instant: epoch seconds (formatDate 2), "yyyyMMdd HH:mm:ss zone" (formatDate 1), or a date
 * (midnight in `defaultZone`, the instrument's or gateway's zone). Undefined when it reads as none of them.
 */
export function barTimeToTimestamp(time: string, options: IbTimeOptions = {}): Timestamp | undefined {
  return ibTimeToTimestampOrUndefined(time, options);
}

/** EWrapper.realtimeBar(reqId, time, open, high, low, close, volume, WAP, count), by name. */
export interface IbRealtimeBarEvent {
  readonly time: number;
  readonly open: number | undefined;
  readonly high: number | undefined;
  readonly low: number | undefined;
  readonly close: number | undefined;
  readonly volume: number | undefined;
  readonly WAP: number | undefined;
  readonly count: number | undefined;
}

export function realtimeBarFromIb(event: IbRealtimeBarEvent): RealtimeBar {
  return create(RealtimeBarSchema, {
    time: epochSecondsToTimestamp(event.time),
    open: optionalDouble(event.open),
    high: optionalDouble(event.high),
    low: optionalDouble(event.low),
    close: optionalDouble(event.close),
    volume: sizeToString(event.volume),
    wap: sizeToString(event.WAP),
    count: optionalCount(event.count),
  });
}

export function histogramEntryFromIb(entry: IbHistogramEntry): HistogramEntry {
  return create(HistogramEntrySchema, { price: optionalPrice(entry.price), size: sizeToString(entry.size) });
}

export function histogramEntriesFromIb(entries: readonly IbHistogramEntry[] | null | undefined): HistogramEntry[] {
  return (entries ?? []).map(histogramEntryFromIb);
}
