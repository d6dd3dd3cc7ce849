import type { ColumnType, Generated } from "kysely";

/**
 * The tables of ibrpc's one database, as Kysely sees them. A feature adds its tables here (one interface per table,
 * listed in {@link Database}) and a numbered .sql file in ./migrations.
 *
 * Conventions: timestamptz columns are written as ISO text and read back through {@link isoUtc} (a JS Date would
 * lose the microseconds); bigint and numeric columns come back as strings (exact), never as JS numbers.
 */
export interface Database {
  schema_migrations: SchemaMigrationTable;
  history_account: HistoryAccountTable;
  history_snapshot: HistorySnapshotTable;
  history_value: HistoryValueTable;
  history_position: HistoryPositionTable;
}

/** A timestamptz: written as ISO-8601 text, read as the driver's raw value (use isoUtc in selects). */
export type Timestamptz = ColumnType<string, string, string>;
/** bigint / numeric: exact, as strings. */
export type Exact = ColumnType<string, string | bigint | number, string | bigint | number>;

export interface SchemaMigrationTable {
  version: number;
  name: string;
  applied_at: ColumnType<string, string | undefined, never>;
}

export interface HistoryAccountTable {
  id: Generated<string>;
  code: string;
  gateway: string;
  first_seen: Timestamptz;
  last_seen: Timestamptz;
}

export interface HistorySnapshotTable {
  id: Generated<string>;
  account_id: string;
  taken_at: Timestamptz;
  gateway: string;
  account_time: string;
}

export interface HistoryValueTable {
  snapshot_id: string;
  ordinal: number;
  key: string;
  currency: string;
  value: string;
}

export interface HistoryPositionTable {
  snapshot_id: string;
  ordinal: number;
  con_id: number | null;
  symbol: string;
  sec_type: string;
  last_trade_date_or_contract_month: string;
  strike: Exact | null;
  right: string;
  multiplier: string;
  primary_exch: string;
  exchange: string;
  currency: string;
  local_symbol: string;
  trading_class: string;
  position: Exact;
  market_price: Exact | null;
  market_value: Exact | null;
  average_cost: Exact | null;
  unrealized_pnl: Exact | null;
  realized_pnl: Exact | null;
}
