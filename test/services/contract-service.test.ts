import { MethodOptions_IdempotencyLevel } from "@bufbuild/protobuf/wkt";
import { Code, ConnectError } from "@connectrpc/connect";
import { describe, expect, it } from "vitest";
import { ErrorInfoSchema } from "../../gen/google/rpc/error_details_pb.js";
import {
  ContractService,
  ReqContractDetailsRequestSchema,
  ReqContractDetailsResponseSchema,
} from "../../gen/ibrpc/v1/contract_pb.js";
import { MATCHING_SYMBOLS_INTERVAL_MS } from "../../src/services/contract-service.js";
import { MARKET_RULES } from "../../src/sim/world/index.js";
import { clientFor, postJson, transports } from "../e2e/app-harness.js";
import { ibSentinelsIn } from "../support/ib-sentinels.js";
import { connectGet, grpcJsCall, serviceAppPerFile } from "../support/service-app.js";
import { postOk } from "./reference-data-calls.js";

/**
 * ContractService as a new user meets it: the built-in simulator behind `npm start`, gRPC and plain Connect JSON.
 * Answers are checked against the simulator's catalog.
 */

const AAPL_CON_ID = 265598;
const AAPL = { symbol: "AAPL", secType: "STK", exchange: "SMART", currency: "USD" };

const served = serviceAppPerFile();

/** A Connect JSON POST that must succeed and carry no IB sentinel. */
function call(method: string, body: unknown): Promise<Record<string, unknown>> {
  return postOk(served.url, `ibrpc.v1.ContractService/${method}`, body);
}

/** An AAPL call listed by the simulator (its first expiry, a strike in the middle of the chain). */
function aaplCall(): Record<string, unknown> {
  const [chain] = served.sim.world.catalog.optionChains(AAPL_CON_ID);
  if (!chain) throw new Error("the simulator lists no AAPL options");
  return {
    symbol: "AAPL",
    secType: "OPT",
    lastTradeDateOrContractMonth: chain.expirations[0],
    strike: chain.strikes[Math.floor(chain.strikes.length / 2)],
    right: "C",
    exchange: "SMART",
    currency: "USD",
    multiplier: "100",
  };
}

describe("ContractService against the built-in simulator", () => {
  it("ReqContractDetails (@grpc/grpc-js) answers AAPL with conId, longName and minTick", async () => {
    const res = await grpcJsCall(
      served.url,
      "/ibrpc.v1.ContractService/ReqContractDetails",
      ReqContractDetailsRequestSchema,
      ReqContractDetailsResponseSchema,
      { contract: AAPL },
    );
    const aapl = served.sim.world.catalog.get(AAPL_CON_ID);
    expect(res.contractDetails).toHaveLength(1);
    const [details] = res.contractDetails;
    expect(details?.contract?.conId).toBe(AAPL_CON_ID);
    expect(details?.longName).toBe(aapl.details.longName);
    expect(details?.minTick).toBe(aapl.details.minTick);
    expect(details?.marketRuleIds.split(",")[0]).toBe(String(aapl.details.marketRuleId));
    expect(details?.contract?.strike).toBeUndefined();
  });

  it("ReqContractDetails over Connect JSON, POST and GET, with no sentinel", async () => {
    const post = await call("ReqContractDetails", { contract: AAPL });
    const [details] = post.contractDetails as Array<{ contract: { conId: number }; longName: string; minTick: number }>;
    expect(details?.contract.conId).toBe(AAPL_CON_ID);
    expect(details?.minTick).toBe(0.01);
    const message = encodeURIComponent(JSON.stringify({ contract: AAPL }));
    const get = await fetch(
      `${served.url}/ibrpc.v1.ContractService/ReqContractDetails?connect=v1&encoding=json&message=${message}`,
    );
    expect(get.status).toBe(200);
    expect(((await get.json()) as typeof post).contractDetails).toEqual(post.contractDetails);
  });

  it("an unknown symbol is NOT_FOUND with IB's 200 in ErrorInfo (Connect JSON and the Connect client)", async () => {
    const contract = { symbol: "NOSUCHSYM", secType: "STK", exchange: "SMART", currency: "USD" };
    const res = await postJson(
      served.url,
      "/ibrpc.v1.ContractService/ReqContractDetails",
      JSON.stringify({ contract }),
    );
    expect(res.status).toBe(404);
    expect(res.json.code).toBe("not_found");
    const client = clientFor(ContractService, transports(served.url).grpc);
    const err = await client.reqContractDetails({ contract }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConnectError);
    expect((err as ConnectError).code).toBe(Code.NotFound);
    const [info] = (err as ConnectError).findDetails(ErrorInfoSchema);
    expect(info?.metadata.ibCode).toBe("200");
    expect(info?.metadata.ibMessage).toMatch(/no security definition/i);
  });

  it("concurrent identical ReqContractDetails share one IB request and all answer", async () => {
    const client = clientFor(ContractService, transports(served.url).connectJson);
    const answers = await Promise.all(Array.from({ length: 20 }, () => client.reqContractDetails({ contract: AAPL })));
    for (const a of answers) expect(a.contractDetails[0]?.contract?.conId).toBe(AAPL_CON_ID);
  });

  it("ReqMatchingSymbols finds AAPL with its derivative types; calls are spaced a second apart", async () => {
    const client = clientFor(ContractService, transports(served.url).grpc);
    const res = await call("ReqMatchingSymbols", { pattern: "AAP" });
    const found = res.contractDescriptions as Array<{ contract: { conId: number }; derivativeSecTypes: string[] }>;
    const aapl = found.find((d) => d.contract.conId === AAPL_CON_ID);
    expect(aapl?.derivativeSecTypes).toContain("OPT");
    const started = performance.now();
    const [a, b] = await Promise.all([
      client.reqMatchingSymbols({ pattern: "MS" }),
      client.reqMatchingSymbols({ pattern: "AAPL" }),
    ]);
    expect(a.contractDescriptions.length + b.contractDescriptions.length).toBeGreaterThan(0);
    // Two calls need two turns: the second waits for the spacing (a property of ibrpc's own pacing, not a timing bound).
    expect(performance.now() - started).toBeGreaterThanOrEqual(MATCHING_SYMBOLS_INTERVAL_MS - 50);
  });

  it("ReqSecDefOptParams answers AAPL's option chains (expirations and strikes sorted)", async () => {
    const res = await call("ReqSecDefOptParams", {
      underlyingSymbol: "AAPL",
      underlyingSecType: "STK",
      underlyingConId: AAPL_CON_ID,
    });
    const chains = res.parameters as Array<{
      exchange: string;
      underlyingConId: number;
      multiplier: string;
      expirations: string[];
      strikes: number[];
    }>;
    const expected = served.sim.world.catalog.optionChains(AAPL_CON_ID);
    expect(chains.map((c) => c.exchange).sort()).toEqual(expected.map((c) => c.exchange).sort());
    for (const chain of chains) {
      const mine = expected.find((c) => c.exchange === chain.exchange);
      expect(chain.underlyingConId).toBe(AAPL_CON_ID);
      expect(chain.multiplier).toBe("100");
      expect(chain.expirations).toEqual([...(mine?.expirations ?? [])].sort());
      expect(chain.strikes).toEqual([...(mine?.strikes ?? [])].sort((x, y) => x - y));
      expect(chain.expirations.every((e) => /^\d{8}$/.test(e))).toBe(true);
    }
  });

  it("ReqMarketRule answers the rule AAPL's details name; an unknown rule ends at the call's deadline", async () => {
    const res = await call("ReqMarketRule", { marketRuleId: 26 });
    expect(res.marketRuleId).toBe(26);
    expect(res.priceIncrements).toEqual(
      (MARKET_RULES.get(26) ?? []).map((p) => ({ lowEdge: p.lowEdge, increment: p.increment })),
    );
    const client = clientFor(ContractService, transports(served.url).grpc);
    const err = await client.reqMarketRule({ marketRuleId: 987654 }, { timeoutMs: 300 }).catch((e: unknown) => e);
    expect((err as ConnectError).code).toBe(Code.DeadlineExceeded);
  });

  it("a client cancelling a call still waiting on IB leaves the server serving", async () => {
    const client = clientFor(ContractService, transports(served.url).grpc);
    const ac = new AbortController();
    const pending = client.reqMarketRule({ marketRuleId: 987655 }, { signal: ac.signal }).catch((e: unknown) => e);
    setTimeout(() => ac.abort(), 100);
    expect(((await pending) as ConnectError).code).toBe(Code.Canceled);
    const res = await client.reqMarketRule({ marketRuleId: 26 });
    expect(res.priceIncrements.length).toBeGreaterThan(0);
  });

  it("ReqSmartComponents answers the exchanges behind SMART's BBO", async () => {
    const res = await call("ReqSmartComponents", { bboExchange: "9c0001" });
    const components = res.smartComponents as Array<{ bitNumber?: number; exchange: string; exchangeLetter: string }>;
    expect(components.map((c) => c.exchange)).toContain("NASDAQ");
    for (const c of components) expect(c.exchangeLetter).toMatch(/^[A-Z]$/);
  });

  it("CalculateOptionPrice and CalculateImpliedVolatility round-trip through IB's calculator", async () => {
    const contract = aaplCall();
    const priced = await call("CalculateOptionPrice", { contract, volatility: 0.3, underPrice: 210 });
    const byPrice = priced.tickOptionComputation as {
      optPrice: number;
      impliedVol: number;
      delta: number;
      undPrice: number;
    };
    expect(byPrice.impliedVol).toBe(0.3);
    expect(byPrice.optPrice).toBeGreaterThan(0);
    expect(byPrice.delta).toBeGreaterThan(0);
    expect(byPrice.undPrice).toBe(210);
    const implied = await call("CalculateImpliedVolatility", {
      contract,
      optionPrice: byPrice.optPrice,
      underPrice: 210,
    });
    const byVol = implied.tickOptionComputation as { impliedVol: number };
    expect(byVol.impliedVol).toBeCloseTo(0.3, 3);
  });

  it("IB's calculator refusing a request is INVALID_ARGUMENT with IB's 321; an unknown option NOT_FOUND", async () => {
    const client = clientFor(ContractService, transports(served.url).grpc);
    const notOption = await client
      .calculateImpliedVolatility({ contract: AAPL, optionPrice: 10, underPrice: 200 })
      .catch((e: unknown) => e as ConnectError);
    expect((notOption as ConnectError).code).toBe(Code.InvalidArgument);
    expect((notOption as ConnectError).findDetails(ErrorInfoSchema)[0]?.metadata.ibCode).toBe("321");
    const unknown = await client
      .calculateOptionPrice({ contract: { ...aaplCall(), strike: 1.5 }, volatility: 0.2, underPrice: 200 })
      .catch((e: unknown) => e as ConnectError);
    expect((unknown as ConnectError).code).toBe(Code.NotFound);
  });

  it("validation refuses a request without its required fields before IB is asked", async () => {
    const res = await postJson(served.url, "/ibrpc.v1.ContractService/ReqMarketRule", "{}");
    expect(res.status).toBe(400);
    expect(res.json.code).toBe("invalid_argument");
  });

  it("every ContractService RPC is read-only and answers a Connect GET", async () => {
    const requests: Record<string, unknown> = {
      ReqContractDetails: { contract: AAPL },
      ReqMatchingSymbols: { pattern: "IBM" },
      ReqSecDefOptParams: { underlyingSymbol: "AAPL", underlyingSecType: "STK", underlyingConId: AAPL_CON_ID },
      ReqMarketRule: { marketRuleId: 110 },
      ReqSmartComponents: { bboExchange: "9c0001" },
      CalculateImpliedVolatility: { contract: aaplCall(), optionPrice: 25, underPrice: 200 },
      CalculateOptionPrice: { contract: aaplCall(), volatility: 0.25, underPrice: 200 },
    };
    expect(Object.keys(requests).sort()).toEqual(ContractService.methods.map((m) => m.name).sort());
    for (const [name, request] of Object.entries(requests)) {
      const method = ContractService.methods.find((m) => m.name === name);
      expect(method?.idempotency, name).toBe(MethodOptions_IdempotencyLevel.NO_SIDE_EFFECTS);
      const res = await connectGet(served.url, `ibrpc.v1.ContractService/${name}`, request);
      expect(res.status, `${name}: ${JSON.stringify(res.json)}`).toBe(200);
      expect(ibSentinelsIn(res.json)).toEqual([]);
    }
  });
});
