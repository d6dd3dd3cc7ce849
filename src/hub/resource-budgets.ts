import { create } from "@bufbuild/protobuf";
import { Code, ConnectError } from "@connectrpc/connect";
import { ErrorInfoSchema } from "../../gen/google/rpc/error_details_pb.js";
import type { ScarceResource } from "./feed-spec.js";

/**
 * IB's scarce per-login resources and how many of each ibrpc may hold. Defaults follow IB's: 100 market data lines,
 * 3 depth books, tick-by-tick as many as depth (IB's own formula), 50 open historical requests (keepUpToDate ones
 * stay open).
 */
export interface ResourceLimits {
  /** @default 100 */
  marketDataLines: number;
  /** @default 3 */
  depth: number;
  /** @default 3 */
  tickByTick: number;
  /** @default 50 */
  keepUpToDate: number;
  /** reqAccountUpdates streams one account at a time per connection. @default 1 */
  accountUpdates: number;
}

export const DEFAULT_RESOURCE_LIMITS: ResourceLimits = {
  marketDataLines: 100,
  depth: 3,
  tickByTick: 3,
  keepUpToDate: 50,
  accountUpdates: 1,
};

/** What IB calls each resource, for messages a person reads. */
const LIMIT_NAMES: Record<ScarceResource, string> = {
  marketDataLines: "market data lines",
  depth: "market depth subscriptions",
  tickByTick: "tick-by-tick subscriptions",
  keepUpToDate: "historical keepUpToDate subscriptions",
  accountUpdates: "account update subscriptions (IB streams one account at a time per API connection)",
};

/** IB's own error for each resource: ibrpc refuses before IB would, with the same meaning. */
export const IB_LIMIT_CODES: Record<ScarceResource, number> = {
  marketDataLines: 101,
  depth: 309,
  tickByTick: 10190,
  keepUpToDate: 162,
  accountUpdates: 0,
};

export const RESOURCE_LIMIT_REASON = "IB_RESOURCE_LIMIT";

/** A holder of a resource, as the refusal names it. */
export interface ResourceHolder {
  describe: string;
  streams: number;
}

/**
 * Counts what the hub holds of each resource. A request past the budget fails at once with RESOURCE_EXHAUSTED
 * naming the limit and what holds it, instead of reaching IB and coming back as 101 / 309 / 10190 (or, worse,
 * silently taking a line another client needed).
 */
export class ResourceBudgets {
  readonly limits: ResourceLimits;
  private readonly used = new Map<ScarceResource, number>();

  constructor(limits: Partial<ResourceLimits> = {}) {
    this.limits = { ...DEFAULT_RESOURCE_LIMITS, ...limits };
    for (const [name, n] of Object.entries(this.limits)) {
      if (!(Number.isInteger(n) && n >= 0)) throw new RangeError(`${name} limit ${n} must be an integer >= 0`);
    }
  }

  inUse(resource: ScarceResource): number {
    return this.used.get(resource) ?? 0;
  }

  hasRoom(resource: ScarceResource): boolean {
    return this.inUse(resource) < this.limits[resource];
  }

  take(resource: ScarceResource): void {
    this.used.set(resource, this.inUse(resource) + 1);
  }

  release(resource: ScarceResource): void {
    this.used.set(resource, Math.max(0, this.inUse(resource) - 1));
  }

  /** The RESOURCE_EXHAUSTED a refused request fails with: the limit, its use, and the biggest holders. */
  exhausted(resource: ScarceResource, gateway: string, holders: readonly ResourceHolder[]): ConnectError {
    const limit = this.limits[resource];
    const shown = [...holders].sort((a, b) => b.streams - a.streams).slice(0, 5);
    const more = holders.length - shown.length;
    const held = shown.map((h) => `${h.describe} (${h.streams} stream${h.streams === 1 ? "" : "s"})`).join(", ");
    const message =
      `${LIMIT_NAMES[resource]}: all ${limit} of gateway ${gateway} are in use` +
      (held ? `, held by ${held}${more > 0 ? ` and ${more} more` : ""}` : "") +
      "; cancel one of those streams or raise the limit (IB's limit depends on the account's subscriptions)";
    const info = create(ErrorInfoSchema, {
      reason: RESOURCE_LIMIT_REASON,
      domain: "ibrpc",
      metadata: {
        limit: resource,
        max: String(limit),
        inUse: String(this.inUse(resource)),
        ibCode: String(IB_LIMIT_CODES[resource]),
        gateway,
      },
    });
    return new ConnectError(message, Code.ResourceExhausted, undefined, [{ desc: ErrorInfoSchema, value: info }]);
  }
}
