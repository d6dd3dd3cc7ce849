import { GatewayState } from "../../gen/ibrpc/v1/connection_pb.js";
import type { GatewaySnapshot } from "../gateway/gateway-connection.js";
import { ServingStatus } from "./health.js";

/**
 * Whether a gateway can answer calls, as health checks (load balancers) should see it: READY can; a 1100 outage
 * (IB_DISCONNECTED, "connectivity between IB and TWS lost") cannot until its 1101 / 1102. A farm-level warning such as
 * 2110 leaves the gateway READY (TWS keeps answering; gateway-connection.ts keeps it as lastError only).
 */
export function gatewayServes(g: Pick<GatewaySnapshot, "state">): boolean {
  return g.state === GatewayState.READY;
}

/** SERVING while any gateway serves. */
export function servingStatusOf(gateways: readonly Pick<GatewaySnapshot, "state">[]): ServingStatus {
  return gateways.some(gatewayServes) ? ServingStatus.SERVING : ServingStatus.NOT_SERVING;
}
