import { EventEmitter } from "node:events";
import { Code, ConnectError } from "@connectrpc/connect";
import {
  GatewayConnection,
  type GatewayConnectionOptions,
  type GatewayEndpoint,
  type GatewaySnapshot,
  type IbNotice,
} from "./gateway-connection.js";

/** The request metadata that names the gateway a call is for. */
export const GATEWAY_HEADER = "ib-gateway";

interface PoolEvents {
  change: [GatewaySnapshot];
  notice: [string, IbNotice];
}

export interface GatewayPoolOptions extends Omit<GatewayConnectionOptions, "endpoint"> {
  endpoints: readonly GatewayEndpoint[];
}

/**
 * Every gateway of IB_GW, and the routing rule of DESIGN.md: a request for an account goes to the gateway that
 * manages it; otherwise to the gateway the caller names, or to the only one. Ambiguity is an error, not a guess.
 */
export class GatewayPool extends EventEmitter<PoolEvents> {
  readonly gateways: readonly GatewayConnection[];
  private readonly byName: ReadonlyMap<string, GatewayConnection>;

  constructor(opts: GatewayPoolOptions) {
    super();
    const { endpoints, ...common } = opts;
    this.gateways = endpoints.map((endpoint) => new GatewayConnection({ ...common, endpoint }));
    this.byName = new Map(this.gateways.map((g) => [g.name, g]));
    for (const g of this.gateways) {
      g.on("change", (s) => this.emit("change", s));
      g.on("notice", (n) => this.emit("notice", g.name, n));
    }
  }

  start(): void {
    for (const g of this.gateways) g.start();
  }

  async close(): Promise<void> {
    await Promise.all(this.gateways.map((g) => g.close()));
  }

  /** True while at least one gateway serves requests. */
  get anyReady(): boolean {
    return this.gateways.some((g) => g.isReady);
  }

  /** The gateway a request without an account goes to: the one named (e.g. by `ib-gateway`), or the only one. */
  pick(name?: string | null): GatewayConnection {
    if (name) {
      const g = this.byName.get(name);
      if (!g) {
        throw new ConnectError(
          `unknown gateway "${name}"; configured: ${[...this.byName.keys()].join(", ")}`,
          Code.NotFound,
        );
      }
      return g;
    }
    if (this.gateways.length === 1) return this.gateways[0] as GatewayConnection;
    throw new ConnectError(
      `${this.gateways.length} gateways are configured (${[...this.byName.keys()].join(", ")}): name one with the "${GATEWAY_HEADER}" header`,
      Code.InvalidArgument,
    );
  }

  /** The gateway that manages `account`. A gateway named by the caller must be that one. */
  forAccount(account: string, name?: string | null): GatewayConnection {
    const managing = this.gateways.filter((g) => g.accounts.includes(account));
    if (name) {
      const g = this.pick(name);
      if (!g.accounts.includes(account) && g.isReady) {
        throw new ConnectError(`gateway "${name}" does not manage account ${account}`, Code.NotFound);
      }
      return g;
    }
    if (managing.length === 1) return managing[0] as GatewayConnection;
    if (managing.length > 1) {
      throw new ConnectError(
        `account ${account} is managed by several gateways (${managing.map((g) => g.name).join(", ")}): name one with the "${GATEWAY_HEADER}" header`,
        Code.InvalidArgument,
      );
    }
    if (this.gateways.length === 1) return this.gateways[0] as GatewayConnection;
    if (!this.gateways.every((g) => g.isReady)) {
      throw new ConnectError(
        `account ${account} is not known to any connected gateway (some are down)`,
        Code.Unavailable,
      );
    }
    throw new ConnectError(`account ${account} is not managed by any configured gateway`, Code.NotFound);
  }
}
