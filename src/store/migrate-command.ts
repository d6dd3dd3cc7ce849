import type { Logger } from "pino";
import type { Config } from "../config.js";
import { openStore } from "./store.js";

/**
 * `ibrpc migrate`: applies pending migrations to the configured store (DB_URL, else PGlite in DATA_DIR) and exits.
 * Safe while other instances run or migrate (advisory lock); on PGlite it needs DATA_DIR to itself (the lock file).
 * Returns the process exit code.
 */
export async function runMigrate(config: Config, logger: Logger): Promise<number> {
  const started = performance.now();
  // openStore applies the migrations and logs which; the summary below is for the operator at the terminal.
  const store = await openStore({ dbUrl: config.dbUrl, dataDir: config.dataDir, logger });
  try {
    const applied = await store.db
      .selectFrom("schema_migrations")
      .select(["version", "name"])
      .orderBy("version")
      .execute();
    const where = config.dbUrl ? "PostgreSQL (DB_URL)" : `PGlite in ${config.dataDir}`;
    console.log(
      `ibrpc migrate: ${where} is at version ${applied.at(-1)?.version ?? 0} ` +
        `(${applied.map((m) => `${m.version}_${m.name}`).join(", ")}) in ${Math.round(performance.now() - started)} ms`,
    );
    return 0;
  } finally {
    await store.close();
  }
}
