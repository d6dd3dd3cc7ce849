import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { postJson } from "../e2e/app-harness.js";
import { eventually, freePort, withTimeout } from "../support/wait.js";
import { HoldingProxy } from "./holding-proxy.js";

const MAIN = fileURLToPath(new URL("../../dist/src/main.js", import.meta.url));
const cleanups: Array<() => unknown> = [];

afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function run(args: string[], env: Record<string, string> = {}): { child: ChildProcess; output: () => string } {
  const child = spawn(process.execPath, [MAIN, ...args], {
    env: { PATH: process.env.PATH ?? "", LOG_LEVEL: "info", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  child.stdout?.on("data", (d) => (out += d));
  child.stderr?.on("data", (d) => (out += d));
  cleanups.push(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  });
  return { child, output: () => out };
}

async function serving(url: string, service = ""): Promise<boolean> {
  const res = await postJson(url, "/grpc.health.v1.Health/Check", JSON.stringify({ service }));
  return res.json.status === "SERVING";
}

const ACCOUNT = "DU1000002";
const FAR_LMT = {
  contract: { symbol: "AAPL", secType: "STK", exchange: "SMART", currency: "USD" },
  order: { action: "BUY", orderType: "LMT", lmtPrice: 1.23, totalQuantity: "3", account: ACCOUNT },
  idempotencyKey: "crash-key-1",
};

/**
 * `ibrpc sim` as a process, a HoldingProxy in front of it, and a way to start `ibrpc serve` on one DATA_DIR through
 * the proxy and wait until it serves with its database open.
 */
async function crashStack(): Promise<{ proxy: HoldingProxy; url: string; serve: () => Promise<ChildProcess> }> {
  const dataDir = mkdtempSync(path.join(tmpdir(), "ibrpc-crash-"));
  cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
  const simPort = await freePort();
  const sim = run(["sim", "--port", String(simPort), "--seed", "42"]);
  await eventually("simulator listening", 15_000, async () => sim.output().includes("ready"));
  const proxy = new HoldingProxy({ host: "127.0.0.1", port: simPort });
  const proxyPort = await proxy.start();
  cleanups.push(() => proxy.stop());
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const env = { PORT: String(port), IB_GW: `127.0.0.1:${proxyPort}`, DATA_DIR: dataDir };
  const serve = async () => {
    const { child } = run(["serve"], env);
    await eventually(
      "SERVING with its database open",
      60_000,
      async () => (await serving(url)) && (await serving(url, "ibrpc.v1.AccountHistoryService")),
    );
    return child;
  };
  return { proxy, url, serve };
}

describe("idempotency across a crash", () => {
  it("ibrpc killed (SIGKILL) right after sending placeOrder, restarted on the same DATA_DIR: the retry answers that order, none is placed twice", async () => {
    const { proxy, url, serve } = await crashStack();
    const first = await serve();

    proxy.arm();
    const call = postJson(url, "/ibrpc.v1.OrderService/PlaceOrder", JSON.stringify(FAR_LMT)).catch((e) => e);
    const sentOrderId = await withTimeout(proxy.placeOrderSeen, "placeOrder on the wire", 15_000);
    await withTimeout(proxy.answerHeld, "the simulator's acknowledgement (held back from ibrpc)", 15_000);
    first.kill("SIGKILL");
    await call; // the connection dies with the process: no answer
    proxy.disarm();

    const second = await serve();
    const retry = await postJson(url, "/ibrpc.v1.OrderService/PlaceOrder", JSON.stringify(FAR_LMT));
    expect(retry.status, retry.text).toBe(200);
    expect(retry.json).toMatchObject({ orderId: sentOrderId, replayed: true });
    // And again, now from the store.
    const again = await postJson(url, "/ibrpc.v1.OrderService/PlaceOrder", JSON.stringify(FAR_LMT));
    expect(again.json).toMatchObject({ orderId: sentOrderId, replayed: true });

    const all = await postJson(url, "/ibrpc.v1.OrderService/ReqAllOpenOrders", "{}");
    const atIb = (all.json.openOrders as { orderId: number; order: { lmtPrice?: number } }[]).filter(
      (o) => o.order.lmtPrice === 1.23,
    );
    expect(atIb.map((o) => o.orderId)).toEqual([sentOrderId]);
    second.kill("SIGTERM");
  }, 150_000);

  it("ibrpc killed after writing the key but before IB got the order: the retry after the restart places it, once", async () => {
    const { proxy, url, serve } = await crashStack();
    const first = await serve();
    const order = { ...FAR_LMT, idempotencyKey: "crash-key-2", order: { ...FAR_LMT.order, lmtPrice: 1.24 } };

    proxy.arm({ swallow: true });
    const call = postJson(url, "/ibrpc.v1.OrderService/PlaceOrder", JSON.stringify(order)).catch((e) => e);
    await withTimeout(proxy.placeOrderSeen, "placeOrder written by ibrpc (and swallowed)", 15_000);
    first.kill("SIGKILL");
    await call;
    proxy.disarm();

    const second = await serve();
    const retry = await postJson(url, "/ibrpc.v1.OrderService/PlaceOrder", JSON.stringify(order));
    expect(retry.status, retry.text).toBe(200);
    const again = await postJson(url, "/ibrpc.v1.OrderService/PlaceOrder", JSON.stringify(order));
    expect(again.json).toMatchObject({ orderId: retry.json.orderId, replayed: true });
    const all = await postJson(url, "/ibrpc.v1.OrderService/ReqAllOpenOrders", "{}");
    const atIb = (all.json.openOrders as { order: { lmtPrice?: number } }[]).filter((o) => o.order.lmtPrice === 1.24);
    expect(atIb).toHaveLength(1);
    second.kill("SIGTERM");
  }, 150_000);
});
