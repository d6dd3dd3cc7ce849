import type { Contract } from "../../gen/ibrpc/v1/common_pb.js";

/**
 * A contract's identity as a hub key part: two requests for the same instrument share one IB subscription whatever
 * the case of their symbols or the order of their fields. IB matches symbols, exchanges and currencies without
 * regard to case; the first request's own contract is the one sent.
 */
export function contractKey(c: Contract): string {
  const up = (s: string) => s.trim().toUpperCase();
  const legs = c.comboLegs.map((l) => `${l.conId}:${l.ratio}:${up(l.action)}:${up(l.exchange)}`).join("+");
  return [
    c.conId ?? 0,
    up(c.symbol),
    up(c.secType),
    c.lastTradeDateOrContractMonth.trim(),
    c.strike ?? "",
    up(c.right),
    c.multiplier.trim(),
    up(c.exchange),
    up(c.primaryExch),
    up(c.currency),
    c.localSymbol.trim(),
    c.tradingClass.trim(),
    up(c.secIdType),
    c.secId.trim(),
    legs,
  ].join("|");
}

/** A contract for people: "AAPL STK SMART USD", or its conId when it has no symbol. */
export function describeContract(c: Contract): string {
  const name = c.localSymbol || c.symbol || (c.conId ? `conId ${c.conId}` : "contract");
  return [name, c.secType, c.exchange, c.currency].filter((s) => s).join(" ");
}
