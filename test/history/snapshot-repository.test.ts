import { equals } from "@bufbuild/protobuf";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AccountSnapshotSchema } from "../../gen/ibrpc/v1/account_history_pb.js";
import { SnapshotRepository } from "../../src/history/snapshot-repository.js";
import { microsToIso } from "../../src/history/snapshot-time.js";
import type { Store } from "../../src/store/index.js";
import { createTestDatabase, ENGINES, type TestDatabase } from "../store/test-databases.js";
import { HOUR, snapshotOf, T0 } from "./snapshot-fixtures.js";

describe.each(ENGINES)("snapshot repository on %s", (engine) => {
  let tdb: TestDatabase;
  let store: Store;
  let repo: SnapshotRepository;

  beforeAll(async () => {
    tdb = await createTestDatabase(engine);
    store = await tdb.open();
    repo = new SnapshotRepository(store);
  });
  afterAll(async () => {
    await store?.close();
    await tdb?.drop();
  });

  it("reads back exactly what was written: microseconds, money digits, both cash keys, positions", async () => {
    const written = snapshotOf("EXACT1", T0);
    expect(await repo.write(written)).toBe(true);
    const latest = await repo.latest("EXACT1");
    expect(latest?.time).toEqual(written.time);
    expect(latest && microsToIso(T0)).toBe("2026-11-30T12:00:00.000001Z");
    const values = Object.fromEntries((latest?.accountValues ?? []).map((v) => [`${v.key}/${v.currency}`, v.value]));
    expect(values).toEqual({
      "AccountCode/": "EXACT1",
      "NetLiquidation/USD": "1234567890123.456789",
      "TotalCashBalance/USD": "100.10",
      "TotalCashValue/USD": "99.90",
      "TotalCashBalance/EUR": "5.5",
    });
    expect(latest?.portfolio).toEqual(written.portfolio);
    expect(latest?.portfolio[1]?.contract?.strike).toBe(600.5);
    expect(latest?.portfolio[0]?.realizedPnl).toBeUndefined();
    const at = await repo.at("EXACT1", T0);
    expect(at && equals(AccountSnapshotSchema, at, latest as typeof at)).toBe(true);
  });

  it("takes a retried snapshot (same account and instant) as already stored, not as a duplicate", async () => {
    expect(await repo.write(snapshotOf("RETRY1", T0))).toBe(true);
    expect(await repo.write(snapshotOf("RETRY1", T0, { cash: "1" }))).toBe(false);
    const all = await repo.range("RETRY1", { limit: 10 });
    expect(all.length).toBe(1);
    expect(all[0]?.accountValues.find((v) => v.key === "TotalCashBalance" && v.currency === "USD")?.value).toBe(
      "100.10",
    );
  });

  it("finds nothing one microsecond off", async () => {
    await repo.write(snapshotOf("OFF1", T0));
    expect(await repo.at("OFF1", T0 + 1n)).toBeUndefined();
    expect(await repo.at("OFF1", T0 - 1n)).toBeUndefined();
  });

  it("lists a range newest first, start inclusive, end exclusive", async () => {
    for (let i = 0n; i < 5n; i++) await repo.write(snapshotOf("RANGE1", T0 + i * HOUR));
    const page = await repo.range("RANGE1", { fromUs: T0 + HOUR, toUs: T0 + 4n * HOUR, limit: 10 });
    expect(page.map((s) => s.time?.seconds)).toEqual([3n, 2n, 1n].map((i) => (T0 + i * HOUR) / 1_000_000n));
    expect((await repo.range("RANGE1", { limit: 2 })).length).toBe(2);
  });

  it("writes a snapshot whole or not at all", async () => {
    const bad = snapshotOf("HALF1", T0);
    (bad.portfolio[1] as { position: string }).position = "not a number";
    await expect(repo.write(bad)).rejects.toThrow();
    expect(await repo.latest("HALF1")).toBeUndefined();
    expect(await repo.hasAccount("HALF1")).toBe(false);
  });

  it("knows every account with first and last seen, gateway and latest snapshot; a late older one moves nothing back", async () => {
    await repo.write(snapshotOf("SEEN1", T0 + HOUR, { gateway: "gwA" }));
    await repo.write(snapshotOf("SEEN1", T0 + 2n * HOUR, { gateway: "gwB" }));
    await repo.write(snapshotOf("SEEN1", T0, { gateway: "gwA" })); // kept during an outage, written late
    const seen = (await repo.accounts()).find((a) => a.account === "SEEN1");
    expect(seen).toEqual({
      account: "SEEN1",
      gateway: "gwB",
      firstSeen: T0,
      lastSeen: T0 + 2n * HOUR,
      latestSnapshot: T0 + 2n * HOUR,
    });
  });
});
