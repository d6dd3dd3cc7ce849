import type { Logger } from "pino";
import type { Clock } from "./clock.js";
import type { OrderIdBook } from "./order-ids.js";

/** Simulator-wide state every handler may use. Everything that varies between runs comes from here. */
export interface SimulatorContext {
  readonly clock: Clock;
  /** Seeded; the only randomness handlers may use. */
  readonly random: () => number;
  /** The --seed, for data keyed by what it describes (an article, a company) rather than drawn in request order. */
  readonly seed: number;
  readonly accounts: readonly string[];
  readonly orderIds: OrderIdBook;
  readonly logger: Logger;
}
