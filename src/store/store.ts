import path from "node:path";
import { createPgConfig } from "@electric-sql/pglite/node-postgres";
import { Kysely, PostgresDialect, sql, type Transaction } from "kysely";
import pg from "pg";
import type { Logger } from "pino";
import { type DataDirLock, lockDataDir } from "./data-dir-lock.js";
import type { Database } from "./database.js";
import { migrate } from "./migrator.js";
import { PgSession } from "./pg-session.js";
import { PGliteProxy } from "./pglite-proxy.js";
import { PgliteSession } from "./pglite-session.js";
import type { StoreSession } from "./session.js";

export type Engine = "pglite" | "postgres";

/**
 * ibrpc's one database: Kysely over embedded PGlite or a PostgreSQL server, with the same SQL and migrations on both.
 * Features keep their queries next to their code and use {@link db} / {@link transaction}; the schema is
 * {@link Database} plus a numbered .sql file in src/store/migrations.
 */
export interface Store {
  readonly engine: Engine;
  readonly db: Kysely<Database>;
  /** The long-lived session (LISTEN/NOTIFY, advisory locks). */
  readonly session: StoreSession;
  /** Runs `fn` in one transaction: all of it is committed, or none. */
  transaction<T>(fn: (trx: Transaction<Database>) => Promise<T>): Promise<T>;
  /** Resolves when the database answers; rejects when it does not (within the pool's connect timeout). */
  ping(): Promise<void>;
  /** Closes connections (and the embedded database, and its DATA_DIR lock). Idempotent. */
  close(): Promise<void>;
}

export interface OpenStoreOptions {
  /** DB_URL: a PostgreSQL server; undefined = embedded PGlite in `dataDir`. */
  dbUrl: string | undefined;
  /** DATA_DIR: the embedded database lives in DATA_DIR/pglite, guarded by DATA_DIR/ibrpc.lock. */
  dataDir: string;
  logger: Logger;
  /** Apply pending migrations on open. @default true */
  migrate?: boolean;
  /** PostgreSQL pool size. @default 10 */
  poolSize?: number;
  /**
   * An already locked DATA_DIR (the app takes it synchronously at start, before opening in the background, so a
   * second process fails at once). Stays the caller's to release; without it the store takes and releases its own.
   */
  dataDirLock?: DataDirLock;
}

/** The subdirectory of DATA_DIR holding PGlite's files. */
export const PGLITE_SUBDIR = "pglite";

/** Opens the store and applies pending migrations. On PGlite the first open of a new DATA_DIR takes seconds (initdb). */
export async function openStore(opts: OpenStoreOptions): Promise<Store> {
  const store = opts.dbUrl ? openPostgres(opts.dbUrl, opts) : await openPglite(opts);
  try {
    if (opts.migrate ?? true) {
      const applied = await migrate(store.db);
      if (applied.length > 0) {
        opts.logger.info({ migrations: applied.map((m) => `${m.version}_${m.name}`) }, "database migrated");
      }
    }
  } catch (err) {
    await store.close();
    throw err;
  }
  return store;
}

function openPostgres(dbUrl: string, opts: OpenStoreOptions): Store {
  const log = opts.logger.child({ component: "store", engine: "postgres" });
  const pool = new pg.Pool({
    connectionString: dbUrl,
    max: opts.poolSize ?? 10,
    // A database that is down must fail calls within seconds (they map to UNAVAILABLE), not queue them forever.
    connectionTimeoutMillis: 5_000,
    idleTimeoutMillis: 30_000,
    keepAlive: true,
  });
  // An idle pooled connection killed by a restart is dropped from the pool; the next query opens a fresh one. The
  // listener is required: pg.Pool re-emits it, and an unhandled `error` would end the process.
  pool.on("error", (err) => log.warn({ err: err.message }, "idle database connection lost"));
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  return makeStore("postgres", db, new PgSession(dbUrl, log), async () => {});
}

async function openPglite(opts: OpenStoreOptions): Promise<Store> {
  // A lock handed in stays its owner's (the app retries opening under it); one taken here goes with the store.
  const ownLock = opts.dataDirLock ? undefined : lockDataDir(opts.dataDir);
  try {
    // In a worker thread: PGlite's start (initdb: seconds), migrations and queries run synchronously (WebAssembly)
    // and would stall ibrpc's event loop, and with it every IB call (bench/store/store-open.ts).
    const pglite = new PGliteProxy(path.join(opts.dataDir, PGLITE_SUBDIR));
    try {
      await pglite.waitReady;
    } catch (err) {
      await pglite.close();
      throw err;
    }
    const db = new Kysely<Database>({
      dialect: new PostgresDialect({ pool: new pg.Pool(createPgConfig(pglite.asPGlite())) }),
    });
    return makeStore("pglite", db, new PgliteSession(pglite.asPGlite()), async () => {
      await pglite.close();
      ownLock?.release();
    });
  } catch (err) {
    ownLock?.release();
    throw err;
  }
}

function makeStore(
  engine: Engine,
  db: Kysely<Database>,
  session: StoreSession,
  closeEngine: () => Promise<void>,
): Store {
  let closing: Promise<void> | undefined;
  return {
    engine,
    db,
    session,
    transaction: (fn) => db.transaction().execute(fn),
    async ping() {
      await sql`select 1`.execute(db);
    },
    close() {
      closing ??= (async () => {
        await session.close();
        await db.destroy();
        await closeEngine();
      })();
      return closing;
    },
  };
}
