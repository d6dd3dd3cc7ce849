import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { App } from "../../src/app.js";
import { tokenId } from "../../src/auth/authenticator.js";
import { AUDIT_LOG_FILE } from "../../src/orders/audit-log.js";
import { allReady, postJson, startTestApp } from "../e2e/app-harness.js";

const ALICE = "alice-token-0123456789";
const BOB = "bob-token-012345678901";
const ORDER = {
  contract: { symbol: "AAPL", secType: "STK", exchange: "SMART", currency: "USD" },
  order: { action: "BUY", orderType: "LMT", lmtPrice: 1.01, totalQuantity: "1", account: "DU1000002" },
  idempotencyKey: "shared-key",
};

describe("idempotency keys and the audit log with tokens on", () => {
  let app: App;
  let dataDir: string;
  const place = (token: string) =>
    postJson(app.server.url, "/ibrpc.v1.OrderService/PlaceOrder", JSON.stringify(ORDER), {
      authorization: `Bearer ${token}`,
    });

  beforeAll(async () => {
    dataDir = mkdtempSync(path.join(tmpdir(), "ibrpc-orders-tokens-"));
    app = await startTestApp({ DATA_DIR: dataDir, AUTH_TOKENS: `${ALICE}:read+trade,${BOB}:read+trade` });
    await allReady(app);
    await app.history.store.ready;
  }, 60_000);
  afterAll(async () => {
    await app?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it("scopes a key to its token: the same key from two tokens is two orders, each replayed to its own token", async () => {
    const alice = await place(ALICE);
    const bob = await place(BOB);
    expect(alice.status, alice.text).toBe(200);
    expect(bob.status, bob.text).toBe(200);
    expect(bob.json.orderId).not.toBe(alice.json.orderId);
    const aliceAgain = await place(ALICE);
    expect(aliceAgain.json).toMatchObject({ orderId: alice.json.orderId, replayed: true });
  });

  it("writes who placed it as the token's id, never the token", () => {
    const text = readFileSync(path.join(dataDir, AUDIT_LOG_FILE), "utf8");
    expect(text).not.toContain(ALICE);
    expect(text).not.toContain(BOB);
    const lines = text
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines.filter((l) => l.action === "place").map((l) => l.who)).toEqual(
      expect.arrayContaining([tokenId(ALICE), tokenId(BOB)]),
    );
  });
});
