import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type { DescService } from "@bufbuild/protobuf";
import { type Client, createClient, type Transport } from "@connectrpc/connect";
import { createConnectTransport, createGrpcTransport, createGrpcWebTransport } from "@connectrpc/connect-node";
import { pino } from "pino";
import { GatewayState } from "../../gen/ibrpc/v1/connection_pb.js";
import { type App, startApp } from "../../src/app.js";
import { loadConfig } from "../../src/config.js";
import { seedPgliteDataDir } from "../support/pglite-template.js";

/**
 * Starts the whole service in-process on an ephemeral port, configured like the real one by environment. Each app
 * gets its own DATA_DIR unless given one: the embedded database takes its DATA_DIR for one process alone.
 */
export async function startTestApp(env: Record<string, string> = {}): Promise<App> {
  const dataDir = env.DATA_DIR ?? mkdtempSync(path.join(tmpdir(), "ibrpc-app-"));
  if (!env.DB_URL) seedPgliteDataDir(dataDir);
  const config = loadConfig({ PORT: "0", SIM_SEED: "42", ...env, DATA_DIR: dataDir });
  const app = await startApp(config, pino({ level: process.env.TEST_LOG_LEVEL ?? "silent" }));
  return app;
}

/** Waits until every gateway of the app is READY (or fails after `ms`). */
export async function allReady(app: App, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!app.pool.gateways.every((g) => g.snapshot().state === GatewayState.READY)) {
    if (Date.now() > deadline) throw new Error("gateways never became READY");
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** The three wire protocols a client may speak to ibrpc, each as a Connect-ES transport. */
export function transports(baseUrl: string): Record<"grpc" | "grpcWeb" | "connectJson", Transport> {
  return {
    grpc: createGrpcTransport({ baseUrl }),
    grpcWeb: createGrpcWebTransport({ baseUrl, httpVersion: "1.1" }),
    connectJson: createConnectTransport({ baseUrl, httpVersion: "1.1", useBinaryFormat: false }),
  };
}

export function clientFor<S extends DescService>(service: S, transport: Transport): Client<S> {
  return createClient(service, transport);
}

/** A Connect JSON call with plain fetch, as curl or a browser would make it. */
export async function postJson(
  baseUrl: string,
  path: string,
  body: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; json: Record<string, unknown>; text: string }> {
  const res = await fetch(`${baseUrl}${path}`, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body,
    signal: AbortSignal.timeout(10_000),
  });
  const text = await res.text();
  const isJson = res.headers.get("content-type")?.includes("json") ?? false;
  return { status: res.status, json: isJson && text ? (JSON.parse(text) as Record<string, unknown>) : {}, text };
}
