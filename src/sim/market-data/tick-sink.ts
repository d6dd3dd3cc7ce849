import type { MessageLayout, MessageValues } from "../wire/layout.js";

/** Where market data engines write: a ClientSession in the simulator, a counter in benchmarks. */
export interface TickSink {
  send<L extends MessageLayout>(layout: L, values: MessageValues<L>): void;
}
