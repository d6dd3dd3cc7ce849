/**
 * Streams through ibrpc vs IBApi itself, in one run against one simulator (issue #10, item 6).
 *
 * (a) Throughput: the simulator (a worker thread, ManualClock stepped every PACE_MS) pushes the same market data
 *     lines to ibrpc (its own process, as deployed) read by one grpc-js client with one stream per line, then to
 *     IBApi directly. Rate = tick messages delivered / push time. Target: ibrpc >= 0.7x. What ibrpc could not
 *     deliver in time it conflated (latest value per tick type), counted from its /metrics.
 *     ibrpc goes first: the simulator 1.x starves lines opened after another client with many lines disconnected
 *     (reported), which would make the second consumer look slow.
 * (b) Fan-out: 1,000 streams over 100 instruments (10 per line) while the market runs at real-time pace (IB's); a
 *     direct IBApi client on the same lines is the reference: added latency = when a grpc-js stream got a tick minus
 *     when IBApi got the same tick (same thread, same clock). Targets: p99 < 50 ms; ibrpc's RSS < 300 MB.
 *
 * Run: npm run bench (or after `tsc -p tsconfig.bench.json`: node dist/bench/streams/streams.js [lines] [seconds]).
 * Set DB_URL to keep embedded PGlite (the account history, ~0.8 GB RSS on its own) out of ibrpc's RSS.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { isMainThread, parentPort, Worker } from "node:worker_threads";
import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import * as grpc from "@grpc/grpc-js";
import { EventName, IBApi } from "@stoqey/ib";
import { pino } from "pino";
import { ContractSchema } from "../../gen/ibrpc/v1/common_pb.js";
import {
  ReqMktDataRequestSchema,
  type ReqMktDataResponse,
  ReqMktDataResponseSchema,
} from "../../gen/ibrpc/v1/market_data_pb.js";
import { ManualClock } from "../../src/sim/clock.js";
import { Simulator } from "../../src/sim/simulator.js";
import { createWorld, STEP_MS } from "../../src/sim/world/index.js";

const START = Date.UTC(2025, 0, 2, 14, 30);
const SEED = 42;
const MAIN_JS = fileURLToPath(new URL("../../src/main.js", import.meta.url));

type ToWorker = { kind: "run"; steps: number; periodMs: number; released?: SharedArrayBuffer };
type FromWorker = { kind: "listening"; port: number } | { kind: "done"; pushMs: number } | { kind: "step"; at: number };

/** When the simulator last stepped (performance.timeOrigin + now, comparable across threads). */
let lastStepAt = 0;

async function simulatorWorker(): Promise<void> {
  const port = parentPort;
  if (!port) throw new Error("not a worker");
  const clock = new ManualClock(START);
  const simulator = new Simulator({ seed: SEED, clock, logger: pino({ level: "silent" }), limits: { enforce: false } });
  const address = await simulator.start();
  port.postMessage({ kind: "listening", port: address.port } satisfies FromWorker);
  port.on("message", async (message: ToWorker) => {
    const started = performance.now();
    for (let step = 0; step < message.steps; step++) {
      clock.advance(STEP_MS);
      if (message.periodMs >= STEP_MS) {
        port.postMessage({ kind: "step", at: performance.timeOrigin + performance.now() } satisfies FromWorker);
      }
      await new Promise((resolve) =>
        message.periodMs > 0 ? setTimeout(resolve, message.periodMs) : setImmediate(resolve),
      );
    }
    port.postMessage({ kind: "done", pushMs: performance.now() - started } satisfies FromWorker);
    if (message.released) {
      const released = new Int32Array(message.released);
      Atomics.store(released, 0, 1);
      Atomics.notify(released, 0);
    }
  });
}

/** Distinct instruments (one market data line each): stocks, futures, currencies, then AAPL options. */
function lineContracts(n: number): Array<{ conId: number; exchange: string }> {
  const { instruments } = createWorld(SEED, [], START).catalog;
  const order = ["STK", "FUT", "CASH", "OPT"];
  const picked = instruments
    .filter((i) => order.includes(i.contract.secType))
    .sort((a, b) => order.indexOf(a.contract.secType) - order.indexOf(b.contract.secType))
    .slice(0, n)
    .map((i) => ({ conId: i.contract.conId, exchange: i.contract.exchange }));
  if (picked.length < n) throw new Error(`the simulator has only ${picked.length} instruments for ${n} lines`);
  return picked;
}

/**
 * (a)'s pace: one simulator step every PACE_MS (as fast as timers go). Both consumers get the same feed at the same
 * pace; what a consumer cannot keep up with shows as fewer messages (ibrpc conflates, IBApi would fall behind).
 */
const PACE_MS = 1;
/** (b) runs 20 s of market at real-time pace (one step per STEP_MS of wall time). */
const FAN_OUT_STEPS = 80;
const STREAMS_PER_CONNECTION = 100;

const TICK_EVENTS = [
  EventName.tickPrice,
  EventName.tickSize,
  EventName.tickString,
  EventName.tickGeneric,
  EventName.tickOptionComputation,
];
/** The same events as ibrpc messages. */
const TICK_CASES = new Set<string | undefined>([
  "tickPrice",
  "tickSize",
  "tickString",
  "tickGeneric",
  "tickOptionComputation",
]);

/** A direct IBApi client on `lines`; `onTick(line, name, args)` for every tick event. */
async function directClient(
  port: number,
  clientId: number,
  lines: ReturnType<typeof lineContracts>,
  onTick: (line: number, name: EventName, args: unknown[]) => void,
): Promise<IBApi> {
  const api = new IBApi({ host: "127.0.0.1", port, clientId, maxReqPerSec: 1000 });
  // IBApi's typed `on` has one overload per event; the bench listens to four alike.
  const on = api.on.bind(api) as unknown as (name: EventName, listener: (...args: unknown[]) => void) => void;
  for (const name of TICK_EVENTS) on(name, (...args) => onTick((args[0] as number) - 1, name, args));
  let subscribed = 0;
  api.on(EventName.tickReqParams, () => subscribed++);
  const ready = new Promise<void>((resolve) => api.once(EventName.nextValidId, () => resolve()));
  api.connect();
  await ready;
  lines.forEach((c, i) => {
    api.reqMktData(i + 1, c, "", false, false);
  });
  while (subscribed < lines.length) await sleep(10);
  return api;
}

interface GrpcStreams {
  calls: grpc.ClientReadableStream<ReqMktDataResponse>[];
  close(): void;
}

/** `perLine` grpc-js streams on each line; `onMessage(line, message)` for each message. */
async function grpcStreams(
  url: string,
  lines: ReturnType<typeof lineContracts>,
  perLine: number,
  onMessage: (line: number, m: ReqMktDataResponse) => void,
): Promise<GrpcStreams> {
  // One HTTP/2 connection per 100 streams, as a client holding many streams would spread them.
  const clients: grpc.Client[] = [];
  const clientFor = (n: number) => {
    const i = Math.floor(n / STREAMS_PER_CONNECTION);
    clients[i] ??= new grpc.Client(new URL(url).host, grpc.credentials.createInsecure(), {
      "grpc.use_local_subchannel_pool": 1,
    });
    return clients[i] as grpc.Client;
  };
  const calls: grpc.ClientReadableStream<ReqMktDataResponse>[] = [];
  let first = 0;
  let failed: Error | undefined;
  const started = new Set<number>();
  lines.forEach((contract, line) => {
    for (let k = 0; k < perLine; k++) {
      const call = clientFor(calls.length).makeServerStreamRequest(
        "/ibrpc.v1.MarketDataService/ReqMktData",
        (req: ReturnType<typeof create<typeof ReqMktDataRequestSchema>>) =>
          Buffer.from(toBinary(ReqMktDataRequestSchema, req)),
        (bytes: Buffer) => fromBinary(ReqMktDataResponseSchema, bytes),
        create(ReqMktDataRequestSchema, { contract: create(ContractSchema, contract) }),
        new grpc.Metadata(),
        {},
      );
      const id = calls.length;
      call.on("data", (m: ReqMktDataResponse) => {
        if (!started.has(id)) {
          started.add(id);
          first++;
        }
        onMessage(line, m);
      });
      call.on("error", (err: grpc.ServiceError) => {
        if (!started.has(id)) failed ??= err;
        else if (err.code !== grpc.status.CANCELLED) console.error(`stream ${id}: ${err.message}`);
      });
      calls.push(call);
    }
  });
  while (first < calls.length) {
    if (failed) {
      for (const c of calls) c.cancel();
      for (const c of clients) c.close();
      throw failed;
    }
    await sleep(20);
  }
  return {
    calls,
    close() {
      for (const c of calls) c.cancel();
      for (const c of clients) c.close();
    },
  };
}

async function main(): Promise<void> {
  const lineCount = Number(process.argv[2] ?? 100);
  const seconds = Number(process.argv[3] ?? 10);
  const worker = new Worker(new URL(import.meta.url));
  const fromWorker = (kind: FromWorker["kind"]) =>
    new Promise<FromWorker>((resolve) => {
      const listener = (message: FromWorker) => {
        if (message.kind !== kind) return;
        worker.off("message", listener);
        resolve(message);
      };
      worker.on("message", listener);
    });
  const { port } = (await fromWorker("listening")) as Extract<FromWorker, { kind: "listening" }>;
  worker.on("message", (message: FromWorker) => {
    if (message.kind === "step") lastStepAt = message.at;
  });
  const run = async (steps: number, periodMs: number) => {
    worker.postMessage({ kind: "run", steps, periodMs } satisfies ToWorker);
    return (await fromWorker("done")) as Extract<FromWorker, { kind: "done" }>;
  };
  const lines = lineContracts(lineCount);
  const dataDir = mkdtempSync(path.join(tmpdir(), "ibrpc-bench-streams-"));
  const ibrpc = await startIbrpc(port, dataDir);
  const row = (label: string, value: string) => console.log(`${label.padEnd(52)} ${value}`);
  try {
    // (a) Throughput: the same number of simulator steps, as fast as it pushes, to each consumer in turn.
    const steps = (seconds * 1000) / STEP_MS;
    const viaIbrpc = { n: 0, first: 0, last: 0 };
    const one = await grpcStreams(ibrpc.url, lines, 1, (_line, m) => {
      if (!TICK_CASES.has(m.event.case)) return;
      const now = performance.now();
      viaIbrpc.n++;
      viaIbrpc.first ||= now;
      viaIbrpc.last = now;
    });
    await sleep(300);
    Object.assign(viaIbrpc, { n: 0, first: 0, last: 0 });
    const pushIbrpc = await run(steps, PACE_MS);
    await quiet(() => viaIbrpc.n);
    const conflated = await conflatedTicks(ibrpc.url);
    one.close();
    const ibrpcRate = viaIbrpc.n / (pushIbrpc.pushMs / 1000);
    const direct = { n: 0, first: 0, last: 0 };
    const api = await directClient(port, 900, lines, () => {
      const now = performance.now();
      direct.n++;
      direct.first ||= now;
      direct.last = now;
    });
    await sleep(300);
    Object.assign(direct, { n: 0, first: 0, last: 0 });
    const pushDirect = await run(steps, PACE_MS);
    await quiet(() => direct.n);
    api.disconnect();
    const directRate = direct.n / (pushDirect.pushMs / 1000);

    row("(a) lines / simulated seconds", `${lineCount} / ${seconds}`);
    row("(a) IBApi direct: tick events", `${direct.n} at ${(directRate / 1e3).toFixed(0)} k/s`);
    row("(a) ibrpc, one grpc-js client: tick messages", `${viaIbrpc.n} at ${(ibrpcRate / 1e3).toFixed(0)} k/s`);
    row("(a) ibrpc / direct rate (target >= 0.7)", (ibrpcRate / directRate).toFixed(2));
    row("(a) delivered / direct count (1.0 = nothing conflated)", (viaIbrpc.n / direct.n).toFixed(2));
    row("(a) ticks conflated by ibrpc (its /metrics)", String(conflated));
    await sleep(1_500); // the hub's linger: every line is cancelled before (b) opens them again

    // (b) Fan-out: 10 streams per line, market at IB's pace. Every tick of a step is written when the step happens,
    // so a message's latency is its arrival minus the time of the last step (both in one clock: performance's
    // timeOrigin + now). The direct IBApi on the same lines, at the same time, is the baseline.
    const perLine = Number(process.env.BENCH_PER_LINE ?? 10);
    let measuring = false;
    const directLatency: number[] = [];
    const ibrpcLatency: number[] = [];
    const sinceStep = () => performance.timeOrigin + performance.now() - lastStepAt;
    const reference = await directClient(port, 901, lines, (_line, name) => {
      if (measuring && name === EventName.tickPrice) directLatency.push(sinceStep());
    });
    const fan = await grpcStreams(ibrpc.url, lines, perLine, (_line, m) => {
      if (measuring && m.event.case === "tickPrice") ibrpcLatency.push(sinceStep());
    });
    const rssBefore = rssMb(ibrpc.child.pid);
    await run(4, STEP_MS); // warm up
    measuring = true;
    await run(FAN_OUT_STEPS, STEP_MS);
    await sleep(STEP_MS);
    measuring = false;
    const rss = rssMb(ibrpc.child.pid);
    fan.close();
    reference.disconnect();
    directLatency.sort((a, b) => a - b);
    ibrpcLatency.sort((a, b) => a - b);
    const [d50, d99, i50, i99] = [
      pct(directLatency, 50),
      pct(directLatency, 99),
      pct(ibrpcLatency, 50),
      pct(ibrpcLatency, 99),
    ];
    row("(b) streams / lines", `${fan.calls.length} / ${lineCount}`);
    row("(b) tickPrice messages: direct / through ibrpc", `${directLatency.length} / ${ibrpcLatency.length}`);
    row("(b) latency from the step, direct p50 / p99", `${d50.toFixed(1)} / ${d99.toFixed(1)} ms`);
    row("(b) latency from the step, ibrpc p50 / p99", `${i50.toFixed(1)} / ${i99.toFixed(1)} ms`);
    row("(b) added latency p50 / p99 (target p99 < 50 ms)", `${(i50 - d50).toFixed(1)} / ${(i99 - d99).toFixed(1)} ms`);
    row("(b) ibrpc RSS before / with streams (target < 300 MB)", `${rssBefore} / ${rss} MB`);
  } finally {
    ibrpc.child.kill();
    await worker.terminate();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/** ibrpc_conflated_ticks_total from ibrpc's /metrics (open: the bench configures no tokens). */
async function conflatedTicks(url: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const line = text
    .split("\n")
    .find((l) => l.startsWith("ibrpc_conflated_ticks_total{") && l.includes('kind="mktData"'));
  return Number(line?.split(" ").at(-1) ?? 0);
}

function pct(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] as number;
}

function rssMb(pid: number | undefined): number {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? Number.NaN);
  return Math.round(kb / 1024);
}

/** Resolves once `count` stops moving (every pushed message consumed). */
async function quiet(count: () => number): Promise<void> {
  for (let seen = -1; seen !== count(); ) {
    seen = count();
    await sleep(500);
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
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

/** ibrpc in its own process, as deployed; resolves once a stream answers promptly (its start is over). */
async function startIbrpc(simPort: number, dataDir: string): Promise<{ url: string; child: ChildProcess }> {
  const port = await freePort();
  const child = spawn(process.execPath, [MAIN_JS, "serve"], {
    env: {
      ...process.env,
      IB_GW: `sim=127.0.0.1:${simPort}`,
      PORT: String(port),
      DATA_DIR: dataDir,
      LOG_LEVEL: "warn",
    },
    stdio: ["ignore", "ignore", "inherit"],
  });
  process.once("exit", () => child.kill());
  const url = `http://127.0.0.1:${port}`;
  const probe = lineContracts(1);
  let exited = false;
  child.once("exit", () => {
    exited = true;
  });
  for (let i = 0; i < 600 && !exited; i++) {
    const ok = await grpcStreams(url, probe, 1, () => {})
      .then((s) => {
        s.close();
        return true;
      })
      .catch(() => false);
    if (ok) {
      await settled(url);
      return { url, child };
    }
    await sleep(100);
  }
  child.kill();
  throw new Error("ibrpc never streamed against the simulator");
}

/**
 * Waits until ibrpc answers promptly: its start goes on after it serves (the embedded database opens in the
 * background and can hold its event loop for seconds), which is not what this bench measures.
 */
async function settled(url: string): Promise<void> {
  const probe = lineContracts(1);
  for (let prompt = 0, i = 0; prompt < 10 && i < 1_000; i++) {
    const started = performance.now();
    const s = await grpcStreams(url, probe, 1, () => {});
    s.close();
    prompt = performance.now() - started < 50 ? prompt + 1 : 0;
    await sleep(20);
  }
}

if (isMainThread) await main();
else await simulatorWorker();
