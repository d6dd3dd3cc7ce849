/**
 * com.ib.client.OrderState (openOrder, completedOrder, what-if previews), EWrapper.orderStatus, and the openOrder /
 * completedOrder messages that combine them with a contract and an order.
 *
 * Margin and equity amounts: IB sends them as strings, @stoqey/ib parses them to numbers (the sentinel becomes
 * undefined), the proto carries decimal strings again (shortest round-trip text, "" when unset).
 */

import { create } from "@bufbuild/protobuf";
import type {
  Contract as IbContract,
  Order as IbOrder,
  OrderState as IbOrderState,
  OrderStatus as IbOrderStatusName,
} from "@stoqey/ib";
import {
  type CompletedOrder,
  CompletedOrderSchema,
  type OpenOrder,
  OpenOrderSchema,
  type OrderState,
  OrderStateSchema,
  type OrderStatus,
  OrderStatusSchema,
} from "../../gen/ibrpc/v1/order_pb.js";
import { contractFromIb } from "./contract.js";
import { decimalFromString, decimalToString, int64FromIb } from "./decimal.js";
import { orderFromIb } from "./order.js";
import { ibString, optionalDouble, optionalId, optionalInt, stringOrUndefined, withoutUndefined } from "./unset.js";

export function orderStateFromIb(state: IbOrderState): OrderState {
  return create(OrderStateSchema, {
    status: ibString(state.status),
    initMarginBefore: decimalToString(state.initMarginBefore),
    maintMarginBefore: decimalToString(state.maintMarginBefore),
    equityWithLoanBefore: decimalToString(state.equityWithLoanBefore),
    initMarginChange: decimalToString(state.initMarginChange),
    maintMarginChange: decimalToString(state.maintMarginChange),
    equityWithLoanChange: decimalToString(state.equityWithLoanChange),
    initMarginAfter: decimalToString(state.initMarginAfter),
    maintMarginAfter: decimalToString(state.maintMarginAfter),
    equityWithLoanAfter: decimalToString(state.equityWithLoanAfter),
    commission: optionalDouble(state.commission),
    minCommission: optionalDouble(state.minCommission),
    maxCommission: optionalDouble(state.maxCommission),
    commissionCurrency: ibString(state.commissionCurrency),
    warningText: ibString(state.warningText),
    completedTime: ibString(state.completedTime),
    completedStatus: ibString(state.completedStatus),
  });
}

export function orderStateToIb(state: OrderState): IbOrderState {
  const s = stringOrUndefined;
  return withoutUndefined<IbOrderState>({
    status: state.status as IbOrderStatusName,
    initMarginBefore: decimalFromString(state.initMarginBefore),
    maintMarginBefore: decimalFromString(state.maintMarginBefore),
    equityWithLoanBefore: decimalFromString(state.equityWithLoanBefore),
    initMarginChange: decimalFromString(state.initMarginChange),
    maintMarginChange: decimalFromString(state.maintMarginChange),
    equityWithLoanChange: decimalFromString(state.equityWithLoanChange),
    initMarginAfter: decimalFromString(state.initMarginAfter),
    maintMarginAfter: decimalFromString(state.maintMarginAfter),
    equityWithLoanAfter: decimalFromString(state.equityWithLoanAfter),
    commission: state.commission,
    minCommission: state.minCommission,
    maxCommission: state.maxCommission,
    commissionCurrency: s(state.commissionCurrency),
    warningText: s(state.warningText),
    completedTime: s(state.completedTime),
    completedStatus: s(state.completedStatus),
  });
}

/** EWrapper.orderStatus's arguments, by name (the typed event of src/gateway has this shape). */
export interface IbOrderStatusEvent {
  readonly orderId: number;
  readonly status: string;
  readonly filled: number | undefined;
  readonly remaining: number | undefined;
  readonly avgFillPrice: number | undefined;
  readonly permId?: number | undefined;
  readonly parentId?: number | undefined;
  readonly lastFillPrice?: number | undefined;
  readonly clientId?: number | undefined;
  readonly whyHeld?: string | undefined;
  readonly mktCapPrice?: number | undefined;
}

/**
 * IB's 0 prices in orderStatus mean "no fill yet" (avgFillPrice, lastFillPrice) or "no cap" (mktCapPrice) only
 * together with nothing filled; a real fill has a price, so 0 is kept once something filled.
 */
export function orderStatusFromIb(event: IbOrderStatusEvent): OrderStatus {
  const filled = decimalToString(event.filled);
  const nothingFilled = filled === "" || filled === "0";
  const fillPrice = (price: number | undefined) => {
    const value = optionalDouble(price);
    return value === 0 && nothingFilled ? undefined : value;
  };
  const mktCapPrice = optionalDouble(event.mktCapPrice);
  return create(OrderStatusSchema, {
    orderId: event.orderId,
    status: ibString(event.status),
    filled,
    remaining: decimalToString(event.remaining),
    avgFillPrice: fillPrice(event.avgFillPrice),
    permId: int64FromIb(event.permId),
    parentId: optionalId(event.parentId),
    lastFillPrice: fillPrice(event.lastFillPrice),
    clientId: optionalInt(event.clientId),
    whyHeld: ibString(event.whyHeld),
    mktCapPrice: mktCapPrice === 0 ? undefined : mktCapPrice,
  });
}

/** EWrapper.openOrder's arguments, by name. */
export interface IbOpenOrderEvent {
  readonly orderId: number;
  readonly contract: IbContract;
  readonly order: IbOrder;
  readonly orderState: IbOrderState;
}

export function openOrderFromIb(event: IbOpenOrderEvent): OpenOrder {
  return create(OpenOrderSchema, {
    orderId: event.orderId,
    contract: contractFromIb(event.contract),
    order: orderFromIb(event.order),
    orderState: orderStateFromIb(event.orderState),
  });
}

/** EWrapper.completedOrder's arguments, by name. */
export interface IbCompletedOrderEvent {
  readonly contract: IbContract;
  readonly order: IbOrder;
  readonly orderState: IbOrderState;
}

export function completedOrderFromIb(event: IbCompletedOrderEvent): CompletedOrder {
  return create(CompletedOrderSchema, {
    contract: contractFromIb(event.contract),
    order: orderFromIb(event.order),
    orderState: orderStateFromIb(event.orderState),
  });
}
