import { EventName } from "@stoqey/ib";
import { afterEach, describe, expect, it } from "vitest";
import { AAPL, eventsFor, type MarketBench, openMarketBench } from "./market-harness.js";

/** reqMktDepth through the real IBApi: the book arrives as inserts, then moves as updates; 309 past the cap. */
describe.each([176, 187, 193])("market depth at server version %i", (serverVersion) => {
  let bench: MarketBench;

  afterEach(async () => {
    await bench.close();
  });

  it("builds an L1 book with inserts, updates it as the walk moves, and stops on cancel", async () => {
    bench = await openMarketBench(serverVersion);
    const { client } = bench;
    client.api.reqMktDepth(1, AAPL, 5, false);
    await bench.settle();
    const inserts = eventsFor(client, EventName.updateMktDepth, 1).map((event) => event.args);
    // [id, position, operation, side, price, size]: 5 rows a side, asks (side 0) above bids (side 1).
    expect(inserts).toHaveLength(10);
    expect(inserts.every((args) => args[2] === 0)).toBe(true);
    const best = (side: number) => inserts.find((args) => args[3] === side && args[1] === 0)?.[4] as number;
    expect(best(0)).toBeGreaterThan(best(1));
    const asks = inserts.filter((args) => args[3] === 0).map((args) => args[4] as number);
    expect(asks).toEqual([...asks].sort((a, b) => a - b));

    let mark = client.mark();
    await bench.advance(2000);
    const updates = eventsFor(client, EventName.updateMktDepth, 1, mark);
    expect(updates.length).toBeGreaterThan(0);
    expect(updates.every((event) => [0, 1, 2].includes(event.args[2] as number))).toBe(true);

    client.api.cancelMktDepth(1, false);
    await bench.settle();
    mark = client.mark();
    await bench.advance(2000);
    expect(eventsFor(client, EventName.updateMktDepth, 1, mark)).toEqual([]);
    expect(client.decodeErrors()).toEqual([]);
    expect(bench.simulator.violations).toEqual([]);
  });

  it("names venues in a SMART (L2) book and refuses a fourth book with 309", async () => {
    bench = await openMarketBench(serverVersion);
    const { client } = bench;
    client.api.reqMktDepth(1, AAPL, 3, true);
    await bench.settle();
    const rows = eventsFor(client, EventName.updateMktDepthL2, 1).map((event) => event.args);
    expect(rows).toHaveLength(6);
    expect(rows.every((args) => typeof args[2] === "string" && (args[2] as string).length > 0)).toBe(true);
    expect(rows.every((args) => args[7] === true)).toBe(true);

    client.api.reqMktDepth(2, AAPL, 3, false);
    client.api.reqMktDepth(3, AAPL, 3, false);
    client.api.reqMktDepth(4, AAPL, 3, false);
    const refusal = await client.next(EventName.error, "error 309", 0, (args) => args[2] === 4);
    expect(refusal.args[1]).toBe(309);
    expect(client.decodeErrors()).toEqual([]);
    expect(bench.simulator.violations).toEqual([]);
  });
});
