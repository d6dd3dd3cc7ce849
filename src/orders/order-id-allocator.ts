import { Code, ConnectError } from "@connectrpc/connect";
import { EventName } from "@stoqey/ib";
import { GatewayState } from "../../gen/ibrpc/v1/connection_pb.js";
import type { GatewayConnection, GatewaySnapshot } from "../gateway/gateway-connection.js";
import { FIRST_REQ_ID } from "../gateway/request-correlator.js";

/**
 * Order ids for one gateway connection.
 *
 * IB wants every new order id above every id the client id used before, and answers 103 (duplicate order id)
 * otherwise; an id reused after a reconnect could even modify an older order. So the allocator:
 * - is seeded by nextValidId, which IB sends on every (re)connect, including after a 326 client id change;
 * - never goes down: the next id is above the largest id ever handed out, announced by nextValidId, or seen in an
 *   openOrder / orderStatus (orders placed by TWS or other clients included) or recorded in the database before a
 *   restart ({@link raiseFloor});
 * - refuses to allocate between a disconnect and the next nextValidId (the new session's floor is unknown);
 * - never reaches the correlator's reqId range (from FIRST_REQ_ID): IB reports errors for both through one `id`.
 */
export class OrderIdAllocator {
  /** The smallest id this allocator may hand out next. */
  private next = 1;
  /** True once the current session's nextValidId arrived: only then is `next` known to be above IB's floor. */
  private synced: boolean;
  private readonly unsubscribe: Array<() => void>;
  private readonly onChange = (snapshot: GatewaySnapshot) => {
    if (snapshot.state === GatewayState.DISCONNECTED || snapshot.state === GatewayState.CONNECTING) {
      this.synced = false;
    }
  };

  constructor(private readonly gateway: GatewayConnection) {
    const seeded = gateway.snapshot().nextValidId;
    if (seeded !== undefined) this.raiseFloor(seeded);
    this.synced = seeded !== undefined && gateway.isConnected;
    this.unsubscribe = [
      gateway.events.on(EventName.nextValidId, (e) => {
        this.raiseFloor(e.orderId);
        this.synced = true;
      }),
      gateway.events.on(EventName.openOrder, (e) => this.saw(e.orderId)),
      gateway.events.on(EventName.orderStatus, (e) => this.saw(e.orderId)),
    ];
    gateway.on("change", this.onChange);
  }

  /** The id {@link allocate} would return now (for status pages and tests). */
  peek(): number {
    return this.next;
  }

  /** True while ids can be allocated: the current session's nextValidId has arrived. */
  get isSynced(): boolean {
    return this.synced;
  }

  /**
   * A fresh order id, never handed out before by this allocator and above every id IB reported.
   * UNAVAILABLE while the gateway is between sessions.
   */
  allocate(): number {
    if (!this.synced) {
      throw new ConnectError(
        `gateway ${this.gateway.name} is not connected (order ids are re-synced with IB on reconnect)`,
        Code.Unavailable,
      );
    }
    const id = this.next;
    if (id >= FIRST_REQ_ID) {
      // About a billion orders on one login: IB would not allow it either; never collide with request ids.
      throw new ConnectError(
        `gateway ${this.gateway.name}: order ids exhausted (reached ${id})`,
        Code.ResourceExhausted,
      );
    }
    this.next = id + 1;
    return id;
  }

  /** Keeps the allocator above `id` - 1: the next id is at least `id`. Ids only grow. */
  raiseFloor(id: number): void {
    if (Number.isSafeInteger(id) && id > this.next && id < FIRST_REQ_ID) this.next = id;
  }

  /** Records that IB knows order `id` (ours or another client's): the next id is above it. */
  saw(id: number): void {
    if (Number.isSafeInteger(id) && id > 0) this.raiseFloor(id + 1);
  }

  /** Stops following the connection. */
  dispose(): void {
    for (const off of this.unsubscribe.splice(0)) off();
    this.gateway.off("change", this.onChange);
  }

  /**
   * Asks IB for its floor again (reqIds -> nextValidId), e.g. after IB refused an id as a duplicate (103) because
   * another client or TWS used ids ibrpc has not seen. Resolves once the answer raised the allocator.
   */
  async resync(signal: AbortSignal): Promise<void> {
    await this.gateway.correlator.next({
      request: "reqIds",
      event: EventName.nextValidId,
      send: () => this.gateway.ib.reqIds(1),
      map: () => undefined,
      signal,
    });
  }
}
