export { type DataDirLock, LOCK_FILE, lockDataDir } from "./data-dir-lock.js";
export type * from "./database.js";
export { loadMigrations, type Migration, migrate, migrationsDir } from "./migrator.js";
export type { StoreSession } from "./session.js";
export { isoUtc } from "./sql-time.js";
export { type Engine, type OpenStoreOptions, openStore, PGLITE_SUBDIR, type Store } from "./store.js";
export { isStoreUnavailable, storeUnavailable, toConnectError } from "./store-errors.js";
export { StoreOpener, type StoreOpenerOptions, type StoreStatus } from "./store-opener.js";
