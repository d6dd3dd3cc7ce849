import { createClient } from "@connectrpc/connect";
import { afterEach, describe, expect, it } from "vitest";
import { ConnectionService, GatewayState, type WatchGatewaysResponse } from "../../gen/ibrpc/v1/connection_pb.js";
import { StreamReader } from "../hub/harness.js";
import { type StreamsBench, startStreamsBench } from "./harness.js";

let bench: StreamsBench | undefined;
const controllers: AbortController[] = [];

afterEach(async () => {
  for (const c of controllers.splice(0)) c.abort();
  await bench?.close();
  bench = undefined;
});

const stateOf = (m: WatchGatewaysResponse) => (m.event.case === "gateway" ? m.event.value.state : undefined);

describe("WatchGateways on the hub's fan-out", () => {
  it("serves 20 watchers from one pool listener: each gets the state, then the drop and the recovery", async () => {
    bench = await startStreamsBench();
    const warnings: Error[] = [];
    const onWarning = (w: Error) => warnings.push(w);
    process.on("warning", onWarning);
    try {
      const client = createClient(ConnectionService, bench.grpc);
      const readers = Array.from({ length: 20 }, () => {
        const controller = new AbortController();
        controllers.push(controller);
        return new StreamReader(client.watchGateways({}, { signal: controller.signal }));
      });
      await Promise.all(readers.map((r) => r.until((m) => stateOf(m) === GatewayState.READY, "READY")));
      // One listener serves every watcher: ten more watchers add none.
      const listeners = bench.app.pool.listenerCount("change");
      const more = Array.from({ length: 10 }, () => {
        const controller = new AbortController();
        controllers.push(controller);
        return new StreamReader(client.watchGateways({}, { signal: controller.signal }));
      });
      await Promise.all(more.map((r) => r.until((m) => stateOf(m) === GatewayState.READY, "READY")));
      expect(bench.app.pool.listenerCount("change")).toBe(listeners);
      const marks = readers.map((r) => r.mark);
      bench.market.sim.dropConnections();
      for (const [i, r] of readers.entries()) {
        await r.until((m) => stateOf(m) === GatewayState.DISCONNECTED, "DISCONNECTED", { from: marks[i] });
        await r.until((m) => stateOf(m) === GatewayState.READY, "READY again", { from: marks[i] });
      }
      expect(warnings.filter((w) => w.name === "MaxListenersExceededWarning")).toEqual([]);
    } finally {
      process.off("warning", onWarning);
    }
  });

  it("removes its pool listener when the last watcher leaves", async () => {
    bench = await startStreamsBench();
    const before = bench.app.pool.listenerCount("notice");
    const client = createClient(ConnectionService, bench.connect);
    const controller = new AbortController();
    const reader = new StreamReader(client.watchGateways({}, { signal: controller.signal }));
    await reader.until((m) => stateOf(m) === GatewayState.READY, "READY");
    expect(bench.app.pool.listenerCount("notice")).toBe(before + 1);
    controller.abort();
    await reader.ending("the watch ends");
    const pool = bench.app.pool;
    await expect.poll(() => pool.listenerCount("notice"), { timeout: 5_000 }).toBe(before);
  });
});
