/**
 * What opening the embedded store (PGlite) costs the rest of ibrpc. ibrpc runs as `npm start` runs it
 * (`node dist/src/main.js serve`, IB_GW unset = the built-in simulator, a DATA_DIR of its own), once on a new DATA_DIR
 * (cold: initdb + migrations) and once more on the same directory (warm). Per run:
 *   - serving: spawn -> health SERVING of ibrpc.v1.ConnectionService (the IB side answers);
 *   - store ready: spawn -> health SERVING of ibrpc.v1.AccountHistoryService (the store is open and migrated);
 *   - while the store opens (from ConnectionService SERVING to 3 s after the store is ready, so the first snapshot
 *     queries count too) ReqCurrentTime and ListGateways are called every 20 ms: their max and p99 latency;
 *   - the event loop's max delay inside ibrpc over that window (monitorEventLoopDelay, preloaded by
 *     loop-lag-probe.js), and its RSS at the end.
 * Latencies are machine-bound (this is a 2-core box shared with other work): compare runs of one invocation, and
 * the calls' latency against the same calls once the store is open ("after" columns).
 *
 * Run: npm run bench, or npx tsc -p tsconfig.bench.json && node dist/bench/store/store-open.js.
 * BENCH_STORE_ROUNDS (default 1) repeats the cold + warm pair.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import { type Client, createClient } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { Health, HealthCheckResponse_ServingStatus as ServingStatus } from "../../gen/grpc/health/v1/health_pb.js";
import { ConnectionService } from "../../gen/ibrpc/v1/connection_pb.js";

const MAIN_JS = fileURLToPath(new URL("../../src/main.js", import.meta.url));
const PROBE_JS = fileURLToPath(new URL("./loop-lag-probe.js", import.meta.url));
const ROUNDS = Number(process.env.BENCH_STORE_ROUNDS ?? 1);
const CALL_EVERY_MS = 20;
const CALL_DEADLINE_MS = 20_000;
const AFTER_READY_MS = 3_000;
const AFTER_WINDOW_MS = 2_000;
const START_DEADLINE_MS = 120_000;

interface LoopReport {
  maxMs: number;
  p99Ms: number;
  meanMs: number;
  rssMb: number;
}

interface RunResult {
  servingMs: number;
  storeReadyMs: number;
  during: Record<string, number[]>;
  after: Record<string, number[]>;
  failures: number;
  loop: LoopReport;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

function ask(child: ChildProcess, what: "reset" | "report"): Promise<LoopReport> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("the loop probe did not answer")), 10_000);
    if (what === "report") {
      child.once("message", (m) => {
        clearTimeout(timer);
        resolve(m as LoopReport);
      });
    }
    child.send(what);
    if (what === "reset") {
      clearTimeout(timer);
      resolve({ maxMs: 0, p99Ms: 0, meanMs: 0, rssMb: 0 });
    }
  });
}

async function status(health: Client<typeof Health>, service: string): Promise<ServingStatus | undefined> {
  try {
    return (await health.check({ service }, { timeoutMs: 2_000 })).status;
  } catch {
    return undefined;
  }
}

async function until(what: string, deadlineAt: number, check: () => Promise<boolean>): Promise<void> {
  while (!(await check())) {
    if (performance.now() > deadlineAt) throw new Error(`bench: ${what} not reached in time`);
    await sleep(CALL_EVERY_MS);
  }
}

/** Calls `fn` every CALL_EVERY_MS without waiting for the previous one (a stalled server shows as one long call). */
function callEvery(fn: () => Promise<unknown>, into: number[], failed: () => void): () => Promise<void> {
  const inFlight = new Set<Promise<void>>();
  const timer = setInterval(() => {
    const started = performance.now();
    const p = fn().then(
      () => void into.push(performance.now() - started),
      () => failed(),
    );
    inFlight.add(p);
    p.finally(() => inFlight.delete(p));
  }, CALL_EVERY_MS);
  return async () => {
    clearInterval(timer);
    await Promise.all(inFlight);
  };
}

async function run(dataDir: string): Promise<RunResult> {
  const port = await freePort();
  const started = performance.now();
  const child = spawn(process.execPath, ["--enable-source-maps", "--import", PROBE_JS, MAIN_JS, "serve"], {
    env: { PATH: process.env.PATH ?? "", DATA_DIR: dataDir, PORT: String(port), LOG_LEVEL: "warn" },
    stdio: ["ignore", "ignore", "inherit", "ipc"],
  });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  try {
    const transport = createGrpcTransport({ baseUrl: `http://127.0.0.1:${port}` });
    const health = createClient(Health, transport);
    const connection = createClient(ConnectionService, transport);
    const deadline = started + START_DEADLINE_MS;
    await until("ConnectionService SERVING", deadline, async () => {
      return (await status(health, ConnectionService.typeName)) === ServingStatus.SERVING;
    });
    const servingMs = performance.now() - started;
    await ask(child, "reset");

    const during: Record<string, number[]> = { ReqCurrentTime: [], ListGateways: [] };
    let failures = 0;
    const stops = [
      callEvery(
        () => connection.reqCurrentTime({}, { timeoutMs: CALL_DEADLINE_MS }),
        during.ReqCurrentTime,
        () => {
          failures++;
        },
      ),
      callEvery(
        () => connection.listGateways({}, { timeoutMs: CALL_DEADLINE_MS }),
        during.ListGateways,
        () => {
          failures++;
        },
      ),
    ];
    await until("AccountHistoryService SERVING", deadline, async () => {
      return (await status(health, "ibrpc.v1.AccountHistoryService")) === ServingStatus.SERVING;
    });
    const storeReadyMs = performance.now() - started;
    await sleep(AFTER_READY_MS);
    for (const stop of stops) await stop();
    const loop = await ask(child, "report");

    // The same calls once the store is open and settled: what "normal" costs on this machine right now.
    const after: Record<string, number[]> = { ReqCurrentTime: [], ListGateways: [] };
    const afterStops = [
      callEvery(
        () => connection.reqCurrentTime({}, { timeoutMs: CALL_DEADLINE_MS }),
        after.ReqCurrentTime,
        () => {
          failures++;
        },
      ),
      callEvery(
        () => connection.listGateways({}, { timeoutMs: CALL_DEADLINE_MS }),
        after.ListGateways,
        () => {
          failures++;
        },
      ),
    ];
    await sleep(AFTER_WINDOW_MS);
    for (const stop of afterStops) await stop();
    return { servingMs, storeReadyMs, during, after, failures, loop };
  } finally {
    child.kill("SIGTERM");
    await exited;
  }
}

function pct(xs: number[], p: number): number {
  if (xs.length === 0) return Number.NaN;
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

function ms(x: number): string {
  return Number.isNaN(x) ? "-" : x.toFixed(x < 10 ? 1 : 0);
}

function report(label: string, r: RunResult): void {
  const calls = (set: Record<string, number[]>, name: string) =>
    `${ms(pct(set[name], 99))}/${ms(Math.max(...set[name]))} (n=${set[name].length})`;
  console.log(
    `${label.padEnd(5)} | ${ms(r.servingMs).padStart(7)} | ${ms(r.storeReadyMs).padStart(7)} | ` +
      `${calls(r.during, "ReqCurrentTime").padEnd(20)} | ${calls(r.during, "ListGateways").padEnd(20)} | ` +
      `${ms(r.loop.maxMs).padStart(6)} | ${ms(r.loop.p99Ms).padStart(6)} | ${String(r.loop.rssMb).padStart(5)} | ` +
      `${calls(r.after, "ReqCurrentTime").padEnd(20)} | ${calls(r.after, "ListGateways").padEnd(20)} | ${r.failures}`,
  );
}

console.log("store open: ibrpc as `npm start` runs it, cold (new DATA_DIR) then warm (same DATA_DIR); times in ms");
console.log(
  "run   | serving | store   | ReqCurrentTime p99/max | ListGateways p99/max | loop   | loop   | rss   | " +
    "after: ReqCurrentTime | after: ListGateways | failed",
);
console.log(
  "      |         | ready   | while the store opens  | while it opens       | max    | p99    | MB    | " +
    "p99/max               | p99/max              | calls",
);
for (let round = 0; round < ROUNDS; round++) {
  const dataDir = mkdtempSync(join(tmpdir(), "ibrpc-bench-store-"));
  try {
    report("cold", await run(dataDir));
    report("warm", await run(dataDir));
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}
