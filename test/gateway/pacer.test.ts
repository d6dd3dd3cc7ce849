import { describe, expect, it } from "vitest";
import { IbError } from "../../src/gateway/ib-error.js";
import { Pacer } from "../../src/gateway/pacer.js";

/** A clock the test moves by hand, so rates are checked without timing the machine. */
function manualClock() {
  let t = 0;
  return { now: () => t, advance: (ms: number) => (t += ms) };
}

describe("Pacer", () => {
  it("sends a burst at once, then no more than the rate allows", async () => {
    const clock = manualClock();
    const pacer = new Pacer({ ratePerSec: 40, burst: 5, maxQueue: 100, now: clock.now });
    const sent: number[] = [];
    const all = Array.from({ length: 20 }, (_, i) => pacer.schedule(() => sent.push(i)));
    expect(sent).toEqual([0, 1, 2, 3, 4]);
    expect(pacer.queued).toBe(15);
    clock.advance(100); // 4 more tokens at 40/s
    await new Promise((r) => setTimeout(r, 40));
    expect(sent.length).toBe(9);
    for (let i = 0; i < 10 && sent.length < 20; i++) {
      clock.advance(100);
      await new Promise((r) => setTimeout(r, 40));
    }
    await Promise.all(all);
    expect(sent).toEqual(Array.from({ length: 20 }, (_, i) => i));
  });

  it("never lets a one-second window hold more than 45 messages at the defaults", async () => {
    const clock = manualClock();
    const pacer = new Pacer({ now: clock.now });
    const times: number[] = [];
    for (let i = 0; i < 200; i++) void pacer.schedule(() => times.push(clock.now()));
    for (let step = 0; step < 600 && times.length < 200; step++) {
      clock.advance(10);
      await new Promise((r) => setTimeout(r, 2));
    }
    expect(times.length).toBe(200);
    let worst = 0;
    for (let i = 0; i < times.length; i++) {
      const inWindow = times.filter((t) => t >= (times[i] as number) && t < (times[i] as number) + 1000).length;
      worst = Math.max(worst, inWindow);
    }
    expect(worst).toBeLessThanOrEqual(45);
  });

  it("drops a queued message whose caller gave up, without sending it", async () => {
    const clock = manualClock();
    const pacer = new Pacer({ ratePerSec: 1, burst: 1, maxQueue: 10, now: clock.now });
    const sent: string[] = [];
    await pacer.schedule(() => sent.push("a"));
    const ac = new AbortController();
    const b = pacer.schedule(() => sent.push("b"), ac.signal);
    ac.abort(new Error("caller left"));
    await expect(b).rejects.toThrow("caller left");
    expect(pacer.queued).toBe(0);
    expect(sent).toEqual(["a"]);
  });

  it("fails queued work when closed and refuses new work until reopened", async () => {
    const pacer = new Pacer({ ratePerSec: 1, burst: 1, maxQueue: 10 });
    await pacer.schedule(() => {});
    const queued = pacer.schedule(() => {});
    pacer.close(new IbError(504, "gone"));
    await expect(queued).rejects.toMatchObject({ ibCode: 504 });
    await expect(pacer.schedule(() => {})).rejects.toMatchObject({ ibCode: 504 });
    pacer.reopen();
    await expect(pacer.schedule(() => {})).resolves.toBeUndefined();
  });

  it("rejects at once with RESOURCE_EXHAUSTED when the queue is full", async () => {
    const pacer = new Pacer({ ratePerSec: 1, burst: 1, maxQueue: 2 });
    await pacer.schedule(() => {});
    void pacer.schedule(() => {}).catch(() => {});
    void pacer.schedule(() => {}).catch(() => {});
    await expect(pacer.schedule(() => {})).rejects.toBeInstanceOf(IbError);
    pacer.close(new Error("test over"));
  });
});

describe("Pacer priorities", () => {
  it("sends urgent messages (cancels, orders) ahead of every queued request", async () => {
    const clock = manualClock();
    const pacer = new Pacer({ ratePerSec: 40, burst: 1, maxQueue: 100, now: clock.now });
    const sent: string[] = [];
    await pacer.schedule(() => sent.push("req0"));
    const requests = [1, 2, 3].map((i) => pacer.schedule(() => sent.push(`req${i}`)));
    const cancel = pacer.schedule(() => sent.push("cancel"), undefined, "urgent");
    const order = pacer.schedule(() => sent.push("order"), undefined, "urgent");
    for (let i = 0; i < 100 && sent.length < 6; i++) {
      clock.advance(25); // one token at 40/s
      await new Promise((r) => setTimeout(r, 30));
    }
    await Promise.all([...requests, cancel, order]);
    expect(sent).toEqual(["req0", "cancel", "order", "req1", "req2", "req3"]);
  });

  it("keeps any one-second window at 45 messages or fewer with urgent and normal traffic mixed", async () => {
    const clock = manualClock();
    const pacer = new Pacer({ now: clock.now });
    const times: number[] = [];
    for (let i = 0; i < 200; i++) {
      void pacer.schedule(() => times.push(clock.now()), undefined, i % 3 === 0 ? "urgent" : "normal");
    }
    for (let step = 0; step < 600 && times.length < 200; step++) {
      clock.advance(10);
      await new Promise((r) => setTimeout(r, 2));
    }
    expect(times.length).toBe(200);
    let worst = 0;
    for (const start of times) worst = Math.max(worst, times.filter((t) => t >= start && t < start + 1000).length);
    expect(worst).toBeLessThanOrEqual(45);
  });

  it("rejects, never throws, when the write itself throws on the fast path", async () => {
    const pacer = new Pacer({ ratePerSec: 10, burst: 1, maxQueue: 10 });
    const outcome = pacer.schedule(() => {
      throw new Error("socket write failed");
    });
    await expect(outcome).rejects.toThrow("socket write failed");
  });
});

describe("Pacer observer (the metrics feed)", () => {
  it("reports the queue depth as it changes and each message's wait, by priority", async () => {
    const clock = manualClock();
    const depths: number[] = [];
    const waits: Array<[string, number]> = [];
    const pacer = new Pacer({
      ratePerSec: 10,
      burst: 1,
      maxQueue: 10,
      now: clock.now,
      observer: { queueDepth: (d) => depths.push(d), sent: (p, ms) => waits.push([p, ms]) },
    });
    const first = pacer.schedule(() => {}); // the burst token: sent at once, waited 0
    const second = pacer.schedule(() => {});
    const cancel = pacer.schedule(() => {}, undefined, "urgent");
    expect(depths).toEqual([1, 2]);
    clock.advance(100); // one token at 10/s: the urgent one goes first
    await cancel;
    clock.advance(100);
    await Promise.all([first, second]);
    expect(depths).toEqual([1, 2, 1, 0]);
    expect(waits).toEqual([
      ["normal", 0],
      ["urgent", 100],
      ["normal", 200],
    ]);
  });
});
