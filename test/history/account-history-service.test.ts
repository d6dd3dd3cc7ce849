import { equals, fromJson, type JsonValue } from "@bufbuild/protobuf";
import { Code, ConnectError, createClient } from "@connectrpc/connect";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Health, HealthCheckResponse_ServingStatus } from "../../gen/grpc/health/v1/health_pb.js";
import {
  AccountHistoryService,
  type AccountSnapshot,
  AccountSnapshotSchema,
} from "../../gen/ibrpc/v1/account_history_pb.js";
import type { App } from "../../src/app.js";
import { allReady, startTestApp, transports } from "../e2e/app-harness.js";
import { createTestDatabase, ENGINES, setDatabaseDown, type TestDatabase } from "../store/test-databases.js";
import { eventually, withTimeout } from "../support/wait.js";

describe.each(ENGINES)("AccountHistoryService on %s, against the built-in simulator", (engine) => {
  let tdb: TestDatabase;
  let app: App;
  let env: Record<string, string>;
  let accounts: string[];
  const client = () => createClient(AccountHistoryService, transports(app.server.url).grpc);

  beforeAll(async () => {
    tdb = await createTestDatabase(engine);
    env = tdb.dbUrl ? { DB_URL: tdb.dbUrl, DATA_DIR: tdb.dataDir } : { DATA_DIR: tdb.dataDir };
    app = await startTestApp(env);
    await allReady(app);
    await app.history.store.ready;
    accounts = [...(app.pool.gateways[0]?.accounts ?? [])];
    expect(accounts.length).toBeGreaterThan(1);
  }, 60_000);
  afterAll(async () => {
    await app?.close();
    await tdb?.drop();
  });

  it("reports SERVING once the store is open", async () => {
    const health = createClient(Health, transports(app.server.url).grpc);
    const res = await health.check({ service: AccountHistoryService.typeName });
    expect(res.status).toBe(HealthCheckResponse_ServingStatus.SERVING);
  });

  it("has a snapshot of every managed account soon after start", async () => {
    await eventually("a start snapshot of every account", 20_000, async () => {
      const { accounts: known } = await client().listAccounts({});
      return accounts.every((a) => known.find((k) => k.account === a)?.latestSnapshotTime !== undefined);
    });
    const { accounts: known } = await client().listAccounts({});
    for (const a of known) expect(a.gateway).toBe("sim");
  });

  it("TakeSnapshots returns one per account with values and portfolio; the reads return exactly those", async () => {
    const { snapshots } = await client().takeSnapshots({});
    expect(snapshots.map((s) => s.account).sort()).toEqual([...accounts].sort());
    for (const s of snapshots) {
      expect(s.accountValues.length).toBeGreaterThan(0);
      expect((s.time?.nanos ?? 0) % 1000).toBe(0); // microseconds: what the store keeps
      const { snapshot: latest } = await client().getLatestSnapshot({ account: s.account });
      expect(latest && equals(AccountSnapshotSchema, latest, s)).toBe(true);
      const { snapshot: exact } = await client().getSnapshot({ account: s.account, time: s.time });
      expect(exact && equals(AccountSnapshotSchema, exact, s)).toBe(true);
    }
    expect(snapshots.some((s) => s.portfolio.length > 0)).toBe(true);
    const keys = new Set(snapshots.flatMap((s) => s.accountValues.map((v) => v.key)));
    expect(keys.has("TotalCashBalance") && keys.has("TotalCashValue")).toBe(true);
  });

  it("GetSnapshot at a time with no snapshot (one nanosecond off) is NOT_FOUND", async () => {
    const { snapshot } = await client().getLatestSnapshot({ account: accounts[0] as string });
    const time = snapshot?.time;
    const off = await client()
      .getSnapshot({
        account: accounts[0] as string,
        time: { seconds: time?.seconds ?? 0n, nanos: (time?.nanos ?? 0) + 1 },
      })
      .catch((e: unknown) => ConnectError.from(e));
    expect((off as ConnectError).code).toBe(Code.NotFound);
    const unknown = await client()
      .getLatestSnapshot({ account: "NOSUCH1" })
      .catch((e: unknown) => ConnectError.from(e));
    expect((unknown as ConnectError).code).toBe(Code.NotFound);
  });

  it("ListSnapshots pages newest first, without overlap", async () => {
    const account = accounts[0] as string;
    await client().takeSnapshots({ account });
    await client().takeSnapshots({ account });
    const all = (await client().listSnapshots({ account, pageSize: 1000 })).snapshots;
    expect(all.length).toBeGreaterThanOrEqual(3);
    const paged: AccountSnapshot[] = [];
    let pageToken = "";
    do {
      const page = await client().listSnapshots({ account, pageSize: 2, pageToken });
      expect(page.snapshots.length).toBeLessThanOrEqual(2);
      paged.push(...page.snapshots);
      pageToken = page.nextPageToken;
    } while (pageToken);
    const micros = (s: AccountSnapshot) => (s.time?.seconds ?? 0n) * 1_000_000n + BigInt((s.time?.nanos ?? 0) / 1000);
    expect(paged.map(micros)).toEqual(all.map(micros));
    for (let i = 1; i < paged.length; i++)
      expect(micros(paged[i - 1] as AccountSnapshot) > micros(paged[i] as AccountSnapshot)).toBe(true);
    const other = await client()
      .listSnapshots({
        account: accounts[1] as string,
        pageSize: 2,
        pageToken: (await client().listSnapshots({ account, pageSize: 1 })).nextPageToken,
      })
      .catch((e: unknown) => ConnectError.from(e));
    expect((other as ConnectError).code).toBe(Code.InvalidArgument);
  });

  it("WatchSnapshots gives the latest of each account, then each new snapshot", async () => {
    const abort = new AbortController();
    const stream = client().watchSnapshots({}, { signal: abort.signal })[Symbol.asyncIterator]();
    try {
      const initial = new Set<string>();
      while (initial.size < accounts.length) {
        const { value } = await withTimeout(stream.next(), "the initial snapshots");
        if (value?.event.case === "snapshot") initial.add(value.event.value.account);
      }
      const { snapshots } = await client().takeSnapshots({ account: accounts[1] as string });
      const { value } = await withTimeout(stream.next(), "the new snapshot");
      expect(value?.event.case).toBe("snapshot");
      expect(
        value?.event.value &&
          equals(AccountSnapshotSchema, value.event.value as AccountSnapshot, snapshots[0] as AccountSnapshot),
      ).toBe(true);
    } finally {
      abort.abort();
    }
  });

  it("serves ibconnect's REST paths: the list, the 303 to the latest, the immutable snapshot, JSON 404s", async () => {
    const base = app.server.url;
    const list = await fetch(`${base}/v1/accounts`);
    expect(list.status).toBe(200);
    expect(list.headers.get("cache-control")).toBe("max-age=60");
    const listed = (await list.json()) as { account: string; latestSnapshotTime: string }[];
    expect(listed.map((a) => a.account).sort()).toEqual([...accounts].sort());

    const before = listed.find((a) => a.account === accounts[0])?.latestSnapshotTime as string;
    const fresh = (await (
      await fetch(`${base}/v1/accounts`, { headers: { "cache-control": "max-age=0" } })
    ).json()) as typeof listed;
    expect(
      Date.parse(fresh.find((a) => a.account === accounts[0])?.latestSnapshotTime as string),
    ).toBeGreaterThanOrEqual(Date.parse(before));
    expect(fresh.find((a) => a.account === accounts[0])?.latestSnapshotTime).not.toBe(before);

    const redirect = await fetch(`${base}/v1/accounts/${accounts[0]}`, { redirect: "manual" });
    expect(redirect.status).toBe(303);
    const location = redirect.headers.get("location") as string;
    expect(location).toMatch(
      new RegExp(`^/v1/accounts/${accounts[0]}/\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d(\\.\\d+)?Z$`),
    );
    const snap = await fetch(`${base}${location}`);
    expect(snap.status).toBe(200);
    expect(snap.headers.get("cache-control")).toBe("public, max-age=31536000, immutable");
    const body = fromJson(AccountSnapshotSchema, (await snap.json()) as JsonValue);
    const { snapshot: latest } = await client().getLatestSnapshot({ account: accounts[0] as string });
    expect(latest && equals(AccountSnapshotSchema, body, latest)).toBe(true);

    const missing = await fetch(`${base}/v1/accounts/NOSUCH1`, { redirect: "manual" });
    expect(missing.status).toBe(404);
    expect(await missing.json()).toMatchObject({ code: "not_found" });
    const noTime = await fetch(`${base}/v1/accounts/${accounts[0]}/2001-01-01T00:00:00.000001Z`);
    expect(noTime.status).toBe(404);
    const badTime = await fetch(`${base}/v1/accounts/${accounts[0]}/yesterday`);
    expect(badTime.status).toBe(400);
  });

  if (engine === "postgres") {
    it("a database outage during scheduled snapshots loses none and half-writes none", async () => {
      const h = app.history.history;
      const dbUrl = tdb.dbUrl as string;
      await eventually(
        "this instance leads the snapshots of sim",
        10_000,
        async () => h.schedule?.isLeader("sim") === true,
      );
      const countOf = async (account: string) =>
        (await client().listSnapshots({ account, pageSize: 1000 })).snapshots.length;
      const before = await Promise.all(accounts.map(countOf));
      await setDatabaseDown(dbUrl, true);
      try {
        await eventually("AccountHistoryService NOT_SERVING", 10_000, async () => {
          return app.health.get(AccountHistoryService.typeName) === HealthCheckResponse_ServingStatus.NOT_SERVING;
        });
        const read = await client()
          .listAccounts({})
          .catch((e: unknown) => ConnectError.from(e));
        expect((read as ConnectError).code).toBe(Code.Unavailable);
        // Two scheduled ticks while the database is down: each account's snapshots are kept in memory.
        h.schedule?.tick();
        await eventually("the first tick's snapshots kept", 20_000, async () => h.writer.pending === accounts.length);
        h.schedule?.tick();
        await eventually(
          "the second tick's snapshots kept",
          20_000,
          async () => h.writer.pending === 2 * accounts.length,
        );
      } finally {
        await setDatabaseDown(dbUrl, false);
      }
      await eventually("every kept snapshot written", 20_000, async () => h.writer.pending === 0);
      await eventually("AccountHistoryService SERVING again", 10_000, async () => {
        return app.health.get(AccountHistoryService.typeName) === HealthCheckResponse_ServingStatus.SERVING;
      });
      const after = await Promise.all(accounts.map(countOf));
      expect(after).toEqual(before.map((n) => n + 2));
      for (const account of accounts) {
        const [newest, previous] = (await client().listSnapshots({ account, pageSize: 2 })).snapshots;
        expect(newest?.accountValues.length).toBeGreaterThan(0);
        expect(newest?.accountValues.length).toBe(previous?.accountValues.length);
        expect(newest?.portfolio.length).toBe(previous?.portfolio.length);
      }
    });
  }

  it("keeps every snapshot across a restart on the same store", async () => {
    const count = async () => {
      let n = 0;
      for (const account of accounts) n += (await client().listSnapshots({ account, pageSize: 1000 })).snapshots.length;
      return n;
    };
    const before = await count();
    await app.close();
    app = await startTestApp(env);
    await app.history.store.ready;
    expect(await count()).toBeGreaterThanOrEqual(before);
  });
});
