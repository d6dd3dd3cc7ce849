import { Code, ConnectError, type ConnectRouter } from "@connectrpc/connect";
import { Health, HealthCheckResponse_ServingStatus as ServingStatus } from "../../gen/grpc/health/v1/health_pb.js";

export { ServingStatus };

/** The name gRPC health checking uses for the server as a whole. */
export const OVERALL = "";

/**
 * Serving status per service name, as grpc.health.v1 reports it. The application flips services to NOT_SERVING
 * while no IB gateway can serve them; load balancers and clients watch the result.
 */
export class HealthStatus {
  private readonly statuses = new Map<string, ServingStatus>();
  private waiters = new Set<() => void>();
  private frozen = false;

  constructor(initial: Readonly<Record<string, ServingStatus>> = { [OVERALL]: ServingStatus.SERVING }) {
    for (const [service, status] of Object.entries(initial)) this.statuses.set(service, status);
  }

  /** Sets (or registers) a service's status; `""` is the server as a whole. Ignored after {@link shutdown}. */
  set(service: string, status: ServingStatus): void {
    if (this.frozen || this.statuses.get(service) === status) return;
    this.statuses.set(service, status);
    this.notify();
  }

  /** The status of a registered service, undefined for one never set. */
  get(service: string): ServingStatus | undefined {
    return this.statuses.get(service);
  }

  /**
   * Marks every service NOT_SERVING for good, so that watchers and load balancers stop sending traffic while the
   * server drains (what grpc-go's health server does on Shutdown).
   */
  shutdown(): void {
    for (const service of this.statuses.keys()) this.statuses.set(service, ServingStatus.NOT_SERVING);
    this.frozen = true;
    this.notify();
  }

  /**
   * The current status, then every change, until `signal` aborts. Intermediate changes a slow reader missed are
   * conflated: only the latest status matters to a health watcher.
   */
  async *watch(service: string, signal: AbortSignal): AsyncGenerator<ServingStatus> {
    let last: ServingStatus | undefined;
    while (!signal.aborted) {
      const current = this.statuses.get(service) ?? ServingStatus.SERVICE_UNKNOWN;
      if (current !== last) {
        last = current;
        yield current;
        // Re-read before waiting: a change made while the consumer held the value must not be lost.
        continue;
      }
      await this.changed(signal);
    }
  }

  private changed(signal: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      const wake = () => {
        this.waiters.delete(wake);
        signal.removeEventListener("abort", wake);
        resolve();
      };
      this.waiters.add(wake);
      signal.addEventListener("abort", wake, { once: true });
    });
  }

  private notify(): void {
    const waiters = this.waiters;
    this.waiters = new Set();
    for (const wake of waiters) wake();
  }
}

/** Registers grpc.health.v1.Health over `status`. */
export function registerHealth(router: ConnectRouter, status: HealthStatus): void {
  router.service(Health, {
    check(req) {
      const current = status.get(req.service);
      if (current === undefined)
        throw new ConnectError(`unknown service ${JSON.stringify(req.service)}`, Code.NotFound);
      return { status: current };
    },
    async *watch(req, ctx) {
      for await (const current of status.watch(req.service, ctx.signal)) yield { status: current };
      // The stream only ends when the call is over: cancelled, timed out, or the server shutting down. Ending it with
      // that reason (not OK) tells a client to re-watch elsewhere rather than trust a silently ended stream.
      throw ConnectError.from(ctx.signal.reason, Code.Canceled);
    },
  });
}
