import type { Logger } from "pino";
import { AccountHistoryService } from "../../gen/ibrpc/v1/account_history_pb.js";
import type { Config } from "../config.js";
import type { GatewayPool } from "../gateway/gateway-pool.js";
import { type HealthStatus, ServingStatus } from "../server/index.js";
import { type DataDirLock, lockDataDir, StoreOpener } from "../store/index.js";
import { AccountHistory } from "./account-history.js";

/**
 * Takes DATA_DIR for this process when the store is the embedded one (undefined with DB_URL). Throws a ConfigError
 * whose message is the one line a second ibrpc on the same DATA_DIR prints.
 */
export function lockDataDirUnlessShared(config: Config): DataDirLock | undefined {
  return config.dbUrl ? undefined : lockDataDir(config.dataDir);
}

/** The account history of a running ibrpc and what it stands on. */
export interface RunningHistory {
  readonly history: AccountHistory;
  readonly store: StoreOpener;
  close(): Promise<void>;
}

/**
 * Starts the history beside the IB services without holding them up: DATA_DIR is locked at once (a second ibrpc
 * on it fails now, with one line), the store opens in the background (PGlite's first start takes seconds), and
 * AccountHistoryService's health follows the database, NOT_SERVING until it answers.
 */
export function startHistory(
  config: Config,
  pool: GatewayPool,
  health: HealthStatus,
  logger: Logger,
  dataDirLock = lockDataDirUnlessShared(config),
): RunningHistory {
  const store = new StoreOpener({ dbUrl: config.dbUrl, dataDir: config.dataDir, logger, dataDirLock });
  const service = AccountHistoryService.typeName;
  health.set(service, ServingStatus.NOT_SERVING);
  store.on("status", (s) => health.set(service, s === "ready" ? ServingStatus.SERVING : ServingStatus.NOT_SERVING));
  if (!config.dbUrl) {
    logger.info(
      { dataDir: config.dataDir },
      "account history on embedded PGlite: one ibrpc instance per DATA_DIR (set DB_URL to a PostgreSQL to run several)",
    );
  }
  const history = new AccountHistory({ opener: store, pool, cron: config.accountRefresh, logger });
  return {
    history,
    store,
    async close() {
      await history.close();
      await store.close();
      dataDirLock?.release();
    },
  };
}
