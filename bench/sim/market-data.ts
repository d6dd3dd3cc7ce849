/**
 * Market data throughput end to end: the real engine (market data lines on the seeded walk) pushes tickPrice /
 * tickSize frames through the batched writer and a real socket to a real IBApi, which decodes them. The simulator
 * runs in a worker thread on a ManualClock stepped as fast as it can go, so push and decode do not share a thread.
 * The two rates are measured apart: while the worker steps the clock (yielding after each 250 ms step, so the batch
 * flushes once per step as in a live run), the main thread is parked on Atomics.wait and reads nothing; the frames
 * queue in the socket. Push rate = frames / stepping time (engine + encode + socket writes); decode rate = frames /
 * (first to last frame decoded by IBApi once released). The ratio must stay above 1 or the simulator, not the client,
 * is what a throughput test measures.
 *
 * Run: npm run bench (builds bench/ into dist/ and runs every benchmark).
 */
import { isMainThread, parentPort, Worker } from "node:worker_threads";
import { EventName, IBApi } from "@stoqey/ib";
import { pino } from "pino";
import { ManualClock } from "../../src/sim/clock.js";
import { Simulator } from "../../src/sim/simulator.js";
import { createWorld, STEP_MS } from "../../src/sim/world/index.js";

const START = Date.UTC(2025, 0, 2, 14, 30);
const SEED = 42;

type ToWorker = { kind: "run"; steps: number; released: SharedArrayBuffer };
type FromWorker = { kind: "listening"; port: number } | { kind: "done"; pushMs: number };

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
      await new Promise((resolve) => setImmediate(resolve));
    }
    port.postMessage({ kind: "done", pushMs: performance.now() - started } satisfies FromWorker);
    const released = new Int32Array(message.released);
    Atomics.store(released, 0, 1);
    Atomics.notify(released, 0);
    // No simulator.stop(): destroying the sockets now would discard frames the client has not read yet.
  });
}

/** IBApi turns tickPrice of ask and last (live or delayed) into an extra tickSize event: those are not frames. */
const SYNTHETIC_SIZE_FROM = new Set([2, 4, 66, 67, 68]);

async function main(): Promise<void> {
  const lines = Number(process.argv[2] ?? 100);
  const simulatedSeconds = Number(process.argv[3] ?? 600);
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
  const listening = (await fromWorker("listening")) as Extract<FromWorker, { kind: "listening" }>;

  const api = new IBApi({ host: "127.0.0.1", port: listening.port, clientId: 1, maxReqPerSec: 1000 });
  let frames = 0;
  let decodeErrors = 0;
  let firstFrameAt = 0;
  let lastFrameAt = 0;
  let subscribed = 0;
  const countFrame = () => {
    frames++;
    lastFrameAt = performance.now();
    if (firstFrameAt === 0) firstFrameAt = lastFrameAt;
  };
  api.on(EventName.tickPrice, (_id, tickType) => {
    countFrame();
    if (SYNTHETIC_SIZE_FROM.has(tickType as number)) frames--;
  });
  api.on(EventName.tickSize, countFrame);
  api.on(EventName.tickString, countFrame);
  api.on(EventName.tickGeneric, countFrame);
  api.on(EventName.tickReqParams, () => subscribed++);
  api.on(EventName.error, (_error, code) => {
    if (code === 505) decodeErrors++;
  });
  const ready = new Promise<void>((resolve) => api.once(EventName.nextValidId, () => resolve()));
  api.connect();
  await ready;

  // Every stock, future and currency pair, round-robin, as separate lines (TWS allows one contract on many lines).
  const instruments = createWorld(SEED, [], START).catalog.instruments.filter((instrument) =>
    ["STK", "FUT", "CASH"].includes(instrument.contract.secType),
  );
  for (let tickerId = 1; tickerId <= lines; tickerId++) {
    const instrument = instruments[(tickerId - 1) % instruments.length];
    api.reqMktData(
      tickerId,
      { conId: instrument?.contract.conId, exchange: instrument?.contract.exchange },
      "",
      false,
      false,
    );
  }
  while (subscribed < lines) await new Promise((resolve) => setTimeout(resolve, 10));
  await new Promise((resolve) => setTimeout(resolve, 200));

  const initialFrames = frames;
  firstFrameAt = 0;
  const released = new SharedArrayBuffer(4);
  worker.postMessage({ kind: "run", steps: (simulatedSeconds * 1000) / STEP_MS, released } satisfies ToWorker);
  // Park this thread (and IBApi with it) until the worker has pushed everything.
  Atomics.wait(new Int32Array(released), 0, 0, 10 * 60_000);
  const done = (await fromWorker("done")) as Extract<FromWorker, { kind: "done" }>;
  // Wait for the stream to go quiet: every pushed frame has been decoded.
  for (let seen = -1; seen !== frames; ) {
    seen = frames;
    await new Promise((resolve) => setTimeout(resolve, 300));
  }
  api.disconnect();
  await worker.terminate();

  const pushed = frames - initialFrames;
  const pushRate = pushed / (done.pushMs / 1000);
  const decodeRate = pushed / ((lastFrameAt - firstFrameAt) / 1000);
  const row = (label: string, value: string) => console.log(`${label.padEnd(44)} ${value}`);
  row("market data lines", String(lines));
  row("simulated time", `${simulatedSeconds} s in ${STEP_MS} ms steps`);
  row("frames (tickPrice/tickSize/tickString/...)", String(pushed));
  row("simulator push rate", `${(pushRate / 1e3).toFixed(0)} k frames/s`);
  row("IBApi decode rate", `${(decodeRate / 1e3).toFixed(0)} k frames/s`);
  row("push / decode ratio", (pushRate / decodeRate).toFixed(2));
  row("IBApi decode errors (505)", String(decodeErrors));
}

if (isMainThread) await main();
else await simulatorWorker();
