/** The TWS codes and texts of order handling, spelled once so handlers and tests agree on them. */
export const OrderCode = {
  /** A new order reusing an id this client used before (or one at or below the highest it used). */
  DUPLICATE_ORDER_ID: 103,
  /** A re-placed id whose contract differs from the order it would modify. */
  MODIFY_MISMATCH: 105,
  /** Cancel of an order already filled or cancelled. */
  NOT_CANCELLABLE: 161,
  /** The order was received and refused: reported Inactive. */
  ORDER_REJECTED: 201,
  /** Sent with every cancellation, TWS's "Order Canceled - reason:". */
  ORDER_CANCELLED: 202,
  /** A request whose values make no order at all (bad action, unknown type, missing price). */
  VALIDATION_ERROR: 321,
  /** Cancel of an id this client never placed. */
  CANCEL_NOT_FOUND: 10147,
} as const;

export const DUPLICATE_ORDER_ID_TEXT = "Duplicate order id";
export const MODIFY_MISMATCH_TEXT = "Order being modified does not match original order.";
export const ORDER_CANCELLED_TEXT = "Order Canceled - reason:";

export function rejectedText(reason: string): string {
  return `Order rejected - reason:${reason}`;
}

export function validationText(cause: string): string {
  return `Error validating request.-'placeOrder' : cause - ${cause}`;
}

export function cancelNotFoundText(orderId: number): string {
  return `OrderId ${orderId} that needs to be cancelled is not found.`;
}

export function notCancellableText(permId: number): string {
  return `Cancel attempted when order is not in a cancellable state. Order permId =${permId}`;
}
