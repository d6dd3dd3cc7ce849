import { GatewayState } from "../../gen/ibrpc/v1/connection_pb.js";
import { GatewayConnection } from "../../src/gateway/gateway-connection.js";
import { Simulator, type SimulatorOptions } from "../../src/sim/index.js";
import { testLogger } from "../sim/helpers.js";
import { reach } from "../support/gateway-state.js";

export { reach };

/** A simulator and one real GatewayConnection to it, torn down by {@link stop}. */
export class GatewayHarness {
  readonly sim: Simulator;
  gateway: GatewayConnection | undefined;

  constructor(options: SimulatorOptions = {}) {
    this.sim = new Simulator({ seed: 42, logger: testLogger, ...options });
  }

  /** Connects to the simulator, or to `port` (a proxy in front of it). */
  async connect(baseClientId = 100, port?: number): Promise<GatewayConnection> {
    const address = await this.sim.start();
    const gateway = new GatewayConnection({
      endpoint: { name: "sim", host: "127.0.0.1", port: port ?? address.port },
      baseClientId,
      logger: testLogger,
      backoff: { initialMs: 20, maxMs: 100, factor: 2, jitter: 0 },
    });
    this.gateway = gateway;
    gateway.start();
    await reach(gateway, GatewayState.READY);
    return gateway;
  }

  async stop(): Promise<void> {
    await this.gateway?.close();
    await this.sim.stop();
  }
}
