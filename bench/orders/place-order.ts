/**
 * PlaceOrder latency: IBApi placeOrder -> openOrder straight to the simulator, versus ibrpc's PlaceOrder -> its
 * acknowledgement (gRPC over connect-node, and Connect JSON over HTTP/1.1 as curl would), against the same simulator in
 * the same run, so the ratio does not depend on the machine. Every ibrpc call uses a new idempotency key, so each one
 * pays what a real placement pays: the key written to the database before sending (embedded PGlite, as `npm start`),
 * the order id, the pacer, the acknowledgement through the correlator, the outcome written after, the audit line.
 * Orders are far limit orders (they rest; nothing fills), calls go one at a time, 25 ms apart (IB's 50 msg/s).
 *
 * Run: npm run bench, or node dist/bench/orders/place-order.js. BENCH_SAMPLES (default 300) per path.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { create } from "@bufbuild/protobuf";
import { createClient } from "@connectrpc/connect";
import { createConnectTransport, createGrpcTransport } from "@connectrpc/connect-node";
import { EventName, IBApi, OrderAction, OrderType, SecType } from "@stoqey/ib";
import { pino } from "pino";
import { OrderService, PlaceOrderRequestSchema } from "../../gen/ibrpc/v1/order_pb.js";
import { startApp } from "../../src/app.js";
import { loadConfig } from "../../src/config.js";
import { Simulator } from "../../src/sim/simulator.js";

const SAMPLES = Number(process.env.BENCH_SAMPLES ?? 300);
const WARMUP = 30;
const SPACING_MS = 25;
const ACCOUNT = "DU1000002";
const AAPL = { symbol: "AAPL", secType: SecType.STK, exchange: "SMART", currency: "USD" };

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] as number;
}

/** A direct IBApi client: placeOrder, resolved by the order's openOrder. */
async function directClient(port: number): Promise<(price: number) => Promise<void>> {
  const ib = new IBApi({ host: "127.0.0.1", port, maxReqPerSec: 1000 });
  let nextId = 0;
  const ready = new Promise<void>((resolve) =>
    ib.once(EventName.nextValidId, (id: number) => {
      nextId = id;
      resolve();
    }),
  );
  ib.on(EventName.error, () => {});
  ib.connect(1);
  await ready;
  const waiting = new Map<number, () => void>();
  ib.on(EventName.openOrder, (orderId: number) => waiting.get(orderId)?.());
  return (price) =>
    new Promise<void>((resolve, reject) => {
      const id = nextId++;
      const timer = setTimeout(() => reject(new Error(`direct: no openOrder for ${id}`)), 5_000);
      waiting.set(id, () => {
        clearTimeout(timer);
        waiting.delete(id);
        resolve();
      });
      ib.placeOrder(id, AAPL, {
        action: OrderAction.BUY,
        orderType: OrderType.LMT,
        lmtPrice: price,
        totalQuantity: 1,
        account: ACCOUNT,
        transmit: true,
      });
    });
}

async function main(): Promise<void> {
  const silent = pino({ level: "silent" });
  const sim = new Simulator({ seed: 42, logger: silent });
  const { port: simPort } = await sim.start();
  const dataDir = mkdtempSync(join(tmpdir(), "ibrpc-bench-orders-"));
  const config = loadConfig({ IB_GW: `sim=127.0.0.1:${simPort}`, PORT: "0", DATA_DIR: dataDir });
  const logger = pino({ level: "info", base: { service: "ibrpc" } }, pino.destination("/dev/null"));
  const app = await startApp(config, logger);
  await app.history.store.ready;
  for (let i = 0; i < 200 && !app.pool.anyReady; i++) await sleep(25);
  const direct = await directClient(simPort);
  const url = app.server.url;
  const grpcClient = createClient(OrderService, createGrpcTransport({ baseUrl: url }));
  const jsonClient = createClient(OrderService, createConnectTransport({ baseUrl: url, httpVersion: "1.1" }));
  let key = 0;
  const request = (price: number) =>
    create(PlaceOrderRequestSchema, {
      contract: AAPL,
      order: { action: "BUY", orderType: "LMT", lmtPrice: price, totalQuantity: "1", account: ACCOUNT },
      idempotencyKey: `bench-${process.pid}-${key++}`,
    });

  const paths: Array<{ name: string; call: (price: number) => Promise<unknown> }> = [
    { name: "direct IBApi placeOrder->openOrder", call: direct },
    { name: "ibrpc PlaceOrder gRPC (connect-node)", call: (p) => grpcClient.placeOrder(request(p)) },
    { name: "ibrpc PlaceOrder Connect JSON", call: (p) => jsonClient.placeOrder(request(p)) },
  ];
  const samples: number[][] = paths.map(() => []);
  for (let round = 0; round < WARMUP + SAMPLES; round++) {
    for (let i = 0; i < paths.length; i++) {
      // Far below the market (1..2 USD): the order rests and never fills.
      const price = 1 + ((round * paths.length + i) % 100) / 100;
      const started = performance.now();
      await paths[i]?.call(price);
      const ms = performance.now() - started;
      if (round >= WARMUP) samples[i]?.push(ms);
      await sleep(SPACING_MS);
    }
  }
  const stats = samples.map((s) => {
    const sorted = [...s].sort((a, b) => a - b);
    return { p50: percentile(sorted, 50), p99: percentile(sorted, 99) };
  });
  const base = stats[0] as { p50: number; p99: number };
  console.log(`PlaceOrder to acknowledgement, ${SAMPLES} orders per path, ${SPACING_MS} ms apart (ms)`);
  console.log(
    `${"path".padEnd(40)} ${"p50".padStart(7)} ${"p99".padStart(7)} ${"ratio p50".padStart(9)} ${"ratio p99".padStart(9)}`,
  );
  paths.forEach((p, i) => {
    const s = stats[i] as { p50: number; p99: number };
    console.log(
      `${p.name.padEnd(40)} ${s.p50.toFixed(3).padStart(7)} ${s.p99.toFixed(3).padStart(7)} ${(s.p50 / base.p50).toFixed(2).padStart(9)} ${(s.p99 / base.p99).toFixed(2).padStart(9)}`,
    );
  });
  await app.close();
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
