import { readFileSync } from "node:fs";
import { MethodOptions_IdempotencyLevel } from "@bufbuild/protobuf/wkt";
import { describe, expect, it } from "vitest";
import { IBRPC_SERVICES } from "../../src/services/catalog.js";

/** DESIGN.md's table, verbatim: service -> RPCs, `~` marking a server-streaming RPC. */
const DESIGN: Record<string, string> = {
  ConnectionService: "ReqCurrentTime ReqManagedAccts ReqIds ReqUserInfo ListGateways ~WatchGateways",
  AccountService:
    "ReqAccountSummary ReqAccountUpdates ReqAccountUpdatesMulti ReqPositions ReqPositionsMulti ReqFamilyCodes " +
    "~WatchAccountSummary ~WatchAccountUpdates ~WatchPositions ~ReqPnL ~ReqPnLSingle",
  OrderService: "PlaceOrder CancelOrder ReqGlobalCancel ReqOpenOrders ReqAllOpenOrders ReqCompletedOrders ~WatchOrders",
  ExecutionService: "ReqExecutions",
  ContractService:
    "ReqContractDetails ReqMatchingSymbols ReqSecDefOptParams ReqMarketRule ReqSmartComponents " +
    "CalculateImpliedVolatility CalculateOptionPrice",
  MarketDataService: "~ReqMktData ~ReqTickByTickData ~ReqRealTimeBars",
  MarketDepthService: "~ReqMktDepth ReqMktDepthExchanges",
  HistoricalDataService: "ReqHistoricalData ~WatchHistoricalData ReqHistoricalTicks ReqHeadTimestamp ReqHistogramData",
  NewsService: "~ReqNewsBulletins ReqNewsProviders ReqNewsArticle ReqHistoricalNews",
  ScannerService: "ReqScannerParameters ~ReqScannerSubscription",
  FundamentalDataService: "ReqFundamentalData ReqWshMetaData ReqWshEventData",
  FinancialAdvisorService: "RequestFA ReplaceFA",
  DisplayGroupService: "QueryDisplayGroups ~SubscribeToGroupEvents UpdateDisplayGroup",
  AccountHistoryService: "ListAccounts GetLatestSnapshot GetSnapshot ListSnapshots TakeSnapshots ~WatchSnapshots",
};

/** The RPCs that change something (at IB or in the history store); every other RPC is a read. */
const SIDE_EFFECTS = new Set([
  "OrderService.PlaceOrder",
  "OrderService.CancelOrder",
  "OrderService.ReqGlobalCancel",
  "FinancialAdvisorService.ReplaceFA",
  "DisplayGroupService.UpdateDisplayGroup",
  "AccountHistoryService.TakeSnapshots",
]);

describe("service catalog", () => {
  it("holds exactly DESIGN.md's services, in package ibrpc.v1", () => {
    expect(IBRPC_SERVICES.map((s) => s.typeName).sort()).toEqual(
      Object.keys(DESIGN)
        .map((n) => `ibrpc.v1.${n}`)
        .sort(),
    );
  });

  for (const [name, rpcs] of Object.entries(DESIGN)) {
    it(`${name} has DESIGN.md's RPCs, unary or streaming as listed`, () => {
      const service = IBRPC_SERVICES.find((s) => s.name === name);
      expect(service).toBeDefined();
      const want = rpcs.split(" ").map((r) => ({
        name: r.replace("~", ""),
        kind: r.startsWith("~") ? "server_streaming" : "unary",
      }));
      const got = service?.methods.map((m) => ({ name: m.name, kind: m.methodKind }));
      expect(got).toEqual(want);
    });
  }

  it("marks every read as NO_SIDE_EFFECTS and nothing else", () => {
    for (const service of IBRPC_SERVICES) {
      for (const method of service.methods) {
        const key = `${service.name}.${method.name}`;
        const read = method.idempotency === MethodOptions_IdempotencyLevel.NO_SIDE_EFFECTS;
        expect(read, key).toBe(!SIDE_EFFECTS.has(key));
      }
    }
  });

  it("documents every RPC in docs/api.md with its comment and gRPC codes", () => {
    const api = readFileSync(new URL("../../docs/api.md", import.meta.url), "utf8");
    for (const service of IBRPC_SERVICES) {
      const serviceDoc = api.split(`### ${service.name}\n`)[1]?.split("\n#### ")[0] ?? "";
      for (const method of service.methods) {
        const section = api.split(`#### ${service.name}.${method.name}\n`)[1]?.split("\n<a id=")[0] ?? "";
        const comment = section.split("\n").slice(3).join("\n").trim();
        expect(comment, `${service.name}.${method.name}`).toContain(".");
        // Codes are named per RPC, or for all RPCs of the service in its comment.
        expect(`${serviceDoc}\n${comment}`, `${service.name}.${method.name}`).toMatch(
          /INVALID_ARGUMENT|UNAVAILABLE|NOT_FOUND/,
        );
      }
    }
  });
});
