import type { GatewayConnection } from "../gateway/gateway-connection.js";
import type { GatewayPool } from "../gateway/gateway-pool.js";
import type { Store } from "../store/index.js";
import type { AuditLog } from "./audit-log.js";
import { IdempotencyStore } from "./idempotency-store.js";
import { OrderDesk } from "./order-desk.js";
import { OrderPlacer } from "./order-placer.js";

export interface OrdersOptions {
  pool: GatewayPool;
  /** The store (resolves once it is open; PlaceOrder answers UNAVAILABLE until then). */
  store: () => Promise<Pick<Store, "db" | "engine">>;
  audit: AuditLog;
  /** See OrderPlacerOptions. */
  ackTimeoutMs?: number;
  foreignLeaseMs?: number;
}

/**
 * The orders feature of one ibrpc process: an order desk per gateway (created with the app, so each desk's book and
 * allocator follow their connection from its first event), and the placer with its idempotency store.
 */
export class Orders {
  readonly audit: AuditLog;
  private readonly desks = new Map<string, OrderDesk>();
  private placerReady: Promise<OrderPlacer> | undefined;
  private readonly purgeTimer: NodeJS.Timeout;

  constructor(private readonly opts: OrdersOptions) {
    this.audit = opts.audit;
    for (const gateway of opts.pool.gateways) this.desks.set(gateway.name, new OrderDesk(gateway));
    // Expired keys go hourly; the first purge runs when the store opens (see placer()).
    this.purgeTimer = setInterval(() => void this.purge(), 3_600_000);
    this.purgeTimer.unref();
  }

  desk(gateway: GatewayConnection): OrderDesk {
    const desk = this.desks.get(gateway.name);
    if (!desk) throw new Error(`no order desk for gateway ${gateway.name}`);
    return desk;
  }

  /**
   * The placer, once the database is open. Before the first placement, every allocator is raised above the order
   * ids recorded in the database: ids stay unique across an ibrpc restart even if IB's nextValidId were behind.
   */
  placer(): Promise<OrderPlacer> {
    this.placerReady ??= (async () => {
      const opened = await this.opts.store();
      const store = new IdempotencyStore(opened.db);
      for (const desk of this.desks.values()) {
        const max = await store.maxOrderId(desk.name);
        if (max !== undefined) desk.allocator.saw(max);
      }
      void store.purgeExpired().catch(() => {});
      return new OrderPlacer({
        store,
        audit: this.opts.audit,
        ackTimeoutMs: this.opts.ackTimeoutMs,
        // Embedded PGlite is one process per DATA_DIR (a lock file): another owner's pending key is a dead process's.
        foreignLeaseMs: opened.engine === "pglite" ? 0 : this.opts.foreignLeaseMs,
      });
    })();
    // A failed open is retried by the next call, not remembered forever.
    this.placerReady.catch(() => {
      this.placerReady = undefined;
    });
    return this.placerReady;
  }

  close(): void {
    clearInterval(this.purgeTimer);
    for (const desk of this.desks.values()) desk.dispose();
  }

  private async purge(): Promise<void> {
    if (!this.placerReady) return;
    const placer = await this.placerReady.catch(() => undefined);
    await placer?.purgeExpired().catch(() => {});
  }
}
