import { equals } from "@bufbuild/protobuf";
import { describe, expect, it } from "vitest";
import { AccountSnapshotSchema } from "../../gen/ibrpc/v1/account_history_pb.js";
import { microsToIso } from "../../src/history/snapshot-time.js";
import { ENGINES } from "../store/test-databases.js";
import { HOUR, snapshotOf, snapshotRepositoryPerSuite, T0 } from "./snapshot-fixtures.js";

describe.each(ENGINES)("snapshot repository on %s", (engine) => {
  const db = snapshotRepositoryPerSuite(engine);

  it("reads back exactly what was written: microseconds, money digits, both cash keys, positions", async () => {
    const written = snapshotOf("EXACT1", T0);
    expect(await db.repo.write(written)).toBe(true);
    const latest = await db.repo.latest("EXACT1");
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
    const at = await db.repo.at("EXACT1", T0);
    expect(at && equals(AccountSnapshotSchema, at, latest as typeof at)).toBe(true);
  });

  it("takes a retried snapshot (same account and instant) as already stored, not as a duplicate", async () => {
    expect(await db.repo.write(snapshotOf("RETRY1", T0))).toBe(true);
    expect(await db.repo.write(snapshotOf("RETRY1", T0, { cash: "1" }))).toBe(false);
    const all = await db.repo.range("RETRY1", { limit: 10 });
    expect(all.length).toBe(1);
    expect(all[0]?.accountValues.find((v) => v.key === "TotalCashBalance" && v.currency === "USD")?.value).toBe(
      "100.10",
    );
  });

  it("finds nothing one microsecond off", async () => {
    await db.repo.write(snapshotOf("OFF1", T0));
    expect(await db.repo.at("OFF1", T0 + 1n)).toBeUndefined();
    expect(await db.repo.at("OFF1", T0 - 1n)).toBeUndefined();
  });

  it("lists a range newest first, start inclusive, end exclusive", async () => {
    for (let i = 0n; i < 5n; i++) await db.repo.write(snapshotOf("RANGE1", T0 + i * HOUR));
    const page = await db.repo.range("RANGE1", { fromUs: T0 + HOUR, toUs: T0 + 4n * HOUR, limit: 10 });
    expect(page.map((s) => s.time?.seconds)).toEqual([3n, 2n, 1n].map((i) => (T0 + i * HOUR) / 1_000_000n));
    expect((await db.repo.range("RANGE1", { limit: 2 })).length).toBe(2);
  });

  it("writes a snapshot whole or not at all", async () => {
    const bad = snapshotOf("HALF1", T0);
    (bad.portfolio[1] as { position: string }).position = "not a number";
    await expect(db.repo.write(bad)).rejects.toThrow();
    expect(await db.repo.latest("HALF1")).toBeUndefined();
    expect(await db.repo.hasAccount("HALF1")).toBe(false);
  });

  it("knows every account with first and last seen, gateway and latest snapshot; a late older one moves nothing back", async () => {
    await db.repo.write(snapshotOf("SEEN1", T0 + HOUR, { gateway: "gwA" }));
    await db.repo.write(snapshotOf("SEEN1", T0 + 2n * HOUR, { gateway: "gwB" }));
    await db.repo.write(snapshotOf("SEEN1", T0, { gateway: "gwA" })); // kept during an outage, written late
    const seen = (await db.repo.accounts()).find((a) => a.account === "SEEN1");
    expect(seen).toEqual({
      account: "SEEN1",
      gateway: "gwB",
      firstSeen: T0,
      lastSeen: T0 + 2n * HOUR,
      latestSnapshot: T0 + 2n * HOUR,
    });
  });
});
