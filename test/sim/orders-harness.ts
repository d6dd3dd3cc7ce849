import { type Contract, EventName, type Order, OrderAction, type OrderType, SecType } from "@stoqey/ib";
import { ManualClock, Simulator } from "../../src/sim/index.js";
import { ACK_MS } from "../../src/sim/orders/order-engine.js";
import { FIXED_NOW, IbClient, type RecordedEvent, testLogger } from "./helpers.js";

/** Shared set-up of the order tests: a simulator on a ManualClock and real IBApi clients. */

export const AAPL_CONID = 265598;
export const AAPL: Contract = { symbol: "AAPL", secType: SecType.STK, exchange: "SMART", currency: "USD" };
export const MSFT: Contract = { symbol: "MSFT", secType: SecType.STK, exchange: "SMART", currency: "USD" };
export const ACCOUNT = "DU1000002";
/** From placement to Submitted: two acknowledgements. */
export const TO_SUBMITTED_MS = 2 * ACK_MS;

export function buy(orderType: OrderType, totalQuantity: number, extra: Partial<Order> = {}): Order {
  return { action: OrderAction.BUY, orderType, totalQuantity, account: ACCOUNT, ...extra };
}

export function sell(orderType: OrderType, totalQuantity: number, extra: Partial<Order> = {}): Order {
  return { action: OrderAction.SELL, orderType, totalQuantity, account: ACCOUNT, ...extra };
}

export class OrdersBench {
  readonly clock = new ManualClock(FIXED_NOW);
  readonly simulator: Simulator;
  private readonly clients: IbClient[] = [];

  constructor(serverVersion: number) {
    this.simulator = new Simulator({ serverVersion, clock: this.clock, logger: testLogger });
  }

  async connect(clientId: number): Promise<IbClient> {
    const { port } = await this.simulator.start();
    const client = new IbClient(port, clientId).connect();
    this.clients.push(client);
    await client.ready();
    return client;
  }

  /** Every client's decode errors (505), for the afterEach check. */
  decodeErrors(): RecordedEvent[] {
    return this.clients.flatMap((client) => client.decodeErrors());
  }

  async stop(): Promise<void> {
    for (const client of this.clients.splice(0)) client.disconnect();
    await this.simulator.stop();
  }
}

/** The statuses `orderId` went through, in order, without repeats of the same status in a row. */
export function statusesOf(client: IbClient, orderId: number, after = 0): string[] {
  const statuses: string[] = [];
  for (const event of client.events.slice(after)) {
    if (event.name !== EventName.orderStatus || event.args[0] !== orderId) continue;
    const status = event.args[1] as string;
    if (statuses.at(-1) !== status) statuses.push(status);
  }
  return statuses;
}

export function waitForStatus(client: IbClient, orderId: number, status: string, after = 0) {
  return client.next(
    EventName.orderStatus,
    `order ${orderId} ${status}`,
    after,
    (args) => args[0] === orderId && args[1] === status,
  );
}

/** Sends reqCurrentTime and waits for it: every frame the simulator sent before the answer has then arrived. */
export async function roundTrip(client: IbClient): Promise<void> {
  const mark = client.mark();
  client.api.reqCurrentTime();
  await client.next(EventName.currentTime, "currentTime round trip", mark);
}

export function eventsNamed(client: IbClient, name: string, after = 0): RecordedEvent[] {
  return client.events.slice(after).filter((event) => event.name === name);
}
