import { Code, ConnectError } from "@connectrpc/connect";
import { expect } from "vitest";
import { ErrorInfoSchema } from "../../gen/google/rpc/error_details_pb.js";
import type { App } from "../../src/app.js";
import { allReady, postJson, startTestApp } from "../e2e/app-harness.js";
import { ibSentinelsIn } from "../support/ib-sentinels.js";

/**
 * Calls shared by the tests of the reference-data services (news, scanner, fundamentals, FA, display groups): plain
 * Connect JSON as curl makes it, POST and GET, and the IB code a failed call carries.
 */

/**
 * `npm start` in-process (the built-in simulator), once its gateway is READY and its embedded database has opened:
 * PGlite's first open compiles WebAssembly for seconds on a busy machine, stalling the event loop, and a call caught
 * behind it would measure the machine rather than the service.
 */
export async function startReferenceApp(env: Record<string, string> = {}): Promise<App> {
  const app = await startTestApp({ REQ_TIMEOUT_MS: "30000", ...env });
  await allReady(app);
  await app.history.store.ready;
  return app;
}

/** A Connect JSON POST that must succeed and carry no IB sentinel. */
export async function postOk(url: string, procedure: string, body: unknown): Promise<Record<string, unknown>> {
  const res = await postJson(url, `/${procedure}`, JSON.stringify(body));
  expect(res.status, res.text).toBe(200);
  expect(ibSentinelsIn(res.json)).toEqual([]);
  return res.json;
}

/** A Connect GET (read-only RPCs), as a browser or `curl "...?encoding=json&message=..."` makes it. */
export async function getJson(
  url: string,
  procedure: string,
  body: unknown,
): Promise<{ status: number; json: Record<string, unknown> }> {
  const message = encodeURIComponent(JSON.stringify(body));
  const res = await fetch(`${url}/${procedure}?connect=v1&encoding=json&message=${message}`, {
    signal: AbortSignal.timeout(10_000),
  });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

/** The rejection of `call`, which must be a ConnectError with `code`; returns its ErrorInfo metadata (IB's code). */
export async function failure(call: Promise<unknown>, code: Code): Promise<Record<string, string>> {
  const err = await call.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err, "the call should have failed").toBeInstanceOf(ConnectError);
  expect(Code[(err as ConnectError).code], (err as ConnectError).message).toBe(Code[code]);
  const [info] = (err as ConnectError).findDetails(ErrorInfoSchema);
  return info?.metadata ?? {};
}
