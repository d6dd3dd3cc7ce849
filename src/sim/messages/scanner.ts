import { bool, group, int, optDouble, optInt, str, tagValues, version } from "../wire/fields.js";
import { defineMessage } from "../wire/layout.js";
import { contractIdentity } from "./contract-fields.js";

/** Market scanners: parameters XML, subscriptions and their ranked rows, both directions. */

/** Below this version the request starts with a version token; from it, the generic filter options are sent. */
const SCANNER_GENERIC_OPTS = 143;

// Client -> simulator. @stoqey/ib writes MAX numbers as "" (nullifyMax) and the scan code as its enum name.
export const reqScannerParameters = defineMessage(24, "reqScannerParameters", [version()]);
export const reqScannerSubscription = defineMessage(22, "reqScannerSubscription", [
  version(4).until(SCANNER_GENERIC_OPTS),
  int("reqId"),
  optInt("numberOfRows"),
  str("instrument"),
  str("locationCode"),
  str("scanCode"),
  optDouble("abovePrice"),
  optDouble("belowPrice"),
  optInt("aboveVolume"),
  optDouble("marketCapAbove"),
  optDouble("marketCapBelow"),
  str("moodyRatingAbove"),
  str("moodyRatingBelow"),
  str("spRatingAbove"),
  str("spRatingBelow"),
  str("maturityDateAbove"),
  str("maturityDateBelow"),
  optDouble("couponRateAbove"),
  optDouble("couponRateBelow"),
  /** IBApi sends "" when unset, which reads as false. */
  bool("excludeConvertible"),
  optInt("averageOptionVolumeAbove"),
  str("scannerSettingPairs"),
  str("stockTypeFilter"),
  /** "tag=value;" pairs (priceAbove, marketCapAbove1e6...). */
  str("filterOptions").since(SCANNER_GENERIC_OPTS).orAbsent(),
  tagValues("subscriptionOptions"),
]);
export const cancelScannerSubscription = defineMessage(23, "cancelScannerSubscription", [version(), int("reqId")]);

// Simulator -> client.
export const scannerParameters = defineMessage(19, "scannerParameters", [version(), str("xml")]);
/** Version 3 carries conIds; the client emits one scannerData per row and then scannerDataEnd. */
export const scannerData = defineMessage(20, "scannerData", [
  version(3),
  int("reqId"),
  group("rows", [
    int("rank"),
    ...contractIdentity,
    str("exchange"),
    str("currency"),
    str("localSymbol"),
    str("marketName"),
    str("tradingClass"),
    str("distance"),
    str("benchmark"),
    str("projection"),
    str("legsStr"),
  ]),
]);
