/** Market scanner: ScannerSubscription toward IB, scannerData rows from IB. */

import { create } from "@bufbuild/protobuf";
import {
  type ContractDetails as IbContractDetails,
  ScanCode as IbScanCode,
  type ScannerSubscription as IbScannerSubscription,
} from "@stoqey/ib";
import {
  type ScannerData,
  ScannerDataSchema,
  type ScannerSubscription,
  ScannerSubscriptionSchema,
} from "../../gen/ibrpc/v1/scanner_pb.js";
import { contractDetailsFromIb } from "./contract-details.js";
import { ibBool, ibString, optionalDouble, optionalInt, stringOrUndefined, withoutUndefined } from "./unset.js";

type ScanCode = IbScannerSubscription["scanCode"];
type Instrument = NonNullable<IbScannerSubscription["instrument"]>;
type LocationCode = NonNullable<IbScannerSubscription["locationCode"]>;

/** The request's subscription as @stoqey/ib's; absent filters stay undefined (IB's "no filter"). */
export function scannerSubscriptionToIb(subscription: ScannerSubscription): IbScannerSubscription {
  const s = stringOrUndefined;
  return withoutUndefined<IbScannerSubscription>({
    numberOfRows: subscription.numberOfRows,
    instrument: s(subscription.instrument) as Instrument | undefined,
    locationCode: s(subscription.locationCode) as LocationCode | undefined,
    // @stoqey/ib writes ScanCode[scanCode]: it wants the enum's number ("MOST_ACTIVE" -> 2), not IB's name.
    scanCode: (IbScanCode as unknown as Record<string, number>)[subscription.scanCode] as unknown as ScanCode,
    abovePrice: subscription.abovePrice,
    belowPrice: subscription.belowPrice,
    aboveVolume: subscription.aboveVolume,
    averageOptionVolumeAbove: subscription.averageOptionVolumeAbove,
    marketCapAbove: subscription.marketCapAbove,
    marketCapBelow: subscription.marketCapBelow,
    moodyRatingAbove: s(subscription.moodyRatingAbove),
    moodyRatingBelow: s(subscription.moodyRatingBelow),
    spRatingAbove: s(subscription.spRatingAbove),
    spRatingBelow: s(subscription.spRatingBelow),
    maturityDateAbove: s(subscription.maturityDateAbove),
    maturityDateBelow: s(subscription.maturityDateBelow),
    couponRateAbove: subscription.couponRateAbove,
    couponRateBelow: subscription.couponRateBelow,
    excludeConvertible: subscription.excludeConvertible || undefined,
    scannerSettingPairs: s(subscription.scannerSettingPairs),
    stockTypeFilter: s(subscription.stockTypeFilter),
  });
}

/** @stoqey/ib's subscription as the proto (echoing a request back, tests). */
export function scannerSubscriptionFromIb(subscription: IbScannerSubscription): ScannerSubscription {
  return create(ScannerSubscriptionSchema, {
    numberOfRows: optionalInt(subscription.numberOfRows),
    instrument: ibString(subscription.instrument),
    locationCode: ibString(subscription.locationCode),
    scanCode:
      typeof subscription.scanCode === "number"
        ? ((IbScanCode as unknown as Record<number, string>)[subscription.scanCode] ?? "")
        : ibString(subscription.scanCode),
    abovePrice: optionalDouble(subscription.abovePrice),
    belowPrice: optionalDouble(subscription.belowPrice),
    aboveVolume: optionalInt(subscription.aboveVolume),
    averageOptionVolumeAbove: optionalInt(subscription.averageOptionVolumeAbove),
    marketCapAbove: optionalDouble(subscription.marketCapAbove),
    marketCapBelow: optionalDouble(subscription.marketCapBelow),
    moodyRatingAbove: ibString(subscription.moodyRatingAbove),
    moodyRatingBelow: ibString(subscription.moodyRatingBelow),
    spRatingAbove: ibString(subscription.spRatingAbove),
    spRatingBelow: ibString(subscription.spRatingBelow),
    maturityDateAbove: ibString(subscription.maturityDateAbove),
    maturityDateBelow: ibString(subscription.maturityDateBelow),
    couponRateAbove: optionalDouble(subscription.couponRateAbove),
    couponRateBelow: optionalDouble(subscription.couponRateBelow),
    excludeConvertible: ibBool(subscription.excludeConvertible),
    scannerSettingPairs: ibString(subscription.scannerSettingPairs),
    stockTypeFilter: ibString(subscription.stockTypeFilter),
  });
}

/** EWrapper.scannerData(reqId, rank, contractDetails, distance, benchmark, projection, legsStr), by name. */
export interface IbScannerDataEvent {
  readonly rank: number;
  readonly contractDetails: IbContractDetails;
  readonly distance: string;
  readonly benchmark: string;
  readonly projection: string;
  readonly legsStr?: string | undefined;
}

export function scannerDataFromIb(event: IbScannerDataEvent): ScannerData {
  return create(ScannerDataSchema, {
    rank: optionalInt(event.rank),
    contractDetails: contractDetailsFromIb(event.contractDetails),
    distance: ibString(event.distance),
    benchmark: ibString(event.benchmark),
    projection: ibString(event.projection),
    legsStr: ibString(event.legsStr),
  });
}
