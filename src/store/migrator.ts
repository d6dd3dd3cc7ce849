import { existsSync, readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { type Kysely, sql } from "kysely";
import type { Database } from "./database.js";

/** One .sql file of ./migrations: `NNNN_name.sql`, applied in version order, once. */
export interface Migration {
  version: number;
  name: string;
  statements: string[];
}

/**
 * Serializes migrators across processes (two instances starting at once on one PostgreSQL): a transaction-scoped
 * advisory lock, released by the commit. The number is arbitrary but fixed ("ibrp" in ASCII).
 */
const MIGRATION_LOCK = 0x69627270;

/**
 * Where the .sql files are: next to this module when running from src/ (tests), else in the package's
 * src/store/migrations (the compiled module runs from dist/src/store, where tsc copies no .sql).
 */
export function migrationsDir(): string {
  const candidates = [
    new URL("./migrations/", import.meta.url),
    new URL("../../../src/store/migrations/", import.meta.url),
  ].map((u) => fileURLToPath(u));
  const found = candidates.find((dir) => existsSync(dir));
  if (!found) throw new Error(`store migrations not found (looked in ${candidates.join(", ")})`);
  return found;
}

/** Reads every migration of `dir`, in version order. */
export function loadMigrations(dir = migrationsDir()): Migration[] {
  const migrations = readdirSync(dir)
    .filter((f) => f.endsWith(".sql"))
    .map((file) => {
      const m = /^(\d+)_([\w-]+)\.sql$/.exec(file);
      if (!m) throw new Error(`migration ${file}: the name must be NNNN_name.sql`);
      return {
        version: Number(m[1]),
        name: m[2] as string,
        statements: splitStatements(readFileSync(`${dir}/${file}`, "utf8")),
      };
    })
    .sort((a, b) => a.version - b.version);
  for (let i = 1; i < migrations.length; i++) {
    if (migrations[i]?.version === migrations[i - 1]?.version) {
      throw new Error(`two migrations have version ${migrations[i]?.version}`);
    }
  }
  return migrations;
}

/**
 * Splits a migration at semicolons that end a line: PGlite's node-postgres adapter (and pg's extended protocol)
 * run one statement per query. Migrations therefore keep one statement per `;`-terminated line group and use no
 * dollar-quoted bodies; `--` comments are dropped.
 */
export function splitStatements(text: string): string[] {
  return text
    .split("\n")
    .map((line) => line.replace(/--.*$/, ""))
    .join("\n")
    .split(/;\s*$/m)
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}

/**
 * Applies the migrations not applied yet, all in one transaction under an advisory lock: a second instance starting
 * at the same time waits, then finds them applied; a failing migration leaves the schema as it was. Returns the
 * versions it applied.
 */
export async function migrate(db: Kysely<Database>, migrations = loadMigrations()): Promise<Migration[]> {
  return db.transaction().execute(async (trx) => {
    await sql`select pg_advisory_xact_lock(${MIGRATION_LOCK})`.execute(trx);
    await sql`create table if not exists schema_migrations (
      version integer primary key,
      name text not null,
      applied_at timestamptz not null default now()
    )`.execute(trx);
    const applied = new Set(
      (await trx.selectFrom("schema_migrations").select("version").execute()).map((r) => r.version),
    );
    const pending = migrations.filter((m) => !applied.has(m.version));
    for (const m of pending) {
      for (const statement of m.statements) await sql.raw(statement).execute(trx);
      await trx.insertInto("schema_migrations").values({ version: m.version, name: m.name }).execute();
    }
    return pending;
  });
}
