import type { DescService } from "@bufbuild/protobuf";
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
 * Every ibrpc.v1 service, in DESIGN.md's order. The server registers all of them (and reflection lists them), so a
 * method without an implementation answers UNIMPLEMENTED ("ibrpc.v1.X.Y is not implemented") instead of 404.
 * test/contracts checks this list against the generated descriptors, so a new proto service cannot be forgotten.
 */
export const IBRPC_SERVICES: readonly DescService[] = [
  ConnectionService,
  AccountService,
  OrderService,
  ExecutionService,
  ContractService,
  MarketDataService,
  MarketDepthService,
  HistoricalDataService,
  NewsService,
  ScannerService,
  FundamentalDataService,
  FinancialAdvisorService,
  DisplayGroupService,
  AccountHistoryService,
];
