import { randomUUID } from "node:crypto";
import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import { Code, ConnectError } from "@connectrpc/connect";
import {
  type OpenOrder,
  OpenOrderSchema,
  OrderSchema,
  OrderStatusSchema,
  OrderWait,
  type PlaceOrderRequest,
  type PlaceOrderResponse,
  PlaceOrderResponseSchema,
} from "../../gen/ibrpc/v1/order_pb.js";
import { deadlineSignal, release } from "../gateway/deadline.js";
import { IbError } from "../gateway/ib-error.js";
import { type AuditLog, codeName } from "./audit-log.js";
import { orderRefTag, requestDigest, splitOrderRef, taggedOrderRef } from "./idempotency-key.js";
import type { IdempotencyRecord, IdempotencyStore, KeyScope } from "./idempotency-store.js";
import { isFinalStatus, type TrackedOrder } from "./order-book.js";
import type { OrderDesk } from "./order-desk.js";
import { stillWorkingText, waitSatisfied } from "./order-wait.js";

/** Who is placing: the idempotency scope (token id, or "" with tokens off) and the name for the audit log. */
export interface Caller {
  scope: string;
  who: string;
}

export interface OrderPlacerOptions {
  store: IdempotencyStore;
  audit: AuditLog;
  /**
   * How long a placement waits for IB's acknowledgement, whatever its caller's deadline: a caller that gives up
   * early does not stop ibrpc from recording the outcome for the retry. @default 30000
   */
  ackTimeoutMs?: number;
  /**
   * A pending key of another ibrpc process younger than this may still be in flight there: a retry answers ABORTED
   * instead of reconciling. (A crashed process's keys are older by the time it is restarted.) @default 30000
   */
  foreignLeaseMs?: number;
}

/** IB's "duplicate order id": the id was refused, no order was created. */
const DUPLICATE_ORDER_ID = 103;

/** What one placement ended with, shared by every caller of the key. */
interface Outcome {
  digest: string;
  /** The acknowledgement (without `replayed`), when the order is at IB. */
  response?: PlaceOrderResponse;
  /** IB's refusal (an IbError, so the client gets IB's code in ErrorInfo) or why the placement failed. */
  error?: ConnectError | IbError;
  /** True when this placement sent the order (its first caller is not a replay). */
  placedNow: boolean;
  /** Resolves when the outcome is in the database (the key's slot is held until then). */
  persisted?: Promise<void>;
  orderId: number | undefined;
  gateway: string;
}

/**
 * PlaceOrder with idempotency that holds across crashes.
 *
 * The order of things is what makes it safe:
 * 1. in this process, one placement per key at a time: concurrent calls with the key join the one running;
 * 2. the key is written to the database (pending, with the order id and the orderRef tag) BEFORE placeOrder is sent;
 *    of concurrent writers of a key (other processes) only one INSERT wins;
 * 3. placeOrder carries the tag in orderRef; the acknowledgement (or IB's refusal) is written after;
 * 4. a key found pending with no placement running here (ibrpc crashed, the gateway dropped mid-order, the ack never
 *    came) is reconciled with IB before anything else: its tag is looked for in the open orders, completed orders
 *    and executions; found, that order is the answer; not found, nothing reached IB and the order is placed (once).
 */
export class OrderPlacer {
  /** This process, as the owner of the pending keys it writes. */
  readonly owner = randomUUID();
  private readonly running = new Map<string, Promise<Outcome>>();
  /** The order id a running placement sent (or is sending), by key slot: what a deadline message names. */
  private readonly sending = new Map<string, number>();
  private readonly ackTimeoutMs: number;
  private readonly foreignLeaseMs: number;

  constructor(private readonly opts: OrderPlacerOptions) {
    this.ackTimeoutMs = opts.ackTimeoutMs ?? 30_000;
    this.foreignLeaseMs = opts.foreignLeaseMs ?? 30_000;
  }

  /**
   * Places (or modifies) the order of `request` on `desk`, at most once per key, and waits as `request.wait_for`
   * says within `signal` (the call's deadline).
   */
  async place(
    desk: OrderDesk,
    request: PlaceOrderRequest,
    caller: Caller,
    signal: AbortSignal,
  ): Promise<PlaceOrderResponse> {
    const order = request.order;
    if (!order || !request.contract) throw new ConnectError("contract and order are required", Code.InvalidArgument);
    if (order.whatIf) return this.whatIf(desk, request, caller, signal);

    const k: KeyScope = { scope: caller.scope, account: order.account, key: request.idempotencyKey };
    const digest = requestDigest(request);
    const slot = slotOf(k);
    const inFlight = () => {
      const sent = this.sending.get(slot);
      return sent === undefined
        ? inFlightText(k.key)
        : stillWorkingText(sent, desk.book.get(sent), OrderWait.UNSPECIFIED);
    };
    const action = order.orderId !== undefined ? "modify" : "place";
    const audit = (outcomeText: string, extra: Partial<Parameters<AuditLog["record"]>[0]> = {}) =>
      this.opts.audit.record({
        action,
        who: caller.who,
        gateway: desk.name,
        account: order.account || undefined,
        idempotencyKey: k.key,
        orderId: this.sending.get(slot),
        outcome: outcomeText,
        ...extra,
      });
    let outcome: Outcome;
    let joined = false;
    try {
      const runningNow = this.running.get(slot);
      if (runningNow) {
        joined = true;
        outcome = await raceSignal(runningNow, signal, inFlight);
      } else {
        const task = this.settle(desk, request, k, digest);
        this.running.set(slot, task);
        void task
          .then((o) => o.persisted)
          .catch(() => {})
          .finally(() => {
            this.running.delete(slot);
            this.sending.delete(slot);
          });
        outcome = await raceSignal(task, signal, inFlight);
      }
    } catch (err) {
      // The call ended before the placement did (its deadline), or the placement could not start (store down,
      // gateway down, a modification of an unknown order): still one audit line.
      const e = ConnectError.from(err);
      audit(e.code === Code.DeadlineExceeded ? "deadline_exceeded" : "failed", {
        code: codeName(e.code),
        replayed: joined,
      });
      throw err;
    }

    const outcomeFields = { orderId: outcome.orderId, gateway: outcome.gateway };
    if (outcome.digest !== digest) {
      audit("already_exists", { ...outcomeFields, code: "already_exists" });
      throw new ConnectError(
        `idempotency key ${JSON.stringify(k.key)} was used for a different order (order ${outcome.orderId}); use a new key for a new order`,
        Code.AlreadyExists,
      );
    }
    const replayed = joined || !outcome.placedNow;
    if (outcome.error) {
      const e = outcome.error;
      const ib = e instanceof IbError ? e.ibCode : undefined;
      const code = e instanceof IbError ? e.grpcCode : e.code;
      audit(ib !== undefined ? "rejected" : "failed", { ...outcomeFields, code: codeName(code), ibCode: ib, replayed });
      throw e;
    }
    const ack = outcome.response as PlaceOrderResponse;
    const orderId = ack.orderId;
    let tracked = desk.book.get(orderId);
    try {
      const wait = request.waitFor;
      if (wait !== OrderWait.UNSPECIFIED) {
        // A replay after a restart: the book has not heard of the order yet, and a finished one will send nothing.
        if (desk.book.get(orderId)?.status === undefined) await this.learnFromIb(desk, orderId, orderRefTag(k), signal);
        tracked = await desk.book.waitFor(
          orderId,
          (o) => {
            const met = waitSatisfied(o, wait);
            if (met instanceof ConnectError) throw met;
            return met ? o : undefined;
          },
          withStillWorking(signal, () => stillWorkingText(orderId, desk.book.get(orderId), wait)),
        );
      }
    } catch (err) {
      const e = ConnectError.from(err);
      audit(e.code === Code.DeadlineExceeded ? "deadline_exceeded" : "failed", {
        ...outcomeFields,
        code: codeName(e.code),
        status: desk.book.get(orderId)?.status?.status,
        replayed,
      });
      throw e;
    }
    const response = present(ack, tracked, replayed);
    audit(replayed ? "replayed" : "placed", {
      ...outcomeFields,
      permId: response.orderStatus?.permId?.toString() ?? response.openOrder?.order?.permId?.toString(),
      status: response.orderStatus?.status,
      replayed,
    });
    return response;
  }

  /**
   * Brings the book up to date about one order from IB's lists: the open orders (their openOrder and orderStatus
   * reach the book as events), else the completed orders, whose final state is applied as the order's status.
   */
  private async learnFromIb(desk: OrderDesk, orderId: number, tag: string, signal: AbortSignal): Promise<void> {
    const open = await desk.openOrders("all", signal);
    if (open.openOrders.some((o) => o.orderId === orderId) || desk.book.get(orderId)?.status) return;
    const done = (await desk.completedOrders(false, signal)).find((c) => splitOrderRef(c.order?.orderRef).tag === tag);
    if (!done?.orderState) return;
    desk.book.apply({
      kind: "orderStatus",
      orderId,
      status: create(OrderStatusSchema, {
        orderId,
        status: done.orderState.status,
        filled: done.order?.filledQuantity ?? "",
        permId: done.order?.permId,
      }),
    });
  }

  /** The lookup, reconciliation or placement of one key; runs once per key at a time in this process. */
  private async settle(desk: OrderDesk, request: PlaceOrderRequest, k: KeyScope, digest: string): Promise<Outcome> {
    const { store } = this.opts;
    const claim = (orderId: number) =>
      store
        .claim({ ...k, digest, gateway: desk.name, orderId, orderRefTag: orderRefTag(k), owner: this.owner })
        .catch(storeError);
    // The common case, a new key: one INSERT before sending (an id spent on a retry is harmless: ids only grow).
    if (request.order?.orderId === undefined && desk.allocator.isSynced) {
      const orderId = desk.allocator.allocate();
      if (await claim(orderId)) return this.send(desk, request, k, digest, orderId);
    }
    for (let attempt = 0; attempt < 3; attempt++) {
      const found = await store.find(k).catch(storeError);
      if (found) {
        const answer = await this.answerExisting(desk, request, k, found);
        if (answer) return answer;
        // Reconciled as never sent: placed below under the same key (the row is ours now).
        return this.send(desk, request, k, digest, found.orderId);
      }
      const modifying = request.order?.orderId;
      if (modifying !== undefined) await this.checkModifiable(desk, modifying);
      const orderId = modifying ?? desk.allocator.allocate();
      if (await claim(orderId)) return this.send(desk, request, k, digest, orderId);
      // Another process wrote the key between our read and our write: read it again.
    }
    throw new ConnectError(`idempotency key ${JSON.stringify(k.key)} is contended; retry`, Code.Aborted);
  }

  /**
   * A modification names an order of this gateway that ibrpc's client id placed and that is still working: IB would
   * take an unknown id as a new order, and refuses changes to another client's order or to a finished one.
   */
  private async checkModifiable(desk: OrderDesk, orderId: number): Promise<void> {
    let known = desk.book.get(orderId)?.openOrder;
    if (!known) {
      // The book starts empty after a restart: ask IB for this client's open orders once.
      const signal = deadlineSignal({ timeoutMs: this.ackTimeoutMs }, () => `listing open orders to modify ${orderId}`);
      try {
        known = (await desk.openOrders("own", signal)).openOrders.find((o) => o.orderId === orderId);
      } finally {
        release(signal);
      }
    }
    const status = desk.book.get(orderId)?.status?.status;
    if (!known) {
      throw new ConnectError(
        `order ${orderId} is not an open order of ibrpc on gateway ${desk.name}: nothing to modify`,
        Code.NotFound,
      );
    }
    if (isFinalStatus(status)) {
      throw new ConnectError(`order ${orderId} is ${status}: it can no longer be modified`, Code.FailedPrecondition);
    }
    const placedBy = known.order?.clientId;
    if (placedBy !== undefined && placedBy !== desk.gateway.clientId) {
      throw new ConnectError(
        `order ${orderId} was placed by API client ${placedBy}; IB lets only that client modify it (ibrpc is client ${desk.gateway.clientId})`,
        Code.FailedPrecondition,
      );
    }
  }

  /** A stored key: its answer, or undefined when reconciliation shows the order never reached IB. */
  private async answerExisting(
    desk: OrderDesk,
    request: PlaceOrderRequest,
    k: KeyScope,
    found: IdempotencyRecord,
  ): Promise<Outcome | undefined> {
    const base = { digest: found.digest, placedNow: false, orderId: found.orderId, gateway: found.gateway };
    if (found.digest !== requestDigest(request)) return base;
    if (found.state === "placed" && found.response) {
      return { ...base, response: fromBinary(PlaceOrderResponseSchema, found.response) };
    }
    if (found.state === "rejected" && found.error) {
      const e = found.error;
      return {
        ...base,
        error:
          e.ibCode === undefined
            ? new ConnectError(e.message, e.code)
            : new IbError(e.ibCode, e.message, { gateway: desk.name, reqId: found.orderId, grpcCode: e.code }),
      };
    }
    // Pending, and no placement of it running here.
    if (found.gateway !== desk.name) {
      throw new ConnectError(
        `idempotency key ${JSON.stringify(k.key)} belongs to an order on gateway ${found.gateway}`,
        Code.FailedPrecondition,
      );
    }
    const at = await this.reconcile(desk, found);
    if (at) {
      const response = acknowledgement(desk.name, found.orderId, at.openOrder, desk.book.get(found.orderId));
      await this.opts.store
        .markPlaced(k, toBinary(PlaceOrderResponseSchema, response), permIdOf(response))
        .catch(storeError);
      return { ...base, orderId: at.openOrder.orderId || found.orderId, response };
    }
    if (found.owner !== this.owner && Date.now() - found.createdAt.getTime() < this.foreignLeaseMs) {
      throw new ConnectError(
        `idempotency key ${JSON.stringify(k.key)} is being placed by another ibrpc instance; retry`,
        Code.Aborted,
      );
    }
    const ours = await this.opts.store.takeOver(k, this.owner, found.orderId).catch(storeError);
    if (!ours)
      throw new ConnectError(`idempotency key ${JSON.stringify(k.key)} changed while reconciling; retry`, Code.Aborted);
    return undefined;
  }

  /**
   * Looks for the key's order at IB by its orderRef tag: the book first (seen since this process connected), then
   * every open order, the completed orders and today's executions.
   */
  private async reconcile(desk: OrderDesk, found: IdempotencyRecord): Promise<{ openOrder: OpenOrder } | undefined> {
    const matches = (ref: string | undefined) => splitOrderRef(ref).tag === found.orderRefTag;
    const inBook = desk.book.get(found.orderId)?.openOrder;
    if (inBook && matches(inBook.order?.orderRef)) return { openOrder: inBook };
    const signal = deadlineSignal({ timeoutMs: this.ackTimeoutMs }, () => `reconciling order ${found.orderId}`);
    try {
      const open = await desk.openOrders("all", signal);
      const openMatch = open.openOrders.find((o) => matches(o.order?.orderRef));
      if (openMatch) return { openOrder: openMatch };
      const completed = await desk.completedOrders(false, signal);
      const done = completed.find((c) => matches(c.order?.orderRef));
      if (done) {
        return {
          openOrder: create(OpenOrderSchema, {
            orderId: done.order?.orderId || found.orderId,
            contract: done.contract,
            order: done.order,
            orderState: done.orderState,
          }),
        };
      }
      const executions = await desk.executions(signal);
      const filled = executions.find((x) => matches(x.execution?.orderRef));
      if (filled) {
        return {
          openOrder: create(OpenOrderSchema, {
            orderId: found.orderId,
            contract: filled.contract,
            order: create(OrderSchema, { orderId: found.orderId, orderRef: filled.execution?.orderRef ?? "" }),
          }),
        };
      }
      return undefined;
    } finally {
      release(signal);
    }
  }

  /** Sends placeOrder (the key is already written) and records IB's acknowledgement or refusal. */
  private async send(
    desk: OrderDesk,
    request: PlaceOrderRequest,
    k: KeyScope,
    digest: string,
    orderId: number,
    retriedId = false,
  ): Promise<Outcome> {
    const { store } = this.opts;
    const base = { digest, orderId, gateway: desk.name };
    this.sending.set(slotOf(k), orderId);
    const order = create(OrderSchema, {
      ...(request.order as NonNullable<PlaceOrderRequest["order"]>),
      orderId,
      orderRef: this.orderRefFor(desk, request, k, orderId),
    });
    const contract = request.contract as NonNullable<PlaceOrderRequest["contract"]>;
    const signal = deadlineSignal(
      { timeoutMs: this.ackTimeoutMs },
      () => `order ${orderId}: no acknowledgement from gateway ${desk.name}`,
    );
    let written = false;
    try {
      await desk.place(orderId, contract, order, () => (written = true), signal);
      const tracked = desk.book.get(orderId);
      const response = acknowledgement(desk.name, orderId, tracked?.openOrder, tracked);
      // The answer does not wait for this write: until it lands, this key's slot in `running` stays (retries here
      // join it), and if it never lands (crash, database down) the key is still pending and a retry reconciles.
      const persisted = store
        .markPlaced(k, toBinary(PlaceOrderResponseSchema, response), permIdOf(response))
        .catch(() => {});
      return { ...base, response, placedNow: true, persisted };
    } catch (err) {
      // IB refused the order (201, 203, 321, 103 ...): a final answer. A 504 / 1100 (the connection went) is not
      // IB's word on the order: the key stays pending for reconciliation.
      if (
        err instanceof IbError &&
        err.ibCode === DUPLICATE_ORDER_ID &&
        request.order?.orderId === undefined &&
        !retriedId
      ) {
        // IB refused the id, not the order (another client or TWS used ids ibrpc never saw): nothing was placed.
        // Re-sync with IB and send once more under a fresh id, still under this key.
        release(signal);
        const fresh = await this.freshOrderId(desk, k);
        if (fresh !== undefined) return this.send(desk, request, k, digest, fresh, true);
      }
      if (err instanceof IbError && written && err.grpcCode !== Code.Unavailable) {
        await store
          .markRejected(k, { code: err.grpcCode, ibCode: err.ibCode, message: err.ibMessage })
          .catch(storeError);
        return { ...base, error: err, placedNow: true };
      }
      // Nothing reached IB: the key is free again, a retry places. Otherwise it stays pending for reconciliation.
      if (!written) await store.release(k, this.owner).catch(() => {});
      const e = err instanceof IbError ? new ConnectError(err.message, err.grpcCode) : ConnectError.from(err);
      const text = written
        ? `order ${orderId} was sent but not acknowledged (${e.rawMessage}); retry with the same idempotency key: ` +
          "it answers the order if IB has it and never places a second one"
        : e.rawMessage;
      return { ...base, error: new ConnectError(text, e.code, undefined, undefined, err), placedNow: true };
    } finally {
      release(signal);
    }
  }

  /** Deletes expired idempotency keys. */
  purgeExpired(): Promise<number> {
    return this.opts.store.purgeExpired();
  }

  /** After a 103: IB's floor again, a new id, and the key's row moved to it (undefined if any step fails). */
  private async freshOrderId(desk: OrderDesk, k: KeyScope): Promise<number | undefined> {
    const signal = deadlineSignal({ timeoutMs: this.ackTimeoutMs }, () => "reqIds after a duplicate order id");
    try {
      await desk.allocator.resync(signal);
      const orderId = desk.allocator.allocate();
      return (await this.opts.store.takeOver(k, this.owner, orderId)) ? orderId : undefined;
    } catch {
      return undefined;
    } finally {
      release(signal);
    }
  }

  /** orderRef to send: a new order carries the key's tag; a modification keeps the order's tag as IB holds it. */
  private orderRefFor(desk: OrderDesk, request: PlaceOrderRequest, k: KeyScope, orderId: number): string {
    const callerRef = request.order?.orderRef ?? "";
    if (request.order?.orderId !== undefined) {
      const held = desk.book.get(orderId)?.openOrder?.order?.orderRef;
      const tag = splitOrderRef(held).tag;
      return tag ? taggedOrderRef(tag, callerRef) : callerRef;
    }
    return taggedOrderRef(orderRefTag(k), callerRef);
  }

  /** what_if: IB's margin and commission preview; nothing is placed, so nothing is stored. */
  private async whatIf(
    desk: OrderDesk,
    request: PlaceOrderRequest,
    caller: Caller,
    signal: AbortSignal,
  ): Promise<PlaceOrderResponse> {
    const orderId = desk.allocator.allocate();
    const order = create(OrderSchema, { ...(request.order as NonNullable<PlaceOrderRequest["order"]>), orderId });
    const audit = {
      action: "what_if" as const,
      who: caller.who,
      gateway: desk.name,
      orderId,
      account: order.account || undefined,
    };
    try {
      const preview = await desk.whatIf(
        orderId,
        request.contract as NonNullable<PlaceOrderRequest["contract"]>,
        order,
        signal,
      );
      this.opts.audit.record({ ...audit, outcome: "previewed" });
      return create(PlaceOrderResponseSchema, { orderId, openOrder: withoutTag(preview), gateway: desk.name });
    } catch (err) {
      const e = ConnectError.from(err);
      this.opts.audit.record({
        ...audit,
        outcome: "failed",
        code: codeName(e.code),
        ibCode: err instanceof IbError ? err.ibCode : undefined,
      });
      throw err;
    }
  }
}

/** The answer a placement records: the order id, IB's openOrder (tag stripped) and the latest status. */
function acknowledgement(
  gateway: string,
  orderId: number,
  openOrder: OpenOrder | undefined,
  tracked: TrackedOrder | undefined,
): PlaceOrderResponse {
  return create(PlaceOrderResponseSchema, {
    orderId,
    openOrder: openOrder ? withoutTag(openOrder) : undefined,
    orderStatus: tracked?.status,
    gateway,
  });
}

/** A stored or fresh acknowledgement brought up to date with what the book knows now. */
function present(ack: PlaceOrderResponse, tracked: TrackedOrder | undefined, replayed: boolean): PlaceOrderResponse {
  return create(PlaceOrderResponseSchema, {
    ...ack,
    openOrder: tracked?.openOrder ? withoutTag(tracked.openOrder) : ack.openOrder,
    orderStatus: tracked?.status ?? ack.orderStatus,
    replayed,
  });
}

/** The caller sees its own orderRef, not ibrpc's idempotency tag. */
function withoutTag(openOrder: OpenOrder): OpenOrder {
  if (!openOrder.order) return openOrder;
  const { callerRef } = splitOrderRef(openOrder.order.orderRef);
  return create(OpenOrderSchema, {
    ...openOrder,
    order: create(OrderSchema, { ...openOrder.order, orderRef: callerRef }),
  });
}

function permIdOf(response: PlaceOrderResponse): string | undefined {
  return (response.orderStatus?.permId ?? response.openOrder?.order?.permId)?.toString();
}

function slotOf(k: KeyScope): string {
  return `${k.scope}\u0000${k.account}\u0000${k.key}`;
}

function inFlightText(key: string): string {
  return `the first call with idempotency key ${JSON.stringify(key)} is still in flight (the order may be placed): retry with the same key`;
}

function storeError(err: unknown): never {
  if (err instanceof ConnectError) throw err;
  throw new ConnectError(
    "the idempotency store is unavailable: nothing was placed",
    Code.Unavailable,
    undefined,
    undefined,
    err,
  );
}

/** Races a shared promise against one caller's signal; the caller's deadline becomes ABORTED-or-deadline text. */
function raceSignal<T>(promise: Promise<T>, signal: AbortSignal, describe: () => string): Promise<T> {
  if (signal.aborted) return Promise.reject(abortReason(signal, describe));
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(abortReason(signal, describe));
    signal.addEventListener("abort", onAbort, { once: true });
    promise.then(
      (v) => {
        signal.removeEventListener("abort", onAbort);
        resolve(v);
      },
      (e) => {
        signal.removeEventListener("abort", onAbort);
        reject(e);
      },
    );
  });
}

function abortReason(signal: AbortSignal, describe: () => string): ConnectError {
  const reason = ConnectError.from(signal.reason);
  return new ConnectError(describe(), reason.code === Code.Canceled ? Code.Canceled : Code.DeadlineExceeded);
}

/** The caller's signal, whose deadline error names the order and its last status. */
function withStillWorking(signal: AbortSignal, describe: () => string): AbortSignal {
  const controller = new AbortController();
  const onAbort = () => {
    const reason = ConnectError.from(signal.reason);
    controller.abort(reason.code === Code.Canceled ? reason : new ConnectError(describe(), Code.DeadlineExceeded));
  };
  if (signal.aborted) onAbort();
  else signal.addEventListener("abort", onAbort, { once: true });
  return controller.signal;
}
