import { execFile } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";

/**
 * The published package as a user installs it (npm pack, unpacked): what the service reads at run time besides its
 * compiled code is in it. The store's migrations are .sql files tsc does not copy into dist/, read from the package's
 * src/store/migrations.
 */
const run = promisify(execFile);
const root = fileURLToPath(new URL("..", import.meta.url));
const work = mkdtempSync(path.join(tmpdir(), "ibrpc-pack-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe("the npm package", () => {
  it("holds the store's migrations, and the compiled store finds every one of them", async () => {
    // --ignore-scripts: dist/ is built by the suite's global set-up; prepare would build it again.
    const { stdout } = await run("npm", ["pack", "--ignore-scripts", "--json", "--pack-destination", work], {
      cwd: root,
      timeout: 120_000,
    });
    const [packed] = JSON.parse(stdout) as Array<{ filename: string; files: Array<{ path: string }> }>;
    const sources = readdirSync(path.join(root, "src/store/migrations")).filter((f) => f.endsWith(".sql"));
    expect(sources.length).toBeGreaterThan(0);
    const files = new Set(packed?.files.map((f) => f.path));
    for (const sql of sources) expect(files).toContain(`src/store/migrations/${sql}`);

    await run("tar", ["-xzf", path.join(work, packed?.filename as string), "-C", work]);
    const installed = path.join(work, "package");
    symlinkSync(path.join(root, "node_modules"), path.join(installed, "node_modules"));
    const { stdout: versions } = await run(
      process.execPath,
      [
        "--input-type=module",
        "-e",
        "const m = await import('./dist/src/store/migrator.js'); console.log(JSON.stringify({ dir: m.migrationsDir(), n: m.loadMigrations().length }));",
      ],
      { cwd: installed, timeout: 60_000 },
    );
    const found = JSON.parse(versions) as { dir: string; n: number };
    expect(found.dir.startsWith(installed)).toBe(true);
    expect(found.n).toBe(sources.length);
  }, 180_000);
});
