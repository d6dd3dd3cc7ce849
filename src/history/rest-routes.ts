import { toJson } from "@bufbuild/protobuf";
import { Code, ConnectError } from "@connectrpc/connect";
import { AccountSnapshotSchema } from "../../gen/ibrpc/v1/account_history_pb.js";
import type { HttpRequest, HttpResponse, HttpRoute, HttpRouteContext } from "../server/http-routes.js";
import { sendJson } from "../server/http-routes.js";
import { toConnectError } from "../store/index.js";
import type { AccountHistory } from "./account-history.js";
import { microsToIso, microsToRfc3339Nano, nanosToMicros, parseRfc3339Nanos } from "./snapshot-time.js";

export interface RestRoutesOptions {
  history: AccountHistory;
  /** ERR_INFO: the real message of unexpected errors goes to clients. */
  errInfo: boolean;
  /** The longest a `Cache-Control: max-age=0` refresh waits for IB. */
  refreshTimeoutMs: number;
}

/** How long clients may reuse the account list (ibconnect's value). */
const LIST_MAX_AGE = "max-age=60";
/** A snapshot URL names one instant: its content never changes. */
const IMMUTABLE = "public, max-age=31536000, immutable";
const PREFIX = "/v1/accounts";

/**
 * ibconnect's REST paths, on the API port, so its users switch without changing a client:
 *   GET /v1/accounts                     every account ever seen (Cache-Control: max-age=60; a request with
 *                                        Cache-Control: max-age=0 takes fresh snapshots first)
 *   GET /v1/accounts/ACCT                303 to the latest snapshot's URL
 *   GET /v1/accounts/ACCT/RFC3339NANO    that snapshot as JSON, cacheable for a year (immutable)
 * Errors are JSON ({code, message}, Connect's shape); internal details only with ERR_INFO.
 */
export function historyRestRoutes(opts: RestRoutesOptions): HttpRoute[] {
  return [
    {
      method: ["GET", "HEAD"],
      path: (p) => p === PREFIX || p === `${PREFIX}/` || p.startsWith(`${PREFIX}/`),
      scope: "read",
      handler: (req, res, ctx) =>
        answer(req, res, ctx, opts).catch((err: unknown) => sendError(res, ctx, err, opts.errInfo)),
    },
  ];
}

async function answer(req: HttpRequest, res: HttpResponse, ctx: HttpRouteContext, opts: RestRoutesOptions) {
  const { history } = opts;
  const parts = ctx.path.slice(PREFIX.length).split("/").filter(Boolean).map(decodeURIComponent);
  const refresh = wantsFresh(req);
  if (parts.length === 0) {
    const headers: Record<string, string> = { "cache-control": LIST_MAX_AGE };
    if (refresh) {
      const failed = await takeFresh(history, {}, ctx, opts);
      if (failed) headers.warning = `111 - "Revalidation Failed: ${failed.replace(/"/g, "'")}"`;
    }
    const accounts = await history.reads().accounts();
    sendJson(
      res,
      200,
      accounts.map((a) => ({
        account: a.account,
        gateway: a.gateway,
        firstSeen: microsToIso(a.firstSeen),
        lastSeen: microsToIso(a.lastSeen),
        ...(a.latestSnapshot === undefined ? {} : { latestSnapshotTime: microsToIso(a.latestSnapshot) }),
        ...(a.latestSnapshot === undefined ? {} : { latestSnapshotUrl: snapshotPath(a.account, a.latestSnapshot) }),
      })),
      headers,
    );
    return;
  }
  const [account = "", time, ...rest] = parts;
  if (rest.length > 0) throw new ConnectError(`no such path ${ctx.path}`, Code.NotFound);
  if (time === undefined) {
    const headers: Record<string, string> = { "cache-control": "no-cache" };
    if (refresh) {
      const failed = await takeFresh(history, { account }, ctx, opts);
      if (failed) headers.warning = `111 - "Revalidation Failed: ${failed.replace(/"/g, "'")}"`;
    }
    const latest = (await history.reads().accounts()).find((a) => a.account === account)?.latestSnapshot;
    if (latest === undefined) throw new ConnectError(`no snapshot of account ${account}`, Code.NotFound);
    const location = snapshotPath(account, latest);
    (res as import("node:http").ServerResponse).writeHead(303, { location, ...headers, "content-length": "0" });
    res.end();
    return;
  }
  const nanos = parseRfc3339Nanos(time);
  if (nanos === undefined) {
    throw new ConnectError(
      `"${time}" is not an RFC 3339 time (e.g. 2014-04-22T04:22:05.776394Z)`,
      Code.InvalidArgument,
    );
  }
  const us = nanosToMicros(nanos);
  const snapshot = us === undefined ? undefined : await history.reads().at(account, us);
  if (!snapshot) throw new ConnectError(`no snapshot of account ${account} at ${time}`, Code.NotFound);
  sendJson(res, 200, toJson(AccountSnapshotSchema, snapshot), { "cache-control": IMMUTABLE });
}

/** ibconnect's URL of a snapshot: Go's RFC3339Nano (trailing zeros dropped). */
export function snapshotPath(account: string, us: bigint): string {
  return `${PREFIX}/${encodeURIComponent(account)}/${microsToRfc3339Nano(us)}`;
}

/** `Cache-Control: max-age=0` (or no-cache): the client wants data no older than now. */
function wantsFresh(req: HttpRequest): boolean {
  const cc = String(req.headers["cache-control"] ?? "").toLowerCase();
  return /(^|,)\s*(max-age\s*=\s*0|no-cache)\s*(,|$)/.test(cc);
}

/** Takes fresh snapshots; a failure (gateways down) is returned, not thrown: the stored history still answers. */
async function takeFresh(
  history: AccountHistory,
  target: { account?: string },
  ctx: HttpRouteContext,
  opts: RestRoutesOptions,
): Promise<string | undefined> {
  const signal = AbortSignal.any([ctx.signal, AbortSignal.timeout(opts.refreshTimeoutMs)]);
  try {
    await history.take(target, signal);
    return undefined;
  } catch (err) {
    ctx.logger.warn({ err: (err as Error).message, ...target }, "REST refresh: fresh snapshots not taken");
    return ConnectError.from(err).rawMessage;
  }
}

const HTTP_STATUS: Partial<Record<Code, number>> = {
  [Code.InvalidArgument]: 400,
  [Code.NotFound]: 404,
  [Code.Unavailable]: 503,
  [Code.DeadlineExceeded]: 504,
  [Code.PermissionDenied]: 403,
  [Code.Unauthenticated]: 401,
};

function sendError(res: HttpResponse, ctx: HttpRouteContext, err: unknown, errInfo: boolean): void {
  const ce = toConnectError(err, "account history");
  const status = HTTP_STATUS[ce.code] ?? 500;
  if (status === 500) ctx.logger.error({ err, path: ctx.path }, "REST history read failed");
  const detail = errInfo ? describeCause(ce) : undefined;
  const message = status === 500 && !errInfo ? "internal error" : ce.rawMessage;
  sendJson(res, status, {
    code: Code[ce.code].replace(/[A-Z]/g, (c, i) => (i ? "_" : "") + c.toLowerCase()),
    message,
    ...(detail ? { detail } : {}),
  });
}

/** ERR_INFO=true: what the database (or anything else) actually said, for operators debugging a failure. */
function describeCause(err: ConnectError): string | undefined {
  const cause = err.cause as Error | undefined;
  return cause?.message && cause.message !== err.rawMessage ? cause.message : undefined;
}
