import type { Logger } from "pino";
import type { SimClock } from "./clock.js";
import type { ClientSession } from "./handlers/registry.js";
import type { SimulatorLimits } from "./limits/simulator-limits.js";
import type { MarketHours } from "./market-data/market-hours.js";
import type { OrderIdBook } from "./order-ids.js";
import type { AccountStreamPeriods } from "./portfolio/stream-options.js";
import type { World } from "./world/index.js";

/** Simulator-wide state every handler may use. Everything that varies between runs comes from here. */
export interface SimulatorContext {
  /** The only time source: `now()` and timers (a ManualClock in tests). */
  readonly clock: SimClock;
  /** Seeded; the only randomness handlers may use. */
  readonly random: () => number;
  /** The --seed, for data keyed by what it describes (an article, a company) rather than drawn in request order. */
  readonly seed: number;
  readonly accounts: readonly string[];
  readonly orderIds: OrderIdBook;
  /** Instruments, prices and books (see world/index.ts). */
  readonly world: World;
  /** The live trading calendar: in session or not, what a closed market shows, when an order may trade. */
  readonly marketHours: MarketHours;
  /** Every session that completed startApi and is still connected, in connection order (broadcasts, faults). */
  sessions(): Iterable<ClientSession>;
  /** The gateway's limits (message rate, market data lines, depth books, historical pacing). */
  readonly limits: SimulatorLimits;
  /** True between a 1100 and its 1101 / 1102 (SimulatorControl.connectivityLost): clients connecting then learn it. */
  ibConnectivityLost(): boolean;
  /** Refresh periods of account updates, account summary and PnL streams. */
  readonly accountStreams: AccountStreamPeriods;
  readonly logger: Logger;
}
