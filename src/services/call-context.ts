import type { HandlerContext } from "@connectrpc/connect";
import { callTimeoutMs, withDeadline } from "../gateway/deadline.js";
import type { GatewayConnection } from "../gateway/gateway-connection.js";
import { GATEWAY_HEADER, type GatewayPool } from "../gateway/gateway-pool.js";
import type { IbEventMap, IbEventName } from "../gateway/ib-events.js";
import type { AccountHistory } from "../history/account-history.js";
import type { ResourceLimits } from "../hub/resource-budgets.js";
import type { Orders } from "../orders/orders.js";
import { noteGateway } from "../server/call-log.js";

/** What every service needs from the application. */
export interface ServiceDeps {
  pool: GatewayPool;
  /** REQ_TIMEOUT_MS: the deadline of a call whose client set none. */
  requestTimeoutMs: number;
  /** Aborts when the server shuts down: streams end instead of holding the shutdown up. */
  shutdown: AbortSignal;
  /** The account history (AccountHistoryService, ibconnect's REST paths); absent: those answer UNAVAILABLE. */
  history?: AccountHistory;
  /** Order desks, idempotent placement and the audit log (OrderService); absent: orders answer UNAVAILABLE. */
  orders?: Orders;
  /** Budgets of IB's scarce resources for the stream hub (IB_MKT_LINES...); absent: IB's defaults. */
  ibLimits?: Partial<ResourceLimits>;
}

/**
 * The gateway a call without an account goes to (`ib-gateway` header, or the only gateway). The call's log line names
 * it from here on.
 */
export function gatewayFor(deps: ServiceDeps, ctx: HandlerContext): GatewayConnection {
  const gw = deps.pool.pick(ctx.requestHeader.get(GATEWAY_HEADER));
  noteGateway(ctx.values, gw.name);
  return gw;
}

/**
 * The gateway that manages `account` (a gateway named with `ib-gateway` must be that one: GatewayPool.forAccount's
 * rules). The call's log line names it from here on.
 */
export function gatewayForAccount(deps: ServiceDeps, ctx: HandlerContext, account: string): GatewayConnection {
  const gw = deps.pool.forAccount(account, ctx.requestHeader.get(GATEWAY_HEADER));
  noteGateway(ctx.values, gw.name);
  return gw;
}

/**
 * Bounds one unary call's wait on IB by the client's deadline, else REQ_TIMEOUT_MS. `describe` says what was still
 * missing, for the DEADLINE_EXCEEDED message.
 */
export function withCallDeadline<T>(
  deps: ServiceDeps,
  ctx: HandlerContext,
  describe: () => string,
  work: (signal: AbortSignal) => Promise<T>,
): Promise<T> {
  return withDeadline(
    { signal: ctx.signal, timeoutMs: callTimeoutMs(ctx.timeoutMs(), deps.requestTimeoutMs) },
    describe,
    work,
  );
}

/**
 * The unary shape of a request IB answers with one reqId-less callback (reqCurrentTime -> currentTime): picks the
 * gateway, sends, waits for the answer within the call's deadline. Concurrent callers share one request to IB, each
 * with its own `map`.
 */
export async function askGateway<T, E extends IbEventName>(
  deps: ServiceDeps,
  ctx: HandlerContext,
  spec: {
    request: string;
    answer: E;
    send: (gw: GatewayConnection) => void;
    map: (event: IbEventMap[E]) => T;
    /** Identical-request key when it is not just the request name (e.g. "reqMarketRule:26"). */
    share?: string;
    /** Only an answer for which this is true counts (e.g. the marketRule with the asked id). */
    isEnd?: (event: IbEventMap[E]) => boolean;
  },
): Promise<{ gateway: string; value: T }> {
  const gw = gatewayFor(deps, ctx);
  const value = await withCallDeadline(
    deps,
    ctx,
    () => `${spec.request}: no ${spec.answer} from gateway ${gw.name}`,
    (signal) =>
      gw.correlator.next({
        request: spec.request,
        event: spec.answer,
        send: () => spec.send(gw),
        map: spec.map,
        share: spec.share,
        isEnd: spec.isEnd,
        signal,
      }),
  );
  return { gateway: gw.name, value };
}
