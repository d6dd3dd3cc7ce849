import { cpSync, existsSync } from "node:fs";
import path from "node:path";

/**
 * An embedded database made once per test run (test/global-setup.ts: initdb + migrations), copied into the DATA_DIR
 * of each in-process app. PGlite's first start in a fresh directory costs seconds of CPU and ~0.8 GB; dozens of test
 * apps each paying it made the suite slow on two cores, while what they test is ibrpc, not initdb (the store's own
 * tests and the startup tests still open fresh directories).
 */
export const PGLITE_TEMPLATE_ENV = "IBRPC_TEST_PGLITE_TEMPLATE";

/** The subdirectory of DATA_DIR that holds PGlite's files (src/store's PGLITE_SUBDIR). */
const PGLITE_SUBDIR = "pglite";

/** Gives a DATA_DIR without a database a copy of the run's template; leaves an existing database alone. */
export function seedPgliteDataDir(dataDir: string): void {
  const template = process.env[PGLITE_TEMPLATE_ENV];
  const target = path.join(dataDir, PGLITE_SUBDIR);
  if (!template || !existsSync(template) || existsSync(target)) return;
  cpSync(template, target, { recursive: true });
}
