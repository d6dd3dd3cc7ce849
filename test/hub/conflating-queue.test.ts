import { describe, expect, it } from "vitest";
import { ConflatingQueue } from "../../src/util/conflating-queue.js";

async function drain<T>(queue: ConflatingQueue<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of queue.iterate()) out.push(item);
  return out;
}

describe("ConflatingQueue", () => {
  it("replaces a queued item of the same slot in place, keeping first-seen order, and counts it", async () => {
    const conflations: number[] = [];
    const queue = new ConflatingQueue<string>({
      capacity: 10,
      onOverflow: () => {},
      onConflate: () => conflations.push(1),
    });
    queue.push("bid 1", "bid");
    queue.push("trade A");
    queue.push("ask 1", "ask");
    queue.push("bid 2", "bid");
    queue.push("trade B");
    queue.push("bid 3", "bid");
    queue.end();
    expect(await drain(queue)).toEqual(["bid 3", "trade A", "ask 1", "trade B"]);
    expect(queue.conflated).toBe(2);
    expect(conflations).toHaveLength(2);
  });

  it("a slot read already starts a new entry at the end", async () => {
    const queue = new ConflatingQueue<string>({ capacity: 10, onOverflow: () => {} });
    queue.push("bid 1", "bid");
    const it = queue.iterate();
    expect((await it.next()).value).toBe("bid 1");
    queue.push("ask 1", "ask");
    queue.push("bid 2", "bid");
    expect((await it.next()).value).toBe("ask 1");
    expect((await it.next()).value).toBe("bid 2");
    await it.return(undefined);
  });

  it("hands a full queue to onOverflow: ending it cuts the client off with the error after nothing more", async () => {
    const queue = new ConflatingQueue<number>({
      capacity: 3,
      onOverflow: (q) => q.abort(new Error("too slow")),
    });
    for (let i = 0; i < 5; i++) queue.push(i);
    expect(queue.ended).toBe(true);
    await expect(drain(queue)).rejects.toThrow("too slow");
  });

  it("lets onOverflow replace the backlog (a resync) and keeps accepting", async () => {
    const queue = new ConflatingQueue<string>({
      capacity: 2,
      onOverflow: (q) => {
        q.clear();
        (q as ConflatingQueue<string>).push("gap");
      },
    });
    for (const item of ["a", "b", "c"]) queue.push(item);
    queue.end();
    expect(await drain(queue)).toEqual(["gap", "c"]);
  });

  it("stops when the signal aborts and runs onDone once", async () => {
    const queue = new ConflatingQueue<number>({ capacity: 10, onOverflow: () => {} });
    const controller = new AbortController();
    let done = 0;
    const it = queue.iterate(controller.signal, () => done++);
    const next = it.next();
    controller.abort(new Error("client left"));
    await expect(next).rejects.toThrow("client left");
    expect(done).toBe(1);
  });
});
