import { GatewayState } from "../../gen/ibrpc/v1/connection_pb.js";
import type { GatewayPool } from "../gateway/gateway-pool.js";
import { metrics } from "./registry.js";

const STATES = Object.entries(GatewayState).filter(([, v]) => typeof v === "number") as [string, GatewayState][];

/**
 * Keeps ibrpc_gateway_state and ibrpc_gateway_reconnects_total in step with the pool: every state a gateway enters
 * after its first connection attempt that is CONNECTING counts as a reconnect. Returns the unsubscribe function.
 */
export function observeGateways(pool: GatewayPool): () => void {
  const last = new Map<string, GatewayState>();
  const connected = new Set<string>();
  const update = () => {
    for (const g of pool.gateways) {
      const { name, state } = g.snapshot();
      if (last.get(name) === state) continue;
      last.set(name, state);
      for (const [label, value] of STATES)
        metrics.gatewayState.set({ gateway: name, state: label }, value === state ? 1 : 0);
      if (state === GatewayState.CONNECTING) {
        if (connected.has(name)) metrics.gatewayReconnects.inc({ gateway: name });
        connected.add(name);
      }
    }
  };
  update();
  pool.on("change", update);
  return () => pool.off("change", update);
}
