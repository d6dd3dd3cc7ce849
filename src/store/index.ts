/**
 * ibrpc's one database layer. How a feature uses it:
 *
 *   - Schema: add `src/store/migrations/NNNN_name.sql` (next number; statements end with `;` at the end of a line,
 *     no dollar-quoted bodies) and its tables to {@link Database} in database.ts (or, for a feature that keeps its
 *     types to itself, `store.db.withTables<{ my_table: MyTable }>()`). Migrations run at start (and `ibrpc migrate`),
 *     all pending ones in one transaction under an advisory lock, on PGlite and PostgreSQL alike.
 *   - Queries: `store.db` (Kysely<Database>), `store.transaction(async (trx) => ...)`. Timestamps: write ISO text,
 *     read with `isoUtc(column)` (a JS Date drops microseconds); bigint / numeric come back as exact strings.
 *   - Errors: `isStoreUnavailable(err)` tells "database unreachable, retry later" from "statement refused";
 *     `toConnectError(err, what)` maps to UNAVAILABLE / INTERNAL for RPCs.
 *   - Lifetime: the app opens the store in the background (`StoreOpener`: `ready` promise, `status` events, `store`);
 *     `openStore()` opens one directly (tests, `ibrpc migrate`). `store.session` holds LISTEN and advisory locks.
 */
export { type DataDirLock, LOCK_FILE, lockDataDir } from "./data-dir-lock.js";
export type * from "./database.js";
export { loadMigrations, type Migration, migrate, migrationsDir } from "./migrator.js";
export type { StoreSession } from "./session.js";
export { isoUtc } from "./sql-time.js";
export { type Engine, type OpenStoreOptions, openStore, PGLITE_SUBDIR, type Store } from "./store.js";
export { isStoreUnavailable, storeUnavailable, toConnectError } from "./store-errors.js";
export { StoreOpener, type StoreOpenerOptions, type StoreStatus } from "./store-opener.js";
