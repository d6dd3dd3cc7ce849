import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import pg from "pg";
import { pino } from "pino";
import { type Engine, type OpenStoreOptions, openStore, type Store } from "../../src/store/index.js";

/**
 * The engines storage tests run on: embedded PGlite always, the machine's PostgreSQL when TEST_DB_URL is set
 * (.ci/run sets it). Use with describe.each(ENGINES).
 */
export const ENGINES: Engine[] = process.env.TEST_DB_URL ? ["pglite", "postgres"] : ["pglite"];

export const silentLogger = pino({ level: process.env.TEST_LOG_LEVEL ?? "silent" });

/** A place for one test's data: a fresh DATA_DIR, or a fresh database on the shared PostgreSQL. */
export interface TestDatabase {
  engine: Engine;
  /** What openStore / loadConfig need: DB_URL (postgres) or DATA_DIR (pglite, a new temp dir). */
  dbUrl: string | undefined;
  dataDir: string;
  /** Opens a store on it. */
  open(extra?: Partial<OpenStoreOptions>): Promise<Store>;
  /** Removes it (drops the database, deletes the directory). */
  drop(): Promise<void>;
}

/** A fresh, empty database for one engine: per-test databases keep parallel test files from colliding. */
export async function createTestDatabase(engine: Engine): Promise<TestDatabase> {
  const dataDir = mkdtempSync(path.join(tmpdir(), "ibrpc-store-"));
  let dbUrl: string | undefined;
  let name: string | undefined;
  if (engine === "postgres") {
    name = `ibrpc_test_${Math.random().toString(36).slice(2, 12)}`;
    await admin(async (c) => {
      await c.query(`CREATE DATABASE ${name}`);
    });
    const url = new URL(testDbUrl());
    url.pathname = `/${name}`;
    dbUrl = url.toString();
  }
  return {
    engine,
    dbUrl,
    dataDir,
    open: (extra) => openStore({ dbUrl, dataDir, logger: silentLogger, ...extra }),
    async drop() {
      if (name) await admin((c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Cuts every connection to the test database `dbUrl`: what clients see when PostgreSQL restarts. */
export async function terminateConnections(dbUrl: string): Promise<number> {
  const name = new URL(dbUrl).pathname.slice(1);
  return admin(async (c) => {
    const res = await c.query(
      "select count(pg_terminate_backend(pid)) as n from pg_stat_activity where datname = $1 and pid <> pg_backend_pid()",
      [name],
    );
    return Number(res.rows[0].n);
  });
}

/**
 * Takes the test database `dbUrl` down (no new connections, every current one cut) or brings it back: a database
 * outage for one test, without stopping the machine's PostgreSQL that other tests share.
 */
export async function setDatabaseDown(dbUrl: string, down: boolean): Promise<void> {
  const name = new URL(dbUrl).pathname.slice(1);
  await admin((c) => c.query(`ALTER DATABASE ${name} ALLOW_CONNECTIONS ${down ? "false" : "true"}`));
  if (down) await terminateConnections(dbUrl);
}

function testDbUrl(): string {
  const url = process.env.TEST_DB_URL;
  if (!url) throw new Error("TEST_DB_URL is not set");
  return url;
}

async function admin<T>(fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: testDbUrl() });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}
