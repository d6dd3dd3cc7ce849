import type { CancelTimer } from "../clock.js";
import type { SimulatorContext } from "../context.js";
import type { ClientSession } from "../handlers/registry.js";
import { commissionReport, type ExecutionFilterRequest, execDetails, execDetailsEnd } from "../messages/executions.js";
import {
  completedOrder,
  completedOrdersEnd,
  openOrder,
  openOrderEnd,
  orderStatus,
  type PlaceOrderRequest,
} from "../messages/orders.js";
import { TwsCode } from "../tws-codes.js";
import { type Instrument, NO_SECURITY_DEFINITION, STEP_MS } from "../world/index.js";
import { commissionFor } from "./commissions.js";
import { type Execution, ExecutionLog } from "./execution-log.js";
import { fillAgainst, isActive, stopTriggers } from "./fill-rules.js";
import { exceedsEquity, type MarginFigures, marginImpact } from "./margin.js";
import { checkOrder, type OrderTerms } from "./order-check.js";
import {
  cancelNotFoundText,
  DUPLICATE_ORDER_ID_TEXT,
  MODIFY_MISMATCH_TEXT,
  notCancellableText,
  ORDER_CANCELLED_TEXT,
  OrderCode,
  rejectedText,
} from "./order-codes.js";
import {
  commissionReportValues,
  completedOrderValues,
  execDetailsValues,
  openOrderValues,
  orderStatusValues,
  type WhatIfState,
} from "./order-reports.js";
import { isDone, orderKey, remaining, type SimOrder } from "./sim-order.js";

/**
 * The simulated gateway's order handling for one simulator: placement, modification, cancellation, the status
 * lifecycle and matching against the seeded market, all on the simulator clock.
 *
 * Lifecycle: placeOrder answers PendingSubmit at once; ACK_MS later the order is PreSubmitted, ACK_MS after that
 * Submitted and working. Working orders are matched every STEP_MS (the market's price step), so a test's ManualClock
 * decides exactly when a limit is crossed. A bracket child stays PreSubmitted until its parent fills; transmit=false
 * holds an order (PendingSubmit) until an order of its bracket is transmitted.
 *
 * Reports go to the sessions of the placing client id (a reconnected client gets its orders' news) and to a client 0
 * that asked reqAutoOpenOrders(true).
 */

/** How long the simulated exchange takes to acknowledge each step (PendingSubmit -> PreSubmitted -> Submitted). */
export const ACK_MS = 50;

/** permIds start here and count up: unique, deterministic, and well below 2^31 (IBApi reads them as numbers). */
const PERM_ID_BASE = 1_000_000_000;

export class OrderEngine {
  private readonly orders = new Map<string, SimOrder>();
  private readonly completed: SimOrder[] = [];
  private readonly executions = new ExecutionLog();
  private readonly autoBound = new Set<ClientSession>();
  private nextPermId: number;
  private executionCount = 0;
  private stopMatching: CancelTimer | undefined;
  /**
   * Orders TWS holds PreSubmitted until their market opens (real-calendar mode): a market order outside regular
   * hours, any order outside the session. They become Submitted, and start trading, when it opens.
   */
  private readonly waitingForOpen = new Set<SimOrder>();

  constructor(private readonly sim: SimulatorContext) {
    // Seeded, so two simulators (multi-gateway tests) do not hand out the same permIds.
    this.nextPermId = PERM_ID_BASE + (Math.abs(sim.seed) % 1_000_000) * 100;
  }

  /** Every order of the login (open and done), in placement order. */
  get allOrders(): readonly SimOrder[] {
    return [...this.orders.values()];
  }

  get allExecutions(): readonly Execution[] {
    return this.executions.all;
  }

  place(session: ClientSession, request: PlaceOrderRequest): void {
    const { clientId } = session;
    const { orderId } = request;
    const existing = this.orders.get(orderKey(clientId, orderId));
    if (existing && !isDone(existing)) {
      this.modify(session, existing, request);
      return;
    }
    if (existing || orderId < this.sim.orderIds.peek(clientId)) {
      session.sendError(orderId, OrderCode.DUPLICATE_ORDER_ID, DUPLICATE_ORDER_ID_TEXT);
      return;
    }
    this.sim.orderIds.use(clientId, orderId);

    const instrument = this.resolve(session, request);
    if (!instrument) return;
    const check = checkOrder(request, instrument, this.sim.accounts);
    if (!check.ok && !check.inactive) {
      session.sendError(orderId, check.code, check.message);
      return;
    }
    const parent = request.parentId > 0 ? this.orders.get(orderKey(clientId, request.parentId)) : undefined;
    const order = this.createOrder(session, request, instrument, check.ok ? check.terms : undefined, parent);

    if (!check.ok) {
      this.reject(order, check.message);
      return;
    }
    if (request.parentId > 0 && (!parent || isDone(parent))) {
      this.reject(order, `Parent order ${request.parentId} is not an open order of this client.`);
      return;
    }
    const margin = this.marginFor(order);
    if (request.whatIf) {
      const whatIf: WhatIfState = {
        margin,
        commission: commissionFor(instrument, order.quantity, this.referencePrice(order)),
        commissionCurrency: instrument.contract.currency,
      };
      session.send(openOrder, openOrderValues(order, whatIf));
      return;
    }
    if (exceedsEquity(margin)) {
      this.reject(
        order,
        `YOUR ORDER IS NOT ACCEPTED. IN ORDER TO OBTAIN THE DESIRED POSITION YOUR EQUITY WITH LOAN VALUE ` +
          `[${margin.equityWithLoanAfter.toFixed(2)}] MUST EXCEED THE INITIAL MARGIN [${margin.initMarginAfter.toFixed(2)}]`,
      );
      return;
    }
    this.orders.set(orderKey(clientId, orderId), order);
    this.report(order);
    if (order.transmitted) this.transmit(order);
  }

  /** cancelOrder from `session`: only its own orders, as TWS allows. */
  cancel(session: ClientSession, orderId: number): void {
    const order = this.orders.get(orderKey(session.clientId, orderId));
    if (!order) {
      session.sendError(orderId, OrderCode.CANCEL_NOT_FOUND, cancelNotFoundText(orderId));
      return;
    }
    if (isDone(order)) {
      session.sendError(orderId, OrderCode.NOT_CANCELLABLE, notCancellableText(order.permId));
      return;
    }
    this.cancelOrder(order, "Cancelled by Trader");
  }

  /** reqGlobalCancel: every open order of every client. */
  cancelAll(): void {
    for (const order of this.orders.values()) {
      if (!isDone(order)) this.cancelOrder(order, "Cancelled by Trader");
    }
  }

  /** reqOpenOrders (own orders) / reqAllOpenOrders (every client's): openOrder + orderStatus each, then the End. */
  sendOpenOrders(session: ClientSession, scope: "own" | "all"): void {
    for (const order of this.orders.values()) {
      if (isDone(order) || (scope === "own" && order.clientId !== session.clientId)) continue;
      session.send(openOrder, openOrderValues(order));
      session.send(orderStatus, orderStatusValues(order));
    }
    session.send(openOrderEnd, {});
  }

  /** reqCompletedOrders: the login's done orders in the order they completed (all are API orders here). */
  sendCompletedOrders(session: ClientSession): void {
    for (const order of this.completed) session.send(completedOrder, completedOrderValues(order));
    session.send(completedOrdersEnd, {});
  }

  sendExecutions(session: ClientSession, reqId: number, filter: ExecutionFilterRequest): void {
    for (const execution of this.executions.matching(filter)) {
      session.send(execDetails, execDetailsValues(reqId, execution));
      session.send(commissionReport, commissionReportValues(execution));
    }
    session.send(execDetailsEnd, { reqId });
  }

  /** reqAutoOpenOrders: client 0 may ask to receive every client's order reports from now on. */
  bindAutoOpenOrders(session: ClientSession, autoBind: boolean): void {
    if (!autoBind) {
      this.autoBound.delete(session);
      return;
    }
    if (this.autoBound.has(session)) return;
    this.autoBound.add(session);
    session.onClose(() => this.autoBound.delete(session));
  }

  private resolve(session: ClientSession, request: PlaceOrderRequest): Instrument | undefined {
    const resolution = this.sim.world.catalog.resolve(request);
    if (resolution.kind !== "one") {
      session.sendError(request.orderId, TwsCode.NO_SECURITY_DEFINITION, NO_SECURITY_DEFINITION);
      return undefined;
    }
    return resolution.match.instrument;
  }

  private createOrder(
    session: ClientSession,
    request: PlaceOrderRequest,
    instrument: Instrument,
    terms: OrderTerms | undefined,
    parent: SimOrder | undefined,
  ): SimOrder {
    const exchange = request.exchange.trim().toUpperCase() || instrument.contract.exchange;
    return {
      clientId: session.clientId,
      orderId: request.orderId,
      permId: this.nextPermId++,
      request,
      instrument,
      exchange,
      account: terms?.account ?? (request.account || (this.sim.accounts[0] as string)),
      orderType: terms?.orderType ?? "MKT",
      side: terms?.side ?? 1,
      quantity: terms?.quantity ?? (Number(request.totalQuantity ?? 0) || 0),
      limitPrice: terms?.limitPrice,
      stopPrice: terms?.stopPrice,
      filled: 0,
      filledValue: 0,
      lastFillPrice: 0,
      status: "PendingSubmit",
      transmitted: request.transmit ?? true,
      triggered: false,
      parent,
      placedAt: this.sim.clock.now(),
      completedAt: undefined,
      completedStatus: "",
    };
  }

  /** Re-placing an open order's id changes it (price, quantity, type...); the contract must stay the same. */
  private modify(session: ClientSession, order: SimOrder, request: PlaceOrderRequest): void {
    const resolution = this.sim.world.catalog.resolve(request);
    if (resolution.kind !== "one" || resolution.match.instrument !== order.instrument) {
      session.sendError(order.orderId, OrderCode.MODIFY_MISMATCH, MODIFY_MISMATCH_TEXT);
      return;
    }
    const check = checkOrder(request, order.instrument, this.sim.accounts);
    if (!check.ok) {
      // A refused modification leaves the working order as it was.
      session.sendError(order.orderId, check.code, check.message);
      return;
    }
    const { terms } = check;
    if (terms.quantity <= order.filled) {
      session.sendError(
        order.orderId,
        OrderCode.ORDER_REJECTED,
        rejectedText(`The new quantity must exceed the ${order.filled} already filled.`),
      );
      return;
    }
    order.request = request;
    order.orderType = terms.orderType;
    order.side = terms.side;
    order.quantity = terms.quantity;
    order.limitPrice = terms.limitPrice;
    order.stopPrice = terms.stopPrice;
    if (terms.stopPrice === undefined) order.triggered = false;
    this.report(order);
    if (!order.transmitted && (request.transmit ?? true)) this.transmit(order);
  }

  /** Sends a held bracket on its way: the root first, then every held child, each through the acknowledgements. */
  private transmit(order: SimOrder): void {
    const root = order.parent ?? order;
    const group = [root, ...[...this.orders.values()].filter((each) => each.parent === root)];
    for (const member of group) {
      if (isDone(member)) continue;
      member.transmitted = true;
      this.acknowledge(member);
    }
  }

  private acknowledge(order: SimOrder): void {
    const { clock } = this.sim;
    clock.setTimer(ACK_MS, () => {
      if (isDone(order) || order.status !== "PendingSubmit") return;
      this.setStatus(order, "PreSubmitted");
      clock.setTimer(ACK_MS, () => {
        if (isDone(order) || order.status !== "PreSubmitted") return;
        if (order.parent && order.parent.status !== "Filled") return; // activated when the parent fills
        this.startWorking(order);
      });
    });
  }

  private startWorking(order: SimOrder): void {
    if (!this.mayTradeNow(order, this.sim.clock.now())) {
      this.waitingForOpen.add(order);
      this.watchMarket();
      return;
    }
    this.waitingForOpen.delete(order);
    this.setStatus(order, "Submitted");
    this.match(order, this.sim.clock.now());
    this.watchMarket();
  }

  private mayTradeNow(order: SimOrder, now: number): boolean {
    const { schedule } = order.instrument.details;
    return this.sim.marketHours.mayTrade(schedule, now, order.orderType, order.request.outsideRth === true);
  }

  /** One timer for all working orders, running only while there are some. */
  private watchMarket(): void {
    if (this.stopMatching || !this.hasWorkingOrders()) return;
    this.stopMatching = this.sim.clock.every(STEP_MS, () => {
      const now = this.sim.clock.now();
      for (const order of [...this.waitingForOpen]) {
        if (isDone(order) || order.status !== "PreSubmitted") this.waitingForOpen.delete(order);
        else if (this.mayTradeNow(order, now)) this.startWorking(order);
      }
      for (const order of [...this.orders.values()]) {
        if (isWorking(order)) this.match(order, now);
      }
      if (!this.hasWorkingOrders()) {
        this.stopMatching?.();
        this.stopMatching = undefined;
      }
    });
  }

  private hasWorkingOrders(): boolean {
    if (this.waitingForOpen.size > 0) return true;
    for (const order of this.orders.values()) if (isWorking(order)) return true;
    return false;
  }

  private match(order: SimOrder, now: number): void {
    const { market } = this.sim.world;
    const conId = order.instrument.contract.conId;
    // A working order whose session ended (real-calendar mode only) stays Submitted and trades again when it reopens:
    // market orders in regular hours, outsideRth limit and stop orders also in the extended session.
    if (!this.mayTradeNow(order, now)) return;
    if (!isActive(order)) {
      if (!stopTriggers(order, market.price(conId, now))) return;
      order.triggered = true;
    }
    const fill = fillAgainst(order, market.quote(conId, now));
    if (fill) this.execute(order, fill.price, fill.quantity, now);
  }

  private execute(order: SimOrder, price: number, quantity: number, now: number): void {
    const { instrument } = order;
    const commission = commissionFor(instrument, quantity, price);
    const booked = this.sim.world.ledger.applyFill(
      order.account,
      instrument.contract.conId,
      order.side * quantity,
      price,
      commission,
    );
    order.filled += quantity;
    order.filledValue += price * quantity;
    order.lastFillPrice = price;
    const execution: Execution = {
      execId: this.nextExecId(order),
      order,
      time: now,
      account: order.account,
      exchange: this.executionVenue(order),
      side: order.side > 0 ? "BOT" : "SLD",
      shares: quantity,
      price,
      cumQty: order.filled,
      avgPrice: order.filledValue / order.filled,
      commission,
      currency: instrument.contract.currency,
      realizedPnl: booked.realizedPnl === 0 ? undefined : booked.realizedPnl,
    };
    this.executions.add(execution);
    if (remaining(order) === 0) this.complete(order, "Filled", "Filled");
    for (const session of this.recipients(order)) {
      session.send(execDetails, execDetailsValues(-1, execution));
      session.send(commissionReport, commissionReportValues(execution));
    }
    this.report(order);
    this.afterFill(order, quantity);
  }

  /** OCA groups and brackets react to a fill: type 1 cancels the others, 2 and 3 (and bracket siblings) reduce them. */
  private afterFill(order: SimOrder, quantity: number): void {
    const ocaGroup = order.request.ocaGroup.trim();
    const cancelsOthers = order.request.ocaType <= 1;
    for (const other of this.orders.values()) {
      if (other === order || isDone(other)) continue;
      const sameOca = ocaGroup !== "" && other.request.ocaGroup.trim() === ocaGroup;
      const sibling = order.parent !== undefined && other.parent === order.parent;
      if (sameOca && cancelsOthers) this.cancelOrder(other, "Cancelled by OCA group");
      else if (sameOca || sibling) this.reduce(other, quantity);
    }
    if (order.status !== "Filled") return;
    const waiting = [...this.orders.values()].filter(
      (child) => child.parent === order && child.transmitted && child.status === "PreSubmitted",
    );
    // All children go live together before any of them trades, as TWS releases a bracket's legs at once.
    for (const child of waiting) this.setStatus(child, "Submitted");
    const now = this.sim.clock.now();
    for (const child of waiting) if (isWorking(child)) this.match(child, now);
    this.watchMarket();
  }

  private reduce(order: SimOrder, by: number): void {
    order.quantity = Math.max(order.filled, order.quantity - by);
    if (remaining(order) === 0) this.cancelOrder(order, "Cancelled by OCA group");
    else this.report(order);
  }

  /** Cancels an order and, with it, its bracket children. */
  private cancelOrder(order: SimOrder, completedStatus: string): void {
    this.complete(order, "Cancelled", completedStatus);
    for (const session of this.recipients(order)) {
      session.send(orderStatus, orderStatusValues(order));
      session.sendError(order.orderId, OrderCode.ORDER_CANCELLED, ORDER_CANCELLED_TEXT);
    }
    for (const child of this.orders.values()) {
      if (child.parent === order && !isDone(child)) this.cancelOrder(child, "Cancelled by parent");
    }
  }

  /** A received order TWS refuses: 201, then it is reported Inactive (and listed among completed orders). */
  private reject(order: SimOrder, reason: string): void {
    const recipients = this.recipients(order);
    for (const session of recipients) session.sendError(order.orderId, OrderCode.ORDER_REJECTED, rejectedText(reason));
    if (order.request.whatIf) return; // a what-if question creates no order, so nothing becomes Inactive
    this.orders.set(orderKey(order.clientId, order.orderId), order);
    this.complete(order, "Inactive", "Rejected");
    this.report(order);
  }

  private complete(order: SimOrder, status: "Filled" | "Cancelled" | "Inactive", completedStatus: string): void {
    order.status = status;
    order.completedAt = this.sim.clock.now();
    order.completedStatus = completedStatus;
    this.completed.push(order);
  }

  private setStatus(order: SimOrder, status: SimOrder["status"]): void {
    order.status = status;
    this.report(order);
  }

  /** openOrder + orderStatus to everyone following the order. */
  private report(order: SimOrder): void {
    for (const session of this.recipients(order)) {
      session.send(openOrder, openOrderValues(order));
      session.send(orderStatus, orderStatusValues(order));
    }
  }

  private recipients(order: SimOrder): ClientSession[] {
    return [...this.sim.sessions()].filter(
      (session) => session.clientId === order.clientId || (this.autoBound.has(session) && session.isReady),
    );
  }

  private marginFor(order: SimOrder): MarginFigures {
    const { world, clock } = this.sim;
    const now = clock.now();
    const account = world.ledger.value(order.account, now);
    const conId = order.instrument.contract.conId;
    const held = world.ledger.account(order.account).positions.get(conId)?.quantity ?? 0;
    const price = this.referencePrice(order);
    return marginImpact({
      account,
      instrument: order.instrument,
      heldQuantity: held,
      quantity: order.side * order.quantity,
      price,
      commission: commissionFor(order.instrument, order.quantity, price),
      toBase: world.market.convert(1, order.instrument.contract.currency, account.baseCurrency, now),
    });
  }

  /** The price an order would trade at if it traded now (what-if and margin checks). */
  private referencePrice(order: SimOrder): number {
    if (order.limitPrice !== undefined) return order.limitPrice;
    if (order.stopPrice !== undefined) return order.stopPrice;
    const quote = this.sim.world.market.quote(order.instrument.contract.conId, this.sim.clock.now());
    return order.side > 0 ? quote.ask : quote.bid;
  }

  /** SMART orders execute on the instrument's primary venue, directed ones where they were sent. */
  private executionVenue(order: SimOrder): string {
    const { contract } = order.instrument;
    return order.exchange === "SMART" ? contract.primaryExch || contract.exchange : order.exchange;
  }

  /** TWS-style "0000e0d5.6571f5c0.01.01": a seeded prefix, then a running count. */
  private nextExecId(order: SimOrder): string {
    this.executionCount++;
    const hex = (value: number) => (value >>> 0).toString(16).padStart(8, "0");
    return `${hex(order.permId)}.${hex(this.executionCount)}.01.01`;
  }
}

/** Submitted and transmitted, with any parent filled: the orders the market is matched against. */
function isWorking(order: SimOrder): boolean {
  return order.status === "Submitted" && order.transmitted;
}

const engines = new WeakMap<SimulatorContext, OrderEngine>();

/** The one order engine of a simulator (created on first use, so a simulator without orders pays nothing). */
export function ordersOf(sim: SimulatorContext): OrderEngine {
  let engine = engines.get(sim);
  if (!engine) {
    engine = new OrderEngine(sim);
    engines.set(sim, engine);
  }
  return engine;
}
