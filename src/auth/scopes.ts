import type { DescService } from "@bufbuild/protobuf";
import { MethodOptions_IdempotencyLevel } from "@bufbuild/protobuf/wkt";
import { Health } from "../../gen/grpc/health/v1/health_pb.js";
import * as reflectionV1 from "../../gen/grpc/reflection/v1/reflection_pb.js";
import * as reflectionV1alpha from "../../gen/grpc/reflection/v1alpha/reflection_pb.js";
import { AccountHistoryService } from "../../gen/ibrpc/v1/account_history_pb.js";
import { AccountService } from "../../gen/ibrpc/v1/account_pb.js";
import { ConnectionService } from "../../gen/ibrpc/v1/connection_pb.js";
import { ContractService } from "../../gen/ibrpc/v1/contract_pb.js";
import { DisplayGroupService } from "../../gen/ibrpc/v1/display_group_pb.js";
import { ExecutionService } from "../../gen/ibrpc/v1/execution_pb.js";
import { FinancialAdvisorService } from "../../gen/ibrpc/v1/financial_advisor_pb.js";
import { FundamentalDataService } from "../../gen/ibrpc/v1/fundamental_data_pb.js";
import { HistoricalDataService } from "../../gen/ibrpc/v1/historical_data_pb.js";
import { MarketDataService } from "../../gen/ibrpc/v1/market_data_pb.js";
import { MarketDepthService } from "../../gen/ibrpc/v1/market_depth_pb.js";
import { NewsService } from "../../gen/ibrpc/v1/news_pb.js";
import { OrderService } from "../../gen/ibrpc/v1/order_pb.js";
import { ScannerService } from "../../gen/ibrpc/v1/scanner_pb.js";

/**
 * What a bearer token may do. `read`: every read and stream; `trade`: anything that places, modifies or cancels an
 * order; `admin`: changes to the gateway's or ibrpc's own state (FA configuration, display groups, snapshots) and
 * /metrics. Scopes do not imply each other: a token that reads and trades is `read+trade`.
 */
export type AuthScope = "read" | "trade" | "admin";
export const AUTH_SCOPES: readonly AuthScope[] = ["read", "trade", "admin"];

/** What a procedure needs: a scope, or nothing at all (`public`: health checks must work before any credential). */
export type RequiredScope = AuthScope | "public";

/** One service's table: TypeScript refuses it unless every method of the service has an entry. */
type ScopeTable<S extends DescService> = { readonly [M in keyof S["method"]]: RequiredScope };

function table<S extends DescService>(service: S, scopes: ScopeTable<S>): [DescService, Record<string, RequiredScope>] {
  return [service, scopes as Record<string, RequiredScope>];
}

/**
 * THE scope of every RPC ibrpc serves, in one place so a reviewer sees the whole policy at once. A new RPC in a proto
 * does not compile here until it gets a scope, and test/security/scopes.test.ts checks this table against the
 * generated descriptors at run time as well (keys are the methods' localName: lowerCamelCase).
 */
const TABLES: ReadonlyArray<[DescService, Record<string, RequiredScope>]> = [
  table(Health, { check: "public", watch: "public" }),
  table(reflectionV1.ServerReflection, { serverReflectionInfo: "read" }),
  table(reflectionV1alpha.ServerReflection, { serverReflectionInfo: "read" }),
  table(ConnectionService, {
    reqCurrentTime: "read",
    reqManagedAccts: "read",
    // Only tells the next free order id; placing with it still needs `trade`.
    reqIds: "read",
    reqUserInfo: "read",
    listGateways: "read",
    watchGateways: "read",
  }),
  table(AccountService, {
    reqAccountSummary: "read",
    reqAccountUpdates: "read",
    reqAccountUpdatesMulti: "read",
    reqPositions: "read",
    reqPositionsMulti: "read",
    reqFamilyCodes: "read",
    watchAccountSummary: "read",
    watchAccountUpdates: "read",
    watchPositions: "read",
    reqPnL: "read",
    reqPnLSingle: "read",
  }),
  table(OrderService, {
    placeOrder: "trade",
    cancelOrder: "trade",
    reqGlobalCancel: "trade",
    reqOpenOrders: "read",
    reqAllOpenOrders: "read",
    reqCompletedOrders: "read",
    watchOrders: "read",
  }),
  table(ExecutionService, { reqExecutions: "read" }),
  table(ContractService, {
    reqContractDetails: "read",
    reqMatchingSymbols: "read",
    reqSecDefOptParams: "read",
    reqMarketRule: "read",
    reqSmartComponents: "read",
    calculateImpliedVolatility: "read",
    calculateOptionPrice: "read",
  }),
  table(MarketDataService, { reqMktData: "read", reqTickByTickData: "read", reqRealTimeBars: "read" }),
  table(MarketDepthService, { reqMktDepth: "read", reqMktDepthExchanges: "read" }),
  table(HistoricalDataService, {
    reqHistoricalData: "read",
    watchHistoricalData: "read",
    reqHistoricalTicks: "read",
    reqHeadTimestamp: "read",
    reqHistogramData: "read",
  }),
  table(NewsService, {
    reqNewsBulletins: "read",
    reqNewsProviders: "read",
    reqNewsArticle: "read",
    reqHistoricalNews: "read",
  }),
  table(ScannerService, { reqScannerParameters: "read", reqScannerSubscription: "read" }),
  table(FundamentalDataService, { reqFundamentalData: "read", reqWshMetaData: "read", reqWshEventData: "read" }),
  // Reading the FA configuration is a read; replacing it moves allocations of every managed account.
  table(FinancialAdvisorService, { requestFA: "read", replaceFA: "admin" }),
  // Changing a display group changes what the TWS operator's windows show: not a caller's read.
  table(DisplayGroupService, {
    queryDisplayGroups: "read",
    subscribeToGroupEvents: "read",
    updateDisplayGroup: "admin",
  }),
  table(AccountHistoryService, {
    listAccounts: "read",
    getLatestSnapshot: "read",
    getSnapshot: "read",
    listSnapshots: "read",
    // Asks every gateway for a full account download and writes the store: an operator action, not a read.
    takeSnapshots: "admin",
    watchSnapshots: "read",
  }),
];

/** What the server knows of one procedure before reading its request: enough to authorize and rate limit it. */
export interface ProcedureInfo {
  /** "/ibrpc.v1.OrderService/PlaceOrder": the HTTP path of every protocol. */
  path: string;
  service: string;
  method: string;
  scope: RequiredScope;
  /** Server streaming (or any streaming): counted against the per-token stream cap, not the unary rate. */
  streaming: boolean;
  /** Declared side-effect free (idempotency_level = NO_SIDE_EFFECTS): Connect GET may call it. */
  getAllowed: boolean;
}

/** Every procedure of {@link TABLES}, by HTTP path. */
export const PROCEDURES: ReadonlyMap<string, ProcedureInfo> = new Map(
  TABLES.flatMap(([service, scopes]) =>
    service.methods.map((m): [string, ProcedureInfo] => {
      const path = `/${service.typeName}/${m.name}`;
      const scope = scopes[m.localName];
      if (scope === undefined) throw new Error(`src/auth/scopes.ts: ${path} has no scope`);
      const streaming = m.methodKind !== "unary";
      const getAllowed = !streaming && m.idempotency === MethodOptions_IdempotencyLevel.NO_SIDE_EFFECTS;
      return [path, { path, service: service.typeName, method: m.name, scope, streaming, getAllowed }];
    }),
  ),
);

/** The services the table covers (for the completeness test). */
export const SCOPED_SERVICES: readonly DescService[] = TABLES.map(([s]) => s);

/** The procedure an HTTP request path names (query string ignored), or undefined for anything else. */
export function procedureOfPath(url: string): ProcedureInfo | undefined {
  const q = url.indexOf("?");
  return PROCEDURES.get(q < 0 ? url : url.slice(0, q));
}
