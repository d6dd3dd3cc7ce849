import { create } from "@bufbuild/protobuf";
import { Code, ConnectError } from "@connectrpc/connect";
import { EventName } from "@stoqey/ib";
import type { Logger } from "pino";
import {
  type AccountSnapshot,
  AccountSnapshotSchema,
  type AccountValue,
  type PortfolioItem,
} from "../../gen/ibrpc/v1/account_history_pb.js";
import { withDeadline } from "../gateway/deadline.js";
import { LANE } from "../gateway/exclusive-lane.js";
import type { GatewayConnection } from "../gateway/gateway-connection.js";
import type { GatewayPool } from "../gateway/gateway-pool.js";
import { accountValueRow, portfolioRow } from "./account-rows.js";
import { type Micros, microsToTimestamp } from "./snapshot-time.js";
import type { SnapshotWriter } from "./snapshot-writer.js";

/** Which accounts to snapshot: all of every connected gateway, one gateway's, or one account. */
export interface SnapshotTarget {
  gateway?: string;
  account?: string;
}

export interface SnapshotterOptions {
  pool: GatewayPool;
  writer: SnapshotWriter;
  clock: () => Micros;
  accountTimeoutMs: number;
  logger: Logger;
}

type Row = { value: AccountValue } | { item: PortfolioItem } | { time: string };

/**
 * Takes account snapshots from IB the way ibconnect does: reqAccountUpdates(true, account) ... accountDownloadEnd,
 * then reqAccountUpdates(false, account), one account at a time per connection (the exclusive lane: IB streams one
 * account per client, and its rows carry no request id). The snapshot's time is when accountDownloadEnd arrived.
 */
export class Snapshotter {
  private readonly log: Logger;

  constructor(private readonly opts: SnapshotterOptions) {
    this.log = opts.logger.child({ component: "snapshotter" });
  }

  /**
   * Snapshots every account of `target`, each stored (or kept while the database is down) before this resolves.
   * Fails only when no snapshot could be taken and kept: UNAVAILABLE (gateways down, memory full), NOT_FOUND
   * (unknown gateway or account), DEADLINE_EXCEEDED.
   */
  async take(target: SnapshotTarget, signal: AbortSignal): Promise<AccountSnapshot[]> {
    const jobs = this.plan(target);
    const results = await Promise.all(
      jobs.map(async ({ gateway, accounts }) => {
        const taken: AccountSnapshot[] = [];
        let failure: unknown;
        for (const account of accounts) {
          try {
            taken.push(await this.takeAccount(gateway, account, signal));
          } catch (err) {
            failure ??= err;
            this.log.warn({ gateway: gateway.name, account, err: (err as Error).message }, "snapshot failed");
            if (signal.aborted) break;
          }
        }
        return { taken, failure };
      }),
    );
    const taken = results.flatMap((r) => r.taken);
    const failure = results.find((r) => r.failure !== undefined)?.failure;
    if (taken.length === 0 && failure !== undefined) throw failure;
    return taken;
  }

  /** One account's snapshot from `gateway`, handed to the writer. */
  async takeAccount(gateway: GatewayConnection, account: string, signal: AbortSignal): Promise<AccountSnapshot> {
    const rows = await withDeadline(
      { signal, timeoutMs: this.opts.accountTimeoutMs },
      () => `reqAccountUpdates: no accountDownloadEnd for ${account} from gateway ${gateway.name}`,
      (deadline) =>
        gateway.correlator.gatherUnkeyed<Row, EventName.accountDownloadEnd>({
          request: "reqAccountUpdates",
          lane: LANE.accountUpdates,
          send: () => gateway.ib.reqAccountUpdates(true, account),
          cancel: () => gateway.ib.reqAccountUpdates(false, account),
          cancelAfterEnd: true,
          items: {
            [EventName.updateAccountValue]: (e) => ({ value: accountValueRow(e) }),
            [EventName.updatePortfolio]: (e) => ({ item: portfolioRow(e) }),
            [EventName.updateAccountTime]: (e) => ({ time: e.timeStamp }),
          },
          filter: {
            [EventName.updateAccountValue]: (e) => e.accountName === account,
            [EventName.updatePortfolio]: (e) => e.accountName === undefined || e.accountName === account,
          },
          end: EventName.accountDownloadEnd,
          isEnd: (e) => e.account === account,
          noun: "account rows",
          signal: deadline,
        }),
    );
    const time = this.opts.clock();
    const snapshot = create(AccountSnapshotSchema, {
      account,
      time: microsToTimestamp(time),
      gateway: gateway.name,
      accountValues: rows.flatMap((r) => ("value" in r ? [r.value] : [])),
      portfolio: rows.flatMap((r) => ("item" in r ? [r.item] : [])),
      accountTime: rows.flatMap((r) => ("time" in r ? [r.time] : [])).at(-1) ?? "",
    });
    await this.opts.writer.write(snapshot);
    return snapshot;
  }

  private plan(target: SnapshotTarget): { gateway: GatewayConnection; accounts: string[] }[] {
    const { pool } = this.opts;
    if (target.account) {
      const gateway = pool.forAccount(target.account, target.gateway);
      if (!gateway.isConnected) throw gatewayDown([gateway]);
      return [{ gateway, accounts: [target.account] }];
    }
    const candidates = target.gateway ? [pool.pick(target.gateway)] : [...pool.gateways];
    const connected = candidates.filter((g) => g.isConnected);
    if (connected.length === 0) throw gatewayDown(candidates);
    return connected.map((gateway) => ({ gateway, accounts: [...gateway.accounts] }));
  }
}

function gatewayDown(gateways: readonly GatewayConnection[]): ConnectError {
  const names = gateways.map((g) => g.name).join(", ");
  return new ConnectError(
    gateways.length === 1 ? `gateway ${names} is not connected` : `no gateway is connected (${names})`,
    Code.Unavailable,
  );
}
