/**
 * Unary latency: the same request straight through IBApi versus through ibrpc, against one simulator in one run, so
 * the ratio (and the time ibrpc adds) does not depend on the machine. ibrpc runs as users run it: its own process
 * (`node dist/src/main.js serve`, info-level JSON logs to /dev/null) connected to the bench's simulator. It is called
 * over gRPC with @grpc/grpc-js, over gRPC with connect-node (HTTP/2) and over Connect JSON (HTTP/1.1, as curl would).
 * Calls go one at a time, round-robin over the paths, spaced by the IB messages each sends so neither IB's 50 msg/s
 * nor ibrpc's pacer binds. A "stack floor" row times ListGateways (answered without IB) per path: what the RPC stack
 * alone costs.
 *
 * Wall time on a shared, loaded machine is mostly scheduling noise, so each ibrpc path also reports the CPU time the
 * ibrpc process spent per call (all its threads, GC included, from /proc/<pid>/task/<tid>/schedstat in ns; Linux
 * only, "-" elsewhere and for the direct path, whose "server" is the simulator inside the bench process).
 *
 * Run: npm run bench (builds bench/ into dist/ and runs every benchmark), or node dist/bench/unary/unary.js.
 * BENCH_SAMPLES (default 300) sets the measured rounds per case.
 */
import { type ChildProcess, spawn } from "node:child_process";
import type { EventEmitter } from "node:events";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import { create, type DescMethodUnary, fromBinary, toBinary } from "@bufbuild/protobuf";
import type { Transport } from "@connectrpc/connect";
import { createConnectTransport, createGrpcTransport } from "@connectrpc/connect-node";
import * as grpc from "@grpc/grpc-js";
import { EventName, IBApi } from "@stoqey/ib";
import { pino } from "pino";
import { ConnectionService, GatewayState } from "../../gen/ibrpc/v1/connection_pb.js";
import { Simulator } from "../../src/sim/simulator.js";
import { CASES, type DirectClient, type UnaryCase } from "./cases.js";

const SAMPLES = Number(process.env.BENCH_SAMPLES ?? 300);
const WARMUP = 50;
/**
 * Between two calls, per IB message the call sends: ibrpc's pacer refills 40/s (25 ms a message, IB allows 50/s);
 * the margin keeps the bucket from ever running dry, so no call waits for pacing.
 */
const SPACING_PER_MESSAGE_MS = 30;
const CALL_TIMEOUT_MS = 5_000;
/** Calls that failed during a measurement (printed at the end). */
const failures: string[] = [];
const MAIN_JS = fileURLToPath(new URL("../../src/main.js", import.meta.url));

type Call = () => Promise<unknown>;

interface Path {
  name: string;
  call: (c: UnaryCase) => Call;
}

function directClient(port: number): Promise<DirectClient> {
  const ib = new IBApi({ host: "127.0.0.1", port, maxReqPerSec: 1000 });
  let reqId = 1;
  const ready = new Promise<void>((resolve) => ib.once(EventName.nextValidId, () => resolve()));
  ib.on(EventName.error, () => {});
  ib.connect(1);
  const client: DirectClient = {
    ib,
    nextReqId: () => reqId++,
    ask: (send, event, matches = () => true) =>
      new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`direct: no ${event}`)), CALL_TIMEOUT_MS);
        // IBApi's typed overloads want a literal event; the bench's table passes any.
        const emitter = ib as unknown as EventEmitter;
        const listener = (...args: unknown[]) => {
          if (!matches(args)) return;
          clearTimeout(timer);
          emitter.off(event, listener);
          resolve();
        };
        emitter.on(event, listener);
        send();
      }),
  };
  return ready.then(() => client);
}

/** A @grpc/grpc-js unary call with protobuf-es (de)serialization. */
function grpcJsCall(client: grpc.Client, method: DescMethodUnary, request: unknown): Promise<unknown> {
  const path = `/${method.parent.typeName}/${method.name}`;
  const message = create(method.input, request as never);
  return new Promise((resolve, reject) => {
    client.makeUnaryRequest(
      path,
      () => Buffer.from(toBinary(method.input, message)),
      (b: Buffer) => fromBinary(method.output, b),
      message,
      new grpc.Metadata(),
      { deadline: Date.now() + CALL_TIMEOUT_MS },
      (err, res) => (err ? reject(err) : resolve(res)),
    );
  });
}

function connectCall(transport: Transport, method: DescMethodUnary, request: unknown): Promise<unknown> {
  return transport.unary(method, undefined, CALL_TIMEOUT_MS, undefined, create(method.input, request as never));
}

/** CPU time of every thread of process `pid` so far, in ns; undefined where /proc is not there (not Linux). */
function processCpuNs(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    let ns = 0;
    for (const tid of readdirSync(`/proc/${pid}/task`)) {
      // A thread may exit between the listing and the read (V8's helpers come and go): it just no longer counts.
      try {
        ns += Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, "utf8").split(" ")[0]);
      } catch {}
    }
    return ns;
  } catch {
    return undefined;
  }
}

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] as number;
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

/** ibrpc in its own process, as deployed; resolves once its gateway is READY and its stack answers. */
async function startIbrpc(simPort: number, dataDir: string): Promise<{ url: string; child: ChildProcess }> {
  const port = await freePort();
  const child = spawn(process.execPath, [MAIN_JS, "serve"], {
    env: {
      ...process.env,
      IB_GW: `sim=127.0.0.1:${simPort}`,
      PORT: String(port),
      DATA_DIR: dataDir,
      LOG_LEVEL: "info",
    },
    stdio: ["ignore", "ignore", "inherit"],
  });
  process.once("exit", () => child.kill()); // never leave an ibrpc behind, even when the bench fails
  const url = `http://127.0.0.1:${port}`;
  const transport = createConnectTransport({ baseUrl: url, httpVersion: "1.1" });
  for (let i = 0; i < 400; i++) {
    const res = await transport
      .unary(ConnectionService.method.listGateways, undefined, 1_000, undefined, {})
      .catch(() => undefined);
    if (res?.message.gateways.every((g) => g.state === GatewayState.READY)) {
      await settled(transport);
      return { url, child };
    }
    await sleep(50);
  }
  child.kill();
  throw new Error("ibrpc never became READY against the simulator");
}

/**
 * Waits until ibrpc answers promptly again: its start continues after READY (the embedded database opens in the
 * background and can hold its event loop for seconds), which is not what this bench measures.
 */
async function settled(transport: Transport): Promise<void> {
  let prompt = 0;
  for (let i = 0; i < 2_000 && prompt < 20; i++) {
    const started = performance.now();
    await transport.unary(ConnectionService.method.listGateways, undefined, 30_000, undefined, {});
    prompt = performance.now() - started < 50 ? prompt + 1 : 0;
    await sleep(10);
  }
}

/** One path's wall times (ms) and, when its server's CPU can be read, that CPU summed over the timed calls (ns). */
interface Samples {
  ms: number[];
  cpuNs?: number;
}

function report(title: string, names: readonly string[], samples: readonly Samples[]): void {
  const stats = samples.map((s) => {
    const sorted = [...s.ms].sort((a, b) => a - b);
    const cpuUs = s.cpuNs === undefined || sorted.length === 0 ? undefined : s.cpuNs / 1000 / sorted.length;
    return { p50: percentile(sorted, 50), p99: percentile(sorted, 99), cpuUs };
  });
  const base = stats[0] as { p50: number; p99: number };
  console.log(`\n${title}`);
  console.log(
    `${"path".padEnd(32)} ${"p50".padStart(7)} ${"p99".padStart(7)} ${"ratio".padStart(6)} ${"added p50".padStart(9)} ${"server CPU µs/call".padStart(18)}`,
  );
  names.forEach((name, i) => {
    const st = stats[i] as (typeof stats)[number];
    const ratio = (st.p50 / base.p50).toFixed(2);
    const added = (st.p50 - base.p50).toFixed(3);
    const cpu = st.cpuUs === undefined ? "-" : st.cpuUs.toFixed(0);
    console.log(
      `${name.padEnd(32)} ${st.p50.toFixed(3).padStart(7)} ${st.p99.toFixed(3).padStart(7)} ${ratio.padStart(6)} ${added.padStart(9)} ${cpu.padStart(18)}`,
    );
  });
}

/**
 * Round-robin over `calls`, one at a time, `spacingMs` apart; the first WARMUP rounds are not kept. `servers[i]` is
 * the pid whose CPU call i is charged with (none for the direct path).
 */
async function measure(
  calls: readonly Call[],
  servers: readonly (number | undefined)[],
  spacingMs: number,
): Promise<Samples[]> {
  const samples: Samples[] = calls.map(() => ({ ms: [] }));
  for (let round = 0; round < WARMUP + SAMPLES; round++) {
    for (let i = 0; i < calls.length; i++) {
      const cpuBefore = processCpuNs(servers[i]);
      const started = performance.now();
      try {
        await (calls[i] as Call)();
      } catch (err) {
        // A failed call is reported, not timed: a bench run must say what broke instead of dying mid-way.
        failures.push(`${String(err)}`);
        continue;
      }
      const ms = performance.now() - started;
      const cpuAfter = processCpuNs(servers[i]);
      const s = samples[i] as Samples;
      if (round >= WARMUP) {
        s.ms.push(ms);
        if (cpuBefore !== undefined && cpuAfter !== undefined) s.cpuNs = (s.cpuNs ?? 0) + cpuAfter - cpuBefore;
      }
      await sleep(spacingMs);
    }
  }
  return samples;
}

async function main(): Promise<void> {
  const sim = new Simulator({ logger: pino({ level: "silent" }) });
  const { port: simPort } = await sim.start();
  const dataDir = mkdtempSync(join(tmpdir(), "ibrpc-bench-"));
  const ibrpc = await startIbrpc(simPort, dataDir);
  const direct = await directClient(simPort);
  const url = ibrpc.url;
  const grpcJs = new grpc.Client(url.replace(/^http:\/\//, ""), grpc.credentials.createInsecure());
  const grpcConnect = createGrpcTransport({ baseUrl: url });
  const connectJson = createConnectTransport({ baseUrl: url, httpVersion: "1.1" });

  const paths: Path[] = [
    { name: "direct IBApi", call: (c) => () => c.direct(direct) },
    { name: "ibrpc gRPC (@grpc/grpc-js)", call: (c) => () => grpcJsCall(grpcJs, c.method, c.request) },
    { name: "ibrpc gRPC (connect-node, h2)", call: (c) => () => connectCall(grpcConnect, c.method, c.request) },
    { name: "ibrpc Connect JSON (HTTP/1.1)", call: (c) => () => connectCall(connectJson, c.method, c.request) },
  ];

  console.log(
    `unary latency, ${SAMPLES} calls per path, ${SPACING_PER_MESSAGE_MS} ms apart per IB message (ms); ibrpc in its own process`,
  );
  const names = paths.map((p) => p.name);
  const servers = paths.map((_, i) => (i === 0 ? undefined : ibrpc.child.pid));
  for (const c of CASES) {
    report(
      c.name,
      names,
      await measure(
        paths.map((p) => p.call(c)),
        servers,
        SPACING_PER_MESSAGE_MS * c.messages,
      ),
    );
  }
  // The RPC stack alone: ListGateways is answered from ibrpc's memory; "added" is then against direct reqCurrentTime.
  const floor = paths
    .slice(1)
    .map((p) => p.call({ ...(CASES[0] as UnaryCase), method: ConnectionService.method.listGateways }));
  report(
    "stack floor: ListGateways (no IB), vs direct reqCurrentTime",
    names,
    await measure([paths[0]?.call(CASES[0] as UnaryCase) as Call, ...floor], servers, SPACING_PER_MESSAGE_MS),
  );

  if (failures.length > 0) console.log(`\n${failures.length} failed calls, e.g. ${failures[0]}`);
  grpcJs.close();
  direct.ib.disconnect();
  const exited = new Promise((resolve) => ibrpc.child.once("exit", resolve));
  ibrpc.child.kill("SIGTERM");
  await exited;
  await sim.stop();
  rmSync(dataDir, { recursive: true, force: true });
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
