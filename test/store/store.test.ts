import { writeFileSync } from "node:fs";
import { hostname } from "node:os";
import path from "node:path";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ConfigError } from "../../src/config.js";
import { LOCK_FILE, loadMigrations, lockDataDir, migrate, type Store } from "../../src/store/index.js";
import { splitStatements } from "../../src/store/migrator.js";
import { eventually, withTimeout } from "../support/wait.js";
import { createTestDatabase, ENGINES, type TestDatabase, terminateConnections } from "./test-databases.js";

describe.each(ENGINES)("store on %s", (engine) => {
  let tdb: TestDatabase;
  let store: Store;

  beforeAll(async () => {
    tdb = await createTestDatabase(engine);
    store = await tdb.open();
  });
  afterAll(async () => {
    await store?.close();
    await tdb?.drop();
  });

  it("applies every migration once, and finds nothing to do the second time", async () => {
    const versions = (await store.db.selectFrom("schema_migrations").select("version").execute()).map((r) => r.version);
    expect(versions).toEqual(loadMigrations().map((m) => m.version));
    expect(await migrate(store.db)).toEqual([]);
  });

  it("commits a transaction whole or not at all", async () => {
    const boom = new Error("boom");
    await expect(
      store.transaction(async (trx) => {
        await trx
          .insertInto("history_account")
          .values({ code: "TXN1", gateway: "g", first_seen: "2026-01-01T00:00:00Z", last_seen: "2026-01-01T00:00:00Z" })
          .execute();
        throw boom;
      }),
    ).rejects.toBe(boom);
    const rows = await store.db.selectFrom("history_account").where("code", "=", "TXN1").selectAll().execute();
    expect(rows).toEqual([]);
  });

  it("keeps microseconds through timestamptz (isoUtc)", async () => {
    const { rows } = await sql<{
      t: string;
    }>`select to_char(${"2026-11-30T16:23:46.123456Z"}::timestamptz at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') as t`.execute(
      store.db,
    );
    expect(rows[0]?.t).toBe("2026-11-30T16:23:46.123456Z");
  });

  it("delivers NOTIFY to the session's listeners, committed transactions only", async () => {
    await eventually("the session connected", 5_000, async () => store.session.connected);
    const got: string[] = [];
    let arrived!: () => void;
    const done = new Promise<void>((resolve) => {
      arrived = resolve;
    });
    const stop = await store.session.listen("ibrpc_test_channel", (p) => {
      got.push(p);
      arrived();
    });
    await expect(
      store.transaction(async (trx) => {
        await sql`select pg_notify('ibrpc_test_channel', 'rolled back')`.execute(trx);
        throw new Error("rollback");
      }),
    ).rejects.toThrow("rollback");
    await store.transaction(async (trx) => {
      await sql`select pg_notify('ibrpc_test_channel', 'committed')`.execute(trx);
    });
    await withTimeout(done, "the notification");
    stop();
    expect(got).toEqual(["committed"]);
  });

  if (engine === "postgres")
    it("answers again after every connection was cut (a PostgreSQL restart)", async () => {
      await store.ping();
      expect(await terminateConnections(tdb.dbUrl as string)).toBeGreaterThan(0);
      // The first query may meet a dead pooled connection; the pool replaces it and the next one works.
      await store.ping().catch(() => {});
      await store.ping();
    });
});

if (ENGINES.includes("postgres"))
  describe("two instances on one PostgreSQL", () => {
    let tdb: TestDatabase;
    beforeAll(async () => {
      tdb = await createTestDatabase("postgres");
    });
    afterAll(async () => {
      await tdb?.drop();
    });

    it("migrate at once without conflict (advisory lock)", async () => {
      const [a, b] = await Promise.all([tdb.open(), tdb.open()]);
      try {
        const versions = await a.db.selectFrom("schema_migrations").select("version").execute();
        expect(versions.length).toBe(loadMigrations().length);
      } finally {
        await a.close();
        await b.close();
      }
    });

    it("one session holds an advisory lock; the other takes it when the holder's connection dies", async () => {
      const [a, b] = await Promise.all([tdb.open(), tdb.open()]);
      try {
        expect(await a.session.tryLock("leader:x")).toBe(true);
        expect(await b.session.tryLock("leader:x")).toBe(false);
        const lost = new Promise<string[]>((resolve) => a.session.once("lost", resolve));
        await terminateConnections(tdb.dbUrl as string);
        expect(await withTimeout(lost, "the lost event")).toEqual(["leader:x"]);
        expect(a.session.holds("leader:x")).toBe(false);
        const deadline = Date.now() + 5_000;
        while (!(await b.session.tryLock("leader:x"))) {
          if (Date.now() > deadline) throw new Error("b never got the lock");
          await new Promise((r) => setTimeout(r, 50));
        }
      } finally {
        await a.close();
        await b.close();
      }
    });
  });

describe("DATA_DIR lock", () => {
  let tdb: TestDatabase;
  beforeAll(async () => {
    tdb = await createTestDatabase("pglite");
  });
  afterAll(async () => {
    await tdb?.drop();
  });

  it("refuses a second owner with one line naming the holder", () => {
    const lock = lockDataDir(tdb.dataDir);
    try {
      expect(() => lockDataDir(tdb.dataDir)).toThrow(ConfigError);
      expect(() => lockDataDir(tdb.dataDir)).toThrow(/DATA_DIR: .* is in use by another ibrpc \(pid \d+/);
    } finally {
      lock.release();
    }
  });

  it("takes over a lock left by a process that is gone", () => {
    writeFileSync(
      path.join(tdb.dataDir, LOCK_FILE),
      JSON.stringify({ pid: 2 ** 22 + 1, host: hostname(), nonce: "x" }),
    );
    const lock = lockDataDir(tdb.dataDir);
    lock.release();
  });
});

describe("migration files", () => {
  it("split at line-ending semicolons, comments dropped", () => {
    expect(splitStatements("-- a; comment\nCREATE TABLE a (x int);\n\nCREATE INDEX b ON a (x);\n")).toEqual([
      "CREATE TABLE a (x int)",
      "CREATE INDEX b ON a (x)",
    ]);
  });
});
