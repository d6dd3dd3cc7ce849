/**
 * Preloaded into the benchmarked ibrpc (`node --import loop-lag-probe.js dist/src/main.js serve`): measures the main
 * event loop's delay inside the process under test and answers the bench over the IPC channel, so the figure is the
 * server's own stall, not the bench client's.
 * Messages: "reset" starts a new window; "report" answers { maxMs, p99Ms, meanMs, rssMb } for the window so far.
 */
import { monitorEventLoopDelay } from "node:perf_hooks";

const histogram = monitorEventLoopDelay({ resolution: 10 });
histogram.enable();

process.on("message", (msg: unknown) => {
  if (msg === "reset") {
    histogram.reset();
    return;
  }
  if (msg === "report") {
    process.send?.({
      maxMs: histogram.max / 1e6,
      p99Ms: histogram.percentile(99) / 1e6,
      meanMs: histogram.mean / 1e6,
      rssMb: Math.round(process.memoryUsage().rss / 1e6),
    });
  }
});
// The IPC channel must not keep ibrpc alive after it was told to stop.
process.channel?.unref();
