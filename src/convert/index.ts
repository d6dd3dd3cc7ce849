/**
 * IB <-> proto conversion: the only place that knows both vocabularies. Pure functions, no I/O.
 *
 * Naming: `xFromIb(ib)` builds the proto message from @stoqey/ib's object (or a callback's named arguments);
 * `xToIb(proto)` builds @stoqey/ib's object for an EClient call. Rules (docs/contracts.md): IB's unset sentinels
 * become absent, decimals are decimal strings, permIds int64, instants Timestamps, IB's vocabularies stay strings.
 */

export {
  accountDownloadEndFromIb,
  accountSummaryFromIb,
  accountUpdateMultiFromIb,
  familyCodeFromIb,
  familyCodesFromIb,
  type IbAccountSummaryEvent,
  type IbAccountUpdateMultiEvent,
  type IbAccountValueEvent,
  type IbPnLEvent,
  type IbPnLSingleEvent,
  type IbPortfolioEvent,
  type IbPositionEvent,
  type IbPositionMultiEvent,
  pnlFromIb,
  pnlSingleFromIb,
  positionFromIb,
  positionMultiFromIb,
  positionToIb,
  updateAccountTimeFromIb,
  updateAccountValueFromIb,
  updatePortfolioFromIb,
  updatePortfolioToIb,
} from "./account.js";
export {
  barFromIb,
  barTimeToTimestamp,
  barToIb,
  histogramEntriesFromIb,
  histogramEntryFromIb,
  historicalDataEndFromIb,
  type IbBarRow,
  type IbRealtimeBarEvent,
  isHistoricalDataEnd,
  realtimeBarFromIb,
} from "./bars.js";
export {
  comboLegFromIb,
  comboLegToIb,
  contractFromIb,
  contractToIb,
  deltaNeutralContractFromIb,
  deltaNeutralContractToIb,
  exemptCodeFromIb,
  multiplierFromIb,
} from "./contract.js";
export { contractDetailsFromIb, contractDetailsToIb, ineligibilityReasonFromIb } from "./contract-details.js";
export {
  contractDescriptionFromIb,
  type IbSecDefOptParamsEvent,
  priceIncrementFromIb,
  priceIncrementsFromIb,
  securityDefinitionOptionalParameterFromIb,
  smartComponentsFromIb,
  wshEventDataToIb,
} from "./contract-reference.js";
export {
  decimalFromString,
  decimalToString,
  int64FromIb,
  int64ToIb,
  isDecimalString,
  sizeToString,
} from "./decimal.js";
export { displayGroupIdsFromIb, displayGroupIdsToIb, isDisplayGroupContractInfo } from "./display-groups.js";
export {
  commissionReportFromIb,
  commissionReportToIb,
  execDetailsFromIb,
  executionFilterToIb,
  executionFromIb,
  executionToIb,
  type IbExecDetailsEvent,
} from "./execution.js";
export {
  depthMktDataDescriptionFromIb,
  type IbMktDepthEvent,
  type IbMktDepthL2Event,
  updateMktDepthFromIb,
  updateMktDepthL2FromIb,
} from "./market-depth.js";
export {
  historicalNewsFromIb,
  type IbHistoricalNewsEvent,
  type IbNewsBulletinEvent,
  newsProviderFromIb,
  newsProvidersFromIb,
  updateNewsBulletinFromIb,
} from "./news.js";
export {
  type OrderCancelFields,
  orderCancelToIb,
  orderComboLegFromIb,
  orderComboLegToIb,
  orderFromIb,
  orderToIb,
  softDollarTierFromIb,
  softDollarTierToIb,
} from "./order.js";
export {
  conjunctionFromIb,
  conjunctionToIb,
  orderConditionFromIb,
  orderConditionsFromIb,
  orderConditionsToIb,
  orderConditionToIb,
  UnknownOrderConditionError,
} from "./order-condition.js";
export {
  completedOrderFromIb,
  type IbCompletedOrderEvent,
  type IbOpenOrderEvent,
  type IbOrderStatusEvent,
  openOrderFromIb,
  orderStateFromIb,
  orderStateToIb,
  orderStatusFromIb,
} from "./order-state.js";
export {
  type IbScannerDataEvent,
  scannerDataFromIb,
  scannerSubscriptionFromIb,
  scannerSubscriptionToIb,
} from "./scanner.js";
export { tagValueFromIb, tagValuesFromIb, tagValuesToIb, tagValueToIb } from "./tag-value.js";
export {
  historicalTickBidAskFromIb,
  historicalTickFromIb,
  historicalTickLastFromIb,
  type IbTickByTickAllLastEvent,
  type IbTickByTickBidAskEvent,
  type IbTickEfpEvent,
  type IbTickOptionComputationEvent,
  type IbTickPriceEvent,
  type IbTickSizeEvent,
  marketDataTypeFromIb,
  tickAttribBidAskFromIb,
  tickAttribFromIb,
  tickAttribLastFromIb,
  tickByTickAllLastFromIb,
  tickByTickBidAskFromIb,
  tickByTickMidPointFromIb,
  tickEfpFromIb,
  tickGenericFromIb,
  tickNewsFromIb,
  tickOptionComputationFromIb,
  tickPriceFromIb,
  tickReqParamsFromIb,
  tickSizeFromIb,
  tickStringFromIb,
} from "./ticks.js";
export {
  epochSecondsToTimestamp,
  IbTimeFormatError,
  type IbTimeOptions,
  type Instant,
  ibTimeToTimestamp,
  ibTimeToTimestampOrUndefined,
  instantToTimestamp,
  isKnownZone,
  type LocalDateTime,
  localToEpochMs,
  parseIbTime,
  timestampFromEpochMs,
  timestampToEpochSeconds,
  timestampToIbUtc,
  timestampToIbZoned,
  zoneFromConnectionTime,
  zoneOffsetMs,
} from "./time.js";
export {
  ibBool,
  ibString,
  isUnsetDouble,
  isUnsetText,
  optionalDouble,
  optionalId,
  optionalInt,
  optionalNonZero,
  optionalPrice,
  stringOrUndefined,
  UNSET_DOUBLE,
  UNSET_INTEGER,
  UNSET_LONG,
  withoutUndefined,
} from "./unset.js";
