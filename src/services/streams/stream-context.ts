import type { HandlerContext } from "@connectrpc/connect";
import type { GatewayConnection } from "../../gateway/gateway-connection.js";
import type { FeedSpec } from "../../hub/feed-spec.js";
import type { Hub } from "../../hub/hub.js";
import { hubMetrics } from "../../hub/hub-metrics.js";
import { hubFor } from "../../hub/hub-registry.js";
import type { ServiceDeps } from "../call-context.js";

const observer = hubMetrics();

/** The hub of `gw`, made on first use with the application's shutdown signal and metrics. */
export function hubOf(deps: ServiceDeps, gw: GatewayConnection): Hub {
  return hubFor(gw, { shutdown: deps.shutdown, observer, limits: deps.ibLimits });
}

/** A streaming call's messages: the feed of `spec` on `gw`'s hub, until the client cancels. */
export function streamOf<M>(
  deps: ServiceDeps,
  ctx: HandlerContext,
  gw: GatewayConnection,
  spec: FeedSpec<M>,
  options?: { withState?: boolean },
): AsyncGenerator<M> {
  return hubOf(deps, gw).subscribe(spec, ctx.signal, options);
}
