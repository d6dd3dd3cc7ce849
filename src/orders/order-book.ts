import type { CommissionReport, ExecDetails } from "../../gen/ibrpc/v1/common_pb.js";
import type { OpenOrder, OrderStatus } from "../../gen/ibrpc/v1/order_pb.js";

/** An IB error addressed to one order id (EWrapper.error with the order id as its id). */
export interface OrderError {
  code: number;
  message: string;
  advancedOrderRejectJson: string | undefined;
}

/** What IB said about one order, in proto terms: one entry of the book. */
export interface TrackedOrder {
  readonly orderId: number;
  /** The latest openOrder (the order as IB holds it now). */
  openOrder: OpenOrder | undefined;
  /** The latest orderStatus. */
  status: OrderStatus | undefined;
  /** The last error IB sent for the order id (201 rejected, 202 cancelled, 10147 unknown ...). */
  error: OrderError | undefined;
}

/** One order event as the book applies it and passes it on to waiters and watchers. */
export type OrderEvent =
  | { kind: "openOrder"; orderId: number; openOrder: OpenOrder }
  | { kind: "orderStatus"; orderId: number; status: OrderStatus }
  | { kind: "error"; orderId: number; error: OrderError }
  | { kind: "execDetails"; orderId: number; execDetails: ExecDetails }
  | { kind: "commissionReport"; commissionReport: CommissionReport }
  | { kind: "openOrderEnd" };

/** IB's statuses after which an order never changes again. */
const FINAL_STATUSES = new Set(["Filled", "Cancelled", "ApiCancelled", "Inactive"]);

export function isFinalStatus(status: string | undefined): boolean {
  return status !== undefined && FINAL_STATUSES.has(status);
}

export type OrderListener = (event: OrderEvent, order: TrackedOrder | undefined) => void;

/**
 * The orders of one gateway as IB reported them: the latest openOrder and orderStatus per order id, whoever placed
 * it. PlaceOrder waits on it for the acknowledgement, the working state or the fill; CancelOrder knows from it
 * whether an order is already done; WatchOrders follows its events.
 *
 * The book only keeps what IB said (it is fed by {@link apply}); it never guesses a state IB did not report.
 */
export class OrderBook {
  private readonly orders = new Map<number, TrackedOrder>();
  private readonly listeners = new Set<OrderListener>();
  /** Order ids in a final state, oldest first: the book forgets the oldest beyond `maxFinished`. */
  private readonly finished = new Set<number>();

  /**
   * @param maxFinished how many filled / cancelled / inactive orders the book keeps (a process running for weeks
   * must not grow without bound; IB's own lists are a day). @default 10000
   */
  constructor(private readonly maxFinished = 10_000) {}

  get(orderId: number): TrackedOrder | undefined {
    return this.orders.get(orderId);
  }

  /** Every order the book knows, in the order IB first reported them. */
  all(): TrackedOrder[] {
    return [...this.orders.values()];
  }

  /** Orders not in a final state (as far as IB told). */
  open(): TrackedOrder[] {
    return this.all().filter((o) => !isFinalStatus(o.status?.status) && o.openOrder !== undefined);
  }

  /** Follows every event applied from now on. Returns the unsubscribe function. */
  subscribe(listener: OrderListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  apply(event: OrderEvent): void {
    let order: TrackedOrder | undefined;
    switch (event.kind) {
      case "openOrder":
        order = this.entry(event.orderId);
        order.openOrder = event.openOrder;
        // A what-if preview does not change the order's status.
        break;
      case "orderStatus":
        order = this.entry(event.orderId);
        order.status = event.status;
        if (isFinalStatus(event.status.status)) this.finish(event.orderId);
        break;
      case "error":
        order = this.entry(event.orderId);
        order.error = event.error;
        break;
      case "execDetails":
        order = this.orders.get(event.orderId);
        break;
      default:
        break;
    }
    for (const listener of [...this.listeners]) listener(event, order);
  }

  /**
   * Resolves with the first non-undefined answer of `decide`, asked now and after every event for `orderId`.
   * Rejects with the signal's reason on abort.
   */
  waitFor<T>(
    orderId: number,
    decide: (order: TrackedOrder | undefined, event: OrderEvent | undefined) => T | undefined,
    signal: AbortSignal,
  ): Promise<T> {
    const now = decide(this.orders.get(orderId), undefined);
    if (now !== undefined) return Promise.resolve(now);
    return new Promise<T>((resolve, reject) => {
      const done = () => {
        off();
        signal.removeEventListener("abort", onAbort);
      };
      const onAbort = () => {
        done();
        reject(signal.reason);
      };
      const off = this.subscribe((event, order) => {
        if (!("orderId" in event) || event.orderId !== orderId) return;
        let answer: T | undefined;
        try {
          answer = decide(order, event);
        } catch (err) {
          done();
          reject(err);
          return;
        }
        if (answer === undefined) return;
        done();
        resolve(answer);
      });
      if (signal.aborted) return onAbort();
      signal.addEventListener("abort", onAbort, { once: true });
    });
  }

  /** Forgets an order's last error before a new request about it (a modification, a cancel). */
  clearError(orderId: number): void {
    const order = this.orders.get(orderId);
    if (order) order.error = undefined;
  }

  private finish(orderId: number): void {
    this.finished.delete(orderId);
    this.finished.add(orderId);
    for (const oldest of this.finished) {
      if (this.finished.size <= this.maxFinished) break;
      this.finished.delete(oldest);
      this.orders.delete(oldest);
    }
  }

  private entry(orderId: number): TrackedOrder {
    let order = this.orders.get(orderId);
    if (!order) {
      order = { orderId, openOrder: undefined, status: undefined, error: undefined };
      this.orders.set(orderId, order);
    }
    return order;
  }
}
