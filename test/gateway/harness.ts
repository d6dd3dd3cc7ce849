import { createServer, type Server, type Socket } from "node:net";
import { EventName, IBApi } from "@stoqey/ib";
import { pino } from "pino";
import { afterEach } from "vitest";
import { GatewayState } from "../../gen/ibrpc/v1/connection_pb.js";
import { GatewayConnection, type GatewayConnectionOptions } from "../../src/gateway/gateway-connection.js";
import { encodeFrame, FrameReader, Simulator, type SimulatorOptions } from "../../src/sim/index.js";
import { reach } from "../support/gateway-state.js";
import { withTimeout } from "../support/wait.js";

export { reach };

/** Shared set-up of the gateway tests: a simulator over real TCP, a GatewayConnection (real IBApi) to it. */

export const logger = pino({ level: "silent" });
export const FAST_BACKOFF = { initialMs: 50, maxMs: 200, factor: 2, jitter: 0 };

const cleanups: Array<() => Promise<unknown> | unknown> = [];

/** Runs after the current test, last registered first. */
export function onCleanup(fn: () => Promise<unknown> | unknown): void {
  cleanups.push(fn);
}

afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

export async function startSim(opts: Partial<SimulatorOptions> = {}): Promise<Simulator> {
  const sim = new Simulator({ port: 0, logger, ...opts });
  await sim.start();
  onCleanup(() => sim.stop());
  return sim;
}

export function connectTo(
  port: number,
  opts: Partial<Omit<GatewayConnectionOptions, "endpoint">> = {},
): GatewayConnection {
  const conn = new GatewayConnection({
    endpoint: { name: "test", host: "127.0.0.1", port },
    baseClientId: 100,
    logger,
    backoff: FAST_BACKOFF,
    ...opts,
  });
  onCleanup(() => conn.close());
  conn.start();
  return conn;
}

/** A simulator and a READY connection to it. */
export async function readyGateway(
  simOpts: Partial<SimulatorOptions> = {},
  connOpts: Partial<Omit<GatewayConnectionOptions, "endpoint">> = {},
): Promise<{ sim: Simulator; conn: GatewayConnection }> {
  const sim = await startSim(simOpts);
  const conn = connectTo(sim.address?.port as number, connOpts);
  await reach(conn, GatewayState.READY);
  return { sim, conn };
}

/**
 * Other IB clients holding every client id of a span (`base` .. `base + count - 1`) on the gateway at `port`, each
 * connected (nextValidId) before this resolves; they disconnect after the test. ibrpc's connection then meets 326.
 */
export async function squatClientIds(port: number, base: number, count = 32): Promise<void> {
  await Promise.all(
    Array.from({ length: count }, (_, i) => {
      const squatter = new IBApi({ host: "127.0.0.1", port });
      const ready = new Promise((r) => squatter.once(EventName.nextValidId, r));
      squatter.connect(base + i);
      onCleanup(() => squatter.disconnect());
      return withTimeout(ready, `squatter ${base + i}`);
    }),
  );
}

/**
 * A TCP peer that speaks just the TWS handshake (server version 193) and hands every later frame to `onFrame`: for the
 * few behaviours the simulator does not reproduce on purpose (a gateway that hangs, or sends nextValidId before
 * managedAccounts, as IB Gateway may).
 */
export async function fakeGateway(
  onFrame: (fields: string[], socket: Socket) => void,
): Promise<{ port: number; connections: () => number }> {
  let connections = 0;
  const server: Server = createServer((socket) => {
    connections++;
    const reader = new FrameReader(
      {
        onHandshake: () => socket.write(encodeFrame(["193", "20250102 14:30:00 UTC"])),
        onFrame: (fields) => onFrame(fields, socket),
        onCorrupt: () => socket.destroy(),
      },
      { expectHandshake: true },
    );
    socket.on("data", (chunk) => reader.push(chunk));
    socket.on("error", () => {});
    onCleanup(() => socket.destroy());
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  onCleanup(() => new Promise((r) => server.close(r)));
  return { port: (server.address() as { port: number }).port, connections: () => connections };
}

/** IB message ids the fake gateway reads and writes. */
export const WIRE = { startApi: "71", reqManagedAccts: "17", managedAccounts: "15", nextValidId: "9" } as const;
