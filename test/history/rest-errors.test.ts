import { rmSync } from "node:fs";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { App } from "../../src/app.js";
import { startTestApp } from "../e2e/app-harness.js";
import { createTestDatabase, ENGINES, type TestDatabase } from "../store/test-databases.js";

/** The real engine when there is one: a broken schema is made the same way on both. */
const engine = ENGINES.at(-1) ?? "pglite";

describe(`REST errors of the history (ERR_INFO), on ${engine}`, () => {
  let tdb: TestDatabase;
  let app: App;

  beforeAll(async () => {
    tdb = await createTestDatabase(engine);
    app = await startTestApp({ ...(tdb.dbUrl ? { DB_URL: tdb.dbUrl } : {}), DATA_DIR: tdb.dataDir, ERR_INFO: "false" });
    const store = await app.history.store.ready;
    // A schema the code does not expect: every read of snapshots fails inside the database.
    await sql`alter table history_snapshot rename to history_snapshot_elsewhere`.execute(store.db);
  }, 60_000);
  afterAll(async () => {
    await app?.close();
    await tdb?.drop();
  });

  it("an internal failure is a JSON 500 that tells nothing internal without ERR_INFO", async () => {
    const res = await fetch(`${app.server.url}/v1/accounts`);
    expect(res.status).toBe(500);
    const body = (await res.json()) as Record<string, unknown>;
    expect(body).toEqual({ code: "internal", message: "internal error" });
  });

  it("with ERR_INFO=true the answer carries what the database said", async () => {
    const withInfo = await startTestApp({
      ...(tdb.dbUrl ? { DB_URL: tdb.dbUrl } : {}),
      DATA_DIR: engine === "pglite" ? `${tdb.dataDir}-info` : tdb.dataDir,
      ERR_INFO: "true",
    });
    try {
      const store = await withInfo.history.store.ready;
      if (engine === "pglite")
        await sql`alter table history_snapshot rename to history_snapshot_elsewhere`.execute(store.db);
      const res = await fetch(`${withInfo.server.url}/v1/accounts`);
      expect(res.status).toBe(500);
      const body = (await res.json()) as Record<string, unknown>;
      expect(body.code).toBe("internal");
      expect(String(body.detail)).toContain("history_snapshot");
    } finally {
      await withInfo.close();
      if (engine === "pglite") rmSync(`${tdb.dataDir}-info`, { recursive: true, force: true });
    }
  });
});
