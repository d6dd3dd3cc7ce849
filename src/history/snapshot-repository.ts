import { create } from "@bufbuild/protobuf";
import { sql } from "kysely";
import {
  type AccountSnapshot,
  AccountSnapshotSchema,
  AccountValueSchema,
  type PortfolioItem,
  PortfolioItemSchema,
} from "../../gen/ibrpc/v1/account_history_pb.js";
import { ContractSchema } from "../../gen/ibrpc/v1/common_pb.js";
import type { Store } from "../store/index.js";
import { isoUtc } from "../store/index.js";
import { isoToMicros, type Micros, microsToIso, microsToTimestamp, timestampToMicros } from "./snapshot-time.js";

/** The NOTIFY channel of stored snapshots; the payload is "<account> <ISO time>". */
export const SNAPSHOT_CHANNEL = "ibrpc_snapshots";

/** One account as the history knows it; times as microseconds. */
export interface AccountRecord {
  account: string;
  gateway: string;
  firstSeen: Micros;
  lastSeen: Micros;
  latestSnapshot: Micros | undefined;
}

export interface SnapshotRange {
  /** Inclusive. */
  fromUs?: Micros;
  /** Exclusive. */
  toUs?: Micros;
  limit: number;
}

/**
 * Account snapshots in the database: one transaction per snapshot (a reader never sees half of one), read back
 * whole in one round trip (values and portfolio aggregated by the database), newest first.
 */
export class SnapshotRepository {
  constructor(private readonly store: Store) {}

  /**
   * Stores `snapshot` and announces it on {@link SNAPSHOT_CHANNEL} when it commits. False when it was stored already
   * (a retry after a lost commit acknowledgement): UNIQUE(account, time) makes the retry a no-op.
   *
   * One statement (data-modifying CTEs over arrays): atomic by itself, so a reader never sees half a snapshot, and
   * one round trip instead of seven (BEGIN, four inserts, NOTIFY, COMMIT).
   */
  async write(snapshot: AccountSnapshot): Promise<boolean> {
    const { rows } = await writeStatement(snapshot).execute(this.store.db);
    return rows.length > 0;
  }

  /** The newest snapshot of `account`. */
  async latest(account: string): Promise<AccountSnapshot | undefined> {
    const [s] = await this.select(account, sql`true`, 1);
    return s;
  }

  /** The snapshot of `account` taken at exactly `us`. */
  async at(account: string, us: Micros): Promise<AccountSnapshot | undefined> {
    const [s] = await this.select(account, sql`s.taken_at = ${microsToIso(us)}::timestamptz`, 1);
    return s;
  }

  /** Snapshots of `account` in [fromUs, toUs), newest first, at most `limit`. */
  range(account: string, range: SnapshotRange): Promise<AccountSnapshot[]> {
    const from = range.fromUs === undefined ? sql`true` : sql`s.taken_at >= ${microsToIso(range.fromUs)}::timestamptz`;
    const to = range.toUs === undefined ? sql`true` : sql`s.taken_at < ${microsToIso(range.toUs)}::timestamptz`;
    return this.select(account, sql`${from} and ${to}`, range.limit);
  }

  /** Every account ever seen, by account code. */
  async accounts(): Promise<AccountRecord[]> {
    const rows = await this.store.db
      .selectFrom("history_account as a")
      .select((eb) => [
        "a.code",
        "a.gateway",
        isoUtc(eb.ref("a.first_seen")).as("first_seen"),
        isoUtc(eb.ref("a.last_seen")).as("last_seen"),
        isoUtc(
          eb
            .selectFrom("history_snapshot as s")
            .whereRef("s.account_id", "=", "a.id")
            .select(sql`max(s.taken_at)`.as("m")),
        ).as("latest"),
      ])
      .orderBy("a.code")
      .execute();
    return rows.map((r) => ({
      account: r.code,
      gateway: r.gateway,
      firstSeen: isoToMicros(r.first_seen),
      lastSeen: isoToMicros(r.last_seen),
      latestSnapshot: r.latest ? isoToMicros(r.latest) : undefined,
    }));
  }

  /** True when the history knows `account`. */
  async hasAccount(account: string): Promise<boolean> {
    const row = await this.store.db
      .selectFrom("history_account")
      .select("id")
      .where("code", "=", account)
      .executeTakeFirst();
    return row !== undefined;
  }

  private async select(account: string, where: ReturnType<typeof sql>, limit: number): Promise<AccountSnapshot[]> {
    const { rows } = await sql<SnapshotRow>`
      select ${isoUtc(sql.ref("s.taken_at"))} as time, s.gateway, s.account_time,
        (select coalesce(json_agg(json_build_array(v.key, v.value, v.currency) order by v.ordinal), '[]'::json)
           from history_value v where v.snapshot_id = s.id) as account_values,
        (select coalesce(json_agg(json_build_array(p.con_id, p.symbol, p.sec_type, p.last_trade_date_or_contract_month,
             p.strike::text, p."right", p.multiplier, p.primary_exch, p.exchange, p.currency, p.local_symbol,
             p.trading_class, p.position::text, p.market_price::text, p.market_value::text, p.average_cost::text,
             p.unrealized_pnl::text, p.realized_pnl::text) order by p.ordinal), '[]'::json)
           from history_position p where p.snapshot_id = s.id) as portfolio
      from history_snapshot s
      -- The account's id first, as a constant: the planner then walks UNIQUE(account_id, taken_at) backwards and
      -- stops at the limit, instead of sorting every snapshot of the account (measured: 0.04 ms vs 9 ms at 10k).
      where s.account_id = (select id from history_account where code = ${account}) and ${where}
      order by s.taken_at desc
      limit ${limit}`.execute(this.store.db);
    return rows.map((r) => toSnapshot(account, r));
  }
}

/** The one statement that stores a snapshot (see SnapshotRepository.write), exported so its plan can be examined. */
export function writeStatement(snapshot: AccountSnapshot) {
  const time = microsToIso(snapshotMicros(snapshot));
  const values = uniqueValues(snapshot);
  const rows = snapshot.portfolio.map(positionColumns);
  const col = <K extends keyof PositionColumns>(k: K) => rows.map((r) => r[k]);
  return sql<{ id: string }>`
      with account as (
        insert into history_account (code, gateway, first_seen, last_seen)
        values (${snapshot.account}, ${snapshot.gateway}, ${time}::timestamptz, ${time}::timestamptz)
        on conflict (code) do update set
          -- A late write of an older snapshot (kept while the database was down) must not move these back.
          gateway = case when excluded.last_seen >= history_account.last_seen
                         then excluded.gateway else history_account.gateway end,
          first_seen = least(history_account.first_seen, excluded.first_seen),
          last_seen = greatest(history_account.last_seen, excluded.last_seen)
        returning id
      ), snapshot as (
        insert into history_snapshot (account_id, taken_at, gateway, account_time)
        select id, ${time}::timestamptz, ${snapshot.gateway}, ${snapshot.accountTime} from account
        on conflict (account_id, taken_at) do nothing
        returning id
      ), account_values as (
        insert into history_value (snapshot_id, ordinal, key, currency, value)
        select snapshot.id, v.ordinal - 1, v.key, v.currency, v.value
        from snapshot, unnest(${values.map((v) => v.key)}::text[], ${values.map((v) => v.currency)}::text[],
          ${values.map((v) => v.value)}::text[]) with ordinality as v (key, currency, value, ordinal)
      ), positions as (
        insert into history_position (snapshot_id, ordinal, con_id, symbol, sec_type,
          last_trade_date_or_contract_month, strike, "right", multiplier, primary_exch, exchange, currency,
          local_symbol, trading_class, position, market_price, market_value, average_cost, unrealized_pnl,
          realized_pnl)
        select snapshot.id, p.ordinal - 1, p.con_id, p.symbol, p.sec_type, p.expiry, p.strike, p."right",
          p.multiplier, p.primary_exch, p.exchange, p.currency, p.local_symbol, p.trading_class, p.position,
          p.market_price, p.market_value, p.average_cost, p.unrealized_pnl, p.realized_pnl
        from snapshot, unnest(${col("con_id")}::integer[], ${col("symbol")}::text[], ${col("sec_type")}::text[],
          ${col("expiry")}::text[], ${col("strike")}::numeric[], ${col("right")}::text[],
          ${col("multiplier")}::text[], ${col("primary_exch")}::text[], ${col("exchange")}::text[],
          ${col("currency")}::text[], ${col("local_symbol")}::text[], ${col("trading_class")}::text[],
          ${col("position")}::numeric[], ${col("market_price")}::numeric[], ${col("market_value")}::numeric[],
          ${col("average_cost")}::numeric[], ${col("unrealized_pnl")}::numeric[], ${col("realized_pnl")}::numeric[])
          with ordinality as p (con_id, symbol, sec_type, expiry, strike, "right", multiplier, primary_exch,
            exchange, currency, local_symbol, trading_class, position, market_price, market_value, average_cost,
            unrealized_pnl, realized_pnl, ordinal)
      )
      select id, pg_notify(${SNAPSHOT_CHANNEL}, ${`${snapshot.account} ${time}`}) from snapshot`;
}

type PositionTuple = [
  number | null,
  string,
  string,
  string,
  string | null,
  string,
  string,
  string,
  string,
  string,
  string,
  string,
  string,
  string | null,
  string | null,
  string | null,
  string | null,
  string | null,
];

interface SnapshotRow {
  time: string;
  gateway: string;
  account_time: string;
  account_values: [string, string, string][];
  portfolio: PositionTuple[];
}

function toSnapshot(account: string, r: SnapshotRow): AccountSnapshot {
  return create(AccountSnapshotSchema, {
    account,
    time: microsToTimestamp(isoToMicros(r.time)),
    gateway: r.gateway,
    accountTime: r.account_time,
    accountValues: r.account_values.map(([key, value, currency]) =>
      create(AccountValueSchema, { key, value, currency }),
    ),
    portfolio: r.portfolio.map((p) =>
      create(PortfolioItemSchema, {
        contract: create(ContractSchema, {
          conId: p[0] ?? undefined,
          symbol: p[1],
          secType: p[2],
          lastTradeDateOrContractMonth: p[3],
          strike: num(p[4]),
          right: p[5],
          multiplier: p[6],
          primaryExch: p[7],
          exchange: p[8],
          currency: p[9],
          localSymbol: p[10],
          tradingClass: p[11],
        }),
        position: p[12],
        marketPrice: num(p[13]),
        marketValue: num(p[14]),
        averageCost: num(p[15]),
        unrealizedPnl: num(p[16]),
        realizedPnl: num(p[17]),
      }),
    ),
  });
}

/** One portfolio row as the columns of history_position (numbers as exact NUMERIC text). */
function positionColumns(item: PortfolioItem) {
  const c = item.contract ?? create(ContractSchema);
  return {
    con_id: c.conId ?? null,
    symbol: c.symbol,
    sec_type: c.secType,
    expiry: c.lastTradeDateOrContractMonth,
    strike: exact(c.strike),
    right: c.right,
    multiplier: c.multiplier,
    primary_exch: c.primaryExch,
    exchange: c.exchange,
    currency: c.currency,
    local_symbol: c.localSymbol,
    trading_class: c.tradingClass,
    position: item.position === "" ? "0" : item.position,
    market_price: exact(item.marketPrice),
    market_value: exact(item.marketValue),
    average_cost: exact(item.averageCost),
    unrealized_pnl: exact(item.unrealizedPnl),
    realized_pnl: exact(item.realizedPnl),
  };
}

type PositionColumns = ReturnType<typeof positionColumns>;

/** IB sends a key again when it changes during the download: the last one is the snapshot's. */
function uniqueValues(snapshot: AccountSnapshot) {
  const byKey = new Map<string, AccountSnapshot["accountValues"][number]>();
  for (const v of snapshot.accountValues) byKey.set(`${v.key}\u0000${v.currency}`, v);
  return [...byKey.values()];
}

/** A double as NUMERIC text: the shortest string that reads back as the same double, so nothing is lost. */
function exact(n: number | undefined): string | null {
  return n === undefined ? null : String(n);
}

function num(text: string | null): number | undefined {
  return text === null ? undefined : Number(text);
}

/** The snapshot's time in microseconds; a snapshot without an exact microsecond time is a programming error. */
export function snapshotMicros(snapshot: AccountSnapshot): Micros {
  const us = snapshot.time ? timestampToMicros(snapshot.time) : undefined;
  if (us === undefined) throw new Error(`snapshot of ${snapshot.account} has no microsecond time`);
  return us;
}
