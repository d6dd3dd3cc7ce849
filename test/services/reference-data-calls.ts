import { Code, ConnectError } from "@connectrpc/connect";
import { expect } from "vitest";
import { ErrorInfoSchema } from "../../gen/google/rpc/error_details_pb.js";
import { postJson } from "../e2e/app-harness.js";
import { ibSentinelsIn } from "../support/ib-sentinels.js";

/**
 * Calls shared by the tests of the reference-data services (news, scanner, fundamentals, FA, display groups): a plain
 * Connect JSON POST as curl makes it, and the IB code a failed call carries. (GET: test/support/service-app.ts.)
 */

/** A Connect JSON POST that must succeed and carry no IB sentinel. */
export async function postOk(url: string, procedure: string, body: unknown): Promise<Record<string, unknown>> {
  const res = await postJson(url, `/${procedure}`, JSON.stringify(body));
  expect(res.status, res.text).toBe(200);
  expect(ibSentinelsIn(res.json)).toEqual([]);
  return res.json;
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
