import { Code, ConnectError, createClient } from "@connectrpc/connect";
import { afterEach, describe, expect, it } from "vitest";
import { HealthCheckResponse_ServingStatus as ServingStatus } from "../../gen/grpc/health/v1/health_pb.js";
import { AccountHistoryService } from "../../gen/ibrpc/v1/account_history_pb.js";
import { ConnectionService } from "../../gen/ibrpc/v1/connection_pb.js";
import type { App } from "../../src/app.js";
import { allReady, startTestApp, transports } from "../e2e/app-harness.js";
import { createTestDatabase, ENGINES, setDatabaseDown, type TestDatabase } from "../store/test-databases.js";
import { eventually } from "../support/wait.js";

const HISTORY = AccountHistoryService.typeName;
let app: App | undefined;
let tdb: TestDatabase | undefined;

afterEach(async () => {
  await app?.close();
  await tdb?.drop();
  app = undefined;
  tdb = undefined;
});

describe("starting with the history's database not ready", () => {
  it("PGlite: the IB services answer while the store opens; the history's health follows the store", async () => {
    tdb = await createTestDatabase("pglite");
    app = await startTestApp({ DATA_DIR: tdb.dataDir });
    await allReady(app);
    const grpc = transports(app.server.url).grpc;
    expect((await createClient(ConnectionService, grpc).reqCurrentTime({})).gateway).toBe("sim");
    const history = app.history;
    const expected = history.store.status === "ready" ? ServingStatus.SERVING : ServingStatus.NOT_SERVING;
    expect(app.health.get(HISTORY)).toBe(expected);
    await history.store.ready;
    expect(app.health.get(HISTORY)).toBe(ServingStatus.SERVING);
  });

  if (ENGINES.includes("postgres")) {
    it("PostgreSQL down at start: ibrpc serves IB at once, the history is UNAVAILABLE, then comes up by itself", async () => {
      tdb = await createTestDatabase("postgres");
      const dbUrl = tdb.dbUrl as string;
      await setDatabaseDown(dbUrl, true);
      try {
        app = await startTestApp({ DB_URL: dbUrl, DATA_DIR: tdb.dataDir });
        await allReady(app);
        const grpc = transports(app.server.url).grpc;
        expect((await createClient(ConnectionService, grpc).reqCurrentTime({})).gateway).toBe("sim");
        expect(app.health.get(HISTORY)).toBe(ServingStatus.NOT_SERVING);
        const refused = await createClient(AccountHistoryService, grpc)
          .listAccounts({})
          .catch((e: unknown) => ConnectError.from(e));
        expect((refused as ConnectError).code).toBe(Code.Unavailable);
      } finally {
        await setDatabaseDown(dbUrl, false);
      }
      const running = app;
      await eventually("the history SERVING once PostgreSQL answers", 20_000, async () => {
        return running.health.get(HISTORY) === ServingStatus.SERVING;
      });
      await eventually("the start snapshots stored", 20_000, async () => {
        const { accounts } = await createClient(
          AccountHistoryService,
          transports(running.server.url).grpc,
        ).listAccounts({});
        return accounts.length > 0 && accounts.every((a) => a.latestSnapshotTime !== undefined);
      });
    });
  }
});
