import type { DescMethod } from "@bufbuild/protobuf";
import { Code, ConnectError, createClient } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { App } from "../../src/app.js";
import { PROCEDURES } from "../../src/auth/scopes.js";
import { IBRPC_SERVICES } from "../../src/services/catalog.js";
import { allReady } from "../e2e/app-harness.js";
import { bearer, startSecuredApp, TOKENS } from "./harness.js";

let app: App;
beforeAll(async () => {
  ({ app } = await startSecuredApp());
  await allReady(app);
}, 60_000);
afterAll(() => app.close());

/** A token that has the scope, and one that has every other scope but that one. */
const HOLDER = { read: TOKENS.read, trade: TOKENS.trade, admin: TOKENS.admin } as const;
const LACKS = { read: TOKENS.admin, trade: TOKENS.read, admin: TOKENS.trade } as const;

/** Calls `method` with an empty request; the code it ended with ("ok" included), or its first message's arrival. */
async function codeOf(method: DescMethod, token: string): Promise<Code | "ok"> {
  const transport = createConnectTransport({ baseUrl: app.server.url, httpVersion: "1.1" });
  const client = createClient(method.parent, transport) as unknown as Record<
    string,
    (req: object, opts: object) => AsyncIterable<unknown> | Promise<unknown>
  >;
  const call = client[method.localName] as (req: object, opts: object) => AsyncIterable<unknown> | Promise<unknown>;
  const opts = { headers: bearer(token), timeoutMs: 3000 };
  try {
    if (method.methodKind === "unary") {
      await call({}, opts);
      return "ok";
    }
    // A stream that was let in either yields, fails on its own terms, or runs until its deadline.
    for await (const _ of call({}, opts) as AsyncIterable<unknown>) break;
    return "ok";
  } catch (err) {
    return ConnectError.from(err).code;
  }
}

const methods = IBRPC_SERVICES.flatMap((s) => s.methods).filter((m) => m.methodKind !== "bidi_streaming");

describe("every RPC checks its scope", () => {
  it.each(methods.map((m) => [`/${m.parent.typeName}/${m.name}`, m] as const))("%s", async (path, method) => {
    const scope = PROCEDURES.get(path)?.scope;
    expect(scope, `${path} has a scope`).toBeDefined();
    if (scope === undefined || scope === "public") return;
    expect(await codeOf(method, LACKS[scope])).toBe(Code.PermissionDenied);
    const allowed = await codeOf(method, HOLDER[scope]);
    expect([Code.PermissionDenied, Code.Unauthenticated]).not.toContain(allowed);
  });
});
