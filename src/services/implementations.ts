import type { DescService } from "@bufbuild/protobuf";
import type { ServiceImpl } from "@connectrpc/connect";
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
import { accountHistoryService } from "./account-history-service.js";
import { accountService } from "./account-service.js";
import type { ServiceDeps } from "./call-context.js";
import { connectionService } from "./connection-service.js";
import { contractService } from "./contract-service.js";
import { displayGroupService } from "./display-group-service.js";
import { executionService } from "./execution-service.js";
import { financialAdvisorService } from "./financial-advisor-service.js";
import { fundamentalDataService } from "./fundamental-data-service.js";
import { historicalDataService } from "./historical-data-service.js";
import { marketDataService } from "./market-data-service.js";
import { marketDepthService } from "./market-depth-service.js";
import { newsService } from "./news-service.js";
import { orderService } from "./order-service.js";
import { scannerService } from "./scanner-service.js";
import { accountStreams } from "./streams/account-streams.js";
import { displayGroupStreams } from "./streams/display-group-streams.js";
import { watchGateways } from "./streams/gateway-watch.js";
import { historicalStreams } from "./streams/historical-streams.js";
import { newsStreams } from "./streams/news-streams.js";
import { scannerStreams } from "./streams/scanner-streams.js";

/** A service's implementation as the router takes it: any subset of its methods. */
type AnyImpl = Partial<ServiceImpl<DescService>>;

/** Pairs a service with its (typed) implementation; the map below forgets the type, the router does not need it. */
function impl<S extends DescService>(service: S, methods: Partial<ServiceImpl<S>>): [DescService, AnyImpl] {
  return [service, methods as unknown as AnyImpl];
}

/**
 * The implemented services, by full name. One line per service file: the server registers every service of the
 * contract (src/services/catalog.ts) and takes the implementation from here when there is one.
 */
export function serviceImplementations(deps: ServiceDeps): Map<string, AnyImpl> {
  const impls: [DescService, AnyImpl][] = [
    impl(ConnectionService, { ...connectionService(deps), ...watchGateways(deps) }),
    impl(AccountService, { ...accountService(deps), ...accountStreams(deps) }),
    impl(ContractService, contractService(deps)),
    impl(HistoricalDataService, { ...historicalDataService(deps), ...historicalStreams(deps) }),
    impl(NewsService, { ...newsService(deps), ...newsStreams(deps) }),
    impl(ScannerService, { ...scannerService(deps), ...scannerStreams(deps) }),
    impl(FundamentalDataService, fundamentalDataService(deps)),
    impl(FinancialAdvisorService, financialAdvisorService(deps)),
    impl(DisplayGroupService, { ...displayGroupService(deps), ...displayGroupStreams(deps) }),
    impl(MarketDataService, marketDataService(deps)),
    impl(MarketDepthService, marketDepthService(deps)),
    impl(AccountHistoryService, accountHistoryService(deps)),
    impl(OrderService, orderService(deps)),
    impl(ExecutionService, executionService(deps)),
  ];
  return new Map(impls.map(([service, impl]) => [service.typeName, impl]));
}
