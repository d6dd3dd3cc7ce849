import { MethodOptions_IdempotencyLevel } from "@bufbuild/protobuf/wkt";
import { Code, ConnectError } from "@connectrpc/connect";
import { describe, expect, it } from "vitest";
import {
  AccountService,
  ReqPositionsRequestSchema,
  ReqPositionsResponseSchema,
} from "../../gen/ibrpc/v1/account_pb.js";
import { clientFor, postJson, transports } from "../e2e/app-harness.js";
import { ibSentinelsIn } from "../support/ib-sentinels.js";
import { connectGet, grpcJsCall, serviceAppPerFile } from "../support/service-app.js";
import { postOk } from "./reference-data-calls.js";

/**
 * AccountService's unary RPCs as a new user meets them: `npm start` (the built-in simulator), then gRPC and plain
 * Connect JSON. Answers are checked against the simulator's own ledger.
 */

const served = serviceAppPerFile();

/** A Connect JSON POST that must succeed and carry no IB sentinel. */
function call(method: string, body: unknown): Promise<Record<string, unknown>> {
  return postOk(served.url, `ibrpc.v1.AccountService/${method}`, body);
}

/** What the simulator's ledger holds: account -> conId -> quantity. */
function ledgerPositions(): Map<string, Map<number, number>> {
  const out = new Map<string, Map<number, number>>();
  for (const account of served.sim.accounts) {
    out.set(account, new Map(served.sim.world.ledger.positions(account).map((p) => [p.conId, p.quantity])));
  }
  return out;
}

describe("AccountService against the built-in simulator", () => {
  it("ReqPositions (@grpc/grpc-js) answers the positions of every account, with conIds and decimal quantities", async () => {
    const res = await grpcJsCall(
      served.url,
      "/ibrpc.v1.AccountService/ReqPositions",
      ReqPositionsRequestSchema,
      ReqPositionsResponseSchema,
      {},
    );
    const expected = ledgerPositions();
    const total = [...expected.values()].reduce((n, m) => n + m.size, 0);
    expect(total).toBeGreaterThan(0);
    expect(res.positions).toHaveLength(total);
    for (const p of res.positions) {
      expect(p.pos).toMatch(/^-?\d+(\.\d+)?$/);
      expect(p.contract?.conId).toBeGreaterThan(0);
      expect(Number(p.pos)).toBe(expected.get(p.account)?.get(p.contract?.conId ?? 0));
    }
    expect(new Set(res.positions.map((p) => p.account))).toEqual(
      new Set([...expected].filter(([, m]) => m.size > 0).map(([a]) => a)),
    );
  });

  it("ReqPositions over Connect JSON, POST and GET (read-only), with no sentinel", async () => {
    const post = await call("ReqPositions", {});
    const positions = post.positions as Array<{ account: string; pos: string; contract: { conId: number } }>;
    expect(positions.length).toBeGreaterThan(0);
    expect(typeof positions[0]?.pos).toBe("string");
    const get = await fetch(
      `${served.url}/ibrpc.v1.AccountService/ReqPositions?connect=v1&encoding=json&message=${encodeURIComponent("{}")}`,
    );
    expect(get.status).toBe(200);
    expect(((await get.json()) as { positions: unknown[] }).positions).toHaveLength(positions.length);
  });

  it("concurrent ReqPositions share the lane and all get the full answer", async () => {
    const client = clientFor(AccountService, transports(served.url).grpc);
    const answers = await Promise.all(Array.from({ length: 8 }, () => client.reqPositions({})));
    const sizes = new Set(answers.map((a) => a.positions.length));
    expect(sizes.size).toBe(1);
    expect([...sizes][0]).toBeGreaterThan(0);
  });

  it("ReqAccountSummary answers NetLiquidation for every account", async () => {
    const res = await call("ReqAccountSummary", { tags: ["NetLiquidation", "TotalCashValue"] });
    const rows = res.accountSummaries as Array<{ account: string; tag: string; value: string; currency: string }>;
    const netLiq = rows.filter((r) => r.tag === "NetLiquidation");
    expect(netLiq.map((r) => r.account).sort()).toEqual([...served.sim.accounts].sort());
    for (const row of netLiq) {
      expect(Number.isFinite(Number(row.value))).toBe(true);
      expect(row.currency).toBe("USD");
      const ledger = served.sim.world.ledger.value(row.account, Date.now()).netLiquidation;
      expect(Math.abs(Number(row.value) - ledger)).toBeLessThan(Math.abs(ledger) * 0.05 + 1);
    }
    expect(rows.filter((r) => r.tag === "TotalCashValue")).toHaveLength(served.sim.accounts.length);
  });

  it("concurrent ReqAccountSummary calls all answer (never IB's 322 for too many summaries)", async () => {
    const client = clientFor(AccountService, transports(served.url).grpc);
    const tags = ["NetLiquidation", "BuyingPower", "AvailableFunds", "ExcessLiquidity", "Cushion"];
    const answers = await Promise.all(tags.map((tag) => client.reqAccountSummary({ tags: [tag] })));
    answers.forEach((a, i) => {
      expect(a.accountSummaries.length).toBe(served.sim.accounts.length);
      for (const row of a.accountSummaries) expect(row.tag).toBe(tags[i]);
    });
  });

  it("two concurrent ReqAccountUpdates for two accounts each answer their own account", async () => {
    const [first, second] = served.sim.accounts as [string, string];
    const client = clientFor(AccountService, transports(served.url).grpc);
    const [a, b] = await Promise.all([
      client.reqAccountUpdates({ acctCode: first }),
      client.reqAccountUpdates({ acctCode: second }),
    ]);
    const positions = ledgerPositions();
    for (const [res, account] of [
      [a, first],
      [b, second],
    ] as const) {
      expect(res.accountName).toBe(account);
      expect(res.accountValues.length).toBeGreaterThan(0);
      expect(new Set(res.accountValues.map((v) => v.accountName))).toEqual(new Set([account]));
      expect(res.accountValues.find((v) => v.key === "NetLiquidation")).toBeDefined();
      expect(new Set(res.portfolio.map((p) => p.accountName))).toEqual(
        res.portfolio.length ? new Set([account]) : new Set(),
      );
      expect(new Set(res.portfolio.map((p) => p.contract?.conId))).toEqual(
        new Set(positions.get(account)?.keys() ?? []),
      );
      expect(res.accountTime).toMatch(/^\d{2}:\d{2}$/);
    }
  });

  it("ReqAccountUpdates over Connect JSON carries no sentinel; an unknown account is NOT_FOUND", async () => {
    const res = await call("ReqAccountUpdates", { acctCode: served.sim.accounts[0] });
    expect(res.accountName).toBe(served.sim.accounts[0]);
    const client = clientFor(AccountService, transports(served.url).connectJson);
    const err = await client.reqAccountUpdates({ acctCode: "U9999999" }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConnectError);
    expect((err as ConnectError).code).toBe(Code.NotFound);
  });

  it("ReqAccountUpdates without an account on an advisor login says which accounts there are", async () => {
    const client = clientFor(AccountService, transports(served.url).grpc);
    const err = await client.reqAccountUpdates({}).catch((e: unknown) => e);
    expect((err as ConnectError).code).toBe(Code.InvalidArgument);
    expect((err as ConnectError).rawMessage).toContain(served.sim.accounts[1] as string);
  });

  it("ReqPositionsMulti answers one account's positions; every account's without one", async () => {
    const account = served.sim.accounts[0] as string;
    const one = await call("ReqPositionsMulti", { account });
    const rows = one.positions as Array<{ account: string; contract: { conId: number }; pos: string }>;
    expect(new Set(rows.map((r) => r.account))).toEqual(new Set([account]));
    expect(rows.map((r) => r.contract.conId).sort()).toEqual(
      [...(ledgerPositions().get(account)?.keys() ?? [])].sort(),
    );
    const all = await call("ReqPositionsMulti", {});
    const total = [...ledgerPositions().values()].reduce((n, m) => n + m.size, 0);
    expect((all.positions as unknown[]).length).toBe(total);
  });

  it("ReqPositionsMulti with a model code IB does not know is INVALID_ARGUMENT with IB's 321", async () => {
    const res = await postJson(
      served.url,
      "/ibrpc.v1.AccountService/ReqPositionsMulti",
      JSON.stringify({ account: served.sim.accounts[0], modelCode: "NOPE" }),
    );
    expect(res.status).toBe(400);
    expect(res.json.code).toBe("invalid_argument");
    expect(JSON.stringify(res.json.details)).toContain("321");
  });

  it("ReqAccountUpdatesMulti answers the account's values; ledgerAndNLV only the ledger and NetLiquidation", async () => {
    const account = served.sim.accounts[1] as string;
    const full = await call("ReqAccountUpdatesMulti", { account });
    const rows = full.accountUpdateMultis as Array<{ account: string; key: string; value: string }>;
    expect(rows.length).toBeGreaterThan(0);
    expect(new Set(rows.map((r) => r.account))).toEqual(new Set([account]));
    const ledger = await call("ReqAccountUpdatesMulti", { account, ledgerAndNLV: true });
    const ledgerRows = ledger.accountUpdateMultis as Array<{ key: string }>;
    expect(ledgerRows.length).toBeGreaterThan(0);
    expect(ledgerRows.length).toBeLessThan(rows.length);
    expect(ledgerRows.map((r) => r.key)).toContain("NetLiquidation");
  });

  it("ReqFamilyCodes answers every account's family code", async () => {
    const res = await call("ReqFamilyCodes", {});
    const codes = res.familyCodes as Array<{ accountID: string; familyCode: string }>;
    expect(codes.map((c) => c.accountID)).toEqual(served.sim.world.ledger.familyCodes().map((c) => c.accountID));
  });

  it("ReqAccountSummary without tags is refused by validation before IB is asked", async () => {
    const res = await postJson(served.url, "/ibrpc.v1.AccountService/ReqAccountSummary", "{}");
    expect(res.status).toBe(400);
    expect(res.json.code).toBe("invalid_argument");
  });

  it("every AccountService RPC is read-only and answers a Connect GET", async () => {
    const account = served.sim.accounts[0];
    const requests: Record<string, unknown> = {
      ReqAccountSummary: { tags: ["NetLiquidation"] },
      ReqAccountUpdates: { acctCode: account },
      ReqAccountUpdatesMulti: { account },
      ReqPositions: {},
      ReqPositionsMulti: { account },
      ReqFamilyCodes: {},
    };
    for (const [name, request] of Object.entries(requests)) {
      const method = AccountService.methods.find((m) => m.name === name);
      expect(method?.idempotency, name).toBe(MethodOptions_IdempotencyLevel.NO_SIDE_EFFECTS);
      const res = await connectGet(served.url, `ibrpc.v1.AccountService/${name}`, request);
      expect(res.status, `${name}: ${JSON.stringify(res.json)}`).toBe(200);
      expect(ibSentinelsIn(res.json)).toEqual([]);
    }
  });
});
