import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { App } from "../../src/app.js";
import { allReady, startTestApp } from "../e2e/app-harness.js";
import { eventually } from "./wait.js";

/**
 * The whole ibrpc on the built-in simulator, as `npm start` runs it, for tests of the IB-backed services:
 * - its own DATA_DIR, so test files running in parallel never share (and lock) one embedded database;
 * - ready before the first call: every gateway READY, and the account history's embedded database open, because
 *   PGlite's first start runs in this process and blocks its event loop for seconds, which would stall whichever
 *   call happened to be in flight;
 * - a generous default deadline (REQ_TIMEOUT_MS), since two shared cores can be slow; calls that test deadlines set
 *   their own.
 */
export async function startServiceApp(env: Record<string, string> = {}): Promise<App> {
  const dataDir = mkdtempSync(join(tmpdir(), "ibrpc-services-"));
  const app = await startTestApp({ DATA_DIR: dataDir, REQ_TIMEOUT_MS: "30000", ...env });
  const close = async () => {
    await app.close();
    rmSync(dataDir, { recursive: true, force: true });
  };
  try {
    await allReady(app, 30_000);
    await eventually("the account history's database open", 60_000, async () => app.history.store.status === "ready");
  } catch (err) {
    await close();
    throw err;
  }
  return { ...app, close };
}

/** A Connect GET of a read-only RPC, as a browser or `curl` would make it: the request JSON in the query string. */
export async function connectGet(
  baseUrl: string,
  procedure: string,
  request: unknown,
): Promise<{ status: number; json: Record<string, unknown> }> {
  const message = encodeURIComponent(JSON.stringify(request));
  const res = await fetch(`${baseUrl}/${procedure}?connect=v1&encoding=json&message=${message}`, {
    signal: AbortSignal.timeout(30_000),
  });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}
