/**
 * com.ib.client.Order (placeOrder, openOrder, completedOrder) both ways, with its TagValue lists, per-leg prices,
 * conditions and soft dollar tier.
 *
 * From IB: @stoqey/ib's openOrder decoder leaves some unset numbers as IB's defaults rather than undefined
 * (readInt gives 0 for an empty token). Where IB's 0 means "none" (ids, ocaType, auctionStrategy, volatilityType,
 * referencePriceType, duration, the reference contract ids) it becomes absent; where 0 is a value (origin 0
 * customer, shortSaleSlot 0 retail, triggerMethod 0 default, a 0 price) it is kept. exemptCode -1 is "none".
 * Toward IB: absent stays undefined, so @stoqey/ib's encoder sends IB's "unset" for it.
 */

import { create } from "@bufbuild/protobuf";
import type {
  Order as IbOrder,
  OrderCancel as IbOrderCancel,
  OrderComboLeg as IbOrderComboLeg,
  SoftDollarTier as IbSoftDollarTier,
  OrderAction,
  OrderType,
  TimeInForce,
} from "@stoqey/ib";
import {
  type Order,
  type OrderComboLeg,
  OrderComboLegSchema,
  OrderSchema,
  type SoftDollarTier,
  SoftDollarTierSchema,
} from "../../gen/ibrpc/v1/order_pb.js";
import { exemptCodeFromIb } from "./contract.js";
import { decimalFromString, decimalToString, int64FromIb, int64ToIb } from "./decimal.js";
import { orderConditionsFromIb, orderConditionsToIb } from "./order-condition.js";
import { tagValuesFromIb, tagValuesToIb } from "./tag-value.js";
import {
  ibBool,
  ibString,
  optionalDouble,
  optionalId,
  optionalInt,
  optionalNonZero,
  stringOrUndefined,
  withoutUndefined,
} from "./unset.js";

export function orderFromIb(order: IbOrder): Order {
  const d = optionalDouble;
  const i = optionalInt;
  const s = ibString;
  const b = ibBool;
  return create(OrderSchema, {
    orderId: optionalId(order.orderId),
    clientId: i(order.clientId),
    permId: int64FromIb(order.permId),
    action: s(order.action),
    totalQuantity: decimalToString(order.totalQuantity),
    orderType: s(order.orderType),
    lmtPrice: d(order.lmtPrice),
    auxPrice: d(order.auxPrice),
    tif: s(order.tif),
    cashQty: d(order.cashQty),
    outsideRth: b(order.outsideRth),
    goodAfterTime: s(order.goodAfterTime),
    goodTillDate: s(order.goodTillDate),
    parentId: optionalId(order.parentId),
    ocaGroup: s(order.ocaGroup),
    ocaType: optionalNonZero(order.ocaType),
    transmit: order.transmit,
    account: s(order.account),
    orderRef: s(order.orderRef),
    blockOrder: b(order.blockOrder),
    sweepToFill: b(order.sweepToFill),
    displaySize: i(order.displaySize),
    triggerMethod: i(order.triggerMethod),
    hidden: b(order.hidden),
    overridePercentageConstraints: b(order.overridePercentageConstraints),
    rule80a: s(order.rule80A),
    allOrNone: b(order.allOrNone),
    minQty: i(order.minQty),
    percentOffset: d(order.percentOffset),
    trailStopPrice: d(order.trailStopPrice),
    trailingPercent: d(order.trailingPercent),
    faGroup: s(order.faGroup),
    faMethod: s(order.faMethod),
    faPercentage: s(order.faPercentage),
    modelCode: s(order.modelCode),
    openClose: s(order.openClose),
    origin: i(order.origin),
    shortSaleSlot: i(order.shortSaleSlot),
    designatedLocation: s(order.designatedLocation),
    exemptCode: exemptCodeFromIb(order.exemptCode),
    settlingFirm: s(order.settlingFirm),
    clearingAccount: s(order.clearingAccount),
    clearingIntent: s(order.clearingIntent),
    discretionaryAmt: d(order.discretionaryAmt),
    eTradeOnly: b(order.eTradeOnly),
    firmQuoteOnly: b(order.firmQuoteOnly),
    nbboPriceCap: d(order.nbboPriceCap),
    optOutSmartRouting: b(order.optOutSmartRouting),
    smartComboRoutingParams: tagValuesFromIb(order.smartComboRoutingParams),
    orderComboLegs: (order.orderComboLegs ?? []).map(orderComboLegFromIb),
    orderMiscOptions: tagValuesFromIb(order.orderMiscOptions),
    auctionStrategy: optionalNonZero(order.auctionStrategy),
    startingPrice: d(order.startingPrice),
    stockRefPrice: d(order.stockRefPrice),
    delta: d(order.delta),
    stockRangeLower: d(order.stockRangeLower),
    stockRangeUpper: d(order.stockRangeUpper),
    volatility: d(order.volatility),
    volatilityType: optionalNonZero(order.volatilityType),
    continuousUpdate: b(order.continuousUpdate),
    referencePriceType: optionalNonZero(order.referencePriceType),
    // openOrder reports "None" for "no delta-neutral order"; the proto's "" is the same.
    deltaNeutralOrderType: deltaNeutralOrderTypeFromIb(order.deltaNeutralOrderType),
    deltaNeutralAuxPrice: d(order.deltaNeutralAuxPrice),
    deltaNeutralConId: optionalId(order.deltaNeutralConId),
    deltaNeutralSettlingFirm: s(order.deltaNeutralSettlingFirm),
    deltaNeutralClearingAccount: s(order.deltaNeutralClearingAccount),
    deltaNeutralClearingIntent: s(order.deltaNeutralClearingIntent),
    deltaNeutralOpenClose: s(order.deltaNeutralOpenClose),
    deltaNeutralShortSale: b(order.deltaNeutralShortSale),
    deltaNeutralShortSaleSlot: i(order.deltaNeutralShortSaleSlot),
    deltaNeutralDesignatedLocation: s(order.deltaNeutralDesignatedLocation),
    basisPoints: d(order.basisPoints),
    basisPointsType: i(order.basisPointsType),
    scaleInitLevelSize: i(order.scaleInitLevelSize),
    scaleSubsLevelSize: i(order.scaleSubsLevelSize),
    scalePriceIncrement: d(order.scalePriceIncrement),
    scalePriceAdjustValue: d(order.scalePriceAdjustValue),
    scalePriceAdjustInterval: i(order.scalePriceAdjustInterval),
    scaleProfitOffset: d(order.scaleProfitOffset),
    scaleAutoReset: b(order.scaleAutoReset),
    scaleInitPosition: i(order.scaleInitPosition),
    scaleInitFillQty: i(order.scaleInitFillQty),
    scaleRandomPercent: b(order.scaleRandomPercent),
    scaleTable: s(order.scaleTable),
    hedgeType: s(order.hedgeType),
    hedgeParam: s(order.hedgeParam),
    algoStrategy: s(order.algoStrategy),
    algoParams: tagValuesFromIb(order.algoParams),
    algoId: s(order.algoId),
    activeStartTime: activeTimeFromIb(order.activeStartTime),
    activeStopTime: activeTimeFromIb(order.activeStopTime),
    whatIf: b(order.whatIf),
    notHeld: b(order.notHeld),
    solicited: b(order.solicited),
    conditions: orderConditionsFromIb(order.conditions),
    conditionsIgnoreRth: b(order.conditionsIgnoreRth),
    conditionsCancelOrder: b(order.conditionsCancelOrder),
    referenceContractId: optionalId(order.referenceContractId),
    isPeggedChangeAmountDecrease: b(order.isPeggedChangeAmountDecrease),
    peggedChangeAmount: d(order.peggedChangeAmount),
    referenceChangeAmount: d(order.referenceChangeAmount),
    referenceExchangeId: s(order.referenceExchangeId),
    adjustedOrderType: s(order.adjustedOrderType),
    triggerPrice: d(order.triggerPrice),
    lmtPriceOffset: d(order.lmtPriceOffset),
    adjustedStopPrice: d(order.adjustedStopPrice),
    adjustedStopLimitPrice: d(order.adjustedStopLimitPrice),
    adjustedTrailingAmount: d(order.adjustedTrailingAmount),
    adjustableTrailingUnit: i(order.adjustableTrailingUnit),
    softDollarTier: softDollarTierFromIb(order.softDollarTier ?? order.tier),
    mifid2DecisionMaker: s(order.mifid2DecisionMaker),
    mifid2DecisionAlgo: s(order.mifid2DecisionAlgo),
    mifid2ExecutionTrader: s(order.mifid2ExecutionTrader),
    mifid2ExecutionAlgo: s(order.mifid2ExecutionAlgo),
    dontUseAutoPriceForHedge: b(order.dontUseAutoPriceForHedge),
    isOmsContainer: b(order.isOmsContainer),
    discretionaryUpToLimitPrice: b(order.discretionaryUpToLimitPrice),
    autoCancelDate: s(order.autoCancelDate),
    filledQuantity: decimalToString(order.filledQuantity),
    refFuturesConId: optionalId(order.refFuturesConId),
    autoCancelParent: b(order.autoCancelParent),
    shareholder: s(order.shareholder),
    imbalanceOnly: b(order.imbalanceOnly),
    routeMarketableToBbo: b(order.routeMarketableToBbo),
    parentPermId: int64FromIb(order.parentPermId),
    randomizeSize: b(order.randomizeSize),
    randomizePrice: b(order.randomizePrice),
    usePriceMgmtAlgo: order.usePriceMgmtAlgo,
    duration: optionalNonZero(order.duration),
    postToAts: i(order.postToAts),
    advancedErrorOverride: s(order.advancedErrorOverride),
    manualOrderTime: s(order.manualOrderTime),
    minTradeQty: i(order.minTradeQty),
    minCompeteSize: i(order.minCompeteSize),
    competeAgainstBestOffset: d(order.competeAgainstBestOffset),
    midOffsetAtWhole: d(order.midOffsetAtWhole),
    midOffsetAtHalf: d(order.midOffsetAtHalf),
    customerAccount: s(order.customerAccount),
    professionalCustomer: b(order.professionalCustomer),
    bondAccruedInterest: s(order.bondAccruedInterest),
    includeOvernight: b(order.includeOvernight),
    manualOrderIndicator: i(order.manualOrderIndicator),
    extOperator: s(order.extOperator),
  });
}

/** A proto Order as @stoqey/ib's, for placeOrder. Absent fields stay undefined (IB's "unset"). */
export function orderToIb(order: Order): IbOrder {
  const s = stringOrUndefined;
  const ib: IbOrder = {
    orderId: order.orderId,
    clientId: order.clientId,
    permId: int64ToIb(order.permId),
    action: s(order.action) as OrderAction | undefined,
    totalQuantity: decimalFromString(order.totalQuantity),
    orderType: order.orderType as OrderType,
    lmtPrice: order.lmtPrice,
    auxPrice: order.auxPrice,
    tif: s(order.tif) as TimeInForce | undefined,
    cashQty: order.cashQty,
    outsideRth: order.outsideRth,
    goodAfterTime: s(order.goodAfterTime),
    goodTillDate: s(order.goodTillDate),
    parentId: order.parentId,
    ocaGroup: s(order.ocaGroup),
    ocaType: order.ocaType,
    // @stoqey/ib writes an undefined transmit as an empty token, which IB reads as false (not transmitted): the
    // proto's "absent" must mean IB's documented default, true.
    transmit: order.transmit ?? true,
    account: s(order.account),
    orderRef: s(order.orderRef),
    blockOrder: order.blockOrder,
    sweepToFill: order.sweepToFill,
    displaySize: order.displaySize,
    triggerMethod: order.triggerMethod,
    hidden: order.hidden,
    overridePercentageConstraints: order.overridePercentageConstraints,
    rule80A: s(order.rule80a),
    allOrNone: order.allOrNone,
    minQty: order.minQty,
    percentOffset: order.percentOffset,
    trailStopPrice: order.trailStopPrice,
    trailingPercent: order.trailingPercent,
    faGroup: s(order.faGroup),
    faMethod: s(order.faMethod),
    faPercentage: s(order.faPercentage),
    modelCode: s(order.modelCode),
    openClose: s(order.openClose),
    origin: order.origin,
    shortSaleSlot: order.shortSaleSlot,
    designatedLocation: s(order.designatedLocation),
    exemptCode: order.exemptCode,
    settlingFirm: s(order.settlingFirm),
    clearingAccount: s(order.clearingAccount),
    clearingIntent: s(order.clearingIntent),
    discretionaryAmt: order.discretionaryAmt,
    eTradeOnly: order.eTradeOnly,
    firmQuoteOnly: order.firmQuoteOnly,
    nbboPriceCap: order.nbboPriceCap,
    optOutSmartRouting: order.optOutSmartRouting,
    smartComboRoutingParams: tagValuesToIb(order.smartComboRoutingParams),
    orderComboLegs: order.orderComboLegs.length > 0 ? order.orderComboLegs.map(orderComboLegToIb) : undefined,
    orderMiscOptions: tagValuesToIb(order.orderMiscOptions),
    auctionStrategy: order.auctionStrategy,
    startingPrice: order.startingPrice,
    stockRefPrice: order.stockRefPrice,
    delta: order.delta,
    stockRangeLower: order.stockRangeLower,
    stockRangeUpper: order.stockRangeUpper,
    volatility: order.volatility,
    volatilityType: order.volatilityType,
    // IB's Java field is an int (0 / 1); @stoqey/ib types it as a number.
    continuousUpdate: order.continuousUpdate ? 1 : 0,
    referencePriceType: order.referencePriceType,
    deltaNeutralOrderType: s(order.deltaNeutralOrderType),
    deltaNeutralAuxPrice: order.deltaNeutralAuxPrice,
    deltaNeutralConId: order.deltaNeutralConId,
    deltaNeutralSettlingFirm: s(order.deltaNeutralSettlingFirm),
    deltaNeutralClearingAccount: s(order.deltaNeutralClearingAccount),
    deltaNeutralClearingIntent: s(order.deltaNeutralClearingIntent),
    deltaNeutralOpenClose: s(order.deltaNeutralOpenClose),
    deltaNeutralShortSale: order.deltaNeutralShortSale,
    deltaNeutralShortSaleSlot: order.deltaNeutralShortSaleSlot,
    deltaNeutralDesignatedLocation: s(order.deltaNeutralDesignatedLocation),
    basisPoints: order.basisPoints,
    basisPointsType: order.basisPointsType,
    scaleInitLevelSize: order.scaleInitLevelSize,
    scaleSubsLevelSize: order.scaleSubsLevelSize,
    scalePriceIncrement: order.scalePriceIncrement,
    scalePriceAdjustValue: order.scalePriceAdjustValue,
    scalePriceAdjustInterval: order.scalePriceAdjustInterval,
    scaleProfitOffset: order.scaleProfitOffset,
    scaleAutoReset: order.scaleAutoReset,
    scaleInitPosition: order.scaleInitPosition,
    scaleInitFillQty: order.scaleInitFillQty,
    scaleRandomPercent: order.scaleRandomPercent,
    scaleTable: s(order.scaleTable),
    hedgeType: s(order.hedgeType),
    hedgeParam: s(order.hedgeParam),
    algoStrategy: s(order.algoStrategy),
    algoParams: tagValuesToIb(order.algoParams),
    algoId: s(order.algoId),
    activeStartTime: activeTimeToIb(order.activeStartTime),
    activeStopTime: activeTimeToIb(order.activeStopTime),
    whatIf: order.whatIf,
    notHeld: order.notHeld,
    solicited: order.solicited,
    conditions: orderConditionsToIb(order.conditions),
    conditionsIgnoreRth: order.conditionsIgnoreRth,
    conditionsCancelOrder: order.conditionsCancelOrder,
    referenceContractId: order.referenceContractId,
    isPeggedChangeAmountDecrease: order.isPeggedChangeAmountDecrease,
    peggedChangeAmount: order.peggedChangeAmount,
    referenceChangeAmount: order.referenceChangeAmount,
    referenceExchangeId: s(order.referenceExchangeId),
    adjustedOrderType: s(order.adjustedOrderType),
    triggerPrice: order.triggerPrice,
    lmtPriceOffset: order.lmtPriceOffset,
    adjustedStopPrice: order.adjustedStopPrice,
    adjustedStopLimitPrice: order.adjustedStopLimitPrice,
    adjustedTrailingAmount: order.adjustedTrailingAmount,
    adjustableTrailingUnit: order.adjustableTrailingUnit,
    softDollarTier: order.softDollarTier ? softDollarTierToIb(order.softDollarTier) : undefined,
    mifid2DecisionMaker: s(order.mifid2DecisionMaker),
    mifid2DecisionAlgo: s(order.mifid2DecisionAlgo),
    mifid2ExecutionTrader: s(order.mifid2ExecutionTrader),
    mifid2ExecutionAlgo: s(order.mifid2ExecutionAlgo),
    dontUseAutoPriceForHedge: order.dontUseAutoPriceForHedge,
    isOmsContainer: order.isOmsContainer,
    discretionaryUpToLimitPrice: order.discretionaryUpToLimitPrice,
    autoCancelDate: s(order.autoCancelDate),
    filledQuantity: decimalFromString(order.filledQuantity),
    refFuturesConId: order.refFuturesConId,
    autoCancelParent: order.autoCancelParent,
    shareholder: s(order.shareholder),
    imbalanceOnly: order.imbalanceOnly,
    routeMarketableToBbo: order.routeMarketableToBbo,
    parentPermId: int64ToIb(order.parentPermId),
    randomizeSize: order.randomizeSize,
    randomizePrice: order.randomizePrice,
    usePriceMgmtAlgo: order.usePriceMgmtAlgo,
    duration: order.duration,
    postToAts: order.postToAts,
    advancedErrorOverride: s(order.advancedErrorOverride),
    manualOrderTime: s(order.manualOrderTime),
    minTradeQty: order.minTradeQty,
    minCompeteSize: order.minCompeteSize,
    competeAgainstBestOffset: order.competeAgainstBestOffset,
    midOffsetAtWhole: order.midOffsetAtWhole,
    midOffsetAtHalf: order.midOffsetAtHalf,
    customerAccount: s(order.customerAccount),
    professionalCustomer: order.professionalCustomer,
    bondAccruedInterest: s(order.bondAccruedInterest),
    includeOvernight: order.includeOvernight,
    manualOrderIndicator: order.manualOrderIndicator,
    extOperator: s(order.extOperator),
  };
  return withoutUndefined(ib);
}

/** "None" (openOrder's word for no delta-neutral order) and "" are the same: no delta-neutral order. */
function deltaNeutralOrderTypeFromIb(orderType: string | null | undefined): string {
  const text = ibString(orderType);
  return text.toUpperCase() === "NONE" ? "" : text;
}

/**
 * @stoqey/ib types activeStartTime / activeStopTime as TagValue[] although IB's field (and what its encoder writes
 * as one token) is a "HH:mm:ss zone" string; anything but a string reads as "".
 */
function activeTimeFromIb(value: unknown): string {
  return typeof value === "string" ? ibString(value) : "";
}

function activeTimeToIb(value: string): IbOrder["activeStartTime"] {
  return stringOrUndefined(value) as unknown as IbOrder["activeStartTime"];
}

export function orderComboLegFromIb(leg: IbOrderComboLeg): OrderComboLeg {
  return create(OrderComboLegSchema, { price: optionalDouble(leg?.price) });
}

export function orderComboLegToIb(leg: OrderComboLeg): IbOrderComboLeg {
  return withoutUndefined({ price: leg.price });
}

/** undefined when IB sent no tier (all fields empty), so orders without one carry no empty message. */
export function softDollarTierFromIb(tier: IbSoftDollarTier | null | undefined): SoftDollarTier | undefined {
  if (!tier || (!tier.name && !tier.value && !tier.displayName)) return undefined;
  return create(SoftDollarTierSchema, {
    name: ibString(tier.name),
    value: ibString(tier.value),
    displayName: ibString(tier.displayName),
  });
}

export function softDollarTierToIb(tier: SoftDollarTier): IbSoftDollarTier {
  return withoutUndefined({
    name: stringOrUndefined(tier.name),
    value: stringOrUndefined(tier.value),
    displayName: stringOrUndefined(tier.displayName),
  });
}

/** The cancel fields CancelOrderRequest and ReqGlobalCancelRequest share (com.ib.client.OrderCancel). */
export interface OrderCancelFields {
  readonly manualOrderCancelTime: string;
  readonly extOperator: string;
  readonly manualOrderIndicator?: number | undefined;
}

/** A cancel request's fields as @stoqey/ib's OrderCancel; "" and absent stay undefined (IB's defaults). */
export function orderCancelToIb(request: OrderCancelFields): IbOrderCancel {
  return withoutUndefined<IbOrderCancel>({
    manualOrderCancelTime: stringOrUndefined(request.manualOrderCancelTime),
    extOperator: stringOrUndefined(request.extOperator),
    manualOrderIndicator: request.manualOrderIndicator,
  });
}
