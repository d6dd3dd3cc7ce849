import type { HandlerContext } from "@connectrpc/connect";
import type { GatewayConnection } from "../gateway/gateway-connection.js";
import { gatewayFor, type ServiceDeps, withCallDeadline } from "./call-context.js";

/**
 * The shape of most unary RPCs: pick the call's gateway, then run the IB exchange (a correlator gather, usually)
 * within the call's deadline. `request` and `end` name what was missing in a DEADLINE_EXCEEDED the correlator does not
 * restate itself (e.g. a wait before the request was even sent).
 */
export function onGateway<T>(
  deps: ServiceDeps,
  ctx: HandlerContext,
  request: string,
  end: string,
  work: (gw: GatewayConnection, signal: AbortSignal) => Promise<T>,
): Promise<T> {
  const gw = gatewayFor(deps, ctx);
  return withCallDeadline(
    deps,
    ctx,
    () => `${request}: no ${end} from gateway ${gw.name}`,
    (signal) => work(gw, signal),
  );
}
