import { Code, ConnectError } from "@connectrpc/connect";
import {
  BarSizeSetting,
  type Contract,
  EventName,
  type Order,
  OrderAction,
  OrderType,
  SecType,
  WhatToShow,
} from "@stoqey/ib";
import { describe, expect, it } from "vitest";
import { deadlineSignal } from "../../src/gateway/deadline.js";
import { LANE } from "../../src/gateway/exclusive-lane.js";
import type { IbRecord } from "../../src/gateway/ib-events.js";
import { ManualClock } from "../../src/sim/index.js";
import { ACK_MS } from "../../src/sim/orders/order-engine.js";
import { withTimeout } from "../support/wait.js";
import { readyGateway } from "./harness.js";

const AAPL: Contract = { symbol: "AAPL", secType: SecType.STK, exchange: "SMART", currency: "USD" };
const FIXED_NOW = Date.UTC(2025, 0, 2, 14, 30, 0);

const deadline = (ms: number, what = "test") => deadlineSignal({ timeoutMs: ms }, () => what);

describe("RequestCorrelator against the simulator", () => {
  it("gathers by reqId up to the End marker, with typed items", async () => {
    const { conn } = await readyGateway();
    const details = await conn.correlator.gather({
      request: "reqContractDetails",
      send: (reqId) => conn.ib.reqContractDetails(reqId, AAPL),
      items: { [EventName.contractDetails]: (e) => e.contractDetails },
      end: EventName.contractDetailsEnd,
      signal: deadline(5_000),
    });
    expect(details.length).toBeGreaterThanOrEqual(1);
    expect(details[0]?.contract.conId).toBe(265598);
    expect(conn.correlator.pendingCount).toBe(0);
  });

  it("gathers reqId-less rows to an End marker, keeping only the rows the filter accepts", async () => {
    const { sim, conn } = await readyGateway();
    const account = sim.accounts[1] as string;
    const rows = await conn.correlator.gatherUnkeyed({
      request: "reqAccountUpdates",
      lane: LANE.accountUpdates,
      send: () => conn.ib.reqAccountUpdates(true, account),
      cancel: () => conn.ib.reqAccountUpdates(false, account),
      cancelAfterEnd: true,
      items: { [EventName.updateAccountValue]: (e) => e },
      filter: { [EventName.updateAccountValue]: (e) => e.key === "NetLiquidation" },
      end: EventName.accountDownloadEnd,
      isEnd: (e) => e.account === account,
      noun: "account values",
      signal: deadline(5_000),
    });
    expect(rows.length).toBeGreaterThanOrEqual(1);
    expect(rows.every((r) => r.key === "NetLiquidation" && r.accountName === account)).toBe(true);
  });

  it("runs requests of one exclusive lane one at a time, so two accounts' updates never mix", async () => {
    const { sim, conn } = await readyGateway();
    const [a, b] = sim.accounts as [string, string];
    const updates = (account: string) =>
      conn.correlator.gatherUnkeyed({
        request: "reqAccountUpdates",
        lane: LANE.accountUpdates,
        send: () => conn.ib.reqAccountUpdates(true, account),
        cancel: () => conn.ib.reqAccountUpdates(false, account),
        cancelAfterEnd: true,
        items: {
          [EventName.updateAccountValue]: (e) => e.accountName,
          [EventName.updatePortfolio]: (e) => e.accountName,
        },
        end: EventName.accountDownloadEnd,
        isEnd: (e) => e.account === account,
        signal: deadline(5_000),
      });
    const [rowsA, rowsB, rowsA2] = await Promise.all([updates(a), updates(b), updates(a)]);
    expect(rowsA.length).toBeGreaterThan(0);
    expect(new Set(rowsA)).toEqual(new Set([a]));
    expect(new Set(rowsB)).toEqual(new Set([b]));
    expect(new Set(rowsA2)).toEqual(new Set([a]));
  });

  it("shares one identical in-flight request among callers, each mapping the rows itself", async () => {
    const { sim, conn } = await readyGateway();
    let sent = 0;
    const positions = <T>(map: (e: { account: string; pos: number }) => T) =>
      conn.correlator.gatherUnkeyed({
        request: "reqPositions",
        lane: LANE.positions,
        share: "reqPositions",
        send: () => {
          sent++;
          conn.ib.reqPositions();
        },
        cancel: () => conn.ib.cancelPositions(),
        cancelAfterEnd: true,
        items: { [EventName.position]: map },
        end: EventName.positionEnd,
        signal: deadline(5_000),
      });
    const [accounts, sizes] = await Promise.all([positions((e) => e.account), positions((e) => e.pos)]);
    expect(sent).toBe(1);
    expect(accounts.length).toBe(sizes.length);
    expect(new Set(accounts)).toEqual(new Set(sim.accounts.filter((acct) => sim.world.ledger.positions(acct).length)));
    expect(sizes.every((s) => typeof s === "number")).toBe(true);
  });

  it("ends on an `until` row (historicalData's finished row) and drops rows mapped to undefined", async () => {
    const { conn } = await readyGateway({ now: () => FIXED_NOW });
    const bars = await conn.correlator.gather({
      request: "reqHistoricalData",
      send: (reqId) =>
        conn.ib.reqHistoricalData(reqId, AAPL, "", "1 D", BarSizeSetting.HOURS_ONE, WhatToShow.TRADES, 1, 1, false),
      items: { [EventName.historicalData]: (e) => (e.time.startsWith("finished") ? undefined : e) },
      until: { [EventName.historicalData]: (e) => e.time.startsWith("finished") },
      end: EventName.historicalDataUpdate, // never sent for keepUpToDate=false: the until row must end it
      noun: "bars",
      signal: deadline(5_000),
    });
    expect(bars.length).toBeGreaterThan(0);
    for (const bar of bars) expect(bar.high).toBeGreaterThanOrEqual(bar.low);
  });

  it("names what was gathered when the End marker never comes, and cancels the request", async () => {
    const { sim, conn } = await readyGateway();
    sim.control.withholdEnd("positionEnd", "forever");
    const expected = sim.accounts.flatMap((acct) => sim.world.ledger.positions(acct)).length;
    const cancels: string[] = [];
    const err = await conn.correlator
      .gatherUnkeyed({
        request: "reqPositions",
        lane: LANE.positions,
        send: () => conn.ib.reqPositions(),
        cancel: () => {
          cancels.push("cancelPositions");
          conn.ib.cancelPositions();
        },
        items: { [EventName.position]: (e) => e },
        end: EventName.positionEnd,
        noun: "position rows",
        // Time for every row to arrive; the deadline then fires with all of them gathered.
        signal: deadlineSignal({ timeoutMs: 1_000 }, () => "unused"),
      })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConnectError);
    expect((err as ConnectError).code).toBe(Code.DeadlineExceeded);
    expect((err as ConnectError).rawMessage).toBe(
      `reqPositions: ${expected} position rows gathered, no positionEnd from gateway test within 1000 ms`,
    );
    expect(cancels).toEqual(["cancelPositions"]);
    expect(conn.correlator.pendingCount).toBe(0);
  });

  it("counts the wait for a busy lane against the caller's deadline, and says it was never sent", async () => {
    const { sim, conn } = await readyGateway();
    sim.control.withholdEnd("positionEnd", "forever");
    const holder = new AbortController();
    const positions = (signal: AbortSignal, sent: () => void) =>
      conn.correlator.gatherUnkeyed({
        request: "reqPositions",
        lane: LANE.positions,
        send: () => {
          sent();
          conn.ib.reqPositions();
        },
        cancel: () => conn.ib.cancelPositions(),
        items: { [EventName.position]: (e) => e },
        end: EventName.positionEnd,
        signal,
      });
    const first = positions(holder.signal, () => {}).catch((e: unknown) => e);
    let secondSent = false;
    const err = await positions(deadline(200), () => {
      secondSent = true;
    }).catch((e: unknown) => e);
    expect((err as ConnectError).code).toBe(Code.DeadlineExceeded);
    expect((err as ConnectError).rawMessage).toMatch(
      /^reqPositions: still queued for the reqPositions lane \(another request holds it\), not sent, no positionEnd from gateway test within 200 ms$/,
    );
    expect(secondSent).toBe(false);
    holder.abort(new Error("done"));
    await first;
    expect(conn.correlator.pendingCount).toBe(0);
    expect(conn.correlator.lanes.get(LANE.positions).busy).toBe(false);
  });

  it("gathers an order's acknowledgements by orderId", async () => {
    const clock = new ManualClock(FIXED_NOW);
    const { sim, conn } = await readyGateway({ clock });
    const orderId = conn.snapshot().nextValidId as number;
    const order: Order = {
      action: OrderAction.BUY,
      orderType: OrderType.LMT,
      lmtPrice: 1,
      totalQuantity: 1,
      account: sim.accounts[0],
      transmit: true,
    };
    const acks = conn.correlator.gatherOrder({
      request: "placeOrder",
      orderId,
      send: (id) => conn.ib.placeOrder(id, AAPL, order),
      items: {
        [EventName.openOrder]: (e) => `openOrder ${e.orderId}`,
        [EventName.orderStatus]: (e) => `${e.status} ${e.orderId}`,
      },
      end: EventName.orderStatus,
      isEnd: (e) => e.status === "Submitted",
      signal: deadline(5_000),
    });
    // The simulator acknowledges on its clock: step it until the order is working.
    for (let i = 0; i < 10 && conn.correlator.pendingCount > 0; i++) {
      await new Promise((r) => setImmediate(r));
      clock.advance(ACK_MS);
    }
    const seen = await acks;
    expect(seen).toContain(`openOrder ${orderId}`);
    expect(seen.at(-1)).toBe(`Submitted ${orderId}`);
  });

  it("fails an orderId gather at once with IB's error for that order", async () => {
    const { sim, conn } = await readyGateway();
    const orderId = conn.snapshot().nextValidId as number;
    const err = await conn.correlator
      .gatherOrder({
        request: "placeOrder",
        orderId,
        send: (id) =>
          conn.ib.placeOrder(
            id,
            { symbol: "NOSUCHSYM", secType: SecType.STK, exchange: "SMART", currency: "USD" },
            {
              action: OrderAction.BUY,
              orderType: OrderType.MKT,
              totalQuantity: 1,
              account: sim.accounts[0],
            },
          ),
        items: { [EventName.orderStatus]: (e) => e.status },
        end: EventName.orderStatus,
        signal: deadline(5_000),
      })
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ ibCode: 200, grpcCode: Code.NotFound });
  });

  it("lingers after the End marker to join a late commissionReport, ending early once everything expected came", async () => {
    const clock = new ManualClock(FIXED_NOW);
    const { sim, conn } = await readyGateway({ clock });
    const account = sim.accounts[0] as string;
    // The late one: a fill after execDetailsEnd, whose commissionReport IB sends on its own.
    let lateExecId: string | undefined;
    const off = conn.events.on(EventName.execDetails, (e) => {
      if (e.reqId === -1) lateExecId = e.execution.execId;
    });
    const endSeen = new Promise<void>((resolve) => conn.events.once(EventName.execDetailsEnd, () => resolve()));
    const joined = conn.correlator.gather({
      request: "reqExecutions",
      send: (reqId) => conn.ib.reqExecutions(reqId, { acctCode: account }),
      items: {
        [EventName.execDetails]: (e): IbRecord => ({ name: EventName.execDetails, event: e }),
        [EventName.commissionReport]: (e): IbRecord => ({ name: EventName.commissionReport, event: e }),
      },
      end: EventName.execDetailsEnd,
      linger: {
        ms: 10_000,
        done: (records) =>
          records.some((r) => r.name === EventName.commissionReport && r.event.commissionReport.execId === lateExecId),
      },
      signal: deadline(15_000),
    });
    await withTimeout(endSeen, "execDetailsEnd");
    const orderId = conn.snapshot().nextValidId as number;
    conn.ib.placeOrder(orderId, AAPL, {
      action: OrderAction.BUY,
      orderType: OrderType.MKT,
      totalQuantity: 1,
      account,
      transmit: true,
    });
    for (let i = 0; i < 10 && lateExecId === undefined; i++) {
      await new Promise((r) => setTimeout(r, 5));
      clock.advance(ACK_MS);
    }
    const records = await withTimeout(joined, "the linger to end on the late commissionReport", 5_000);
    off();
    expect(lateExecId).toBeDefined();
    expect(records.at(-1)).toMatchObject({
      name: EventName.commissionReport,
      event: { commissionReport: { execId: lateExecId } },
    });
  });

  it("ends a linger with what came when nothing late arrives", async () => {
    const { conn } = await readyGateway();
    const details = await conn.correlator.gather({
      request: "reqContractDetails",
      send: (reqId) => conn.ib.reqContractDetails(reqId, AAPL),
      items: { [EventName.contractDetails]: (e) => e.contractDetails.contract.conId },
      end: EventName.contractDetailsEnd,
      linger: { ms: 20 },
      signal: deadline(5_000),
    });
    expect(details).toEqual([265598]);
  });
});

describe("RequestCorrelator foundation bugs", () => {
  it("never cancels a request that was never sent (its deadline hit while it was queued in the pacer)", async () => {
    const { conn } = await readyGateway({}, { pacing: { ratePerSec: 5, burst: 1 } });
    await conn.send(() => conn.ib.reqCurrentTime()); // spends the only token
    const cancelled: number[] = [];
    let sent = false;
    const err = await conn.correlator
      .gather({
        request: "reqContractDetails",
        send: (reqId) => {
          sent = true;
          conn.ib.reqContractDetails(reqId, AAPL);
        },
        cancel: (reqId) => cancelled.push(reqId),
        items: {},
        end: EventName.contractDetailsEnd,
        signal: deadline(100),
      })
      .catch((e: unknown) => e);
    expect((err as ConnectError).code).toBe(Code.DeadlineExceeded);
    expect(sent).toBe(false);
    // Anything the call queued (a cancel) is written before a message queued after it.
    await conn.send(() => {});
    expect(cancelled).toEqual([]);
  });

  it("fails at once, leaving nothing pending, when writing the request throws", async () => {
    const { conn } = await readyGateway();
    const started = performance.now();
    const err = await conn.correlator
      .gather({
        request: "reqContractDetails",
        send: () => {
          throw new Error("encoder refused the request");
        },
        items: {},
        end: EventName.contractDetailsEnd,
        signal: deadline(10_000),
      })
      .catch((e: unknown) => e);
    expect((err as Error).message).toBe("encoder refused the request");
    expect(conn.correlator.pendingCount).toBe(0);
    expect(performance.now() - started).toBeLessThan(5_000);
  });
});
