import { depthHandlers } from "./depth.js";
import { historicalDataHandlers } from "./historical.js";
import { historicalSummaryHandlers } from "./historical-summary.js";
import { historicalTickHandlers } from "./historical-ticks.js";
import { marketDataHandlers } from "./market-data.js";
import { realTimeBarHandlers } from "./realtime-bars.js";
import type { RequestHandler } from "./registry.js";
import { tickByTickHandlers } from "./tick-by-tick.js";

/** Everything priced off the world's walk: market data lines, depth, tick-by-tick, real-time and historical data. */
export const marketHandlers: readonly RequestHandler[] = [
  ...marketDataHandlers,
  ...depthHandlers,
  ...tickByTickHandlers,
  ...realTimeBarHandlers,
  ...historicalDataHandlers,
  ...historicalTickHandlers,
  ...historicalSummaryHandlers,
];
