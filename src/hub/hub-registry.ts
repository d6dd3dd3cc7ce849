import type { GatewayConnection } from "../gateway/gateway-connection.js";
import { Hub, type HubOptions } from "./hub.js";

/**
 * One hub per gateway connection, made on first use: services reach it with `hubFor(gw, options)` and no other
 * module has to thread it through. The options of the first call win (they come from the same ServiceDeps).
 */
const hubs = new WeakMap<GatewayConnection, Hub>();

export function hubFor(gw: GatewayConnection, options: HubOptions = {}): Hub {
  let hub = hubs.get(gw);
  if (!hub) {
    hub = new Hub(gw, options);
    hubs.set(gw, hub);
  }
  return hub;
}

/** The hub of `gw` if one was made (tests and status pages look without creating one). */
export function existingHub(gw: GatewayConnection): Hub | undefined {
  return hubs.get(gw);
}
