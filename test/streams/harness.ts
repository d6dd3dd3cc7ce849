import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type { Transport } from "@connectrpc/connect";
import { createConnectTransport, createGrpcTransport } from "@connectrpc/connect-node";
import type { App } from "../../src/app.js";
import { allReady, startTestApp } from "../e2e/app-harness.js";
import { type Market, type MarketOptions, startMarket } from "../hub/harness.js";
import { withTimeout } from "../support/wait.js";

/** ibrpc in-process, its one gateway a simulator whose market is pumped (test/hub/harness.ts). */
export interface StreamsBench {
  readonly market: Market;
  readonly app: App;
  readonly baseUrl: string;
  readonly grpc: Transport;
  readonly connect: Transport;
  close(): Promise<void>;
}

export async function startStreamsBench(
  opts: MarketOptions & { env?: Record<string, string> } = {},
): Promise<StreamsBench> {
  const market = await startMarket(opts);
  // The account history locks its DATA_DIR: one per app, so test files (and the developer's ./data) never collide.
  const dataDir = mkdtempSync(path.join(tmpdir(), "ibrpc-streams-"));
  const db: Record<string, string> = process.env.TEST_DB_URL ? { DB_URL: process.env.TEST_DB_URL } : {};
  const app = await startTestApp({ IB_GW: `sim=127.0.0.1:${market.port}`, DATA_DIR: dataDir, ...db, ...opts.env });
  await allReady(app);
  // The account history's store opens in the background; embedded PGlite's first start blocks the event loop for
  // seconds, which would stall the streams under test at a random moment. Wait for it (or use TEST_DB_URL).
  await withTimeout(app.history.store.ready, "the account history store", 60_000);
  const baseUrl = app.server.url;
  return {
    market,
    app,
    baseUrl,
    grpc: createGrpcTransport({ baseUrl }),
    connect: createConnectTransport({ baseUrl, httpVersion: "1.1", useBinaryFormat: false }),
    async close() {
      await app.close();
      await market.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
