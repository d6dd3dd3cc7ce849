import { GatewayState } from "../../gen/ibrpc/v1/connection_pb.js";
import type { GatewaySnapshot } from "../gateway/gateway-connection.js";
import { ServingStatus } from "./health.js";

/** IB's "connectivity between TWS and server is broken. It will be restored automatically." */
const TWS_SERVER_LINK_BROKEN = 2110;

/**
 * Whether a gateway can answer calls, as health checks (load balancers) should see it. READY can; a 1100 outage
 * (IB_DISCONNECTED after "connectivity between IB and TWS lost") cannot until its 1101 / 1102. A 2110 is a 21xx
 * warning: TWS keeps answering and restores the link on its own, often without a 1102, so a gateway left in
 * IB_DISCONNECTED by it still serves (calls succeed) and health must not stay NOT_SERVING for good.
 */
export function gatewayServes(g: Pick<GatewaySnapshot, "state" | "lastError">): boolean {
  if (g.state === GatewayState.READY) return true;
  return g.state === GatewayState.IB_DISCONNECTED && g.lastError?.code === TWS_SERVER_LINK_BROKEN;
}

/** SERVING while any gateway serves. */
export function servingStatusOf(gateways: readonly Pick<GatewaySnapshot, "state" | "lastError">[]): ServingStatus {
  return gateways.some(gatewayServes) ? ServingStatus.SERVING : ServingStatus.NOT_SERVING;
}
