import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { DescMessage, MessageInitShape, MessageShape } from "@bufbuild/protobuf";
import * as grpc from "@grpc/grpc-js";
import { afterAll, beforeAll } from "vitest";
import type { App } from "../../src/app.js";
import type { Simulator } from "../../src/sim/index.js";
import { allReady, startTestApp } from "../e2e/app-harness.js";
import { grpcJsUnary } from "../server/helpers.js";
import { eventually } from "./wait.js";

/**
 * The whole ibrpc on the built-in simulator, as `npm start` runs it, for tests of the IB-backed services:
 * - its own DATA_DIR, so test files running in parallel never share (and lock) one embedded database;
 * - ready before the first call: every gateway READY, and the account history's embedded database open, because
 *   PGlite's first start runs in this process and blocks its event loop for seconds, which would stall whichever
 *   call happened to be in flight;
 * - a generous default deadline (REQ_TIMEOUT_MS), since two shared cores can be slow; calls that test deadlines set
 *   their own.
 */
export async function startServiceApp(env: Record<string, string> = {}): Promise<App> {
  const dataDir = mkdtempSync(join(tmpdir(), "ibrpc-services-"));
  const app = await startTestApp({ DATA_DIR: dataDir, REQ_TIMEOUT_MS: "30000", ...env });
  const close = async () => {
    await app.close();
    rmSync(dataDir, { recursive: true, force: true });
  };
  try {
    await allReady(app, 30_000);
    await eventually("the account history's database open", 60_000, async () => app.history.store.status === "ready");
  } catch (err) {
    await close();
    throw err;
  }
  return { ...app, close };
}

/** The app one test file shares: what {@link serviceAppPerFile} hands out; read it inside tests and hooks. */
export interface ServedApp {
  readonly app: App;
  /** The first gateway's built-in simulator, whose world the answers are checked against. */
  readonly sim: Simulator;
  readonly url: string;
}

/**
 * Registers the file's beforeAll/afterAll: one {@link startServiceApp} before its first test, closed after its last.
 * Every service test file wants the same app, and startup is seconds of CPU, so it starts once a file, not per test.
 */
export function serviceAppPerFile(startTimeoutMs = 90_000): ServedApp {
  let app: App | undefined;
  beforeAll(async () => {
    app = await startServiceApp();
  }, startTimeoutMs);
  afterAll(async () => {
    await app?.close();
  });
  const started = (): App => {
    if (!app) throw new Error("the service app is read before beforeAll started it (read it inside a test or hook)");
    return app;
  };
  return {
    get app() {
      return started();
    },
    get sim() {
      return started().simulators[0] as Simulator;
    },
    get url() {
      return started().server.url;
    },
  };
}

/** A Connect GET of a read-only RPC, as a browser or `curl` would make it: the request JSON in the query string. */
export async function connectGet(
  baseUrl: string,
  procedure: string,
  request: unknown,
): Promise<{ status: number; json: Record<string, unknown> }> {
  const message = encodeURIComponent(JSON.stringify(request));
  const res = await fetch(`${baseUrl}/${procedure}?connect=v1&encoding=json&message=${message}`, {
    signal: AbortSignal.timeout(30_000),
  });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

/** One unary call through @grpc/grpc-js (the library most Node gRPC users call with), on a client of its own closed after. */
export async function grpcJsCall<I extends DescMessage, O extends DescMessage>(
  baseUrl: string,
  path: string,
  input: I,
  output: O,
  request: MessageInitShape<I>,
): Promise<MessageShape<O>> {
  const client = new grpc.Client(baseUrl.replace("http://", ""), grpc.credentials.createInsecure());
  try {
    return await grpcJsUnary(client, path, input, output, request);
  } finally {
    client.close();
  }
}
