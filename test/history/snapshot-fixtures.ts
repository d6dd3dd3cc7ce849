import { create } from "@bufbuild/protobuf";
import { afterAll, beforeAll } from "vitest";
import {
  type AccountSnapshot,
  AccountSnapshotSchema,
  AccountValueSchema,
  PortfolioItemSchema,
} from "../../gen/ibrpc/v1/account_history_pb.js";
import { ContractSchema } from "../../gen/ibrpc/v1/common_pb.js";
import { SnapshotRepository } from "../../src/history/snapshot-repository.js";
import { type Micros, microsToTimestamp } from "../../src/history/snapshot-time.js";
import type { Engine, Store } from "../../src/store/index.js";
import { createTestDatabase, type TestDatabase } from "../store/test-databases.js";

/** 2026-11-30T12:00:00.000001Z: a time with a microsecond a JS Date would lose. */
export const T0: Micros = 1_796_040_000_000_001n;
export const HOUR: Micros = 3_600_000_000n;

/**
 * A snapshot as the snapshotter builds it, with the awkward parts of real data: values that are not numbers, money
 * with more digits than a double holds, TotalCashBalance next to TotalCashValue, a fractional position, unset PnL.
 */
export function snapshotOf(
  account: string,
  us: Micros,
  opts: { gateway?: string; cash?: string } = {},
): AccountSnapshot {
  return create(AccountSnapshotSchema, {
    account,
    time: microsToTimestamp(us),
    gateway: opts.gateway ?? "gw1",
    accountTime: "12:00",
    accountValues: [
      create(AccountValueSchema, { key: "AccountCode", value: account, currency: "" }),
      create(AccountValueSchema, { key: "NetLiquidation", value: "1234567890123.456789", currency: "USD" }),
      create(AccountValueSchema, { key: "TotalCashBalance", value: opts.cash ?? "100.10", currency: "USD" }),
      create(AccountValueSchema, { key: "TotalCashValue", value: "99.90", currency: "USD" }),
      create(AccountValueSchema, { key: "TotalCashBalance", value: "5.5", currency: "EUR" }),
    ],
    portfolio: [
      create(PortfolioItemSchema, {
        contract: create(ContractSchema, {
          conId: 265598,
          symbol: "AAPL",
          secType: "STK",
          exchange: "NASDAQ",
          primaryExch: "NASDAQ",
          currency: "USD",
          localSymbol: "AAPL",
          tradingClass: "NMS",
        }),
        position: "100.5",
        marketPrice: 187.123456789,
        marketValue: 18805.907407294,
        averageCost: 150.1,
        unrealizedPnl: 3720.2,
        realizedPnl: undefined,
      }),
      create(PortfolioItemSchema, {
        contract: create(ContractSchema, {
          conId: 12345,
          symbol: "SPY",
          secType: "OPT",
          lastTradeDateOrContractMonth: "20261218",
          strike: 600.5,
          right: "C",
          multiplier: "100",
          exchange: "SMART",
          currency: "USD",
          localSymbol: "SPY   261218C00600500",
          tradingClass: "SPY",
        }),
        position: "-3",
        marketPrice: 0.1,
        marketValue: -30,
        averageCost: 0.3,
        unrealizedPnl: 60,
        realizedPnl: 0,
      }),
    ],
  });
}

/**
 * Registers the suite's beforeAll/afterAll: a fresh test database on `engine`, its store open and a
 * SnapshotRepository on it, closed and dropped after the suite. Read the fields inside tests.
 */
export function snapshotRepositoryPerSuite(engine: Engine): {
  readonly tdb: TestDatabase;
  readonly repo: SnapshotRepository;
} {
  let tdb: TestDatabase | undefined;
  let store: Store | undefined;
  let repo: SnapshotRepository | undefined;
  beforeAll(async () => {
    tdb = await createTestDatabase(engine);
    store = await tdb.open();
    repo = new SnapshotRepository(store);
  });
  afterAll(async () => {
    await store?.close();
    await tdb?.drop();
  });
  const opened = <T>(value: T | undefined): T => {
    if (value === undefined) throw new Error("the snapshot database is read before beforeAll opened it");
    return value;
  };
  return {
    get tdb() {
      return opened(tdb);
    },
    get repo() {
      return opened(repo);
    },
  };
}
