import { create, type MessageInitShape } from "@bufbuild/protobuf";
import { pino } from "pino";
import { ContractSchema } from "../../gen/ibrpc/v1/common_pb.js";
import {
  OrderSchema,
  OrderWait,
  type PlaceOrderRequest,
  PlaceOrderRequestSchema,
} from "../../gen/ibrpc/v1/order_pb.js";
import { deadlineSignal } from "../../src/gateway/deadline.js";
import { AuditLog } from "../../src/orders/audit-log.js";
import { IdempotencyStore } from "../../src/orders/idempotency-store.js";
import { OrderDesk } from "../../src/orders/order-desk.js";
import { OrderPlacer, type OrderPlacerOptions } from "../../src/orders/order-placer.js";
import type { SimulatorOptions } from "../../src/sim/index.js";
import type { Engine, Store } from "../../src/store/index.js";
import { createTestDatabase, type TestDatabase } from "../store/test-databases.js";
import { GatewayHarness } from "./gateway-harness.js";

export const ACCOUNT = "DU1000002";
export const AAPL_CONID = 265598;
export const OPEN_CALLER = { scope: "", who: "anonymous" };

/** A PlaceOrder request for AAPL (MKT BUY 5 in ACCOUNT unless `extra` says otherwise). */
export function placeRequest(
  extra: MessageInitShape<typeof OrderSchema> = {},
  key = "k1",
  waitFor = OrderWait.UNSPECIFIED,
): PlaceOrderRequest {
  return create(PlaceOrderRequestSchema, {
    contract: create(ContractSchema, { symbol: "AAPL", secType: "STK", exchange: "SMART", currency: "USD" }),
    order: create(OrderSchema, { action: "BUY", orderType: "MKT", totalQuantity: "5", account: ACCOUNT, ...extra }),
    idempotencyKey: key,
    waitFor,
  });
}

export function deadline(ms = 10_000): AbortSignal {
  return deadlineSignal({ timeoutMs: ms }, () => "test deadline");
}

/** The simulator, a real gateway connection, an order desk on it and a placer with its keys in a real database. */
export class PlacerHarness {
  readonly gateway: GatewayHarness;
  readonly audited: Record<string, unknown>[] = [];
  desk!: OrderDesk;
  placer!: OrderPlacer;
  store!: Store;
  private tdb!: TestDatabase;

  constructor(simOptions: SimulatorOptions = {}) {
    this.gateway = new GatewayHarness(simOptions);
  }

  async start(engine: Engine, opts: Partial<OrderPlacerOptions> = {}, port?: number): Promise<this> {
    this.tdb = await createTestDatabase(engine);
    this.store = await this.tdb.open();
    const connection = await this.gateway.connect(100, port);
    this.desk = new OrderDesk(connection);
    const auditLogger = pino({ level: "info" }, { write: (line: string) => this.audited.push(JSON.parse(line)) });
    this.placer = new OrderPlacer({
      store: new IdempotencyStore(this.store.db),
      audit: new AuditLog(auditLogger),
      ...opts,
    });
    return this;
  }

  /** Shares of AAPL the simulator's ledger holds for ACCOUNT. */
  held(): number {
    return this.gateway.sim.world.ledger.positions(ACCOUNT).find((p) => p.conId === AAPL_CONID)?.quantity ?? 0;
  }

  async stop(): Promise<void> {
    this.desk?.dispose();
    await this.gateway.stop();
    await this.store?.close();
    await this.tdb?.drop();
  }
}
