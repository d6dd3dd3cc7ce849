import { create } from "@bufbuild/protobuf";
import { type Timestamp, timestampFromDate } from "@bufbuild/protobuf/wkt";
import { Code, ConnectError, type HandlerContext, type ServiceImpl } from "@connectrpc/connect";
import {
  type AccountHistoryService,
  type AccountSnapshot,
  HistoryAccountSchema,
  type WatchSnapshotsResponse,
  WatchSnapshotsResponseSchema,
} from "../../gen/ibrpc/v1/account_history_pb.js";
import { GapReason, GapSchema } from "../../gen/ibrpc/v1/common_pb.js";
import type { AccountHistory } from "../history/account-history.js";
import { decodePageToken, encodePageToken } from "../history/page-token.js";
import { snapshotMicros } from "../history/snapshot-repository.js";
import { type Micros, microsToTimestamp, timestampToMicros } from "../history/snapshot-time.js";
import { toConnectError } from "../store/index.js";
import { abortable } from "../util/abortable.js";
import { AsyncQueue } from "../util/async-queue.js";
import { type ServiceDeps, withCallDeadline } from "./call-context.js";

const DEFAULT_PAGE_SIZE = 100;
const MAX_PAGE_SIZE = 1_000;
/** Snapshots a WatchSnapshots client may fall behind by before its stream is ended (it can watch again). */
const WATCH_BUFFER = 1_000;

/**
 * ibconnect's history over RPC. Reads come from the database only (they work with every gateway down) and fail
 * with UNAVAILABLE while it is unreachable; TakeSnapshots asks the gateways.
 */
export function accountHistoryService(deps: ServiceDeps): ServiceImpl<typeof AccountHistoryService> {
  const history = (): AccountHistory => {
    if (!deps.history) throw new ConnectError("the account history is not configured", Code.Unavailable);
    return deps.history;
  };
  const read = async <T>(what: string, fn: (h: AccountHistory) => Promise<T>): Promise<T> => {
    try {
      return await fn(history());
    } catch (err) {
      throw toConnectError(err, what);
    }
  };

  return {
    async listAccounts() {
      const accounts = await read("ListAccounts", (h) => h.reads().accounts());
      return {
        accounts: accounts.map((a) =>
          create(HistoryAccountSchema, {
            account: a.account,
            gateway: a.gateway,
            firstSeen: microsToTimestamp(a.firstSeen),
            lastSeen: microsToTimestamp(a.lastSeen),
            latestSnapshotTime: a.latestSnapshot === undefined ? undefined : microsToTimestamp(a.latestSnapshot),
          }),
        ),
      };
    },

    async getLatestSnapshot(req) {
      const snapshot = await read("GetLatestSnapshot", (h) => h.reads().latest(req.account));
      if (!snapshot) throw new ConnectError(`no snapshot of account ${req.account}`, Code.NotFound);
      return { snapshot };
    },

    async getSnapshot(req) {
      const us = timestampToMicros(req.time as Timestamp);
      const snapshot = us === undefined ? undefined : await read("GetSnapshot", (h) => h.reads().at(req.account, us));
      if (!snapshot) {
        throw new ConnectError(`no snapshot of account ${req.account} at ${describeTime(req.time)}`, Code.NotFound);
      }
      return { snapshot };
    },

    async listSnapshots(req) {
      const fromUs = req.startTime ? ceilMicros(req.startTime) : undefined;
      const endUs = req.endTime ? ceilMicros(req.endTime) : undefined;
      const filter = `${req.account}|${fromUs ?? ""}|${endUs ?? ""}`;
      const before = req.pageToken ? decodePageToken(req.pageToken, filter) : undefined;
      const toUs = before !== undefined && (endUs === undefined || before < endUs) ? before : endUs;
      const limit = Math.min(req.pageSize || DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE);
      const page = await read("ListSnapshots", async (h) => {
        const rows = await h.reads().range(req.account, { fromUs, toUs, limit: limit + 1 });
        if (rows.length === 0 && !req.pageToken && !(await h.reads().hasAccount(req.account))) {
          throw new ConnectError(`unknown account ${req.account}`, Code.NotFound);
        }
        return rows;
      });
      const snapshots = page.slice(0, limit);
      const last = snapshots.at(-1);
      return {
        snapshots,
        nextPageToken: page.length > limit && last ? encodePageToken(snapshotMicros(last), filter) : "",
      };
    },

    async takeSnapshots(req, ctx) {
      const h = history();
      const snapshots = await withCallDeadline(
        deps,
        ctx,
        () => "TakeSnapshots: not every account's accountDownloadEnd arrived",
        (signal) => h.take({ gateway: req.gateway || undefined, account: req.account || undefined }, signal),
      );
      return { snapshots };
    },

    async *watchSnapshots(req, ctx: HandlerContext) {
      const h = history();
      h.reads(); // UNAVAILABLE at once while the store is not open
      yield* watch(h, req.account, deps.shutdown, ctx.signal);
    },
  };
}

/** First the latest snapshot of each account (or of the one named), then each new one; a Gap when some may be missed. */
async function* watch(
  h: AccountHistory,
  account: string,
  shutdown: AbortSignal,
  signal: AbortSignal,
): AsyncGenerator<WatchSnapshotsResponse> {
  const queue = new AsyncQueue<WatchSnapshotsResponse>(
    WATCH_BUFFER,
    () => new ConnectError(`client too slow: more than ${WATCH_BUFFER} snapshots behind`, Code.ResourceExhausted),
  );
  // The newest time sent per account: the initial read and the announcements overlap, and a re-read after a gap
  // repeats what was sent; nothing goes out twice or backwards.
  const sent = new Map<string, Micros>();
  const offer = (s: AccountSnapshot) => {
    if (account && s.account !== account) return;
    const us = snapshotMicros(s);
    if ((sent.get(s.account) ?? -1n) >= us) return;
    sent.set(s.account, us);
    queue.push(create(WatchSnapshotsResponseSchema, { event: { case: "snapshot", value: s } }));
  };
  const current = async () => {
    const repo = h.reads();
    const accounts = account ? [account] : (await repo.accounts()).map((a) => a.account);
    for (const a of accounts) {
      const latest = await repo.latest(a);
      if (latest) offer(latest);
    }
  };
  const onGap = (since: Date) => {
    queue.push(
      create(WatchSnapshotsResponseSchema, {
        event: {
          case: "gap",
          value: create(GapSchema, {
            reason: GapReason.UNSPECIFIED,
            since: timestampFromDate(since),
            until: timestampFromDate(new Date()),
            missed: "snapshots stored while this instance's database session was down: the latest of each follows",
          }),
        },
      }),
    );
    current().catch((err: unknown) => queue.end(toConnectError(err, "WatchSnapshots")));
  };
  const onShutdown = () => queue.end(new ConnectError("server is shutting down", Code.Unavailable));
  h.on("snapshot", offer);
  h.on("gap", onGap);
  shutdown.addEventListener("abort", onShutdown, { once: true });
  try {
    if (shutdown.aborted) onShutdown();
    // The first read is bounded by the call's deadline: a busy or stalled database must not hold a stream open
    // with nothing sent past the time its client allowed.
    await abortable(
      current().catch((err: unknown) => {
        throw toConnectError(err, "WatchSnapshots");
      }),
      signal,
    );
    yield* queue.iterate(signal);
  } finally {
    h.off("snapshot", offer);
    h.off("gap", onGap);
    shutdown.removeEventListener("abort", onShutdown);
  }
}

/** A bound in whole microseconds, rounded up (snapshot times have no finer digits, so nothing is lost). */
function ceilMicros(ts: Timestamp): Micros {
  return ts.seconds * 1_000_000n + BigInt(Math.ceil(ts.nanos / 1000));
}

function describeTime(ts: Timestamp | undefined): string {
  if (!ts) return "(no time)";
  const iso = new Date(Number(ts.seconds) * 1000).toISOString().slice(0, 19);
  return `${iso}.${String(ts.nanos).padStart(9, "0")}Z`;
}
