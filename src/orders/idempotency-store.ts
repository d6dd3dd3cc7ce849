import type { Code } from "@connectrpc/connect";
import { type ColumnType, type Kysely, sql } from "kysely";
import type { Database } from "../store/index.js";

/**
 * The idempotency keys of PlaceOrder in the database (table order_idempotency, migration 0002). The table belongs to
 * the orders feature, so it is declared here and added to the store's Kysely with `withTables`.
 */
export interface OrderIdempotencyTable {
  scope: string;
  account: string;
  idempotency_key: string;
  digest: string;
  state: IdempotencyState;
  gateway: string;
  order_id: number;
  order_ref_tag: string;
  owner: string;
  perm_id: ColumnType<string | null, string | null | undefined, string | null>;
  response: ColumnType<Uint8Array | null, Uint8Array | null | undefined, Uint8Array | null>;
  error_code: number | null;
  ib_code: number | null;
  error_message: string | null;
  created_at: ColumnType<string, string | undefined, string>;
  updated_at: ColumnType<string, string | undefined, string>;
  expires_at: ColumnType<string, string, string>;
}

export type IdempotencyState = "pending" | "placed" | "rejected";

type OrdersTables = {
  order_idempotency: OrderIdempotencyTable;
};

/** What identifies a key: the caller's scope (token id or ''), the account, the key itself. */
export interface KeyScope {
  scope: string;
  account: string;
  key: string;
}

/** One key as stored. */
export interface IdempotencyRecord extends KeyScope {
  digest: string;
  state: IdempotencyState;
  gateway: string;
  orderId: number;
  orderRefTag: string;
  owner: string;
  permId: string | undefined;
  /** 'placed': the acknowledgement, a PlaceOrderResponse in protobuf binary. */
  response: Uint8Array | undefined;
  /** 'rejected': what the call failed with. */
  error: StoredError | undefined;
  createdAt: Date;
}

export interface StoredError {
  code: Code;
  ibCode: number | undefined;
  message: string;
}

/** A new key, written before the order is sent. */
export interface PendingKey extends KeyScope {
  digest: string;
  gateway: string;
  orderId: number;
  orderRefTag: string;
  owner: string;
}

/** How long a key is remembered at least (the contract says 24 h; two days cover a retry across a weekend night). */
export const DEFAULT_KEY_TTL_MS = 48 * 3_600_000;

/**
 * Reads and writes idempotency keys. Every write is one statement, so it is atomic on PGlite and PostgreSQL alike;
 * the primary key (scope, account, key) makes concurrent first calls race on one INSERT that only one can win.
 */
export class IdempotencyStore {
  private readonly db: Kysely<Database & OrdersTables>;

  constructor(
    db: Kysely<Database>,
    private readonly ttlMs = DEFAULT_KEY_TTL_MS,
  ) {
    this.db = db.withTables<OrdersTables>();
  }

  async find(k: KeyScope): Promise<IdempotencyRecord | undefined> {
    const row = await this.db
      .selectFrom("order_idempotency")
      .selectAll()
      .select(sql<string>`to_char(created_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`.as("created_iso"))
      .where("scope", "=", k.scope)
      .where("account", "=", k.account)
      .where("idempotency_key", "=", k.key)
      .where(sql<boolean>`expires_at > now()`)
      .executeTakeFirst();
    return row ? toRecord(row as OrderIdempotencyRow & { created_iso: string }) : undefined;
  }

  /**
   * Writes a new pending key. Returns true when this call wrote it; false when the key already existed (a concurrent
   * or earlier call owns it: read it with {@link find}). An expired row with the same key is replaced.
   */
  async claim(p: PendingKey): Promise<boolean> {
    const expiresAt = new Date(Date.now() + this.ttlMs).toISOString();
    const inserted = await this.db
      .insertInto("order_idempotency")
      .values({
        scope: p.scope,
        account: p.account,
        idempotency_key: p.key,
        digest: p.digest,
        state: "pending",
        gateway: p.gateway,
        order_id: p.orderId,
        order_ref_tag: p.orderRefTag,
        owner: p.owner,
        expires_at: expiresAt,
      })
      .onConflict((oc) =>
        oc
          .columns(["scope", "account", "idempotency_key"])
          .doUpdateSet({
            digest: p.digest,
            state: "pending",
            gateway: p.gateway,
            order_id: p.orderId,
            order_ref_tag: p.orderRefTag,
            owner: p.owner,
            perm_id: null,
            response: null,
            error_code: null,
            ib_code: null,
            error_message: null,
            created_at: sql<string>`now()`,
            updated_at: sql<string>`now()`,
            expires_at: expiresAt,
          })
          .where(sql<boolean>`order_idempotency.expires_at <= now()`),
      )
      .returning("order_id")
      .executeTakeFirst();
    return inserted !== undefined;
  }

  /** The order was acknowledged: stores the answer a retry replays. */
  async markPlaced(k: KeyScope, response: Uint8Array, permId: string | undefined): Promise<void> {
    await this.update(k, { state: "placed", response, perm_id: permId ?? null });
  }

  /** IB refused the order: a retry answers the same refusal, it does not place again. */
  async markRejected(k: KeyScope, error: StoredError): Promise<void> {
    await this.update(k, {
      state: "rejected",
      error_code: error.code,
      ib_code: error.ibCode ?? null,
      error_message: error.message,
    });
  }

  /** A pending row reconciled into another process's hands (or a new attempt): the row is ours now. */
  async takeOver(k: KeyScope, owner: string, orderId: number): Promise<boolean> {
    const res = await this.db
      .updateTable("order_idempotency")
      .set({ owner, order_id: orderId, updated_at: sql<string>`now()` })
      .where("scope", "=", k.scope)
      .where("account", "=", k.account)
      .where("idempotency_key", "=", k.key)
      .where("state", "=", "pending")
      .executeTakeFirst();
    return Number(res.numUpdatedRows) === 1;
  }

  /** Nothing reached IB (the gateway was down, the call was refused before sending): the key is free again. */
  async release(k: KeyScope, owner: string): Promise<void> {
    await this.db
      .deleteFrom("order_idempotency")
      .where("scope", "=", k.scope)
      .where("account", "=", k.account)
      .where("idempotency_key", "=", k.key)
      .where("state", "=", "pending")
      .where("owner", "=", owner)
      .execute();
  }

  /** The largest order id recorded for `gateway`, so a restarted ibrpc allocates above it. */
  async maxOrderId(gateway: string): Promise<number | undefined> {
    const row = await this.db
      .selectFrom("order_idempotency")
      .select((eb) => eb.fn.max("order_id").as("max"))
      .where("gateway", "=", gateway)
      .executeTakeFirst();
    return row?.max == null ? undefined : Number(row.max);
  }

  /** Deletes expired keys; returns how many. */
  async purgeExpired(): Promise<number> {
    const res = await this.db
      .deleteFrom("order_idempotency")
      .where(sql<boolean>`expires_at <= now()`)
      .executeTakeFirst();
    return Number(res.numDeletedRows);
  }

  private async update(k: KeyScope, set: Partial<Record<keyof OrderIdempotencyTable, unknown>>): Promise<void> {
    await this.db
      .updateTable("order_idempotency")
      .set({ ...(set as object), updated_at: sql<string>`now()` })
      .where("scope", "=", k.scope)
      .where("account", "=", k.account)
      .where("idempotency_key", "=", k.key)
      .execute();
  }
}

type OrderIdempotencyRow = {
  [K in keyof OrderIdempotencyTable]: OrderIdempotencyTable[K] extends ColumnType<infer S, unknown, unknown>
    ? S
    : OrderIdempotencyTable[K];
};

function toRecord(row: OrderIdempotencyRow & { created_iso: string }): IdempotencyRecord {
  return {
    scope: row.scope,
    account: row.account,
    key: row.idempotency_key,
    digest: row.digest,
    state: row.state,
    gateway: row.gateway,
    orderId: row.order_id,
    orderRefTag: row.order_ref_tag,
    owner: row.owner,
    permId: row.perm_id ?? undefined,
    response: row.response ? new Uint8Array(row.response) : undefined,
    error:
      row.state === "rejected"
        ? { code: (row.error_code ?? 2) as Code, ibCode: row.ib_code ?? undefined, message: row.error_message ?? "" }
        : undefined,
    createdAt: new Date(row.created_iso),
  };
}
