import type { ExecutionFilterRequest } from "../messages/executions.js";
import type { SimOrder } from "./sim-order.js";

/** One fill, as execDetails and commissionReport report it. */
export interface Execution {
  readonly execId: string;
  readonly order: SimOrder;
  /** Epoch ms on the simulator clock. */
  readonly time: number;
  readonly account: string;
  readonly exchange: string;
  readonly side: "BOT" | "SLD";
  readonly shares: number;
  readonly price: number;
  /** The order's filled quantity and average price after this fill. */
  readonly cumQty: number;
  readonly avgPrice: number;
  readonly commission: number;
  readonly currency: string;
  /** Undefined when the fill only opened or added to a position (TWS sends "unset" then). */
  readonly realizedPnl: number | undefined;
}

/**
 * The login's executions of the session, in time order. reqExecutions sees every client's fills (a trading program
 * reconnecting under another client id still finds its trades); the filter narrows them as TWS's ExecutionFilter does.
 */
export class ExecutionLog {
  private readonly executions: Execution[] = [];

  add(execution: Execution): void {
    this.executions.push(execution);
  }

  get all(): readonly Execution[] {
    return this.executions;
  }

  matching(filter: ExecutionFilterRequest): Execution[] {
    const since = parseFilterTime(filter.time);
    const same = (wanted: string, actual: string) => wanted.trim() === "" || wanted.trim().toUpperCase() === actual;
    return this.executions.filter(
      (execution) =>
        (filter.clientId === undefined || filter.clientId === 0 || filter.clientId === execution.order.clientId) &&
        same(filter.acctCode, execution.account.toUpperCase()) &&
        same(filter.symbol, execution.order.instrument.contract.symbol.toUpperCase()) &&
        same(filter.secType, execution.order.instrument.contract.secType) &&
        same(filter.exchange, execution.exchange.toUpperCase()) &&
        sideMatches(filter.side, execution.side) &&
        (since === undefined || execution.time >= since),
    );
  }
}

/** "BUY" / "SELL" as the filter spells sides, "BOT" / "SLD" as executions do. */
function sideMatches(wanted: string, side: "BOT" | "SLD"): boolean {
  const normalized = wanted.trim().toUpperCase();
  if (normalized === "") return true;
  return side === "BOT" ? normalized === "BUY" || normalized === "BOT" : normalized !== "BUY" && normalized !== "BOT";
}

const FILTER_TIME = /^(\d{4})(\d{2})(\d{2})(?:[- ]+(\d{1,2}):(\d{2})(?::(\d{2}))?)?/;

/** "yyyymmdd-hh:mm:ss" (the documented form), "yyyymmdd hh:mm:ss [zone]" or "yyyymmdd"; read as UTC like the clock. */
export function parseFilterTime(text: string): number | undefined {
  const match = FILTER_TIME.exec(text.trim());
  if (!match) return undefined;
  const [, year, month, day, hour = "0", minute = "0", second = "0"] = match;
  return Date.UTC(Number(year), Number(month) - 1, Number(day), Number(hour), Number(minute), Number(second));
}
