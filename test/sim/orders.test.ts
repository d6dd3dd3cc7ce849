import { EventName, type Execution, OrderType } from "@stoqey/ib";
import { afterEach, describe, expect, it } from "vitest";
import { createWorld, STEP_MS } from "../../src/sim/world/index.js";
import { FIXED_NOW, type IbClient, type RecordedEvent } from "./helpers.js";
import {
  AAPL,
  AAPL_CONID,
  ACCOUNT,
  buy,
  eventsNamed,
  MSFT,
  OrdersBench,
  roundTrip,
  sell,
  statusesOf,
  TO_SUBMITTED_MS,
  waitForStatus,
} from "./orders-harness.js";

/** IBApi reports a TWS error's text as an Error object. */
function messageOf(event: RecordedEvent): string {
  return (event.args[0] as Error).message;
}

/** Orders through the real IBApi, on a ManualClock so every fill happens at a known simulator instant. */
describe.each([176, 187, 193])("orders through IBApi at server version %i", (serverVersion) => {
  let bench: OrdersBench;

  afterEach(async () => {
    expect(bench.decodeErrors()).toEqual([]);
    expect(bench.simulator.violations).toEqual([]);
    await bench.stop();
  });

  async function positionOf(client: IbClient, account: string, conId: number): Promise<number> {
    const mark = client.mark();
    client.api.reqPositions();
    await client.next(EventName.positionEnd, "positionEnd", mark);
    client.api.cancelPositions();
    const rows = eventsNamed(client, EventName.position, mark).filter(
      (event) => event.args[0] === account && (event.args[1] as { conId: number }).conId === conId,
    );
    return (rows.at(-1)?.args[2] as number | undefined) ?? 0;
  }

  it("fills a MKT order at the ask through PendingSubmit, PreSubmitted, Submitted; executions and positions show it", async () => {
    bench = new OrdersBench(serverVersion);
    const client = await bench.connect(1);
    const before = await positionOf(client, ACCOUNT, AAPL_CONID);

    const mark = client.mark();
    client.api.placeOrder(1, AAPL, buy(OrderType.MKT, 10));
    await waitForStatus(client, 1, "PendingSubmit", mark);
    bench.clock.advance(TO_SUBMITTED_MS);
    const filled = await waitForStatus(client, 1, "Filled", mark);
    expect(statusesOf(client, 1, mark)).toEqual(["PendingSubmit", "PreSubmitted", "Submitted", "Filled"]);

    const ask = createWorld(42, bench.simulator.accounts, FIXED_NOW).market.quote(
      AAPL_CONID,
      FIXED_NOW + TO_SUBMITTED_MS,
    ).ask;
    const [, , filledQty, remaining, avgFillPrice, permId, parentId, lastFillPrice, clientId] = filled.args;
    expect([filledQty, remaining, avgFillPrice, parentId, lastFillPrice, clientId]).toEqual([10, 0, ask, 0, ask, 1]);
    expect(permId).toBeGreaterThan(0);
    expect(permId).toBeLessThan(2 ** 31);

    const live = eventsNamed(client, EventName.execDetails, mark);
    expect(live).toHaveLength(1);
    const [reqId, contract, execution] = (live[0] as RecordedEvent).args as [number, { conId: number }, Execution];
    expect(reqId).toBe(-1);
    expect(contract).toMatchObject({ conId: AAPL_CONID, symbol: "AAPL" });
    expect(execution).toMatchObject({
      orderId: 1,
      acctNumber: ACCOUNT,
      side: "BOT",
      shares: 10,
      price: ask,
      permId,
      clientId: 1,
      cumQty: 10,
      avgPrice: ask,
      time: "20250102 14:30:00 UTC",
    });
    expect(execution.exchange).toBe("NASDAQ");
    const report = eventsNamed(client, EventName.commissionReport, mark)[0]?.args[0];
    expect(report).toMatchObject({ execId: execution.execId, commission: 1, currency: "USD" });
    expect((report as { realizedPNL?: number }).realizedPNL).toBeUndefined();

    const query = client.mark();
    client.api.reqExecutions(5, { symbol: "AAPL" });
    await client.next(EventName.execDetailsEnd, "execDetailsEnd", query);
    const answered = eventsNamed(client, EventName.execDetails, query);
    expect(answered.map((event) => [event.args[0], (event.args[2] as Execution).execId])).toEqual([
      [5, execution.execId],
    ]);
    const none = client.mark();
    client.api.reqExecutions(6, { side: "SELL" });
    await client.next(EventName.execDetailsEnd, "execDetailsEnd (sells)", none);
    expect(eventsNamed(client, EventName.execDetails, none)).toEqual([]);

    expect(await positionOf(client, ACCOUNT, AAPL_CONID)).toBe(before + 10);
  });

  it("keeps a far LMT order working (Submitted) until cancelled, then reports Cancelled and 202", async () => {
    bench = new OrdersBench(serverVersion);
    const client = await bench.connect(2);
    const mark = client.mark();
    client.api.placeOrder(1, AAPL, buy(OrderType.LMT, 100, { lmtPrice: 100 }));
    await waitForStatus(client, 1, "PendingSubmit", mark);
    bench.clock.advance(TO_SUBMITTED_MS + 60_000);
    await roundTrip(client);
    expect(statusesOf(client, 1, mark)).toEqual(["PendingSubmit", "PreSubmitted", "Submitted"]);
    const open = eventsNamed(client, EventName.openOrder, mark).at(-1)?.args;
    expect(open?.[2]).toMatchObject({ orderId: 1, lmtPrice: 100, totalQuantity: 100, account: ACCOUNT, tif: "DAY" });
    expect(open?.[3]).toMatchObject({ status: "Submitted" });

    client.api.cancelOrder(1);
    await waitForStatus(client, 1, "Cancelled", mark);
    const canceled = await client.next(EventName.error, "202", mark, (args) => args[1] === 202);
    expect(canceled.args[2]).toBe(1);
    expect(eventsNamed(client, EventName.execDetails, mark)).toEqual([]);

    const again = client.mark();
    client.api.cancelOrder(1);
    const refused = await client.next(EventName.error, "161", again, (args) => args[1] === 161);
    expect(refused.args[2]).toBe(1);
    client.api.cancelOrder(99);
    expect((await client.next(EventName.error, "10147", again, (args) => args[1] === 10147)).args[2]).toBe(99);
  });

  it("fills a resting LMT exactly when the walk's ask comes down to it", async () => {
    bench = new OrdersBench(serverVersion);
    const client = await bench.connect(3);
    // The same seeded walk the simulator runs: the lowest ask of the next minute, and the first step reaching it.
    const market = createWorld(42, bench.simulator.accounts, FIXED_NOW).market;
    const checks = Array.from({ length: 240 }, (_, step) => FIXED_NOW + TO_SUBMITTED_MS + step * STEP_MS);
    const limit = Math.min(...checks.map((t) => market.quote(AAPL_CONID, t).ask));
    const crossing = checks.find((t) => market.quote(AAPL_CONID, t).ask <= limit) as number;
    expect(crossing).toBeGreaterThan(FIXED_NOW + TO_SUBMITTED_MS);

    const mark = client.mark();
    client.api.placeOrder(1, AAPL, buy(OrderType.LMT, 100, { lmtPrice: limit }));
    await waitForStatus(client, 1, "PendingSubmit", mark);
    bench.clock.set(crossing - 1);
    await roundTrip(client);
    expect(statusesOf(client, 1, mark)).toEqual(["PendingSubmit", "PreSubmitted", "Submitted"]);
    bench.clock.set(crossing);
    await waitForStatus(client, 1, "Filled", mark);
    const fills = eventsNamed(client, EventName.execDetails, mark).map((event) => event.args[2] as Execution);
    expect(fills).toHaveLength(1);
    expect(fills[0]?.price).toBeLessThanOrEqual(limit);
    expect(fills[0]?.shares).toBe(100);
  });

  it("fills a large MKT order in parts, one per price step, each with its execution and commission", async () => {
    bench = new OrdersBench(serverVersion);
    const client = await bench.connect(4);
    const mark = client.mark();
    client.api.placeOrder(1, AAPL, buy(OrderType.MKT, 3000));
    await waitForStatus(client, 1, "PendingSubmit", mark);
    bench.clock.advance(TO_SUBMITTED_MS);
    for (let step = 0; step < 20 && !statusesOf(client, 1, mark).includes("Filled"); step++) {
      bench.clock.advance(STEP_MS);
      await roundTrip(client);
    }
    await waitForStatus(client, 1, "Filled", mark);
    const fills = eventsNamed(client, EventName.execDetails, mark).map((event) => event.args[2] as Execution);
    expect(fills.length).toBeGreaterThan(1);
    expect(fills.reduce((sum, fill) => sum + (fill.shares as number), 0)).toBe(3000);
    expect(fills.map((fill) => fill.cumQty)).toEqual(
      fills.map((_, index) => fills.slice(0, index + 1).reduce((sum, fill) => sum + (fill.shares as number), 0)),
    );
    expect(eventsNamed(client, EventName.commissionReport, mark)).toHaveLength(fills.length);
    const partial = eventsNamed(client, EventName.orderStatus, mark).find(
      (event) => event.args[1] === "Submitted" && (event.args[2] as number) > 0,
    );
    expect(partial?.args[3]).toBe(3000 - (partial?.args[2] as number));
  });

  it("works a bracket: children wait PreSubmitted, start when the parent fills, and one child's fill cancels the other", async () => {
    bench = new OrdersBench(serverVersion);
    const client = await bench.connect(5);
    const mark = client.mark();
    client.api.placeOrder(1, AAPL, buy(OrderType.LMT, 100, { lmtPrice: 250, transmit: false }));
    client.api.placeOrder(2, AAPL, sell(OrderType.LMT, 100, { lmtPrice: 150, parentId: 1, transmit: false }));
    client.api.placeOrder(3, AAPL, sell(OrderType.STP, 100, { auxPrice: 100, parentId: 1, transmit: true }));
    await waitForStatus(client, 3, "PendingSubmit", mark);
    await roundTrip(client);
    // Held until the last child is transmitted, then all three go out together.
    expect(statusesOf(client, 1, mark)).toEqual(["PendingSubmit"]);
    bench.clock.advance(TO_SUBMITTED_MS);
    await waitForStatus(client, 1, "Filled", mark);
    await waitForStatus(client, 2, "Filled", mark);
    await waitForStatus(client, 3, "Cancelled", mark);
    expect(statusesOf(client, 2, mark)).toEqual(["PendingSubmit", "PreSubmitted", "Submitted", "Filled"]);
    expect(statusesOf(client, 3, mark)).toEqual(["PendingSubmit", "PreSubmitted", "Submitted", "Cancelled"]);
    const index = (orderId: number, status: string) =>
      client.events.findIndex(
        (event) => event.name === EventName.orderStatus && event.args[0] === orderId && event.args[1] === status,
      );
    expect(index(2, "Submitted")).toBeGreaterThan(index(1, "Filled"));
    const childOpen = eventsNamed(client, EventName.openOrder, mark).find((event) => event.args[0] === 2);
    expect(childOpen?.args[2]).toMatchObject({ parentId: 1 });
  });

  it("cancels a bracket's children with its parent, and an OCA group's others when one member fills", async () => {
    bench = new OrdersBench(serverVersion);
    const client = await bench.connect(6);
    const mark = client.mark();
    client.api.placeOrder(1, AAPL, buy(OrderType.LMT, 100, { lmtPrice: 100, transmit: false }));
    client.api.placeOrder(2, AAPL, sell(OrderType.STP, 100, { auxPrice: 90, parentId: 1 }));
    client.api.placeOrder(3, MSFT, buy(OrderType.MKT, 10, { ocaGroup: "pair", ocaType: 1 }));
    client.api.placeOrder(4, AAPL, buy(OrderType.LMT, 10, { lmtPrice: 100, ocaGroup: "pair", ocaType: 1 }));
    await waitForStatus(client, 4, "PendingSubmit", mark);
    bench.clock.advance(TO_SUBMITTED_MS + STEP_MS);
    await waitForStatus(client, 3, "Filled", mark);
    await waitForStatus(client, 4, "Cancelled", mark);
    expect(statusesOf(client, 2, mark)).toEqual(["PendingSubmit", "PreSubmitted"]);

    client.api.cancelOrder(1);
    await waitForStatus(client, 1, "Cancelled", mark);
    await waitForStatus(client, 2, "Cancelled", mark);
  });

  it("modifies an open order re-placed under its id, and refuses a re-place for another contract with 105", async () => {
    bench = new OrdersBench(serverVersion);
    const client = await bench.connect(7);
    const mark = client.mark();
    client.api.placeOrder(1, AAPL, buy(OrderType.LMT, 100, { lmtPrice: 100 }));
    await waitForStatus(client, 1, "PendingSubmit", mark);
    bench.clock.advance(TO_SUBMITTED_MS);
    await waitForStatus(client, 1, "Submitted", mark);

    const other = client.mark();
    client.api.placeOrder(1, MSFT, buy(OrderType.LMT, 100, { lmtPrice: 100 }));
    expect((await client.next(EventName.error, "105", other, (args) => args[1] === 105)).args[2]).toBe(1);

    const modified = client.mark();
    client.api.placeOrder(1, AAPL, buy(OrderType.LMT, 200, { lmtPrice: 101 }));
    const echoed = await client.next(EventName.openOrder, "modified openOrder", modified);
    expect(echoed.args[2]).toMatchObject({ orderId: 1, lmtPrice: 101, totalQuantity: 200 });
    const marketable = client.mark();
    client.api.placeOrder(1, AAPL, buy(OrderType.LMT, 200, { lmtPrice: 300 }));
    await client.next(EventName.openOrder, "marketable modification", marketable);
    bench.clock.advance(STEP_MS);
    await waitForStatus(client, 1, "Filled", modified);
    const fills = eventsNamed(client, EventName.execDetails, modified).map((event) => event.args[2] as Execution);
    expect(fills.reduce((sum, fill) => sum + (fill.shares as number), 0)).toBe(200);
  });

  it("answers a what-if order with margin figures and places nothing", async () => {
    bench = new OrdersBench(serverVersion);
    const client = await bench.connect(8);
    const before = await positionOf(client, ACCOUNT, AAPL_CONID);
    const mark = client.mark();
    client.api.placeOrder(1, AAPL, buy(OrderType.LMT, 100, { lmtPrice: 200, whatIf: true }));
    const answer = await client.next(EventName.openOrder, "what-if openOrder", mark);
    const [orderId, , order, state] = answer.args as [number, unknown, { whatIf: boolean }, Record<string, unknown>];
    expect(orderId).toBe(1);
    expect(order.whatIf).toBe(true);
    expect(state.initMarginChange).toBeCloseTo(100 * 200 * 0.25 * 1.1, 2);
    expect(state.maintMarginChange).toBeCloseTo(100 * 200 * 0.25, 2);
    expect(state.initMarginAfter).toBeCloseTo((state.initMarginBefore as number) + 5500, 2);
    expect(state.equityWithLoanChange).toBeCloseTo(-1, 2);
    expect(state).toMatchObject({ commission: 1, commissionCurrency: "USD" });

    bench.clock.advance(TO_SUBMITTED_MS + 10 * STEP_MS);
    const open = client.mark();
    client.api.reqOpenOrders();
    await client.next(EventName.openOrderEnd, "openOrderEnd", open);
    expect(eventsNamed(client, EventName.openOrder, open)).toEqual([]);
    expect(eventsNamed(client, EventName.orderStatus, mark)).toEqual([]);
    expect(await positionOf(client, ACCOUNT, AAPL_CONID)).toBe(before);
  });

  it("refuses reused and old order ids with 103, unknown contracts with 200, bad values with 321 or 201 + Inactive", async () => {
    bench = new OrdersBench(serverVersion);
    const client = await bench.connect(9);
    const mark = client.mark();
    client.api.placeOrder(5, AAPL, buy(OrderType.MKT, 1));
    await waitForStatus(client, 5, "PendingSubmit", mark);
    bench.clock.advance(TO_SUBMITTED_MS);
    await waitForStatus(client, 5, "Filled", mark);

    const errorFor = (code: number, orderId: number) =>
      client.next(EventName.error, `${code} for ${orderId}`, mark, (args) => args[1] === code && args[2] === orderId);
    client.api.placeOrder(5, AAPL, buy(OrderType.MKT, 1)); // the id of a filled order
    client.api.placeOrder(3, AAPL, buy(OrderType.MKT, 1)); // below the highest id used
    expect(messageOf(await errorFor(103, 5))).toBe("Duplicate order id");
    await errorFor(103, 3);

    client.api.placeOrder(
      6,
      { symbol: "ZZZZQ", secType: "STK" as never, exchange: "SMART", currency: "USD" },
      buy(OrderType.MKT, 1),
    );
    expect(messageOf(await errorFor(200, 6))).toBe("No security definition has been found for the request");
    client.api.placeOrder(7, AAPL, { ...buy(OrderType.MKT, 1), action: "HOLD" as never });
    await errorFor(321, 7);
    client.api.placeOrder(8, AAPL, buy(OrderType.MKT, 0));
    await errorFor(201, 8);
    await waitForStatus(client, 8, "Inactive", mark);
    client.api.placeOrder(9, AAPL, buy(OrderType.MKT, 1_000_000));
    expect(messageOf(await errorFor(201, 9))).toContain("EQUITY WITH LOAN VALUE");
    await roundTrip(client);
    for (const refused of [3, 6, 7]) expect(statusesOf(client, refused, mark)).toEqual([]);
  });

  it("lists open orders per client or for all clients, completed orders, and cancels everything globally", async () => {
    bench = new OrdersBench(serverVersion);
    const first = await bench.connect(11);
    const second = await bench.connect(12);
    let mark = first.mark();
    first.api.placeOrder(1, AAPL, buy(OrderType.LMT, 100, { lmtPrice: 100 }));
    first.api.placeOrder(2, AAPL, buy(OrderType.MKT, 5));
    await waitForStatus(first, 2, "PendingSubmit", mark);
    const secondMark = second.mark();
    second.api.placeOrder(1, MSFT, sell(OrderType.LMT, 10, { lmtPrice: 9999 }));
    await waitForStatus(second, 1, "PendingSubmit", secondMark);
    bench.clock.advance(TO_SUBMITTED_MS);
    await waitForStatus(first, 2, "Filled", mark);
    // Orders are the placing client's: the other client hears nothing of them.
    expect(eventsNamed(second, EventName.orderStatus, secondMark).every((event) => event.args[0] === 1)).toBe(true);

    mark = first.mark();
    first.api.reqOpenOrders();
    await first.next(EventName.openOrderEnd, "own openOrderEnd", mark);
    expect(eventsNamed(first, EventName.openOrder, mark).map((event) => event.args[0])).toEqual([1]);
    mark = first.mark();
    first.api.reqAllOpenOrders();
    await first.next(EventName.openOrderEnd, "all openOrderEnd", mark);
    const all = eventsNamed(first, EventName.openOrder, mark).map((event) => [
      event.args[0],
      (event.args[2] as { clientId: number }).clientId,
    ]);
    expect(all).toEqual([
      [1, 11],
      [1, 12],
    ]);

    mark = first.mark();
    const otherMark = second.mark();
    first.api.reqGlobalCancel();
    await waitForStatus(first, 1, "Cancelled", mark);
    await waitForStatus(second, 1, "Cancelled", otherMark);

    // Below 177 TWS still sends completedOrder's faProfile; @stoqey/ib 1.6.10 gates it on the wrong version and cannot
    // read the message (a documented client deviation: ibrpc asks for completed orders only from 177 on). The
    // reference decoder checks the simulator's 176 layout in reference-conformance.test.ts.
    if (serverVersion < 177) return;
    mark = first.mark();
    first.api.reqCompletedOrders(false);
    await first.next(EventName.completedOrdersEnd, "completedOrdersEnd", mark);
    const completed = eventsNamed(first, EventName.completedOrder, mark).map((event) => {
      const [contract, order, state] = event.args as [
        { symbol: string },
        { permId: number; filledQuantity: number },
        { status: string; completedStatus: string; completedTime: string },
      ];
      return [contract.symbol, state.status, order.filledQuantity, state.completedStatus, state.completedTime];
    });
    expect(completed).toEqual([
      ["AAPL", "Filled", 5, "Filled", "20250102 14:30:00 UTC"],
      ["AAPL", "Cancelled", 0, "Cancelled by Trader", "20250102 14:30:00 UTC"],
      ["MSFT", "Cancelled", 0, "Cancelled by Trader", "20250102 14:30:00 UTC"],
    ]);
  });
});
