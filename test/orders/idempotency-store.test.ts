import { create } from "@bufbuild/protobuf";
import { Code } from "@connectrpc/connect";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ContractSchema } from "../../gen/ibrpc/v1/common_pb.js";
import { OrderSchema, OrderWait, PlaceOrderRequestSchema } from "../../gen/ibrpc/v1/order_pb.js";
import { orderRefTag, requestDigest, splitOrderRef, taggedOrderRef } from "../../src/orders/idempotency-key.js";
import { IdempotencyStore, type PendingKey } from "../../src/orders/idempotency-store.js";
import type { Store } from "../../src/store/index.js";
import { createTestDatabase, ENGINES, type TestDatabase } from "../store/test-databases.js";

function pending(key: string, orderId: number, owner = "p1"): PendingKey {
  const k = { scope: "tok-a", account: "DU1", key };
  return { ...k, digest: "d1", gateway: "sim", orderId, orderRefTag: orderRefTag(k), owner };
}

describe("idempotency keys: tag and digest", () => {
  const request = (qty: string, key: string, waitFor = OrderWait.UNSPECIFIED) =>
    create(PlaceOrderRequestSchema, {
      contract: create(ContractSchema, { symbol: "AAPL", secType: "STK", exchange: "SMART", currency: "USD" }),
      order: create(OrderSchema, { action: "BUY", orderType: "MKT", totalQuantity: qty }),
      idempotencyKey: key,
      waitFor,
    });

  it("digests the order, not the key nor what the caller waits for", () => {
    expect(requestDigest(request("10", "a"))).toBe(requestDigest(request("10", "b", OrderWait.FILLED)));
    expect(requestDigest(request("10", "a"))).not.toBe(requestDigest(request("11", "a")));
  });

  it("tags orderRef with a fixed-length hash of scope, account and key, and gives the caller's text back", () => {
    const tag = orderRefTag({ scope: "s", account: "DU1", key: "k" });
    expect(tag).toMatch(/^ibrpc:[\w-]{22}$/);
    expect(orderRefTag({ scope: "s2", account: "DU1", key: "k" })).not.toBe(tag);
    expect(tag).not.toContain("k\u0000");
    expect(splitOrderRef(taggedOrderRef(tag, "my strategy"))).toEqual({ tag, callerRef: "my strategy" });
    expect(splitOrderRef(taggedOrderRef(tag, ""))).toEqual({ tag, callerRef: "" });
    expect(splitOrderRef("someone else's ref")).toEqual({ tag: undefined, callerRef: "someone else's ref" });
  });
});

describe.each(ENGINES)("idempotency store on %s", (engine) => {
  let tdb: TestDatabase;
  let store: Store;
  let keys: IdempotencyStore;

  beforeAll(async () => {
    tdb = await createTestDatabase(engine);
    store = await tdb.open();
    keys = new IdempotencyStore(store.db);
  }, 60_000);
  afterAll(async () => {
    await store?.close();
    await tdb?.drop();
  });

  it("lets exactly one of many concurrent claims of a key win", async () => {
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => keys.claim(pending("race", 100 + i))));
    expect(results.filter(Boolean)).toHaveLength(1);
    const row = await keys.find({ scope: "tok-a", account: "DU1", key: "race" });
    expect(row?.state).toBe("pending");
    expect(row?.orderId).toBe(100 + results.indexOf(true));
  });

  it("keeps the acknowledgement and the refusal a retry replays", async () => {
    const k = { scope: "tok-a", account: "DU1", key: "outcome" };
    expect(await keys.claim(pending("outcome", 7))).toBe(true);
    await keys.markPlaced(k, new Uint8Array([1, 2, 3]), "9007199254740993");
    const placed = await keys.find(k);
    expect(placed).toMatchObject({ state: "placed", orderId: 7, permId: "9007199254740993" });
    expect([...(placed?.response ?? [])]).toEqual([1, 2, 3]);

    const r = { ...k, key: "refused" };
    await keys.claim(pending("refused", 8));
    await keys.markRejected(r, { code: Code.FailedPrecondition, ibCode: 201, message: "Order rejected" });
    expect((await keys.find(r))?.error).toEqual({
      code: Code.FailedPrecondition,
      ibCode: 201,
      message: "Order rejected",
    });
  });

  it("scopes a key to its token and account", async () => {
    expect(await keys.claim(pending("shared", 20))).toBe(true);
    expect(await keys.claim({ ...pending("shared", 21), scope: "tok-b" })).toBe(true);
    expect(await keys.claim({ ...pending("shared", 22), account: "DU2" })).toBe(true);
    expect(await keys.claim(pending("shared", 23))).toBe(false);
  });

  it("frees a key only while nothing reached IB, and only for its owner", async () => {
    const k = { scope: "tok-a", account: "DU1", key: "free" };
    await keys.claim(pending("free", 30, "p1"));
    await keys.release(k, "p2");
    expect(await keys.find(k)).toBeDefined();
    await keys.release(k, "p1");
    expect(await keys.find(k)).toBeUndefined();
    expect(await keys.claim(pending("free", 31))).toBe(true);
  });

  it("forgets expired keys and lets the key be used again", async () => {
    const k = { scope: "tok-a", account: "DU1", key: "old" };
    await keys.claim(pending("old", 40));
    await sql`update order_idempotency set expires_at = now() - interval '1 second' where idempotency_key = 'old'`.execute(
      store.db,
    );
    expect(await keys.find(k)).toBeUndefined();
    expect(await keys.claim(pending("old", 41))).toBe(true);
    expect((await keys.find(k))?.orderId).toBe(41);
    await sql`update order_idempotency set expires_at = now() - interval '1 second' where idempotency_key = 'old'`.execute(
      store.db,
    );
    expect(await keys.purgeExpired()).toBe(1);
  });

  it("remembers the largest order id per gateway, for the allocator after a restart", async () => {
    expect(await keys.maxOrderId("sim")).toBeGreaterThanOrEqual(100); // the race winner (100..119) is the largest
    expect(await keys.maxOrderId("other")).toBeUndefined();
  });
});
