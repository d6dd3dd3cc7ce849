import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { Code } from "@connectrpc/connect";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Store, StoreOpener, type StoreStatus } from "../../src/store/index.js";
import { PGliteProxy } from "../../src/store/pglite-proxy.js";
import { isStoreUnavailable, toConnectError } from "../../src/store/store-errors.js";
import { withTimeout } from "../support/wait.js";
import { silentLogger } from "./test-databases.js";

/** The proxy behind a PGlite store (PgliteSession holds it): how a test kills the database's thread, as a crash would. */
function proxyOf(store: Store): PGliteProxy {
  const proxy = (store.session as unknown as { pglite: unknown }).pglite;
  if (!(proxy instanceof PGliteProxy)) throw new Error("the PGlite store is not behind a PGliteProxy");
  return proxy;
}

function nextStatus(opener: StoreOpener, wanted: StoreStatus): Promise<void> {
  return new Promise((resolve) => {
    const on = (s: StoreStatus) => {
      if (s !== wanted) return;
      opener.off("status", on);
      resolve();
    };
    opener.on("status", on);
  });
}

describe("PGlite in a worker thread", () => {
  let dataDir: string;
  let opener: StoreOpener;
  let store: Store;

  beforeAll(async () => {
    dataDir = mkdtempSync(path.join(tmpdir(), "ibrpc-pglite-worker-"));
    opener = new StoreOpener({ dbUrl: undefined, dataDir, logger: silentLogger, pingIntervalMs: 50 });
    // initdb of a new directory: seconds, more on a loaded machine.
    store = await withTimeout(opener.ready, "the embedded store to open", 120_000);
  }, 130_000);
  afterAll(async () => {
    await opener?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it("answers queries through node-postgres' adapter, rows and types intact", async () => {
    const { rows } = await sql<{ n: number; t: string; nothing: null }>`
      select 42::int as n, ${"naïve ✓"}::text as t, null as nothing`.execute(store.db);
    expect(rows).toEqual([{ n: 42, t: "naïve ✓", nothing: null }]);
  });

  it("keeps a database error's SQLSTATE, constraint and message across the thread (not an unavailable store)", async () => {
    const row = { code: "DUP1", gateway: "g", first_seen: "2026-01-01T00:00:00Z", last_seen: "2026-01-01T00:00:00Z" };
    await store.db.insertInto("history_account").values(row).execute();
    const err = await store.db
      .insertInto("history_account")
      .values(row)
      .execute()
      .then(
        () => undefined,
        (e: unknown) => e as Error & { code?: string; constraint?: string },
      );
    expect(err).toBeInstanceOf(Error);
    expect(err?.code).toBe("23505");
    expect(err?.constraint).toMatch(/history_account/);
    expect(err?.message).toMatch(/duplicate key/);
    expect(isStoreUnavailable(err)).toBe(false);
    expect(toConnectError(err, "insert").code).toBe(Code.Internal);
  });

  it("rolls a failed transaction back, then serves the next statement", async () => {
    await expect(
      store.transaction(async (trx) => {
        await sql`insert into history_account (code, gateway, first_seen, last_seen)
          values ('TXW', 'g', now(), now())`.execute(trx);
        await sql`select 1/0`.execute(trx);
      }),
    ).rejects.toMatchObject({ code: "22012" });
    const rows = await store.db.selectFrom("history_account").where("code", "=", "TXW").selectAll().execute();
    expect(rows).toEqual([]);
  });

  it("delivers NOTIFY from the worker to the session's listener", async () => {
    let arrived!: (payload: string) => void;
    const got = new Promise<string>((resolve) => {
      arrived = resolve;
    });
    const unlisten = await store.session.listen("pglite_worker_test", (payload) => arrived(payload));
    await sql`select pg_notify('pglite_worker_test', 'from the worker')`.execute(store.db);
    expect(await withTimeout(got, "the notification")).toBe("from the worker");
    unlisten();
  });

  it("a dead worker fails pending and later calls as UNAVAILABLE, and the store's status says so", async () => {
    const proxy = proxyOf(store);
    const unavailable = nextStatus(opener, "unavailable");
    // A query in flight when the thread dies must fail, not hang.
    const inFlight = sql`select count(*) from generate_series(1, 5000000)`.execute(store.db).then(
      () => undefined,
      (e: unknown) => e,
    );
    await proxy.terminate();
    const pendingErr = await withTimeout(inFlight, "the in-flight query to fail");
    expect(isStoreUnavailable(pendingErr)).toBe(true);

    const laterErr = await withTimeout(
      store.db
        .selectFrom("history_account")
        .selectAll()
        .execute()
        .then(
          () => undefined,
          (e: unknown) => e,
        ),
      "a query after the worker died to fail",
    );
    expect(isStoreUnavailable(laterErr)).toBe(true);
    expect((laterErr as { code?: string }).code).toBe("08006"); // connection_failure, as a server would say
    expect(toConnectError(laterErr, "read").code).toBe(Code.Unavailable);
    expect(store.session.connected).toBe(false);
    await expect(
      withTimeout(
        store.session.listen("after_death", () => {}),
        "listen to fail",
      ),
    ).rejects.toThrow(/unavailable/);
    await withTimeout(unavailable, "the store's status to turn unavailable");
    expect(opener.status).toBe("unavailable");
  });
});

describe("PGliteProxy", () => {
  it("rejects waitReady when the database cannot open, and its worker ends", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "ibrpc-pglite-bad-"));
    const notADirectory = path.join(dir, "file");
    writeFileSync(notADirectory, "not a database");
    try {
      const proxy = new PGliteProxy(notADirectory);
      await expect(withTimeout(proxy.waitReady, "the open to fail", 60_000)).rejects.toThrow();
      await withTimeout(proxy.exited, "the worker to end");
      expect(proxy.closed).toBe(true);
      await expect(proxy.listen("after_failed_open", () => {})).rejects.toThrow(/unavailable/);
      await withTimeout(proxy.close(), "close after a failed open");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 70_000);
});
