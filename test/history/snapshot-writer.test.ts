import { Code, ConnectError } from "@connectrpc/connect";
import { describe, expect, it } from "vitest";
import type { SnapshotRepository } from "../../src/history/snapshot-repository.js";
import { SnapshotWriter } from "../../src/history/snapshot-writer.js";
import { ENGINES, setDatabaseDown, silentLogger } from "../store/test-databases.js";
import { withTimeout } from "../support/wait.js";
import { HOUR, snapshotOf, snapshotRepositoryPerSuite, T0 } from "./snapshot-fixtures.js";

describe.each(ENGINES)("snapshot writer on %s", (engine) => {
  const db = snapshotRepositoryPerSuite(engine);

  it("keeps snapshots while the store is not open, writes them in order once it is", async () => {
    let open: SnapshotRepository | undefined;
    const writer = new SnapshotWriter(() => open, { logger: silentLogger });
    expect(await writer.write(snapshotOf("EARLY1", T0))).toBe("kept");
    expect(await writer.write(snapshotOf("EARLY1", T0 + HOUR))).toBe("kept");
    expect(writer.pending).toBe(2);
    open = db.repo;
    writer.wake();
    await withTimeout(writer.drained(), "the kept snapshots written");
    expect((await db.repo.range("EARLY1", { limit: 10 })).length).toBe(2);
    writer.close();
  });

  it("refuses with UNAVAILABLE only when nothing more can be kept", async () => {
    const writer = new SnapshotWriter(() => undefined, { logger: silentLogger, capacity: 1 });
    expect(await writer.write(snapshotOf("FULL1", T0))).toBe("kept");
    const refused = await writer.write(snapshotOf("FULL1", T0 + 1n)).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(ConnectError);
    expect((refused as ConnectError).code).toBe(Code.Unavailable);
    writer.close();
  });

  if (engine === "postgres") {
    it("loses nothing and half-writes nothing through a database outage", async () => {
      const writer = new SnapshotWriter(() => db.repo, { logger: silentLogger });
      expect(await writer.write(snapshotOf("OUTAGE1", T0))).toBe("stored");
      await setDatabaseDown(db.tdb.dbUrl as string, true);
      try {
        // Scheduled snapshots keep coming while the database is down: each is kept.
        for (let i = 1n; i <= 5n; i++) expect(await writer.write(snapshotOf("OUTAGE1", T0 + i * HOUR))).toBe("kept");
        expect(writer.pending).toBe(5);
      } finally {
        await setDatabaseDown(db.tdb.dbUrl as string, false);
      }
      writer.wake();
      await withTimeout(writer.drained(), "the kept snapshots written", 15_000);
      const stored = await db.repo.range("OUTAGE1", { limit: 10 });
      expect(stored.map((s) => s.time?.seconds)).toEqual(
        [5n, 4n, 3n, 2n, 1n, 0n].map((i) => (T0 + i * HOUR) / 1_000_000n),
      );
      for (const s of stored) {
        expect(s.accountValues.length).toBe(5);
        expect(s.portfolio.length).toBe(2);
      }
      writer.close();
    });
  }
});
