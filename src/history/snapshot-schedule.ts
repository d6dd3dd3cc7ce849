import { Cron } from "croner";
import type { Logger } from "pino";
import type { GatewayConnection } from "../gateway/gateway-connection.js";
import type { GatewayPool } from "../gateway/gateway-pool.js";
import type { StoreSession } from "../store/index.js";
import type { Snapshotter } from "./snapshotter.js";

export interface SnapshotScheduleOptions {
  /** ACCT_REF, read in UTC. */
  cron: string;
  pool: GatewayPool;
  /** Holds the leader locks (advisory locks: the database releases them when a leader dies). */
  session: StoreSession;
  snapshotter: Snapshotter;
  logger: Logger;
  /** How often a gateway without a leader here is tried for leadership. Takeover happens within about this. */
  leaderPollMs: number;
}

/** The per-gateway state of the schedule. */
interface GatewayDuty {
  gateway: GatewayConnection;
  lock: string;
  /** A snapshot of every account is owed (start, cron, takeover); paid when the gateway is connected. */
  due: boolean;
  running: boolean;
  /** Accounts seen, to snapshot new ones as they appear. */
  known: Set<string>;
}

/**
 * When snapshots are taken without being asked: when this instance becomes a gateway's snapshot leader (at start, or
 * taking over from a dead leader), on every ACCT_REF tick, and for accounts that appear on a gateway. One leader per
 * gateway across every instance on the database (an advisory lock per gateway name; on PGlite the one instance is
 * always it), so a scheduled tick is never snapshotted twice. A gateway that is down when its snapshot is due gets it
 * when it connects again.
 */
export class SnapshotSchedule {
  private readonly duties: GatewayDuty[];
  private readonly log: Logger;
  private readonly cron: Cron;
  private readonly abort = new AbortController();
  private poller: NodeJS.Timeout | undefined;
  private readonly onPoolChange = () => {
    for (const duty of this.duties) this.onGatewayChange(duty);
  };
  /**
   * Locks this instance held when its database session dropped. While the database is unreachable nobody can be
   * elected, so the last leader keeps paying the schedule (its snapshots are kept in memory and written when the
   * database returns) instead of every tick of the outage being lost; once the session is back it must win the lock
   * again or stop.
   */
  private readonly provisional = new Set<string>();
  private readonly onLost = (locks: string[]) => {
    for (const lock of locks) this.provisional.add(lock);
    if (locks.length > 0) this.log.warn({ locks }, "database session lost: leading on until it is back");
  };

  constructor(private readonly opts: SnapshotScheduleOptions) {
    this.log = opts.logger.child({ component: "snapshot-schedule" });
    this.duties = opts.pool.gateways.map((gateway) => ({
      gateway,
      lock: `ibrpc.snapshot-leader:${gateway.name}`,
      due: false,
      running: false,
      known: new Set(gateway.accounts),
    }));
    this.cron = new Cron(opts.cron, { timezone: "UTC", paused: true }, () => this.tick());
  }

  start(): void {
    this.cron.resume();
    this.opts.pool.on("change", this.onPoolChange);
    this.opts.session.on("lost", this.onLost);
    const poll = () => {
      void this.pollLeadership().finally(() => {
        if (!this.abort.signal.aborted) this.poller = setTimeout(poll, this.opts.leaderPollMs);
      });
    };
    poll();
  }

  /** True while this instance is the snapshot leader of `gateway`. */
  isLeader(gateway: string): boolean {
    return this.leads(`ibrpc.snapshot-leader:${gateway}`);
  }

  private leads(lock: string): boolean {
    return this.opts.session.holds(lock) || (!this.opts.session.connected && this.provisional.has(lock));
  }

  /** The next ACCT_REF tick. */
  nextRun(): Date | null {
    return this.cron.nextRun();
  }

  close(): void {
    this.abort.abort(new Error("schedule closed"));
    this.cron.stop();
    if (this.poller) clearTimeout(this.poller);
    this.opts.pool.off("change", this.onPoolChange);
    this.opts.session.off("lost", this.onLost);
    for (const duty of this.duties) this.opts.session.unlock(duty.lock).catch(() => {});
  }

  private async pollLeadership(): Promise<void> {
    for (const duty of this.duties) {
      if (this.opts.session.holds(duty.lock) || this.abort.signal.aborted || !this.opts.session.connected) continue;
      const resumed = this.provisional.delete(duty.lock);
      if (!(await this.opts.session.tryLock(duty.lock))) {
        if (resumed) this.log.warn({ gateway: duty.gateway.name }, "another instance leads snapshots now");
        continue;
      }
      this.log.info({ gateway: duty.gateway.name, resumed }, "snapshot leader for gateway");
      // A new leader owes a snapshot: at start (ibconnect's "gateway just started"), or after a leader died. One
      // that led through a database outage owes nothing new.
      if (!resumed) duty.due = true;
      this.run(duty);
    }
  }

  /** An ACCT_REF tick: every gateway this instance leads owes a snapshot of every account (tests call it directly). */
  tick(): void {
    for (const duty of this.duties) {
      if (!this.leads(duty.lock)) continue;
      duty.due = true;
      this.run(duty);
    }
  }

  private onGatewayChange(duty: GatewayDuty): void {
    const fresh = duty.gateway.accounts.filter((a) => !duty.known.has(a));
    for (const a of fresh) duty.known.add(a);
    if (fresh.length > 0 && !duty.due && this.leads(duty.lock)) {
      this.log.info({ gateway: duty.gateway.name, accounts: fresh }, "new accounts: snapshotting them");
      duty.due = true;
    }
    this.run(duty);
  }

  /** Pays the duty's snapshot if owed, this instance leads, and the gateway is connected; else it stays owed. */
  private run(duty: GatewayDuty): void {
    if (!duty.due || duty.running || !duty.gateway.isConnected || this.abort.signal.aborted) return;
    if (!this.leads(duty.lock)) return;
    duty.due = false;
    duty.running = true;
    this.opts.snapshotter
      .take({ gateway: duty.gateway.name }, this.abort.signal)
      .then(
        (snapshots) => this.log.info({ gateway: duty.gateway.name, accounts: snapshots.length }, "snapshots taken"),
        (err: unknown) => {
          // Down or failing: owed again, paid when the gateway is back (the next change event).
          duty.due = true;
          this.log.warn({ gateway: duty.gateway.name, err: (err as Error).message }, "scheduled snapshots failed");
        },
      )
      .finally(() => {
        duty.running = false;
        // Owed again meanwhile (a tick during the run): pay it now unless the failure is the gateway being down.
        if (duty.due && duty.gateway.isConnected) setTimeout(() => this.run(duty), 1_000).unref();
      });
  }
}
