import { Code, ConnectError } from "@connectrpc/connect";
import { BarSizeSetting, type Contract, EventName, SecType, WhatToShow } from "@stoqey/ib";
import { afterEach, describe, expect, it } from "vitest";
import { historicalRequestKeys } from "../../src/gateway/historical-key.js";
import {
  classifyHistoricalError,
  type HistoricalAttempt,
  HistoricalPacer,
  type HistoricalPacerOptions,
  type HistoricalRequest,
  historicalIbError,
  type PacerClock,
} from "../../src/gateway/historical-pacer.js";
import { IbError } from "../../src/gateway/ib-error.js";
import { ManualClock } from "../../src/sim/clock.js";
import { Simulator } from "../../src/sim/index.js";
import { IbClient, FIXED_NOW as MARKET_START, testLogger } from "../sim/helpers.js";
import { withTimeout } from "../support/wait.js";

/** The pacer's own clock, moved by the test: every window is checked without waiting for it. */
class SteppedClock implements PacerClock {
  private current = 1_000_000;
  private timers: Array<{ at: number; fn: () => void; cancelled: boolean }> = [];

  now(): number {
    return this.current;
  }

  setTimer(delayMs: number, fn: () => void): () => void {
    const timer = { at: this.current + delayMs, fn, cancelled: false };
    this.timers.push(timer);
    return () => {
      timer.cancelled = true;
    };
  }

  /** Moves time on, running due timers in time order, and lets the promises they settle run. */
  async advance(ms: number): Promise<void> {
    const end = this.current + ms;
    for (;;) {
      const due = this.timers.filter((t) => !t.cancelled && t.at <= end).sort((a, b) => a.at - b.at)[0];
      if (!due) break;
      this.current = Math.max(this.current, due.at);
      due.cancelled = true;
      due.fn();
      await settled();
    }
    this.timers = this.timers.filter((t) => !t.cancelled);
    this.current = end;
    await settled();
  }
}

/** Lets every promise callback already queued run (no time passes). */
const settled = () => new Promise<void>((resolve) => setImmediate(resolve));

/** The IB side of the unit tests: each send is recorded and answered by the test, when it says so. */
class Answers {
  readonly sent: Array<{
    name: string;
    attempt: HistoricalAttempt;
    answer: (value: unknown) => void;
    fail: (e: unknown) => void;
  }> = [];

  send = (name: string, opts: { written?: boolean } = {}) => {
    return (attempt: HistoricalAttempt) =>
      new Promise<unknown>((answer, fail) => {
        if (opts.written !== false) attempt.written();
        this.sent.push({ name, attempt, answer, fail });
      });
  };

  names(): string[] {
    return this.sent.map((s) => s.name);
  }

  async answerAll(value: (name: string) => unknown = (name) => `bars of ${name}`): Promise<void> {
    for (const s of this.sent) s.answer(value(s.name));
    await settled();
  }
}

const MARGIN = 100;
/** The pacer's windows: IB's plus the margin and 0.1% drift allowance. */
const span = (windowMs: number) => windowMs + MARGIN + windowMs / 1000;

function request(key: string, contract = "AAPL", whatToShow = "TRADES"): HistoricalRequest {
  return { key, contractKey: contract, whatToShow };
}

function setup(options: HistoricalPacerOptions = {}) {
  const clock = new SteppedClock();
  const pacer = new HistoricalPacer({ clock, marginMs: MARGIN, ...options });
  return { clock, pacer, ib: new Answers() };
}

/** A signal of a caller with no deadline (one per call, as each gRPC call has its own). */
const never = () => new AbortController().signal;

/** A call's outcome, recorded as it settles, so a test can look without awaiting it. */
function watch<T>(promise: Promise<T>) {
  const state: { value?: T; error?: unknown; done: boolean } = { done: false };
  promise.then(
    (value) => Object.assign(state, { value, done: true }),
    (error: unknown) => Object.assign(state, { error, done: true }),
  );
  return state;
}

describe("HistoricalPacer rules", () => {
  it("sends 5 requests for one contract and tick type at once, the 6th 2 s after the answers; others are not held", async () => {
    const { clock, pacer, ib } = setup();
    const calls = [1, 2, 3, 4, 5, 6].map((i) => watch(pacer.run(request(`r${i}`), never(), ib.send(`r${i}`))));
    const other = watch(pacer.run(request("m1", "AAPL", "MIDPOINT"), never(), ib.send("m1")));
    const msft = watch(pacer.run(request("x1", "MSFT"), never(), ib.send("x1")));
    expect(ib.names()).toEqual(["r1", "r2", "r3", "r4", "r5", "m1", "x1"]);
    expect(pacer.queued).toBe(1);
    expect(pacer.open).toBe(7);

    await clock.advance(500); // IB answers 0.5 s later: the window counts from the answers, not the writes
    await ib.answerAll();
    expect(calls[0]?.value).toBe("bars of r1");
    expect(other.value).toBe("bars of m1");
    expect(msft.value).toBe("bars of x1");
    await clock.advance(span(2000) - 1);
    expect(ib.names()).not.toContain("r6");
    await clock.advance(1);
    expect(ib.names().at(-1)).toBe("r6");
    await ib.answerAll();
    expect(calls[5]?.value).toBe("bars of r6");
    expect(pacer.stats.waits["same-contract-burst"]).toBe(1);
    expect(pacer.stats).toMatchObject({ queued: 0, open: 0, sent: 8 });
  });

  it("counts a BID_ASK request twice", async () => {
    const { clock, pacer, ib } = setup();
    for (const i of [1, 2, 3]) void pacer.run(request(`b${i}`, "AAPL", "BID_ASK"), never(), ib.send(`b${i}`));
    expect(ib.names()).toEqual(["b1", "b2"]); // 2 + 2 = 4; a third makes 6, which IB refuses
    await ib.answerAll();
    await clock.advance(span(2000));
    expect(ib.names()).toEqual(["b1", "b2", "b3"]);
  });

  it("sends at most 60 requests in 10 minutes, the 61st when the oldest answer is 10 minutes old", async () => {
    const { clock, pacer, ib } = setup();
    for (let i = 0; i < 61; i++) {
      void pacer.run(request(`r${i}`, `C${i}`), never(), ib.send(`r${i}`));
      if (i % 10 === 9) {
        await ib.answerAll();
        await clock.advance(1000);
      }
    }
    expect(ib.sent).toHaveLength(60);
    await ib.answerAll();
    const firstAnswer = 1_000_000; // r0..r9 were answered before the clock first moved
    await clock.advance(firstAnswer + span(600_000) - clock.now() - 1);
    expect(ib.sent).toHaveLength(60);
    await clock.advance(1);
    expect(ib.sent).toHaveLength(61);
    expect(pacer.stats.waits["request-window"]).toBe(1);
  });

  it("keeps at most 50 requests open, sending the next as soon as one is answered", async () => {
    const { pacer, ib } = setup({ rules: { maxRequests: 1000 } });
    for (let i = 0; i < 52; i++) void pacer.run(request(`r${i}`, `C${i}`), never(), ib.send(`r${i}`));
    expect(pacer.open).toBe(50);
    expect(pacer.queued).toBe(2);
    ib.sent[0]?.answer("done");
    await settled();
    expect(ib.sent).toHaveLength(51);
    expect(pacer.stats.waits["open-requests"]).toBe(2);
  });

  it("holds a request IB would call identical (same query, other format) for 15 s after the first answer", async () => {
    const { clock, pacer, ib } = setup();
    const contract: Contract = { symbol: "AAPL", secType: SecType.STK, exchange: "SMART", currency: "USD" };
    const bars = {
      kind: "bars",
      contract,
      duration: "1 D",
      barSize: "5 mins",
      whatToShow: "TRADES",
      useRTH: true,
    } as const;
    void pacer.run(historicalRequestKeys({ ...bars, formatDate: 1 }), never(), ib.send("dates"));
    void pacer.run(historicalRequestKeys({ ...bars, formatDate: 2 }), never(), ib.send("epoch"));
    expect(ib.names()).toEqual(["dates"]);
    await clock.advance(20_000); // still open: an open request counts as "now"
    expect(ib.names()).toEqual(["dates"]);
    await ib.answerAll();
    await clock.advance(span(15_000) - 1);
    expect(ib.names()).toEqual(["dates"]);
    await clock.advance(1);
    expect(ib.names()).toEqual(["dates", "epoch"]);
    expect(pacer.stats.waits["identical-request"]).toBe(1);
  });
});

describe("HistoricalPacer sharing and replay", () => {
  it("sends identical concurrent requests once and gives every caller the answer", async () => {
    const { pacer, ib } = setup();
    const calls = [1, 2, 3].map(() => pacer.run(request("same"), never(), ib.send("same")));
    expect(ib.sent).toHaveLength(1);
    await ib.answerAll(() => ["bar"]);
    const answers = await Promise.all(calls);
    expect(answers[0]).toEqual(["bar"]);
    expect(answers[1]).toBe(answers[0]);
    expect(pacer.stats.shared).toBe(2);
  });

  it("replays an answer to the identical request for 15 s after it, then asks IB again", async () => {
    const { clock, pacer, ib } = setup();
    const first = pacer.run(request("same"), never(), ib.send("same"));
    await ib.answerAll();
    await first;
    await clock.advance(14_000);
    await expect(pacer.run(request("same"), never(), ib.send("same"))).resolves.toBe("bars of same");
    expect(ib.sent).toHaveLength(1);
    expect(pacer.stats.cacheHits).toBe(1);
    await clock.advance(span(15_000) - 14_000);
    void pacer.run(request("same"), never(), ib.send("same"));
    expect(ib.sent).toHaveLength(2);
  });

  it("replays IB's final failures (unknown contract) but not a pacing refusal", async () => {
    const { pacer, ib } = setup();
    const unknown = pacer.run(request("nope"), never(), ib.send("nope"));
    ib.sent[0]?.fail(new IbError(200, "No security definition has been found for the request", { reqId: 7 }));
    await expect(unknown).rejects.toMatchObject({ ibCode: 200 });
    await expect(pacer.run(request("nope"), never(), ib.send("nope"))).rejects.toMatchObject({ ibCode: 200 });
    expect(ib.sent).toHaveLength(1);

    const paced = pacer.run(request("busy", "MSFT"), never(), ib.send("busy"));
    ib.sent[1]?.fail(
      historicalIbError(162, "Historical Market Data Service error message:pacing violation", { reqId: 8 }),
    );
    await expect(paced).rejects.toMatchObject({ grpcCode: Code.ResourceExhausted });
    void pacer.run(request("busy", "MSFT"), never(), ib.send("busy"));
    expect(pacer.queued).toBe(1); // not replayed: it waits for the identical window instead
  });

  it("neither shares nor replays a live (keepUpToDate) request", async () => {
    const { clock, pacer, ib } = setup();
    const live = { ...request("live"), reuse: false };
    void pacer.run(live, never(), ib.send("live-1"));
    void pacer.run(live, never(), ib.send("live-2"));
    expect(ib.names()).toEqual(["live-1"]);
    await ib.answerAll();
    await clock.advance(span(15_000));
    expect(ib.names()).toEqual(["live-1", "live-2"]);
  });
});

describe("HistoricalPacer observer (the metrics feed)", () => {
  it("reports queued and open requests, each request's wait in the queue, and cache hits", async () => {
    const depths: Array<[number, number]> = [];
    const waits: number[] = [];
    let hits = 0;
    const { clock, pacer, ib } = setup({
      observer: { depth: (q, o) => depths.push([q, o]), waited: (ms) => waits.push(ms), cacheHit: () => hits++ },
    });
    const burst = ["a", "b", "c", "d", "e", "f"].map((k) => pacer.run(request(k), never(), ib.send(k)));
    expect(depths.at(-1)).toEqual([1, 5]); // IB allows 5 per contract in 2 s: the sixth waits
    await ib.answerAll();
    expect(depths.at(-1)).toEqual([1, 0]);
    await clock.advance(span(2_000));
    expect(depths.at(-1)).toEqual([0, 1]);
    await ib.answerAll();
    await Promise.all(burst);
    expect(depths.at(-1)).toEqual([0, 0]);
    expect(waits.slice(0, 5)).toEqual([0, 0, 0, 0, 0]);
    expect(waits[5]).toBeGreaterThanOrEqual(span(2_000));
    await pacer.run(request("a"), never(), ib.send("a"));
    expect(hits).toBe(1);
  });
});

describe("HistoricalPacer deadlines and failures", () => {
  it("fails a caller whose deadline passes in the queue with DEADLINE_EXCEEDED naming the rule, and never sends", async () => {
    const { clock, pacer, ib } = setup();
    for (let i = 0; i < 5; i++) void pacer.run(request(`r${i}`), never(), ib.send(`r${i}`));
    const deadline = new AbortController();
    const late = pacer.run(request("late"), deadline.signal, ib.send("late"));
    await clock.advance(1500);
    deadline.abort(new ConnectError("deadline", Code.DeadlineExceeded));
    const error = await late.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConnectError);
    expect((error as ConnectError).code).toBe(Code.DeadlineExceeded);
    expect((error as ConnectError).rawMessage).toBe(
      "waited 1500 ms for IB's historical data pacing (at most 5 requests per contract and tick type within 2 s); the request was not sent",
    );
    await ib.answerAll();
    await clock.advance(60_000);
    expect(ib.names()).not.toContain("late");
    expect(pacer.stats).toMatchObject({ queued: 0, abandonedWhileQueued: 1 });
  });

  it("keeps a shared queued request for the callers still waiting; a cancel stays a cancel", async () => {
    const { clock, pacer, ib } = setup();
    for (let i = 0; i < 5; i++) void pacer.run(request(`r${i}`), never(), ib.send(`r${i}`));
    const leaving = new AbortController();
    const first = pacer.run(request("shared"), leaving.signal, ib.send("shared"));
    const second = watch(pacer.run(request("shared"), never(), ib.send("shared")));
    leaving.abort(new ConnectError("client cancelled", Code.Canceled));
    await expect(first).rejects.toMatchObject({ code: Code.Canceled, rawMessage: "client cancelled" });
    await ib.answerAll();
    await clock.advance(span(2000));
    expect(ib.names().at(-1)).toBe("shared");
    await ib.answerAll();
    expect(second.value).toBe("bars of shared");
  });

  it("aborts the one send only when every caller of an open request has gone", async () => {
    const { clock, pacer, ib } = setup();
    const a = new AbortController();
    const b = new AbortController();
    const first = pacer.run(request("x"), a.signal, ib.send("x"));
    const second = pacer.run(request("x"), b.signal, ib.send("x"));
    const attempt = ib.sent[0]?.attempt as HistoricalAttempt;
    a.abort(new ConnectError("a's deadline", Code.DeadlineExceeded));
    await expect(first).rejects.toMatchObject({ rawMessage: "a's deadline" });
    expect(attempt.signal.aborted).toBe(false);
    b.abort(new ConnectError("b's deadline", Code.DeadlineExceeded));
    await expect(second).rejects.toMatchObject({ rawMessage: "b's deadline" });
    expect(attempt.signal.aborted).toBe(true);
    expect((attempt.signal.reason as ConnectError).rawMessage).toBe("b's deadline");

    // A newcomer does not join the cancelled request: it is a new one, which IB would call identical.
    const third = watch(pacer.run(request("x"), never(), ib.send("x")));
    expect(pacer.queued).toBe(1);
    ib.sent[0]?.fail(attempt.signal.reason);
    await settled();
    await clock.advance(span(15_000));
    expect(ib.sent).toHaveLength(2);
    await ib.answerAll();
    expect(third.value).toBe("bars of x");
  });

  it("does not count a request that never reached IB (not connected), so it costs no pacing budget", async () => {
    const { pacer, ib } = setup();
    for (let i = 0; i < 6; i++) {
      const call = pacer.run(request(`down${i}`), never(), ib.send(`down${i}`, { written: false }));
      ib.sent.at(-1)?.fail(new IbError(504, "Not connected"));
      await expect(call).rejects.toMatchObject({ ibCode: 504 });
    }
    expect(pacer.stats.refunded).toBe(6);
    for (let i = 0; i < 5; i++) void pacer.run(request(`up${i}`), never(), ib.send(`up${i}`));
    expect(ib.names().filter((n) => n.startsWith("up"))).toHaveLength(5);
  });

  it("frees the slot and fails the callers when send throws instead of rejecting", async () => {
    const { pacer } = setup();
    const call = pacer.run(request("boom"), never(), () => {
      throw new Error("boom");
    });
    await expect(call).rejects.toThrow("boom");
    expect(pacer.open).toBe(0);
  });

  it("refuses rules that could never admit a request", () => {
    expect(() => new HistoricalPacer({ rules: { sameContractMax: 1 } })).toThrow(RangeError);
    expect(() => new HistoricalPacer({ rules: { windowMs: Number.NaN } })).toThrow(RangeError);
    expect(() => new HistoricalPacer({ marginMs: -1 })).toThrow(RangeError);
    expect(() => new HistoricalPacer({ rules: { maxOpen: Number.POSITIVE_INFINITY } })).not.toThrow();
  });

  it("refuses at once when the queue is full, and fails queued calls when closed", async () => {
    const { pacer, ib } = setup({ maxQueue: 1 });
    for (let i = 0; i < 5; i++) void pacer.run(request(`r${i}`), never(), ib.send(`r${i}`));
    const queued = pacer.run(request("q1"), never(), ib.send("q1"));
    await expect(pacer.run(request("q2"), never(), ib.send("q2"))).rejects.toMatchObject({
      code: Code.ResourceExhausted,
    });
    pacer.close(new ConnectError("shutting down", Code.Unavailable));
    await expect(queued).rejects.toMatchObject({ code: Code.Unavailable });
    await expect(pacer.run(request("q3"), never(), ib.send("q3"))).rejects.toMatchObject({ code: Code.Unavailable });
  });
});

describe("historicalRequestKeys", () => {
  const aapl: Contract = { symbol: "AAPL", secType: SecType.STK, exchange: "SMART", currency: "USD" };
  const bars = {
    kind: "bars",
    contract: aapl,
    duration: "1 D",
    barSize: "5 mins",
    whatToShow: "TRADES",
    useRTH: true,
  } as const;

  it("shares only what is exactly the same, but paces spellings and formats of one query together", () => {
    const base = historicalRequestKeys(bars);
    expect(historicalRequestKeys({ ...bars, duration: " 1 D " }).key).toBe(base.key);
    const epoch = historicalRequestKeys({ ...bars, formatDate: 2 });
    expect(epoch.key).not.toBe(base.key);
    expect(epoch.identicalKey).toBe(base.identicalKey);
    const island = historicalRequestKeys({ ...bars, contract: { ...aapl, exchange: "ISLAND" } });
    expect(island.key).not.toBe(base.key);
    expect(island.contractKey).toBe(base.contractKey); // counted with SMART: never fewer than IB counts
    expect(historicalRequestKeys({ ...bars, duration: "2 D" }).identicalKey).not.toBe(base.identicalKey);
  });

  it("names a contract by conId when given, weighs BID_ASK twice, and never reuses a keepUpToDate request", () => {
    expect(historicalRequestKeys({ ...bars, contract: { conId: 265598, exchange: "SMART" } }).contractKey).toBe(
      "#265598",
    );
    expect(historicalRequestKeys({ ...bars, whatToShow: "bid_ask" })).toMatchObject({
      whatToShow: "BID_ASK",
      weight: 2,
    });
    expect(historicalRequestKeys({ ...bars, keepUpToDate: true }).reuse).toBe(false);
    expect(historicalRequestKeys({ kind: "histogram", contract: aapl, useRTH: true, period: "3 days" })).toMatchObject({
      whatToShow: "TRADES",
      weight: 1,
      reuse: true,
    });
    const head = historicalRequestKeys({ kind: "head", contract: aapl, whatToShow: "TRADES", useRTH: true });
    expect(head.key).not.toBe(historicalRequestKeys(bars).key);
  });
});

describe("classifyHistoricalError", () => {
  const HMDS = "Historical Market Data Service error message:";
  it.each([
    [162, `${HMDS}HMDS query returned no data: AAPL@SMART Trades`, "no-data", Code.NotFound],
    [162, `${HMDS}No market data permissions for NYSE STK`, "no-permission", Code.PermissionDenied],
    [162, `${HMDS}Historical data request pacing violation`, "pacing", Code.ResourceExhausted],
    [162, `${HMDS}API historical data query cancelled: 1`, "cancelled", Code.Canceled],
    [
      162,
      `${HMDS}No data of type EODChart is available for the exchange 'IDEALPRO'`,
      "invalid-request",
      Code.InvalidArgument,
    ],
    [162, `${HMDS}Time length exceed max.`, "invalid-request", Code.InvalidArgument],
    [162, `${HMDS}Trading TWS session is connected from a different IP address`, "other", Code.FailedPrecondition],
    [165, "Historical Market Data Service query message:HMDS server connection was successful", "notice", Code.Unknown],
    [366, "No historical data query found for ticker id:7", "not-found", Code.NotFound],
    [200, "No security definition has been found for the request", "other", Code.NotFound],
    [354, "Requested market data is not subscribed", "other", Code.PermissionDenied],
    [504, "Not connected", "unavailable", Code.Unavailable],
  ])("%i %s -> %s", (code, message, failure, grpcCode) => {
    expect(classifyHistoricalError(code, message)).toEqual({ failure, grpcCode });
  });

  it("builds an IbError that keeps IB's code and text with the classified gRPC code", () => {
    const error = historicalIbError(162, `${HMDS}HMDS query returned no data: AAPL@SMART Trades`, { reqId: 3 });
    expect(error).toMatchObject({ ibCode: 162, grpcCode: Code.NotFound, reqId: 3 });
  });
});

/** reqHistoricalData through IBApi, answered with the bars' dates when IB's "finished" row arrives. */
function fetchBars(ib: IbClient, reqId: number, contract: Contract, duration: string, barSize: string, show: string) {
  return (attempt: HistoricalAttempt) =>
    new Promise<string[]>((resolve, reject) => {
      const dates: string[] = [];
      const onBar = (id: number, date: string) => {
        if (id !== reqId) return;
        if (!date.startsWith("finished")) dates.push(date);
        else done(() => resolve(dates));
      };
      const onError = (error: Error, code: number, id: number) => {
        if (id === reqId) done(() => reject(historicalIbError(code, error.message, { reqId })));
      };
      const onAbort = () => {
        ib.api.cancelHistoricalData(reqId);
        done(() => reject(attempt.signal.reason));
      };
      const done = (settle: () => void) => {
        ib.api.off(EventName.historicalData, onBar);
        ib.api.off(EventName.error, onError);
        attempt.signal.removeEventListener("abort", onAbort);
        settle();
      };
      ib.api.on(EventName.historicalData, onBar);
      ib.api.on(EventName.error, onError);
      attempt.signal.addEventListener("abort", onAbort, { once: true });
      attempt.written();
      ib.api.reqHistoricalData(
        reqId,
        contract,
        "",
        duration,
        barSize as BarSizeSetting,
        show as WhatToShow,
        1,
        1,
        false,
      );
    });
}

describe("HistoricalPacer against the simulator (real IBApi, the simulator's pacing limits on)", () => {
  let simulator: Simulator | undefined;
  let client: IbClient | undefined;

  afterEach(async () => {
    client?.disconnect();
    await simulator?.stop();
  });

  it("serves 24 different concurrent requests for one contract with no 162, and an identical one from the cache", async () => {
    simulator = new Simulator({ seed: 42, logger: testLogger });
    const { port } = await simulator.start();
    client = new IbClient(port, 7).connect();
    await client.ready();
    const ib = client;
    const pacer = new HistoricalPacer();
    const aapl: Contract = { symbol: "AAPL", secType: SecType.STK, exchange: "SMART", currency: "USD" };
    const queries = ["1 D", "2 D", "3 D", "1 W"].flatMap((duration) =>
      [BarSizeSetting.MINUTES_FIVE, BarSizeSetting.MINUTES_FIFTEEN, BarSizeSetting.MINUTES_THIRTY].flatMap((barSize) =>
        [WhatToShow.TRADES, WhatToShow.MIDPOINT].map((whatToShow) => ({ duration, barSize, whatToShow })),
      ),
    );
    expect(queries).toHaveLength(24);
    let sends = 0;
    let nextReqId = 1;
    const call = (q: (typeof queries)[number]) => {
      const keys = historicalRequestKeys({ kind: "bars", contract: aapl, useRTH: true, formatDate: 1, ...q });
      const deadline = AbortSignal.timeout(20_000);
      return pacer.run(keys, deadline, (attempt) => {
        sends++;
        return fetchBars(ib, nextReqId++, aapl, q.duration, q.barSize, q.whatToShow)(attempt);
      });
    };

    const answers = await withTimeout(Promise.all(queries.map(call)), "24 paced requests", 25_000);
    for (const dates of answers) expect(dates.length).toBeGreaterThan(0);
    expect(ib.errors().filter((e) => e.args[1] === 162)).toEqual([]);
    // 12 requests per contract and tick type: 5 at once, 5 more 2 s after their answers, then 2.
    expect(pacer.stats.waits["same-contract-burst"]).toBe(14);

    const again = await call(queries[0] as (typeof queries)[number]);
    expect(again).toBe(answers[0]);
    expect(sends).toBe(24);
    const finished = ib.events.filter(
      (e) => e.name === EventName.historicalData && String(e.args[1]).startsWith("finished"),
    );
    expect(finished).toHaveLength(24); // the simulator answered 24 requests, not 25
    expect(ib.errors().filter((e) => e.args[1] === 162)).toEqual([]);
    expect(pacer.stats).toMatchObject({ sent: 24, cacheHits: 1, queued: 0, open: 0 });
  });

  it("spreads 61 requests over IB's 10-minute window on the simulator's own clock, with no 162", async () => {
    // One ManualClock for the simulator and the pacer: 10 minutes of pacing pass in steps, without waiting for them.
    const clock = new ManualClock(MARKET_START);
    simulator = new Simulator({ seed: 42, logger: testLogger, clock });
    const { port } = await simulator.start();
    client = new IbClient(port, 8).connect();
    await client.ready();
    const ib = client;
    const pacer = new HistoricalPacer({ clock });
    const aapl: Contract = { symbol: "AAPL", secType: SecType.STK, exchange: "SMART", currency: "USD" };
    const inFlight = new Set<Promise<unknown>>();
    const sentAt: number[] = [];
    let done = 0;
    const calls = Array.from({ length: 61 }, (_, i) => {
      const duration = `${i + 1} D`;
      const keys = historicalRequestKeys({
        kind: "bars",
        contract: aapl,
        duration,
        barSize: "1 day",
        whatToShow: "TRADES",
        useRTH: true,
      });
      const call = pacer.run(keys, AbortSignal.timeout(25_000), (attempt) => {
        sentAt.push(clock.now());
        const answer = fetchBars(ib, i + 1, aapl, duration, "1 day", "TRADES")(attempt);
        inFlight.add(answer);
        return answer.finally(() => inFlight.delete(answer));
      });
      return call.finally(() => done++);
    });
    const all = Promise.all(calls);
    all.catch(() => {});
    // Let the simulator answer what was sent, then move both clocks on a second.
    for (let step = 0; step < 700 && done < 61; step++) {
      while (inFlight.size > 0) await withTimeout(Promise.allSettled([...inFlight]), "simulator answers");
      await settled();
      if (done < 61 && inFlight.size === 0) clock.advance(1000);
    }
    const answers = await all;
    expect(answers).toHaveLength(61);
    expect(ib.errors().filter((e) => e.args[1] === 162)).toEqual([]);
    expect(pacer.stats.waits["request-window"]).toBe(1);
    // The 61st went more than 10 minutes after the 1st.
    expect((sentAt[60] as number) - (sentAt[0] as number)).toBeGreaterThan(600_000);
  });
});
