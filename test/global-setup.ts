import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { pino } from "pino";
import { PGLITE_TEMPLATE_ENV } from "./support/pglite-template.js";

/**
 * Builds dist/ once before the suite: the process tests run `ibrpc` as users do (node dist/src/main.js), not the
 * sources through a loader. Then makes the run's embedded-database template (see support/pglite-template.ts); the
 * test processes inherit its path through the environment.
 */
export default async function setup(): Promise<() => void> {
  const root = fileURLToPath(new URL("..", import.meta.url));
  execFileSync(
    process.execPath,
    [fileURLToPath(new URL("../node_modules/typescript/bin/tsc", import.meta.url)), "-p", "tsconfig.build.json"],
    {
      cwd: root,
      stdio: "inherit",
    },
  );
  const templateDir = mkdtempSync(path.join(tmpdir(), "ibrpc-pglite-template-"));
  const { openStore, PGLITE_SUBDIR } = (await import(
    pathToFileURL(path.join(root, "dist/src/store/store.js")).href
  )) as typeof import("../src/store/store.js");
  const store = await openStore({ dbUrl: undefined, dataDir: templateDir, logger: pino({ level: "silent" }) });
  await store.close();
  process.env[PGLITE_TEMPLATE_ENV] = path.join(templateDir, PGLITE_SUBDIR);
  return () => rmSync(templateDir, { recursive: true, force: true });
}
