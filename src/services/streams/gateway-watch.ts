import { create } from "@bufbuild/protobuf";
import { Code, ConnectError, type HandlerContext } from "@connectrpc/connect";
import {
  GatewayNoticeSchema,
  type WatchGatewaysRequest,
  type WatchGatewaysResponse,
  WatchGatewaysResponseSchema,
} from "../../../gen/ibrpc/v1/connection_pb.js";
import type { GatewayPool } from "../../gateway/gateway-pool.js";
import { Broadcast } from "../../hub/broadcast.js";
import { ibMessageFromNotice } from "../../hub/gap.js";
import type { ServiceDeps } from "../call-context.js";
import { toGateway } from "../connection-service.js";

/** One broadcast of gateway states and notices per pool, however many watchers. */
const broadcasts = new WeakMap<GatewayPool, Broadcast<WatchGatewaysResponse>>();

/** Unread notices a watcher may have before it is ended (states conflate per gateway and never count twice). */
const WATCH_CAPACITY = 1_000;

function gatewayBroadcast(deps: ServiceDeps): Broadcast<WatchGatewaysResponse> {
  let broadcast = broadcasts.get(deps.pool);
  if (broadcast) return broadcast;
  const pool = deps.pool;
  const state = (snapshot: Parameters<typeof toGateway>[0]) =>
    create(WatchGatewaysResponseSchema, { event: { case: "gateway", value: toGateway(snapshot) } });
  const created = new Broadcast<WatchGatewaysResponse>({
    capacity: WATCH_CAPACITY,
    spec: {
      key: "gateways",
      kind: "gateways",
      describe: "gateway updates",
      // A slow watcher gets each gateway's latest state (slot per gateway); notices are never dropped.
      model: () => ({
        onEvent: () => {},
        snapshot: () => pool.gateways.map((g) => ({ message: state(g.snapshot()), slot: `gateway:${g.name}` })),
        reset: () => {},
      }),
      gap: () => create(WatchGatewaysResponseSchema),
      missed: "",
      overflow: "cut",
    },
    attach(publish) {
      const onChange = (s: Parameters<typeof toGateway>[0]) => publish(state(s), `gateway:${s.name}`);
      const onNotice = (gateway: string, n: Parameters<typeof ibMessageFromNotice>[0]) =>
        publish(
          create(WatchGatewaysResponseSchema, {
            event: { case: "notice", value: create(GatewayNoticeSchema, { gateway, message: ibMessageFromNotice(n) }) },
          }),
        );
      pool.on("change", onChange);
      pool.on("notice", onNotice);
      return () => {
        pool.off("change", onChange);
        pool.off("notice", onNotice);
      };
    },
  });
  const onShutdown = () => created.end(new ConnectError("server is shutting down", Code.Unavailable));
  if (deps.shutdown.aborted) onShutdown();
  else deps.shutdown.addEventListener("abort", onShutdown, { once: true });
  broadcasts.set(pool, created);
  broadcast = created;
  return broadcast;
}

/**
 * ConnectionService.WatchGateways on the hub's fan-out: every gateway's state first, then each change and notice.
 * One pool listener serves every watcher; a watcher that stops reading gets the latest state per gateway and is
 * ended (RESOURCE_EXHAUSTED) only if it falls 1,000 notices behind.
 */
export function watchGateways(deps: ServiceDeps) {
  return {
    watchGateways(_req: WatchGatewaysRequest, ctx: HandlerContext): AsyncGenerator<WatchGatewaysResponse> {
      return gatewayBroadcast(deps).subscribe(ctx.signal);
    },
  };
}
