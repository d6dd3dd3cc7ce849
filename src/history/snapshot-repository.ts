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

/** Positions per INSERT: 20 parameters a row stays far below PostgreSQL's 65535 per statement. */
const POSITION_CHUNK = 1_000;

/**
 * Account snapshots in the database: one transaction per snapshot (a reader never sees half of one), read back
 * whole in one round trip (values and portfolio aggregated by the database), newest first.
 */
export class SnapshotRepository {
  constructor(private readonly store: Store) {}

  /**
   * Stores `snapshot` and announces it on {@link SNAPSHOT_CHANNEL} when the transaction commits. False when it was
   * stored already (a retry after a lost commit acknowledgement): UNIQUE(account, time) makes the retry a no-op.
   */
  async write(snapshot: AccountSnapshot): Promise<boolean> {
    const us = snapshotMicros(snapshot);
    const time = microsToIso(us);
    return this.store.transaction(async (trx) => {
      const account = await trx
        .insertInto("history_account")
        .values({ code: snapshot.account, gateway: snapshot.gateway, first_seen: time, last_seen: time })
        .onConflict((oc) =>
          oc.column("code").doUpdateSet({
            // A late write of an older snapshot (kept while the database was down) must not move these back.
            gateway: sql`case when excluded.last_seen >= history_account.last_seen then excluded.gateway else history_account.gateway end`,
            first_seen: sql`least(history_account.first_seen, excluded.first_seen)`,
            last_seen: sql`greatest(history_account.last_seen, excluded.last_seen)`,
          }),
        )
        .returning("id")
        .executeTakeFirstOrThrow();
      const stored = await trx
        .insertInto("history_snapshot")
        .values({
          account_id: account.id,
          taken_at: time,
          gateway: snapshot.gateway,
          account_time: snapshot.accountTime,
        })
        .onConflict((oc) => oc.columns(["account_id", "taken_at"]).doNothing())
        .returning("id")
        .executeTakeFirst();
      if (!stored) return false;
      const values = uniqueValues(snapshot);
      if (values.length > 0) {
        await trx
          .insertInto("history_value")
          .values(
            values.map((v, ordinal) => ({
              snapshot_id: stored.id,
              ordinal,
              key: v.key,
              currency: v.currency,
              value: v.value,
            })),
          )
          .execute();
      }
      for (let i = 0; i < snapshot.portfolio.length; i += POSITION_CHUNK) {
        const rows = snapshot.portfolio
          .slice(i, i + POSITION_CHUNK)
          .map((item, j) => positionRow(stored.id, i + j, item));
        await trx.insertInto("history_position").values(rows).execute();
      }
      await sql`select pg_notify(${SNAPSHOT_CHANNEL}, ${`${snapshot.account} ${time}`})`.execute(trx);
      return true;
    });
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
      join history_account a on a.id = s.account_id
      where a.code = ${account} and ${where}
      order by s.taken_at desc
      limit ${limit}`.execute(this.store.db);
    return rows.map((r) => toSnapshot(account, r));
  }
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

function positionRow(snapshotId: string, ordinal: number, item: PortfolioItem) {
  const c = item.contract ?? create(ContractSchema);
  return {
    snapshot_id: snapshotId,
    ordinal,
    con_id: c.conId ?? null,
    symbol: c.symbol,
    sec_type: c.secType,
    last_trade_date_or_contract_month: c.lastTradeDateOrContractMonth,
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
