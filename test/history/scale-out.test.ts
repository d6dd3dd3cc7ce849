import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { createClient } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { sql } from "kysely";
import { pino } from "pino";
import { afterEach, describe, expect, it } from "vitest";
import { AccountHistoryService } from "../../gen/ibrpc/v1/account_history_pb.js";
import { Simulator } from "../../src/sim/index.js";
import { postJson } from "../e2e/app-harness.js";
import { createTestDatabase, ENGINES } from "../store/test-databases.js";
import { eventually, freePort, withTimeout } from "../support/wait.js";

const MAIN = fileURLToPath(new URL("../../dist/src/main.js", import.meta.url));
const LEADER_LINE = "snapshot leader for gateway";
const cleanups: (() => Promise<void> | void)[] = [];

afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

interface Running {
  child: ChildProcess;
  url: string;
  output: () => string;
  exited: Promise<number | null>;
}

async function ibrpc(env: Record<string, string>): Promise<Running> {
  const port = await freePort();
  const child = spawn(process.execPath, [MAIN, "serve"], {
    env: { PATH: process.env.PATH ?? "", LOG_LEVEL: "info", PORT: String(port), ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  cleanups.push(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  });
  let out = "";
  child.stdout?.on("data", (d) => (out += d));
  child.stderr?.on("data", (d) => (out += d));
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  return { child, url: `http://127.0.0.1:${port}`, output: () => out, exited };
}

async function historyServing(url: string): Promise<boolean> {
  const res = await postJson(
    url,
    "/grpc.health.v1.Health/Check",
    JSON.stringify({ service: AccountHistoryService.typeName }),
  );
  return res.json.status === "SERVING";
}

describe("the embedded store as a process", () => {
  it("a second ibrpc on the same DATA_DIR fails at once with one clear line; the first keeps serving", async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), "ibrpc-lock-"));
    const first = await ibrpc({ DATA_DIR: dataDir });
    await eventually("the first one listening", 30_000, async () => first.output().includes("ibrpc serving"));
    const second = await ibrpc({ DATA_DIR: dataDir });
    expect(await withTimeout(second.exited, "the second one to exit", 20_000)).toBe(2);
    const lines = second.output().trim().split("\n");
    expect(lines).toEqual([expect.stringMatching(/^ibrpc: DATA_DIR: .* is in use by another ibrpc \(pid \d+/)]);
    await eventually("the first one's history SERVING", 60_000, () => historyServing(first.url));
    first.child.kill("SIGTERM");
    expect(await withTimeout(first.exited, "the first one to stop", 20_000)).toBe(0);
  }, 120_000);
});

describe("ibrpc migrate", () => {
  it.each(ENGINES)(
    "applies the migrations on %s and exits 0, twice in a row",
    async (engine) => {
      const tdb = await createTestDatabase(engine);
      cleanups.push(() => tdb.drop());
      const env = { DATA_DIR: tdb.dataDir, ...(tdb.dbUrl ? { DB_URL: tdb.dbUrl } : {}) };
      for (let run = 0; run < 2; run++) {
        const child = spawn(process.execPath, [MAIN, "migrate"], {
          env: { PATH: process.env.PATH ?? "", LOG_LEVEL: "warn", ...env },
          stdio: ["ignore", "pipe", "pipe"],
        });
        let out = "";
        child.stdout?.on("data", (d) => (out += d));
        child.stderr?.on("data", (d) => (out += d));
        const code = await withTimeout(
          new Promise<number | null>((resolve) => child.on("exit", resolve)),
          "ibrpc migrate to exit",
          60_000,
        );
        expect(code).toBe(0);
        expect(out).toMatch(/^ibrpc migrate: .* is at version \d+ \(0*1_account_history/);
      }
    },
    120_000,
  );
});

if (ENGINES.includes("postgres")) {
  describe("two ibrpc instances on one PostgreSQL", () => {
    it("elect one snapshot leader, share new snapshots through NOTIFY, and replace a killed leader within 5 s without duplicates", async () => {
      const sim = new Simulator({ seed: 42, logger: pino({ level: "silent" }) });
      const address = await sim.start();
      cleanups.push(() => sim.stop());
      const tdb = await createTestDatabase("postgres");
      cleanups.push(() => tdb.drop());
      const store = await tdb.open();
      cleanups.push(() => store.close());
      const env = (cid: string) => ({
        DB_URL: tdb.dbUrl as string,
        IB_GW: `sim1=127.0.0.1:${address.port}`,
        IB_CID: cid,
        DATA_DIR: mkdtempSync(path.join(tmpdir(), "ibrpc-scale-")),
      });
      const counts = async () => {
        const { rows } = await sql<{ code: string; n: string }>`
          select a.code, count(s.id) as n from history_account a left join history_snapshot s on s.account_id = a.id
          group by a.code order by a.code`.execute(store.db);
        return Object.fromEntries(rows.map((r) => [r.code, Number(r.n)]));
      };
      const accounts = [...sim.accounts].sort();

      const a = await ibrpc(env("7000"));
      await eventually("instance A leads sim1", 30_000, async () => a.output().includes(LEADER_LINE));
      const b = await ibrpc(env("7100"));
      await eventually("instance B serves the history", 30_000, () => historyServing(b.url));
      await eventually("A's start snapshot of every account", 20_000, async () => {
        const c = await counts();
        return accounts.every((acct) => c[acct] === 1);
      });
      expect(b.output()).not.toContain(LEADER_LINE);

      // A snapshot stored by A reaches a WatchSnapshots stream on B.
      const watcher = createClient(AccountHistoryService, createGrpcTransport({ baseUrl: b.url }));
      const abort = new AbortController();
      cleanups.push(() => abort.abort());
      const stream = watcher
        .watchSnapshots({ account: accounts[0] as string }, { signal: abort.signal })
        [Symbol.asyncIterator]();
      const initial = await withTimeout(stream.next(), "B's initial snapshot");
      expect(initial.value?.event.case).toBe("snapshot");
      const taker = createClient(AccountHistoryService, createGrpcTransport({ baseUrl: a.url }));
      const { snapshots } = await taker.takeSnapshots({ account: accounts[0] as string });
      const seen = await withTimeout(stream.next(), "the snapshot A took, on B");
      expect(seen.value?.event.case === "snapshot" && seen.value.event.value.time).toEqual(snapshots[0]?.time);

      a.child.kill("SIGKILL");
      await a.exited;
      await withTimeout(
        eventually("B leads sim1", 10_000, async () => b.output().includes(LEADER_LINE)),
        "the takeover",
        5_000,
      );
      await eventually("B's takeover snapshot of every account", 20_000, async () => {
        const c = await counts();
        return accounts.every((acct) => c[acct] === (acct === accounts[0] ? 3 : 2));
      });
      const dup = await sql`select 1 from history_snapshot group by account_id, taken_at having count(*) > 1`.execute(
        store.db,
      );
      expect(dup.rows).toEqual([]);
      b.child.kill("SIGTERM");
      expect(await withTimeout(b.exited, "B to stop", 20_000)).toBe(0);
    }, 120_000);
  });
}
