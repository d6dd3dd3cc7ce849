import type { PlaceOrderRequest } from "../messages/orders.js";
import type { Instrument } from "../world/index.js";
import { OrderCode, rejectedText, validationText } from "./order-codes.js";
import type { WorkedOrderType } from "./sim-order.js";

/**
 * What placeOrder's values mean, or why TWS would refuse them. Two kinds of refusal, as TWS has: a request that makes
 * no order at all (321, nothing is created) and an order that is received and rejected (201, reported Inactive).
 */

export interface OrderTerms {
  readonly orderType: WorkedOrderType;
  readonly side: 1 | -1;
  readonly quantity: number;
  readonly limitPrice: number | undefined;
  readonly stopPrice: number | undefined;
  readonly account: string;
}

export type OrderCheck =
  | { readonly ok: true; readonly terms: OrderTerms }
  | { readonly ok: false; readonly code: number; readonly message: string; readonly inactive: boolean };

const SIDES: Readonly<Record<string, 1 | -1>> = { BUY: 1, SELL: -1, SSHORT: -1 };
const WORKED_TYPES: readonly WorkedOrderType[] = ["MKT", "LMT", "STP", "STP LMT"];

export function checkOrder(
  request: PlaceOrderRequest,
  instrument: Instrument,
  managedAccounts: readonly string[],
): OrderCheck {
  const invalid = (cause: string): OrderCheck => ({
    ok: false,
    code: OrderCode.VALIDATION_ERROR,
    message: validationText(cause),
    inactive: false,
  });
  const rejected = (reason: string): OrderCheck => ({
    ok: false,
    code: OrderCode.ORDER_REJECTED,
    message: rejectedText(reason),
    inactive: true,
  });

  const side = SIDES[request.action.trim().toUpperCase()];
  if (side === undefined) return invalid(`Invalid action: ${JSON.stringify(request.action)}`);
  const orderType = request.orderType.trim().toUpperCase() as WorkedOrderType;
  if (!WORKED_TYPES.includes(orderType)) return invalid(`Unsupported order type: ${JSON.stringify(request.orderType)}`);
  const needsLimit = orderType === "LMT" || orderType === "STP LMT";
  const needsStop = orderType === "STP" || orderType === "STP LMT";
  if (needsLimit && request.lmtPrice === undefined) return invalid(`${orderType} order without a limit price`);
  if (needsStop && request.auxPrice === undefined) return invalid(`${orderType} order without a stop price`);

  const quantity = Number(request.totalQuantity ?? 0);
  if (!(quantity > 0)) return rejected("The order quantity must be greater than zero.");
  const { sizeIncrement } = instrument.details;
  if (sizeIncrement > 0 && !isMultiple(quantity, sizeIncrement)) {
    return rejected(`The order size must be a multiple of ${sizeIncrement}.`);
  }
  const limitPrice = needsLimit ? request.lmtPrice : undefined;
  const stopPrice = needsStop ? request.auxPrice : undefined;
  if ((limitPrice !== undefined && limitPrice <= 0) || (stopPrice !== undefined && stopPrice <= 0)) {
    return rejected("The price must be greater than zero.");
  }
  if (instrument.contract.secType === "IND") return rejected("An index is not tradable.");

  // An advisor login with no allocation: the simulator books to the first managed account (TWS would ask for one).
  const account = request.account.trim() || (managedAccounts[0] as string);
  if (!managedAccounts.includes(account)) return rejected(`Account ${account} is not managed by this login.`);

  return { ok: true, terms: { orderType, side, quantity, limitPrice, stopPrice, account } };
}

function isMultiple(quantity: number, increment: number): boolean {
  const ratio = quantity / increment;
  return Math.abs(ratio - Math.round(ratio)) < 1e-9;
}
